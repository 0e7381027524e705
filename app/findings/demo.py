"""Findings in the demo: themes from the demo survey's free-text question (a theme run, done here if
there is none yet), and two findings from its two largest themes, both sent to project 3.3a and
answered by its demo lead — one accepted with an action, one not taken forward with its reason.
Idempotent: nothing is added once any finding exists."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from app.accounts.auth import CurrentUser
from app.accounts.demo import demo_email
from app.accounts.roles import Role
from app.accounts.tables import StaffRole, StaffUser
from app.audit.services import Actor
from app.findings import services
from app.findings.tables import Finding
from app.governance.tables import Project

DEMO_PROJECT = "3.3a"
DEMO_QUESTION = "one_thing"
RECOMMENDATIONS = (
    "Agree one shared set of words with young people and use it in every partner's leaflets and sessions.",
    "Work with the youth assembly on what would change this, and report back within three months.",
)


async def _signed_in(user_id: int) -> CurrentUser:
    """The account as the session middleware would see it once signed in."""
    user = await StaffUser.select().where(StaffUser.id == user_id).first()
    roles = await StaffRole.select(StaffRole.role, StaffRole.project, StaffRole.board).where(StaffRole.user == user_id)
    return CurrentUser(id=user_id, email=user["email"], display_name=user["display_name"], roles=frozenset(Role(r["role"]) for r in roles),
                       mfa_enabled=user["mfa_enabled"], mfa_passed=True, session_token="",
                       project_ids=frozenset(r["project"] for r in roles if r["project"]),
                       board_ids=frozenset(r["board"] for r in roles if r["board"]))


async def _demo_themes(survey_id: int) -> list[int]:
    """The two largest shown topical themes of the demo question's latest run (running one now if none)."""
    from app.insights import services as insights
    from app.insights.sources import SurveyQuestionSource
    from app.insights.tables import RunState, ThemeRun

    source = SurveyQuestionSource(survey_id, DEMO_QUESTION)
    run = await insights.latest_run(source.key)
    if run is None or run["state"] != RunState.done:
        # No worker runs during `chorus demo load`: the run is queued as a row and executed here.
        row = ThemeRun(source_key=source.key, source_kind=source.kind, survey=survey_id,
                       parameters={**source.parameters(), **insights.MODEL_PARAMETERS}, state=RunState.queued, queued_at=clock.now(),
                       stage="waiting for a worker")
        await row.save()
        await insights.execute_run(row.id)
        run = await insights.get_run(row.id)
    view = await insights.run_view(run, viewer=services.PUBLISHED_VIEWER, threshold=5)
    if view is None:
        return []
    shown = sorted((t for t in view.themes if t.kind == "theme" and not t.count.suppressed and t.quotes), key=lambda t: -t.count.value)
    return [t.id for t in shown[:2]]


async def load_demo_findings(*, threshold: int) -> int:
    """Two findings sent and answered; returns how many were added."""
    from surveys.questionnaires.demo import DEMO_CODE
    from surveys.questionnaires.tables import Survey

    if await Finding.exists():
        return 0
    survey = await Survey.select(Survey.id).where(Survey.public_code == DEMO_CODE).first()
    lead = await StaffUser.select(StaffUser.id, StaffUser.email, StaffUser.display_name).where(
        StaffUser.email == demo_email(Role.project_lead)).first()
    participation = await StaffUser.select(StaffUser.id, StaffUser.email).where(StaffUser.email == demo_email(Role.participation_lead)).first()
    project = await Project.select(Project.id).where(Project.reference == DEMO_PROJECT).first()
    if not (survey and lead and participation and project):
        return 0
    themes = await _demo_themes(survey["id"])
    if len(themes) < 2:
        return 0
    router, recipient = Actor(participation["id"], participation["email"]), Actor(lead["id"], lead["email"])
    answerer = await _signed_in(lead["id"])
    made = []
    for theme_id, recommendation in zip(themes, RECOMMENDATIONS, strict=True):
        finding_id = await services.create_from_theme(theme_id, threshold=threshold, actor=router)
        row = await services.get_finding(finding_id)
        await services.edit_draft(finding_id, row["title"], row["summary"], recommendation, actor=router)
        await services.send_to_project(finding_id, project["id"], actor=router)
        made.append(finding_id)
    today = clock.now().date()
    await services.accept(answerer, made[0], [services.ActionInput(
        "Draft the shared words with the youth assembly and take them to every partner", lead["display_name"],
        today + timedelta(days=45), 25)], actor=recipient)
    await services.not_taken_forward(
        answerer, made[1], "Another project (2.3) already covers this; we have passed the finding and its evidence to its lead.",
        lead["display_name"], actor=recipient)
    return len(made)
