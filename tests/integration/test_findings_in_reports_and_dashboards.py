# ruff: noqa: F811  (the findings tests' `world` fixture is imported, then named as a parameter)
"""Findings reach the rest of the loop (issue 12 items 3 and 8): the project lead's home lists the
finding waiting for their answer, then their open action; the participation lead's shows every
finding by status with the overdue ones named; the project's highlight report lists the finding
received, its answer and each action's progress. Both engines."""

from __future__ import annotations

from datetime import timedelta

from app.findings.tables import Finding
from app.governance.tables import Project
from app.reports import services as reports
from tests.integration.test_findings import as_user, send_to_project, world  # noqa: F401
from tests.staff import post_form


async def test_the_inbox_then_the_open_action_on_the_lead_s_home_and_every_status_on_the_participation_lead_s(client, world, frozen_clock):
    finding = await send_to_project(client, world)
    await as_user(client, world["people"]["lead"])
    home = (await client.get("/staff")).text
    assert "Waiting for your answer:" in home and "Street lights" in home

    frozen_clock.advance(days=29)  # past the 28 days the answer is due in
    await as_user(client, world["people"]["participation"])
    home = (await client.get("/staff")).text
    assert "Overdue: no answer by the due date: 1" in home and "⚠ No answer by the due date:" in home

    await as_user(client, world["people"]["lead"])
    accepted = await post_form(client, f"/findings/{finding}/accept", {
        "description": "Fix the lights by the park", "owner": "Sam Okafor", "due_on": "2027-01-31", "progress": "40"})
    assert accepted.status_code == 303
    home = (await client.get("/staff")).text
    assert "Waiting for your answer:" not in home and "Your open actions:" in home and "Fix the lights by the park" in home
    await as_user(client, world["people"]["participation"])
    assert "Accepted, with actions: 1" in (await client.get("/staff")).text


async def test_the_highlight_report_lists_the_finding_its_answer_and_actions(client, world, frozen_clock):
    finding = await send_to_project(client, world)
    await as_user(client, world["people"]["lead"])
    assert (await post_form(client, f"/findings/{finding}/accept", {
        "description": "Fix the lights by the park", "owner": "Sam Okafor", "due_on": "2027-01-31", "progress": "40"})).status_code == 303
    project = (await Project.select(Project.id).where(Project.reference == "3.3a").first())["id"]
    sent = (await Finding.select(Finding.sent_at).where(Finding.id == finding).first())["sent_at"].date()
    due = reports.due_date_on_or_after(sent, 6)
    facts = await reports.draft_facts(project, reports.period_of(due, 6)[0], due)
    assert [(f["title"], f["status"], f["new"]) for f in facts["findings"]] == [("Street lights", "accepted", True)]
    assert facts["findings"][0]["actions"] == [{"description": "Fix the lights by the park", "owner": "Sam Okafor",
                                                "due_on": "2027-01-31", "progress": 40}]
    # The period before knew nothing of it.
    earlier = due - timedelta(weeks=6)
    assert (await reports.draft_facts(project, reports.period_of(earlier, 6)[0], earlier))["findings"] == []
