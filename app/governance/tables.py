"""Governance tables, as the summit report (§4-§6) lays the partnership out."""

from enum import Enum

from piccolo.columns import Date, ForeignKey, Integer, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class RAG(str, Enum):
    """A project's delivery status as boards read it: red, amber, green (never colour alone on a page)."""

    red = "red"
    amber = "amber"
    green = "green"


class BoardKind(str, Enum):
    strategic = "strategic"
    implementation = "implementation"
    statutory = "statutory"
    programme = "programme"


class OutcomeAudience(str, Enum):
    children_young_people_families = "children_young_people_families"
    workforce = "workforce"
    partnership = "partnership"


class Board(Table, help_text="A board or group that receives findings and holds projects to account."):
    slug = Varchar(length=80, unique=True, help_text="Stable key used in URLs and demo loading.")
    name = Varchar(length=200, unique=True)
    kind = Varchar(length=20, choices=BoardKind)
    remit = Text(help_text="What the board is for, in the report's words.")
    chair = Varchar(length=200, default="", help_text="Who chairs it (a role, not a person's name).")
    reports_to = ForeignKey("self", null=True, help_text="The board this one answers to, if any.")
    position = SmallInt(default=0, help_text="Display order.")


class Workstream(Table, help_text="One of the Youth Safety Plan's three workstreams (§6)."):
    number = SmallInt(unique=True)
    name = Varchar(length=200, unique=True)
    purpose = Text()


class Project(Table, help_text="A project in a workstream, with a lead and deputy who report every 6 weeks."):
    reference = Varchar(length=20, unique=True, help_text="Workstream and project number, e.g. '2.1a'.")
    workstream = ForeignKey(Workstream)
    number = Varchar(length=10, help_text="The project number within its workstream, as in the report.")
    focus = Varchar(length=300)
    detail = Text()
    lead = Varchar(length=200, null=True, default=None, help_text="Project lead (a name; may be a partner without an account).")
    deputy = Varchar(length=200, null=True, default=None, help_text="Deputy project lead.")
    reports_to = ForeignKey(Board, null=True)
    reporting_interval_weeks = Integer(default=6)
    position = SmallInt(default=0)
    rag = Varchar(length=10, choices=RAG, null=True, default=None, help_text="Delivery status; none until the lead first sets it.")
    rag_note = Text(default="", help_text="Why the status is what it is (required for red and amber).")
    rag_updated_at = Timestamptz(null=True, default=None)


class Milestone(Table, help_text="A dated milestone of a project, done or not yet."):
    project = ForeignKey(Project, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=200)
    due_on = Date()
    done_on = Date(null=True, default=None)


class BoardMeeting(Table, help_text="A date a board meets: findings and reports go to its next meeting."):
    board = ForeignKey(Board, on_delete=OnDelete.cascade, index=True)
    meets_on = Date()
    note = Varchar(length=200, default="")


class Outcome(Table, help_text="A theory-of-change outcome (§4), numbered 1-12."):
    number = SmallInt(unique=True)
    audience = Varchar(length=40, choices=OutcomeAudience)
    statement = Text()
