# ruff: noqa: F811  (the findings tests' `world` fixture is imported, then named as a parameter)
"""Influence figures (issue 12 item 7): of the findings made, the share that reached a named
decision-maker, the share of those answered and acted on, and the median days from a young person
speaking to the answer; by project and board; each person sees them for the findings they may see."""

from __future__ import annotations

from html import unescape

from tests.integration.test_findings import as_user, draft_from_theme, ready, send_to_project, world  # noqa: F401
from tests.staff import post_form


async def test_voice_audience_influence_for_the_participation_lead_and_the_project_lead(client, world, frozen_clock):
    accepted = await send_to_project(client, world)
    waiting = await draft_from_theme(client, world, "police")
    await ready(client, waiting)
    assert (await post_form(client, f"/findings/{waiting}/send", {"choice": "project:" + str(await _project("3.3a"))})).status_code == 303
    await draft_from_theme(client, world, "clubs")  # made, never sent
    frozen_clock.advance(days=10)
    await as_user(client, world["people"]["lead"])
    assert (await post_form(client, f"/findings/{accepted}/accept", {
        "description": "Fix the lights by the park", "owner": "Sam Okafor", "due_on": "2027-01-31", "progress": "40"})).status_code == 303

    await as_user(client, world["people"]["participation"])
    page = unescape((await client.get("/findings/influence")).text)
    assert "<dt>Findings made</dt><dd>3</dd>" in page
    assert "67% (2 of 3)" in page  # reached a named decision-maker
    assert "50% (1 of 2)" in page  # answered, and acted on, of those sent
    assert "Project 3.3a" in page and "By project" in page

    await as_user(client, world["people"]["other_lead"])  # another project's lead sees none of these
    page = unescape((await client.get("/findings/influence")).text)
    assert "<dt>Findings made</dt><dd>0</dd>" in page and "there are none you can see yet" in page


async def test_the_median_days_run_from_the_earliest_answer_in_the_evidence_to_the_answer(client, world, frozen_clock):
    from app.findings import influence, services
    from app.findings.tables import Finding
    from surveys.questionnaires.tables import Response

    finding = await send_to_project(client, world)
    frozen_clock.advance(days=10)
    await as_user(client, world["people"]["lead"])
    await post_form(client, f"/findings/{finding}/not-taken-forward", {"reason": "Covered by project 2.3", "owner": "Lee Lead"})
    row = (await services.finding_rows(Finding.id == finding))[0]
    voices = await influence._voice_dates([finding])
    first = min(r["submitted_at"] for r in await Response.select(Response.submitted_at))
    assert voices[finding] >= first
    overall, projects, boards = await influence.influence([row])
    expected = round((row["answered_at"] - voices[finding]).total_seconds() / 86400, 1)
    assert overall.median_days_to_answer == expected and expected > 0
    assert str(overall.acted_on) == "0% (0 of 1)" and str(overall.answered) == "100% (1 of 1)"
    assert [p.label for p in projects] == [projects[0].label] and boards == []


async def _project(reference: str) -> int:
    from app.governance.tables import Project

    return (await Project.select(Project.id).where(Project.reference == reference).first())["id"]
