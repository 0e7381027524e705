"""A user-testing study: what is tested, its tasks (versioned once results exist), its anonymous
participants with their consent, and per participant and task the outcome, time, ease rating,
notes and issues; and the SUS each participant filled in. A participant who withdraws keeps only
their code, cohort and when they withdrew: every note and result of theirs is deleted."""

from enum import Enum

from piccolo.columns import JSON, Boolean, Float, ForeignKey, Integer, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.accounts.tables import StaffUser
from app.governance.tables import Project


class SubjectKind(str, Enum):
    service = "service"
    page = "page"
    leaflet = "leaflet"
    process = "process"


class SusWording(str, Enum):
    standard = "standard"
    children = "children"


class Study(Table, help_text="A user-testing study: one thing tested with young people, families or practitioners."):
    title = Varchar(length=200)
    subject_kind = Varchar(length=10, choices=SubjectKind, default=SubjectKind.page)
    subject = Text(default="", help_text="What is tested, e.g. the page's address or the leaflet's name.")
    project = ForeignKey(Project, null=True, index=True, on_delete=OnDelete.set_null)
    goals = Text(default="")
    consent_text = Text(default="", help_text="What participants (and parents or carers) are told and agree to.")
    under_13 = Boolean(default=False, help_text="For under-13s: a parent's or carer's consent is needed too.")
    sus_wording = Varchar(length=10, choices=SusWording, default=SusWording.children)
    created_by = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class StudyTask(Table, help_text="One task of a study, one version: editing a task that has results makes a new version."):
    study = ForeignKey(Study, index=True, on_delete=OnDelete.cascade)
    position = SmallInt(default=1)
    title = Varchar(length=200)
    scenario = Text(default="", help_text="The scenario read to the participant, in plain words.")
    success_criteria = Text(default="")
    reading_age = Float(default=0.0, help_text="The scenario's reading age when saved (analysis.readability).")
    version = SmallInt(default=1)
    first_version = Integer(null=True, default=None, help_text="The id of version 1 (null on version 1 itself).")
    current = Boolean(default=True, help_text="False once a newer version replaced it; its results stay with it.")


class CohortGroup(str, Enum):
    young_person = "young_person"
    parent_carer = "parent_carer"
    practitioner = "practitioner"


class ConsentBy(str, Enum):
    participant = "participant"
    parent_carer = "parent_carer"


class StudyParticipant(Table, help_text="An anonymous participant: a code and a cohort, never a name."):
    study = ForeignKey(Study, index=True, on_delete=OnDelete.cascade)
    code = Varchar(length=20)
    age_band = Varchar(length=20, default="")
    cohort_group = Varchar(length=20, choices=CohortGroup, default=CohortGroup.young_person)
    access_needs = Varchar(length=200, default="", help_text="Optional, e.g. screen reader, large text.")
    consent_at = Timestamptz(null=True, default=None)
    consent_by = Varchar(length=20, default="", help_text="participant, or parent_carer (with the child's own agreement).")
    withdrawn_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class TaskOutcome(str, Enum):
    success = "success"
    with_help = "with_help"
    failed = "failed"
    abandoned = "abandoned"


class TaskResult(Table, help_text="How one participant did one task (one version of it)."):
    participant = ForeignKey(StudyParticipant, index=True, on_delete=OnDelete.cascade)
    task = ForeignKey(StudyTask, index=True, on_delete=OnDelete.cascade)
    outcome = Varchar(length=10, choices=TaskOutcome, null=True, default=None)
    seconds = Integer(null=True, default=None, help_text="Time on task; the page's timer, editable.")
    seq = SmallInt(null=True, default=None, help_text="Single Ease Question, 1 (very difficult) to 7 (very easy).")
    saved_at = Timestamptz()


class Observation(Table, help_text="A timestamped note or quote taken while a participant did a task."):
    participant = ForeignKey(StudyParticipant, index=True, on_delete=OnDelete.cascade)
    task = ForeignKey(StudyTask, null=True, on_delete=OnDelete.cascade)
    kind = Varchar(length=12, default="observation", help_text="observation, or quote (the participant's own words).")
    text = Text()
    observed_at = Timestamptz()
    held = Boolean(default=False, help_text="Screening flagged it: held for the safeguarding lead, out of every result.")
    released = Boolean(default=False, help_text="The safeguarding lead found it a false alarm.")
    sentiment = Varchar(length=10, default="neutral")


class StudyIssue(Table, help_text="A usability issue seen in a study, with its severity (Nielsen 0-4)."):
    study = ForeignKey(Study, index=True, on_delete=OnDelete.cascade)
    task = ForeignKey(StudyTask, null=True, on_delete=OnDelete.set_null)
    title = Varchar(length=200)
    severity = SmallInt(default=2)


class IssueSighting(Table, help_text="One participant met an issue: how often an issue was met counts these."):
    issue = ForeignKey(StudyIssue, index=True, on_delete=OnDelete.cascade)
    participant = ForeignKey(StudyParticipant, index=True, on_delete=OnDelete.cascade)
    seen_at = Timestamptz()


class SusResponse(Table, help_text="A participant's System Usability Scale; scored only when every item is answered."):
    participant = ForeignKey(StudyParticipant, unique=True, on_delete=OnDelete.cascade)
    wording = Varchar(length=10, choices=SusWording, default=SusWording.children)
    answers = JSON(default=[], help_text="Ten answers 1-5, null where unanswered.")
    score = Float(null=True, default=None, help_text="0-100; null while incomplete (not scored).")
    saved_at = Timestamptz()
