"""The demo's highlight report: project 3.3a's lead has already submitted this period's report (early),
so `make run` shows a board a submitted report that lists the demo findings and their answers; the
next period's draft appears once this one's due date has passed. Idempotent."""

from __future__ import annotations

from app import clock
from app.accounts.tables import StaffRole
from app.governance.demo import DEMO_PROJECT
from app.governance.tables import Project
from app.reports import services
from app.reports.tables import HighlightReport, ReportState


async def load_demo_report() -> bool:
    """Returns whether the report was added (False when it is there already or 3.3a has no lead)."""
    project = await Project.select(Project.id, Project.reporting_interval_weeks).where(Project.reference == DEMO_PROJECT).first()
    lead = await StaffRole.select(StaffRole.user).where(StaffRole.project == project["id"], StaffRole.position == "lead").first() if project else None
    if not lead:
        return False
    weeks = project["reporting_interval_weeks"] or 6
    due_on = services.due_date_on_or_after(services.today(), weeks)
    key = services.period_key(project["id"], due_on)
    if await HighlightReport.exists().where(HighlightReport.period_key == key):
        return False
    start, _ = services.period_of(due_on, weeks)
    await HighlightReport.insert(HighlightReport(
        project=project["id"], due_on=due_on, period_start=start, period_key=key, state=ReportState.submitted,
        facts=await services.draft_facts(project["id"], start, due_on),
        summary="The shared glossary is drafted with the youth assembly; two agencies have agreed it.",
        achievements="Young people chose the words for 'exploitation' and 'safe adult' themselves.",
        risks="Schools have not yet signed up, so the launch may slip a month. We are meeting the heads' forum.",
        next_steps="Every partner signs the shared language; plan the frontline training.",
        asks="A word from the board to the heads' forum would help.",
        edited_at=clock.now(), submitted_at=clock.now(), submitted_by=lead["user"],
    ))
    return True
