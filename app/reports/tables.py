"""Highlight reports: one per project per reporting period, drafted from what Chorus knows, edited
and submitted by the project's lead or deputy, read by the board it reports to."""

from enum import Enum

from piccolo.columns import JSON, Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.accounts.tables import StaffUser
from app.governance.tables import Project


class ReportState(str, Enum):
    draft = "draft"
    submitted = "submitted"


class HighlightReport(Table, help_text="A project's highlight report for one reporting period."):
    project = ForeignKey(Project, on_delete=OnDelete.cascade, index=True)
    due_on = Date(help_text="The end of the period and the day the report is due.")
    period_start = Date(help_text="The day after the previous report's due date.")
    period_key = Varchar(length=40, unique=True, help_text="project id and due date: one report per project per period.")
    state = Varchar(length=10, choices=ReportState, default=ReportState.draft)
    facts = JSON(default={}, help_text="What Chorus drafted (status, milestones, engagement, themes, indicators); frozen on submission.")
    summary = Text(default="", help_text="The lead's words: overall progress.")
    achievements = Text(default="")
    risks = Text(default="", help_text="Risks and issues, and what is being done.")
    next_steps = Text(default="", help_text="Planned for the next period.")
    asks = Text(default="", help_text="Decisions or help asked of the board.")
    edited_at = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    submitted_by = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null)
    reminded_at = Timestamptz(null=True, default=None, help_text="When the lead and deputy were reminded it is due.")
    overdue_notice_at = Timestamptz(null=True, default=None, help_text="When they were told it is overdue.")
