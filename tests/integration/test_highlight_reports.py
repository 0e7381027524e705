"""Highlight reports every 6 weeks (issue 12 item 3): due dates on the partnership's cycle, a draft
Chorus writes from the project's status, milestones, engagement, themes and indicators (small counts
suppressed as a board sees them), the lead's words, one submission that freezes it, reminders to the
lead and deputy before it is due and once when it is overdue, the board's view, HTML and PDF exports.
Both engines; the clock is moved, the mail goes through a real SMTP server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.accounts import services as accounts
from app.accounts.roles import Role
from app.accounts.tables import Agency
from app.audit.tables import AuditEvent
from app.governance.tables import Milestone, Project
from app.reports import services as reports
from app.reports.tables import HighlightReport
from surveys.questionnaires import definitions as survey_definitions
from surveys.questionnaires import submitting as survey_submitting
from surveys.questionnaires.definition import Given
from surveys.questionnaires.tables import ResponseMode
from tests.jobs import smtp_settings
from tests.staff import PASSWORD, post_form, signed_in_cookie
from tests.surveys import make_survey

# The frozen clock starts on Thursday 26 November 2026; the cycle's due dates fall every 6 weeks from
# Monday 5 January 2026, so the current report is due on Monday 7 December, for 27 October to 7 December.
DUE = date(2026, 12, 7)
PERIOD_START = date(2026, 10, 27)


async def person(email: str, agency: Agency, *grants: accounts.RoleGrant) -> int:
    return await accounts.create_user_with_password(email=email, display_name=email.split("@")[0].title(), agency=agency,
                                                     password=PASSWORD, grants=list(grants))


async def as_user(client, user_id: int):
    client.cookies.clear()
    client.cookies.update(await signed_in_cookie(user_id))
    await client.get("/projects/")
    return client


@pytest.fixture
async def team(client, db, frozen_clock):
    """Project 1.1 with a police lead and a health deputy, named by the participation lead."""
    from app.governance.services import load_structure

    await load_structure()
    people = {
        "participation": await person("pl@example.org", Agency.council_cyps, accounts.RoleGrant(Role.participation_lead)),
        "lead": await person("lead@example.org", Agency.police),
        "deputy": await person("deputy@example.org", Agency.health),
        "analyst": await person("analyst@example.org", Agency.council_cyps, accounts.RoleGrant(Role.analyst)),
    }
    await as_user(client, people["participation"])
    assert (await post_form(client, "/projects/1.1/team", {"lead": str(people["lead"]), "deputy": str(people["deputy"])})).status_code == 303
    return people


async def project_id(reference: str) -> int:
    return (await Project.select(Project.id).where(Project.reference == reference).first())["id"]


async def current_report(reference: str = "1.1") -> dict:
    return await HighlightReport.select().output(load_json=True).where(HighlightReport.project == await project_id(reference)).first()


def test_due_dates_follow_the_cycle_every_interval():
    assert reports.due_date_on_or_after(date(2025, 12, 1), 6) == date(2026, 1, 5)
    assert reports.due_date_on_or_after(date(2026, 1, 5), 6) == date(2026, 1, 5)
    assert reports.due_date_on_or_after(date(2026, 1, 6), 6) == date(2026, 2, 16)
    assert reports.due_date_on_or_after(date(2026, 11, 26), 6) == DUE
    assert reports.due_date_on_or_after(DUE, 6) == DUE
    assert reports.due_date_on_or_after(DUE + timedelta(days=1), 6) == DUE + timedelta(weeks=6)
    assert reports.period_of(DUE, 6) == (PERIOD_START, DUE)


async def test_a_project_reports_once_it_has_a_lead_or_deputy(client, team):
    page = (await client.get("/projects/1.2/reports/")).text
    assert "No reports are due: a project reports once it has a lead or deputy." in page
    page = (await client.get("/projects/1.1/reports/")).text
    row = await current_report()
    assert (row["due_on"], row["period_start"], row["state"]) == (DUE, PERIOD_START, "draft")
    assert "2026-10-27 to 2026-12-07" in page
    await client.get("/projects/1.1/reports/")  # visiting again makes no second report for the period
    assert await HighlightReport.count() == 1


async def answer(survey_id: int, n: int, prefix: str) -> None:
    definition = await survey_definitions.load_definition(survey_id)
    for i in range(n):
        await survey_submitting.store_response(definition, {"knows": Given("no"), "area": Given("north"), "say": Given("more lights")},
                                             submission_key=f"{prefix}{i}", receipt=f"{prefix}{i}", language="en",
                                             mode=ResponseMode.online, started_at=datetime.now(UTC))


async def test_the_draft_gathers_status_milestones_and_engagement_with_small_counts_kept_back(client, team, frozen_clock):
    project = await project_id("1.1")
    await as_user(client, team["lead"])
    assert (await post_form(client, "/projects/1.1/status", {"rag": "amber", "note": "Venue delayed"})).status_code == 303
    await Milestone.insert(
        Milestone(project=project, title="Launch the group", due_on=date(2026, 11, 1), done_on=date(2026, 11, 2)),
        Milestone(project=project, title="Recruit volunteers", due_on=date(2026, 11, 20)),
        Milestone(project=project, title="First session", due_on=date(2026, 12, 20)),
        Milestone(project=project, title="Done long ago", due_on=date(2026, 6, 1), done_on=date(2026, 6, 1)),
    )
    # Survey A: 2 responses before the period and 7 in it. Its total (9) is on the survey list, so
    # showing 7 would give away the 2: both are kept back. Survey B: 6 before, 8 in it: shown.
    survey_a = await make_survey(project=project, title="Feeling safe A")
    survey_b = await make_survey(project=project, title="Feeling safe B")
    frozen_clock.current = datetime(2026, 10, 1, 12, tzinfo=UTC)
    await answer(survey_a, 2, "a-before")
    await answer(survey_b, 6, "b-before")
    frozen_clock.current = datetime(2026, 11, 20, 12, tzinfo=UTC)
    await answer(survey_a, 7, "a-in")
    await answer(survey_b, 8, "b-in")
    frozen_clock.current = datetime(2026, 11, 26, 9, tzinfo=UTC)

    await client.get("/projects/1.1/reports/")
    facts = await reports.draft_facts(project, PERIOD_START, DUE)
    assert facts["status"] == {"rag": "amber", "note": "Venue delayed", "updated": "2026-11-26"}
    assert [m["title"] for m in facts["milestones"]["done"]] == ["Launch the group"]
    assert [m["title"] for m in facts["milestones"]["late"]] == ["Recruit volunteers"]
    assert [m["title"] for m in facts["milestones"]["next"]] == ["First session"]
    engagement = {s["title"]: s["in_period"] for s in facts["engagement"]["surveys"]}
    assert engagement["Feeling safe A"].startswith("hidden")
    # With A's 7 kept back, B's 8 and the sum 15 cannot both be shown (15 - 8 = 7): the service keeps
    # the sum and hides B, since totals are hidden only when no inner count would do.
    assert facts["engagement"]["total"] == "15" and engagement["Feeling safe B"].startswith("hidden")

    # Project 1.2's one survey: 6 before and 8 in the period, nothing small: every figure is shown.
    alone = await make_survey(project=await project_id("1.2"), title="Feeling safe C")
    frozen_clock.current = datetime(2026, 10, 1, 12, tzinfo=UTC)
    await answer(alone, 6, "c-before")
    frozen_clock.current = datetime(2026, 11, 20, 12, tzinfo=UTC)
    await answer(alone, 8, "c-in")
    frozen_clock.current = datetime(2026, 11, 26, 9, tzinfo=UTC)
    assert (await reports.draft_facts(await project_id("1.2"), PERIOD_START, DUE))["engagement"] == {
        "surveys": [{"title": "Feeling safe C", "in_period": "8"}], "total": "8"}

    page = (await client.get(f"/projects/1.1/reports/{(await current_report())['id']}")).text
    assert "In all: 15 responses in the period." in page and "Late:</strong> Recruit volunteers" in page
    assert "7 responses" not in page and "8 responses" not in page


async def test_the_lead_saves_then_submits_once_and_the_submitted_report_keeps_its_facts(client, team):
    await as_user(client, team["lead"])
    assert (await post_form(client, "/projects/1.1/status", {"rag": "green", "note": ""})).status_code == 303
    await client.get("/projects/1.1/reports/")
    report_id = (await current_report())["id"]
    url = f"/projects/1.1/reports/{report_id}"

    saved = await post_form(client, url, {"summary": "", "risks": "Venue not booked", "action": "save"})
    assert saved.status_code == 303 and (await current_report())["risks"] == "Venue not booked"
    refused = await post_form(client, url, {"summary": "", "action": "submit"})
    assert refused.status_code == 422 and "Write a few words of overall progress before submitting" in refused.text
    assert (await current_report())["state"] == "draft"
    too_long = await post_form(client, url, {"summary": "x" * 4001, "action": "save"})
    assert too_long.status_code == 422 and "under 4000 characters (it has 4001)" in too_long.text
    assert (await current_report())["summary"] == ""  # nothing half-stored

    submitted = await post_form(client, url, {"summary": "On track", "risks": "Venue not booked", "action": "submit"})
    assert submitted.status_code == 303
    row = await current_report()
    assert row["state"] == "submitted" and row["submitted_by"] == team["lead"] and row["facts"]["status"]["rag"] == "green"
    again = await post_form(client, url, {"summary": "Changed my mind", "action": "submit"})
    assert again.status_code == 409 and "already submitted" in again.text
    edit = await post_form(client, url, {"summary": "Changed my mind", "action": "save"})
    assert edit.status_code == 409 and "can no longer be changed" in edit.text
    assert (await current_report())["summary"] == "On track"

    # The status moves on; the submitted report still says what the board was told.
    assert (await post_form(client, "/projects/1.1/status", {"rag": "red", "note": "Funding pulled"})).status_code == 303
    page = (await client.get(url)).text
    assert "✔ Green" in page and "Funding pulled" not in page
    actions = [e["action"] for e in await AuditEvent.select(AuditEvent.action).where(AuditEvent.target_type == "highlight_report")]
    assert actions == ["report_edited", "report_submitted"]


async def test_only_the_projects_team_writes_its_report(client, team):
    await as_user(client, team["lead"])
    await client.get("/projects/1.1/reports/")
    url = f"/projects/1.1/reports/{(await current_report())['id']}"
    await as_user(client, team["analyst"])  # sees every project, writes none
    assert (await client.get(url)).status_code == 200
    assert (await post_form(client, url, {"summary": "Not mine", "action": "submit"})).status_code == 403
    other = await person("other@example.org", Agency.education, accounts.RoleGrant(Role.project_lead, project_id=await project_id("2.1a")))
    await as_user(client, other)
    assert (await client.get(url)).status_code == 404  # not a project they can see
    assert (await current_report())["state"] == "draft"


async def test_reminders_a_week_before_and_one_note_when_overdue(client, team, frozen_clock, smtp_server):
    settings = smtp_settings(smtp_server)
    assert await reports.send_reminders(settings) == {"reminders": 0, "overdue": 0}  # 11 days before: nothing yet
    frozen_clock.current = datetime(2026, 12, 1, 8, tzinfo=UTC)
    assert await reports.send_reminders(settings) == {"reminders": 1, "overdue": 0}
    assert sorted(m["To"] for m in smtp_server.messages) == ["deputy@example.org", "lead@example.org"]
    body = smtp_server.bodies_to("lead@example.org")[0]
    assert "due on Monday 07 December 2026" in body and f"/projects/1.1/reports/{(await current_report())['id']}" in body
    assert await reports.send_reminders(settings) == {"reminders": 0, "overdue": 0}  # once

    frozen_clock.current = datetime(2026, 12, 8, 8, tzinfo=UTC)
    sent = await reports.send_reminders(settings)
    assert sent == {"reminders": 0, "overdue": 1}
    assert "was due on Monday 07 December 2026 and has not been submitted" in smtp_server.bodies_to("deputy@example.org")[-1]
    assert await reports.send_reminders(settings) == {"reminders": 0, "overdue": 0}
    assert len(smtp_server.messages) == 4

    await as_user(client, team["participation"])
    board = (await client.get("/boards/youth-safety-implementation-board/reports/")).text
    assert "Overdue: due and not submitted" in board and "⚠ Overdue" in board
    # The new period's draft was made by the same morning's run; it is not overdue.
    assert await HighlightReport.count() == 2


async def test_exports_are_an_accessible_html_document_and_a_pdf(client, team):
    await as_user(client, team["lead"])
    await client.get("/projects/1.1/reports/")
    url = f"/projects/1.1/reports/{(await current_report())['id']}"
    html = await client.get(url + "/report.html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert 'filename="highlight-report-1.1-2026-12-07.html"' in html.headers["content-disposition"]
    assert '<html lang="en">' in html.text and "<h2>Overall progress</h2>" in html.text and "<h2>Milestones</h2>" in html.text
    pdf = await client.get(url + "/report.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


async def test_the_demo_has_this_period_s_report_submitted(db, frozen_clock):
    from app.accounts.demo import load_demo_users
    from app.governance.demo import load_demo_governance
    from app.governance.services import load_structure
    from app.reports.demo import load_demo_report

    await load_structure()
    await load_demo_users()
    await load_demo_governance()
    assert await load_demo_report() is True
    assert await load_demo_report() is False  # loading again adds nothing
    row = await current_report("3.3a")
    assert (row["state"], row["due_on"], row["period_start"]) == ("submitted", DUE, PERIOD_START)
    assert row["facts"]["status"]["rag"] == "amber" and row["summary"]
