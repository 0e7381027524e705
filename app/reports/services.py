"""Highlight reports (issue 12 item 3): the schedule, the drafting, editing and submitting, reminders.

The schedule: every project with a lead or deputy reports every `reporting_interval_weeks` (6, as
the seed's governance asks), on due dates counted from one partnership-wide start (REPORTING_START,
a Monday), so every project's reports reach the implementation board in the same rhythm. A period
runs from the day after one due date to the next; the report for it is drafted by Chorus from what
it holds — status and milestones, engagement, themes, indicator changes — and the lead edits the
narrative and submits. Submitting freezes the drafted facts, so a board reads what was submitted.

Every figure a report shows goes through the one suppression service, as the board sees it (no
small groups): a report is read by board members, whatever the role of the person drafting it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app import clock
from app.database import write_transaction
from app.governance.tables import Board, Project
from app.reports import drafting
from app.reports.drafting import LONDON
from app.reports.tables import HighlightReport, ReportState

REPORTING_START = date(2026, 1, 5)
"""The first due date of the partnership's reporting cycle (a Monday); later ones follow every interval."""
REMIND_DAYS_BEFORE = 7
"""Lead and deputy are reminded this many days before a report is due (and told once when it is overdue)."""
NARRATIVE_FIELDS = ("summary", "achievements", "risks", "next_steps", "asks")
NARRATIVE_LABELS = {
    "summary": "Overall progress",
    "achievements": "What went well this period",
    "risks": "Risks and issues, and what is being done",
    "next_steps": "Planned for the next period",
    "asks": "Decisions or help asked of the board",
}
MAX_NARRATIVE = 4000


class ReportError(ValueError):
    """A report action refused, with the reason in words for the page."""


def today() -> date:
    return clock.now().astimezone(LONDON).date()


def due_date_on_or_after(day: date, interval_weeks: int, start: date = REPORTING_START) -> date:
    """The first due date of the cycle that is on or after `day`."""
    if day <= start:
        return start
    step = timedelta(weeks=interval_weeks)
    periods = -(-(day - start).days // step.days)  # ceiling: a day between two due dates belongs to the next
    return start + periods * step


def period_of(due_on: date, interval_weeks: int) -> tuple[date, date]:
    """(first day, due date) of the period ending on `due_on` (the first period, too, is one interval long)."""
    return due_on - timedelta(weeks=interval_weeks) + timedelta(days=1), due_on


def period_key(project_id: int, due_on: date) -> str:
    return f"{project_id}:{due_on.isoformat()}"


@dataclass
class ReportView:
    id: int
    project_id: int
    reference: str
    focus: str
    board: str
    period_start: date
    due_on: date
    state: str
    facts: dict
    narrative: dict[str, str]
    submitted_at: datetime | None
    submitted_by: str
    overdue: bool
    due_soon: bool
    lead: str = ""
    deputy: str = ""
    labels: dict[str, str] = field(default_factory=lambda: NARRATIVE_LABELS)

    @property
    def submitted(self) -> bool:
        return self.state == ReportState.submitted


def _flags(row: dict, day: date) -> tuple[bool, bool]:
    open_ = row["state"] != ReportState.submitted
    return open_ and row["due_on"] < day, open_ and day <= row["due_on"] <= day + timedelta(days=REMIND_DAYS_BEFORE)


async def _team_names(project_ids: list[int]) -> dict[int, dict[str, str]]:
    from app.governance.services import project_teams

    return {project: {position: member.display_name for position, member in team.items()}
            for project, team in (await project_teams(project_ids)).items()}


async def _views(rows: list[dict]) -> list[ReportView]:
    from app.accounts.tables import StaffUser

    project_ids = sorted({r["project"] for r in rows})
    projects = {p["id"]: p for p in await Project.select(
        Project.id, Project.reference, Project.focus, Project.reports_to.name.as_alias("board")).where(Project.id.is_in(project_ids or [-1]))}
    submitters = {u["id"]: u["display_name"] for u in await StaffUser.select(StaffUser.id, StaffUser.display_name).where(
        StaffUser.id.is_in([r["submitted_by"] for r in rows if r["submitted_by"]] or [-1]))}
    teams = await _team_names(project_ids)
    day = today()
    views = []
    for row in rows:
        project = projects[row["project"]]
        overdue, due_soon = _flags(row, day)
        views.append(ReportView(
            id=row["id"], project_id=row["project"], reference=project["reference"], focus=project["focus"], board=project["board"] or "",
            period_start=row["period_start"], due_on=row["due_on"], state=row["state"], facts=row["facts"] or {},
            narrative={f: row[f] for f in NARRATIVE_FIELDS}, submitted_at=row["submitted_at"],
            submitted_by=submitters.get(row["submitted_by"], ""), overdue=overdue, due_soon=due_soon,
            lead=teams.get(row["project"], {}).get("lead", ""), deputy=teams.get(row["project"], {}).get("deputy", ""),
        ))
    return views


async def _reporting_projects(project_ids: list[int] | None = None) -> list[dict]:
    """Projects that report: those with a lead or deputy named (a project with no team has no one to write it)."""
    teams = await _team_names(project_ids if project_ids is not None else [p["id"] for p in await Project.select(Project.id)])
    query = Project.select(Project.id, Project.reporting_interval_weeks).where(Project.id.is_in(list(teams) or [-1]))
    return await query


async def ensure_reports(day: date | None = None, project_ids: list[int] | None = None) -> int:
    """Create the draft for each reporting project's current period (the daily reminder job does this
    every morning, so a period's report exists before it can be overdue). Safe to run again, and from
    two workers at once (one row per period key); returns how many were created."""
    day = day or today()
    created = 0
    for project in await _reporting_projects(project_ids):
        weeks = project["reporting_interval_weeks"] or 6
        due_on = due_date_on_or_after(day, weeks)
        key = period_key(project["id"], due_on)
        if await HighlightReport.exists().where(HighlightReport.period_key == key):
            continue
        async with write_transaction():
            if await HighlightReport.exists().where(HighlightReport.period_key == key):
                continue
            await HighlightReport.insert(HighlightReport(project=project["id"], due_on=due_on, period_start=period_of(due_on, weeks)[0],
                                                         period_key=key))
            created += 1
    return created


async def reports_for_project(project_id: int) -> list[ReportView]:
    await ensure_reports(project_ids=[project_id])
    rows = await HighlightReport.select().output(load_json=True).where(HighlightReport.project == project_id).order_by(HighlightReport.due_on, ascending=False)
    return await _views(rows)


async def report(report_id: int) -> ReportView | None:
    row = await HighlightReport.select().output(load_json=True).where(HighlightReport.id == report_id).first()
    if row is None:
        return None
    view = (await _views([row]))[0]
    if not view.submitted:
        view.facts = await draft_facts(row["project"], row["period_start"], row["due_on"])
    return view


async def reports_for_board(board_id: int) -> list[ReportView]:
    """Every report of the projects that report to this board, newest period first."""
    project_ids = [p["id"] for p in await Project.select(Project.id).where(Project.reports_to == board_id)]
    await ensure_reports(project_ids=project_ids)
    rows = await HighlightReport.select().output(load_json=True).where(HighlightReport.project.is_in(project_ids or [-1])).order_by(
        HighlightReport.due_on, ascending=False)
    return await _views(rows)


async def board_by_slug(slug: str) -> dict | None:
    return await Board.select(Board.id, Board.slug, Board.name).where(Board.slug == slug).first()


# --- drafting ---------------------------------------------------------------------------------


async def draft_facts(project_id: int, period_start: date, due_on: date) -> dict:
    """What Chorus knows about the project for the period, as a report shows it (all figures suppressed
    for a board reader). Plain data, so a submitted report keeps it as JSON."""
    return await drafting.facts(project_id, period_start, due_on)


# --- editing and submitting -------------------------------------------------------------------


def _narrative(values: dict[str, str]) -> dict[str, str]:
    cleaned = {f: (values.get(f) or "").strip() for f in NARRATIVE_FIELDS}
    for name, text in cleaned.items():
        if len(text) > MAX_NARRATIVE:
            raise ReportError(f"Keep “{NARRATIVE_LABELS[name]}” under {MAX_NARRATIVE} characters (it has {len(text)}).")
    return cleaned


async def save(view: ReportView, values: dict[str, str], *, actor, ip_address: str = "") -> None:
    from app.audit.services import AuditAction, record

    if view.submitted:
        raise ReportError(f"This report was submitted on {view.submitted_at:%d %B %Y}; it can no longer be changed.")
    narrative = _narrative(values)
    async with write_transaction():
        changed = await HighlightReport.update(
            {**{getattr(HighlightReport, f): v for f, v in narrative.items()}, HighlightReport.edited_at: clock.now()}
        ).where((HighlightReport.id == view.id) & (HighlightReport.state == ReportState.draft)).returning(HighlightReport.id)
        if not changed:
            raise ReportError("This report was submitted a moment ago; it can no longer be changed.")
        await record(AuditAction.report_edited, actor=actor, target_type="highlight_report", target_id=view.id,
                     detail={"project": view.reference, "due_on": view.due_on.isoformat()}, ip_address=ip_address)


async def submit(view: ReportView, values: dict[str, str], *, actor, ip_address: str = "") -> None:
    """Save the narrative and submit, freezing the drafted facts. A second submit is refused, and the
    check is in the same UPDATE, so two lead and deputy pressing at once cannot both submit."""
    from app.audit.services import AuditAction, record

    if view.submitted:
        raise ReportError(f"This report was already submitted on {view.submitted_at:%d %B %Y}.")
    narrative = _narrative(values)
    if not narrative["summary"]:
        raise ReportError("Write a few words of overall progress before submitting: the board reads that first.")
    facts = await draft_facts(view.project_id, view.period_start, view.due_on)
    now = clock.now()
    async with write_transaction():
        changed = await HighlightReport.update({
            **{getattr(HighlightReport, f): v for f, v in narrative.items()},
            HighlightReport.facts: facts, HighlightReport.state: ReportState.submitted, HighlightReport.edited_at: now,
            HighlightReport.submitted_at: now, HighlightReport.submitted_by: actor.id,
        }).where((HighlightReport.id == view.id) & (HighlightReport.state == ReportState.draft)).returning(HighlightReport.id)
        if not changed:
            raise ReportError("This report was already submitted (a moment ago, by someone else).")
        await record(AuditAction.report_submitted, actor=actor, target_type="highlight_report", target_id=view.id,
                     detail={"project": view.reference, "due_on": view.due_on.isoformat()}, ip_address=ip_address)


# --- reminders ----------------------------------------------------------------------------------


async def _team_emails(project_id: int) -> list[tuple[str, str]]:
    from app.accounts.tables import StaffRole

    rows = await StaffRole.select(StaffRole.user.email.as_alias("email"), StaffRole.user.display_name.as_alias("name")).where(
        (StaffRole.project == project_id), StaffRole.position.is_not_null(), StaffRole.user.active.eq(True))
    return sorted({(r["email"], r["name"]) for r in rows})


async def send_reminders(settings) -> dict[str, int]:
    """Each day: remind the lead and deputy of a report due within REMIND_DAYS_BEFORE days, and tell
    them once when one is overdue. Each is recorded on the report, so a job run twice sends nothing
    more; a mail server that is down raises, and the job engine tries again."""
    from app.mail import Mail, send

    await ensure_reports()
    sent = {"reminders": 0, "overdue": 0}
    open_rows = {r["id"]: r for r in await HighlightReport.select().output(load_json=True).where(HighlightReport.state == ReportState.draft)}
    for view in await _views(list(open_rows.values())):
        row = open_rows[view.id]
        if view.overdue and row["overdue_notice_at"] is None:
            kind, column = "overdue", HighlightReport.overdue_notice_at
            subject = f"Highlight report for project {view.reference} is overdue"
            lead_in = f"The highlight report for project {view.reference} ({view.focus}) was due on {view.due_on:%A %d %B %Y} and has not been submitted."
        elif view.due_soon and row["reminded_at"] is None:
            kind, column = "reminders", HighlightReport.reminded_at
            subject = f"Highlight report for project {view.reference} due {view.due_on:%d %B}"
            lead_in = f"The highlight report for project {view.reference} ({view.focus}) is due on {view.due_on:%A %d %B %Y}."
        else:
            continue
        link = f"{settings.public_url}/projects/{view.reference}/reports/{view.id}"
        for email, name in await _team_emails(view.project_id):
            body = (f"Hello {name},\n\n{lead_in} Chorus has drafted it from the project's status, milestones, "
                    f"engagement, themes and indicators; add your words and submit it here:\n\n{link}\n\n"
                    f"It goes to the {view.board or 'board'}.\n")
            await send(settings, Mail(to=email, subject=subject, body=body))
        await HighlightReport.update({column: clock.now()}).where(HighlightReport.id == view.id)
        sent[kind] += 1
    return sent
