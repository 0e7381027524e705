"""Survey tables. Participants never have accounts: a response carries no name, email or address.

Answers are JSON values keyed by question; free-text answers carry their safeguarding screening
and sentiment, measured once when the response is stored.
"""

from enum import Enum

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Real,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.accounts.tables import StaffUser
from app.governance.tables import Outcome, Project


class Audience(str, Enum):
    children = "children"
    young_people = "young_people"
    young_adults = "young_adults"
    parents_carers = "parents_carers"
    staff = "staff"


class SurveyStatus(str, Enum):
    draft = "draft"
    published = "published"
    closed = "closed"
    archived = "archived"


class QuestionKind(str, Enum):
    single_choice = "single_choice"
    multiple_choice = "multiple_choice"
    likert = "likert"
    rating = "rating"
    yes_no = "yes_no"
    short_text = "short_text"
    long_text = "long_text"
    ranking = "ranking"
    number = "number"
    date = "date"


class UnderThirteenRoute(str, Enum):
    """What a survey for children or young people does when the participant says they are under 13."""

    parent_statement = "parent_statement"
    """They tick "A parent or carer knows I am doing this" before they start."""
    shorter = "shorter"
    """They answer only the questions the owner marked for under-13s."""


class AgeBand(str, Enum):
    under_13 = "under_13"
    age_13_15 = "13_15"
    age_16_17 = "16_17"
    age_18_plus = "18_plus"


class ResponseMode(str, Enum):
    online = "online"
    kiosk = "kiosk"
    paper = "paper"
    assisted = "assisted"


class Survey(Table, help_text="A questionnaire, its audience, languages and how it is shared."):
    title = Varchar(length=200)
    purpose = Text(default="", help_text="Why we ask, shown on the first page.")
    audience = Varchar(length=20, choices=Audience)
    languages = JSON(default=["en"], help_text="Language codes offered; English is always first.")
    consent_text = Text(default="")
    local_contact = Text(default="", help_text="A local person or service to contact, shown in the help footer.")
    status = Varchar(length=10, choices=SurveyStatus, default=SurveyStatus.draft, index=True)
    public_code = Varchar(length=40, unique=True, help_text="The code in /s/<code>.")
    join_code = Varchar(length=8, unique=True, help_text="Short code typed on /join.")
    opens_at = Timestamptz(null=True, default=None)
    closes_at = Timestamptz(null=True, default=None)
    response_cap = Integer(null=True, default=None)
    one_question_per_page = Boolean(default=False)
    easy_read = Boolean(default=False, help_text="Start in easy-read mode (larger text, faces, short hints).")
    project = ForeignKey(Project, null=True, help_text="The project whose lead (and board) may see results.")
    created_by = ForeignKey(StaffUser, null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Varchar(length=16, default="", help_text="New random value on every change participants could see: keys each worker's cached definition.")
    retention_months = SmallInt(default=12, help_text="Raw answers, drafts and contact requests are deleted this many months after they were sent.")
    ask_contact = Boolean(default=False, help_text="Ask on the last page whether the participant would like someone to contact them.")
    under_13_route = Varchar(length=20, choices=UnderThirteenRoute, default=UnderThirteenRoute.parent_statement,
                             help_text="Children and young people's surveys: what under-13s do (a parent or carer statement, or a shorter survey).")
    series = Varchar(length=100, default="", index=True,
                     help_text="Surveys with the same series name ask the same questions at different times (waves); blank: not in a series.")
    wave = SmallInt(default=1, help_text="This survey's wave in its series: 1 is the baseline, later waves are follow-ups.")


class Section(Table, help_text="A group of questions shown together (unless one question per page)."):
    survey = ForeignKey(Survey, index=True)
    position = SmallInt(default=0)
    title = Varchar(length=200, default="")
    intro = Text(default="")
    show_if = JSON(null=True, default=None, help_text='{"question": key, "values": [...]}: shown only then.')


class Question(Table, help_text="One question; `key` names its column in exports."):
    survey = ForeignKey(Survey, index=True)
    section = ForeignKey(Section, index=True)
    position = SmallInt(default=0)
    key = Varchar(length=40)
    kind = Varchar(length=20, choices=QuestionKind)
    text = Text()
    hint = Text(default="")
    required = Boolean(default=False)
    options = JSON(default=[], help_text='[{"value": ..., "label": ...}] for choice and ranking questions.')
    allow_other = Boolean(default=False, help_text='Multiple choice: offer "other, please say".')
    faces = Boolean(default=False, help_text="Likert: show the smileyometer faces.")
    min_value = Real(null=True, default=None)
    max_value = Real(null=True, default=None)
    show_if = JSON(null=True, default=None)
    outcome = ForeignKey(Outcome, null=True, help_text="The theory-of-change outcome this question evidences.")
    for_under_13 = Boolean(default=False, help_text="Asked of under-13s when the survey's route for them is the shorter survey.")


class Translation(Table, help_text="One survey text in one language, e.g. key 'q:12:text' in 'bn'."):
    survey = ForeignKey(Survey, index=True)
    language = Varchar(length=10)
    key = Varchar(length=60)
    text = Text()


class BankQuestion(Table, help_text="A reusable question, optionally tagged to an outcome."):
    kind = Varchar(length=20, choices=QuestionKind)
    text = Text()
    hint = Text(default="")
    options = JSON(default=[])
    allow_other = Boolean(default=False)
    faces = Boolean(default=False)
    outcome = ForeignKey(Outcome, null=True)
    created_at = Timestamptz()


class Draft(Table, help_text="Answers so far, for one participant's unfinished survey. Expires."):
    survey = ForeignKey(Survey, index=True)
    token_hash = Varchar(length=64, unique=True)
    resume_code_hash = Varchar(length=64, null=True, default=None, unique=True)
    language = Varchar(length=10, default="en")
    mode = Varchar(length=10, choices=ResponseMode, default=ResponseMode.online)
    easy_read = Boolean(default=False)
    answers = JSON(default={})
    furthest_page = SmallInt(default=0)
    started_at = Timestamptz()
    updated_at = Timestamptz()
    expires_at = Timestamptz(index=True)
    consent_version = Varchar(length=20, default="", help_text="The version of the notice the participant agreed to (surveys.consent.NOTICE_VERSION).")
    consented_at = Timestamptz(null=True, default=None)
    age_band = Varchar(length=10, default="", help_text="Asked first on children's and young people's surveys; blank otherwise.")
    parent_statement = Boolean(default=False, help_text='Under 13: ticked "A parent or carer knows I am doing this".')
    contact_details = Text(default="", help_text="How the participant asked to be contacted, until it moves to ContactRequest on sending.")


class Response(Table, help_text="One participant's submitted answers. No personal details."):
    survey = ForeignKey(Survey, index=True)
    submission_key = Varchar(length=64, unique=True, help_text="Makes a repeated submit store nothing new.")
    receipt_hash = Varchar(length=64, unique=True, help_text="Lets the participant ask for deletion later.")
    language = Varchar(length=10, default="en")
    mode = Varchar(length=10, choices=ResponseMode, default=ResponseMode.online)
    entered_by = ForeignKey(StaffUser, null=True, help_text="Staff who typed in a paper or assisted response.")
    started_at = Timestamptz()
    submitted_at = Timestamptz(index=True)
    flagged = Boolean(default=False, help_text="Some free text was flagged by safeguarding screening.")
    consent_version = Varchar(length=20, default="", help_text="The version of the notice agreed to; blank for paper and assisted responses and those from before it was kept.")
    consented_at = Timestamptz(null=True, default=None)
    age_band = Varchar(length=10, default="")
    parent_statement = Boolean(default=False, help_text='Under 13: ticked "A parent or carer knows I am doing this".')


class Answer(Table, help_text="One answer; free text carries its screening and sentiment."):
    response = ForeignKey(Response, index=True)
    question = ForeignKey(Question, index=True)
    value = JSON(null=True, default=None, help_text="The answer (string, list, number, or null when declined).")
    declined = Boolean(default=False, help_text="'I'd rather not say'.")
    other_text = Text(default="", help_text="Multiple choice: what 'other' said.")
    screening_level = Varchar(length=10, default="none")
    screening_categories = JSON(default=[])
    sentiment = Real(null=True, default=None)
    sentiment_label = Varchar(length=10, null=True, default=None,
                              help_text="analysis.sentiment's label for the free text; null for answers stored before it was kept.")
    released = Boolean(default=False, help_text="Flagged, then judged a false alarm by the safeguarding lead: back in analysis.")


class ContactRequest(Table, help_text="How a participant asked to be contacted. Only the safeguarding lead sees it, on a flagged answer, with a recorded reason."):
    response = ForeignKey(Response, index=True, unique=True, on_delete=OnDelete.cascade)
    details = Text(help_text="A phone number, an email, or 'through my youth worker': in the participant's words.")
    created_at = Timestamptz()


class ErasedReceipt(Table, help_text="The hash of a receipt code whose answers the participant deleted, so a second try is told so."):
    receipt_hash = Varchar(length=64, unique=True)
    erased_at = Timestamptz(index=True)
