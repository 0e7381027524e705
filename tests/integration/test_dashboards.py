"""Dashboards per role on the staff home (issue 12 item 8): the participation lead sees activity across
the borough and who we hear from (raw counts, small groups marked — and nobody without
`view_small_groups` sees the panel at all); a project lead sees their projects' due highlight reports;
a board member their board's next meeting and overdue reports. Both engines; the clock is moved."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.accounts import services as accounts
from app.accounts.roles import Role
from app.accounts.tables import Agency
from app.governance.tables import Board, Project
from surveys.questionnaires import definitions as survey_definitions
from surveys.questionnaires import submitting as survey_submitting
from surveys.questionnaires.definition import Given
from surveys.questionnaires.tables import Audience, Response, ResponseMode
from tests.staff import PASSWORD, post_form, signed_in_cookie
from tests.surveys import make_survey


async def person(email: str, agency: Agency, *grants: accounts.RoleGrant) -> int:
    return await accounts.create_user_with_password(email=email, display_name=email.split("@")[0].title(), agency=agency,
                                                     password=PASSWORD, grants=list(grants))


async def home_of(client, user_id: int) -> str:
    client.cookies.clear()
    client.cookies.update(await signed_in_cookie(user_id))
    response = await client.get("/staff")
    assert response.status_code == 200
    return response.text


@pytest.fixture
async def people(db, frozen_clock):
    from app.governance.services import load_structure

    await load_structure()
    board = (await Board.select(Board.id).where(Board.slug == "youth-safety-implementation-board").first())["id"]
    return {
        "participation": await person("pl@example.org", Agency.council_cyps, accounts.RoleGrant(Role.participation_lead)),
        "facilitator": await person("fac@example.org", Agency.council_cyps, accounts.RoleGrant(Role.facilitator)),
        "lead": await person("lead@example.org", Agency.police),
        "deputy": await person("deputy@example.org", Agency.health),
        "board": await person("board@example.org", Agency.police, accounts.RoleGrant(Role.board_member, board_id=board)),
    }


async def respond(survey_id: int, bands: list[str], prefix: str) -> None:
    definition = await survey_definitions.load_definition(survey_id)
    for i, band in enumerate(bands):
        await survey_submitting.store_response(definition, {"knows": Given("no"), "area": Given("north")}, submission_key=f"{prefix}{i}",
                                             receipt=f"{prefix}{i}", language="en", mode=ResponseMode.online, started_at=datetime.now(UTC))
        await Response.update({Response.age_band: band}).where(Response.submission_key == f"{prefix}{i}")


async def test_the_participation_lead_sees_the_borough_and_who_we_hear_from_others_do_not(client, people):
    survey = await make_survey(audience=Audience.young_people)
    await respond(survey, ["13_15"] * 7 + ["16_17"] * 6 + ["18_plus"] * 2, "yp")

    page = await home_of(client, people["participation"])
    assert "Across the borough" in page and "Responses per week, last 12 weeks" in page
    assert "Young people 13-17: 1 survey, 15 responses" in page
    assert "13 to 15" in page and "2 responses came from ages this audience is not meant for (small group)." in page
    assert "23 Nov 15" in page  # the week of Monday 23 November (the frozen clock's week) has all 15

    page = await home_of(client, people["facilitator"])
    assert "Across the borough" not in page and "Who we hear from" not in page


async def test_a_project_lead_sees_the_report_due_and_the_board_sees_it_overdue(client, people, frozen_clock):
    client.cookies.update(await signed_in_cookie(people["participation"]))
    await client.get("/projects/")
    assert (await post_form(client, "/projects/1.1/team", {"lead": str(people["lead"]), "deputy": str(people["deputy"])})).status_code == 303

    page = await home_of(client, people["lead"])
    assert "Your projects" in page and "highlight report due Monday 07 December" in page
    page = await home_of(client, people["deputy"])
    assert "highlight report due Monday 07 December" in page

    frozen_clock.current = datetime(2026, 12, 8, 9, tzinfo=UTC)
    page = await home_of(client, people["lead"])
    assert "⚠ highlight report overdue (was due 07 December)" in page
    page = await home_of(client, people["board"])
    assert "Youth Safety Implementation Board" in page and "⚠ Overdue reports:" in page and ">1.1</a>" in page
    assert "Your projects" not in page


async def test_a_board_member_sees_the_indicators_of_their_boards_projects(client, people):
    from surveys.questionnaires.tables import Survey
    from tests.integration.surveys.test_indicators import make_wave
    from tests.integration.surveys.test_indicators import people as answering

    baseline = await make_wave("safety", 1, answering(knows={"yes": 10, "no": 30}, safe={"agree": 20, "disagree": 20},
                                                      trust=scale_of(20, 20)))
    follow_up = await make_wave("safety", 2, answering(knows={"yes": 30, "no": 10}, safe={"agree": 20, "disagree": 20},
                                                       trust=scale_of(20, 20)))
    page = await home_of(client, people["board"])
    assert "Outcome indicators" not in page  # the waves belong to no project yet: not this board's
    project = (await Project.select(Project.id).where(Project.reference == "1.1").first())["id"]
    await Survey.update({Survey.project: project}).where(Survey.id.is_in([baseline, follow_up]))
    page = await home_of(client, people["board"])
    assert "Outcome indicators" in page and "Would you know who to talk to?" in page and "Outcome 1" in page
    assert "Outcome indicators" not in await home_of(client, people["facilitator"])  # no board, no panel


def scale_of(low: int, high: int) -> dict:
    return {3: low, 8: high}
