"""Disclosures and their triage.

A disclosure keeps its own copy of the flagged words and where they came from: it is the
safeguarding record, kept when the participant later erases their answers or the survey's raw
answers expire (docs/safeguarding.md, "Data protection"). Sources are named by kind and id rather
than by foreign key, so board cards and user-testing notes (ROADMAP) arrive through the same door.
"""

from enum import Enum

from piccolo.columns import JSON, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.accounts.tables import StaffUser
from surveys.questionnaires.tables import Survey


class DisclosureState(str, Enum):
    new = "new"
    acknowledged = "acknowledged"
    action_taken = "action_taken"
    closed = "closed"
    false_alarm = "false_alarm"


class SourceKind(str, Enum):
    survey_answer = "survey_answer"
    study_observation = "study_observation"
    board_card = "board_card"


class Disclosure(Table, help_text="Free text screened 'urgent' or 'concern', held for the safeguarding lead."):
    source_kind = Varchar(length=30, choices=SourceKind)
    source_id = Integer(help_text="The id of the row the words came from (an answer, a card, a note).")
    survey = ForeignKey(Survey, null=True, on_delete=OnDelete.set_null, help_text="Where it came in, if from a survey.")
    place = Text(default="", help_text="Where it came in, in words (survey title and how it was answered).")
    question = Text(default="", help_text="The question or prompt the words answered.")
    text = Text()
    level = Varchar(length=10, index=True)
    categories = JSON(default=[])
    reasons = JSON(default=[], help_text="Why screening flagged it: the rules' phrases or the model's score.")
    received_at = Timestamptz(index=True)
    state = Varchar(length=15, choices=DisclosureState, default=DisclosureState.new, index=True)
    state_changed_at = Timestamptz()
    state_changed_by = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null)
    version = Integer(default=0, help_text="Raised on every triage step, so two leads acting at once cannot both win.")


class TriageStep(Table, help_text="One step of a disclosure's triage: from, to, a note, who and when."):
    disclosure = ForeignKey(Disclosure, index=True, on_delete=OnDelete.cascade)
    from_state = Varchar(length=15)
    to_state = Varchar(length=15)
    note = Text()
    by = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null)
    by_email = Varchar(length=254, default="", help_text="The lead's email at the time, kept if the account goes.")
    at = Timestamptz()


class AlertDelivery(Table, help_text="One alert email owed to one safeguarding lead: an urgent disclosure, or a day's digest."):
    key = Varchar(length=80, unique=True, help_text="urgent:<disclosure>:<lead> or digest:<day>:<lead>: at most one of each, ever.")
    kind = Varchar(length=10, help_text="'urgent' or 'digest'.")
    disclosure = ForeignKey(Disclosure, null=True, index=True, on_delete=OnDelete.cascade, help_text="For an urgent alert.")
    lead = ForeignKey(StaffUser, on_delete=OnDelete.cascade)
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None, help_text="When the mail server took it; empty while it is owed.")
    attempts = Integer(default=0)
    last_error = Text(default="", help_text="Why the last attempt failed (the mail server's answer), never the message.")
