"""Findings: what young people said, packaged with its evidence and a recommendation, sent to a
project's lead and deputy or to a board's next meeting, and answered with actions or a reason.

Evidence items name their source records by id (theme run, theme, answer ids; outcome, question,
surveys) rather than by foreign key, so a finding keeps what it showed even if a theme run is
re-done; `services.resolve_evidence` checks that every item still leads to its sources.
"""

from enum import Enum

from piccolo.columns import JSON, Date, ForeignKey, Integer, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.accounts.tables import StaffUser
from app.governance.tables import Board, BoardMeeting, Project


class FindingState(str, Enum):
    draft = "draft"
    sent = "sent"


class Answer(str, Enum):
    accepted = "accepted"
    not_taken_forward = "not_taken_forward"


class EvidenceKind(str, Enum):
    theme_counts = "theme_counts"
    quote = "quote"
    indicator = "indicator"


class Finding(Table, help_text="What young people said about one thing, with evidence and a recommendation, for a project or board to answer."):
    title = Varchar(length=200)
    summary = Text()
    recommendation = Text()
    state = Varchar(length=10, choices=FindingState, default=FindingState.draft, index=True)
    created_by = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    project = ForeignKey(Project, null=True, index=True, on_delete=OnDelete.set_null, help_text="Sent to this project's lead and deputy.")
    board = ForeignKey(Board, null=True, index=True, on_delete=OnDelete.set_null, help_text="Sent to this board's next meeting.")
    meeting = ForeignKey(BoardMeeting, null=True, on_delete=OnDelete.set_null, help_text="The board meeting it goes to.")
    sent_by = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null)
    sent_at = Timestamptz(null=True, default=None)
    due_on = Date(null=True, default=None, help_text="The answer is due by this date (28 days after sending, or the board's meeting).")
    answer = Varchar(length=20, choices=Answer, null=True, default=None, help_text="None until answered; then once only.")
    answer_reason = Text(default="", help_text="Why it is not taken forward (required then).")
    answer_owner = Varchar(length=200, default="", help_text="Who owns the decision not to take it forward (a named person).")
    answered_by = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null)
    answered_at = Timestamptz(null=True, default=None)


class FindingEvidence(Table, help_text="One piece of a finding's evidence, naming its source records."):
    finding = ForeignKey(Finding, index=True, on_delete=OnDelete.cascade)
    kind = Varchar(length=20, choices=EvidenceKind)
    position = Integer(default=0)
    run_id = Integer(null=True, default=None, help_text="The theme run (counts and quotes).")
    theme_id = Integer(null=True, default=None, help_text="The theme (counts and quotes).")
    item_ids = JSON(default=[], help_text="The answers (response ids) the counts or the quote come from.")
    quote = Text(default="", help_text="A redacted quote (never raw text, never a held answer).")
    outcome_number = SmallInt(null=True, default=None, help_text="The theory-of-change outcome (indicator figures).")
    question_key = Varchar(length=40, default="", help_text="The question compared across waves.")
    survey_ids = JSON(default=[], help_text="The waves' surveys: baseline first.")
    figures = JSON(default={}, help_text="What was shown, as shown (suppressed counts as 'fewer than 5').")


class FindingAction(Table, help_text="An action a project or board agreed in answer to a finding."):
    finding = ForeignKey(Finding, index=True, on_delete=OnDelete.cascade)
    description = Text()
    owner = Varchar(length=200, help_text="A named person.")
    due_on = Date()
    progress = SmallInt(default=0, help_text="0-100 per cent.")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class FindingNotice(Table, help_text="An email telling one recipient about a sent finding, kept so a retried job mails no one twice."):
    finding = ForeignKey(Finding, index=True, on_delete=OnDelete.cascade)
    user = ForeignKey(StaffUser, on_delete=OnDelete.cascade)
    sent_at = Timestamptz()
