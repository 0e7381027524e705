"""Governance live (issue 12, item 1): leads and deputies are staff accounts assigned to projects (a
same-agency pair is flagged), projects have a RAG status and milestones, boards have meeting dates;
the implementation board sees every project, a project lead their own, other boards none yet.
Both engines; every refusal is a clear message on the form and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import clock
from app.accounts import services as accounts
from app.accounts.roles import Role
from app.accounts.tables import Agency, ProjectPosition, StaffRole
from app.audit.tables import AuditEvent
from app.governance.demo import load_demo_governance
from app.governance.services import load_structure
from app.governance.tables import Board, BoardMeeting, Milestone, Project
from tests.staff import PASSWORD, post_form, signed_in_cookie


async def person(email: str, agency: Agency, *grants: accounts.RoleGrant) -> int:
    return await accounts.create_user_with_password(email=email, display_name=email.split("@")[0].title(), agency=agency,
                                                     password=PASSWORD, grants=list(grants))


async def project_id(reference: str) -> int:
    return (await Project.select(Project.id).where(Project.reference == reference).first())["id"]


async def board_id(slug: str) -> int:
    return (await Board.select(Board.id).where(Board.slug == slug).first())["id"]


@pytest.fixture
async def people(db):
    await load_structure()
    shared_language = await project_id("3.3a")
    return {
        "participation": await person("pl@example.org", Agency.council_cyps, accounts.RoleGrant(Role.participation_lead)),
        "police": await person("police@example.org", Agency.police),
        "nurse": await person("nurse@example.org", Agency.health),
        "officer": await person("officer2@example.org", Agency.police),
        "lead_33a": await person("lead33a@example.org", Agency.education, accounts.RoleGrant(Role.project_lead, project_id=shared_language)),
        "implementation": await person("ib@example.org", Agency.police, accounts.RoleGrant(
            Role.board_member, board_id=await board_id("youth-safety-implementation-board"))),
        "statutory": await person("hwb@example.org", Agency.health, accounts.RoleGrant(
            Role.board_member, board_id=(await Board.select(Board.id).where(Board.kind == "statutory").first())["id"])),
        "analyst": await person("analyst@example.org", Agency.council_cyps, accounts.RoleGrant(Role.analyst)),
    }


async def as_user(client, user_id: int):
    client.cookies.clear()
    client.cookies.update(await signed_in_cookie(user_id))
    await client.get("/projects/")  # the CSRF cookie, as a browser has it from the page with the form
    return client


async def positions(reference: str) -> dict[str, int]:
    rows = await StaffRole.select(StaffRole.user, StaffRole.position).where(
        StaffRole.project == await project_id(reference), StaffRole.position.is_not_null())
    return {row["position"]: row["user"] for row in rows}


async def test_the_participation_lead_names_a_cross_agency_pair_and_each_gets_the_project(client, people):
    await as_user(client, people["participation"])
    response = await post_form(client, "/projects/1.1/team", {"lead": str(people["police"]), "deputy": str(people["nurse"])})
    assert response.status_code == 303
    assert await positions("1.1") == {"lead": people["police"], "deputy": people["nurse"]}
    page = (await client.get("/projects/1.1")).text
    assert "Police@Example.Org" not in page and "Police (Police)" in page and "Nurse (Health/NHS)" in page
    assert "same agency" not in page
    # Each now holds the project-lead role for this project, so the project's pages are theirs.
    grants = await StaffRole.select(StaffRole.user, StaffRole.role).where(StaffRole.project == await project_id("1.1"))
    assert sorted(g["user"] for g in grants if g["role"] == "project_lead") == sorted([people["police"], people["nurse"]])
    assert await AuditEvent.count().where(AuditEvent.action == "project_team_changed") == 1


async def test_a_same_agency_pair_is_saved_and_flagged(client, people):
    await as_user(client, people["participation"])
    response = await post_form(client, "/projects/1.1/team", {"lead": str(people["police"]), "deputy": str(people["officer"])})
    assert response.status_code == 200
    assert "both from Police: the partnership asks for a pair from two agencies" in response.text
    assert await positions("1.1") == {"lead": people["police"], "deputy": people["officer"]}
    assert "Same agency" in (await client.get("/projects/")).text


async def test_a_new_lead_takes_the_position_and_the_old_one_stays_on_the_team(client, people):
    await as_user(client, people["participation"])
    await post_form(client, "/projects/1.1/team", {"lead": str(people["police"]), "deputy": str(people["nurse"])})
    await post_form(client, "/projects/1.1/team", {"lead": str(people["nurse"]), "deputy": ""})
    assert await positions("1.1") == {"lead": people["nurse"]}
    assert await StaffRole.exists().where(StaffRole.user == people["police"], StaffRole.project == await project_id("1.1"))


@pytest.mark.parametrize(("lead", "deputy", "message"), [
    ("same", "same", "The lead and the deputy must be two different people."),
    ("999999", "", "Choose active staff accounts for the lead and the deputy."),
    ("abc", "", "Choose the lead and the deputy from the list."),
])
async def test_a_bad_team_is_refused_on_the_form_and_nothing_changes(client, people, lead, deputy, message):
    await as_user(client, people["participation"])
    lead = str(people["police"]) if lead == "same" else lead
    deputy = str(people["police"]) if deputy == "same" else deputy
    response = await post_form(client, "/projects/1.1/team", {"lead": lead, "deputy": deputy})
    assert response.status_code == 422 and message in response.text
    assert await positions("1.1") == {}


async def test_an_inactive_account_cannot_be_named(client, people):
    await accounts.StaffUser.update({accounts.StaffUser.active: False}).where(accounts.StaffUser.id == people["police"])
    await as_user(client, people["participation"])
    response = await post_form(client, "/projects/1.1/team", {"lead": str(people["police"])})
    assert response.status_code == 422 and await positions("1.1") == {}


@pytest.mark.parametrize(("who", "sees_all"), [("implementation", True), ("analyst", True), ("participation", True),
                                               ("lead_33a", False), ("statutory", False)])
async def test_who_sees_which_projects(client, people, who, sees_all):
    await as_user(client, people[who])
    page = (await client.get("/projects/")).text
    assert ("/projects/1.1" in page) is sees_all
    assert ("/projects/3.3a" in page) is (sees_all or who == "lead_33a")
    assert (await client.get("/projects/1.1")).status_code == (200 if sees_all else 404)


async def test_the_lead_sets_the_status_and_a_reason_is_needed_for_amber(client, people):
    await as_user(client, people["lead_33a"])
    refused = await post_form(client, "/projects/3.3a/status", {"rag": "amber", "note": "  "})
    assert refused.status_code == 422 and "Say why the project is red or amber" in refused.text
    assert (await Project.select(Project.rag).where(Project.reference == "3.3a").first())["rag"] is None
    assert (await post_form(client, "/projects/3.3a/status", {"rag": "purple"})).status_code == 422
    saved = await post_form(client, "/projects/3.3a/status", {"rag": "amber", "note": "Schools not signed up yet."})
    assert saved.status_code == 303
    page = (await client.get("/projects/3.3a")).text
    assert "▲ Amber" in page and "Schools not signed up yet." in page
    event = await AuditEvent.select(AuditEvent.detail).where(AuditEvent.action == "project_status_changed").first()
    assert "amber" in str(event["detail"])


async def test_only_the_projects_own_lead_or_the_participation_lead_change_its_status(client, people):
    await as_user(client, people["lead_33a"])
    assert (await post_form(client, "/projects/1.1/status", {"rag": "green"})).status_code == 404  # not theirs: not seen
    await as_user(client, people["implementation"])
    assert (await post_form(client, "/projects/3.3a/status", {"rag": "green"})).status_code == 403
    await as_user(client, people["participation"])
    assert (await post_form(client, "/projects/3.3a/status", {"rag": "green"})).status_code == 303


async def test_milestones_are_added_and_done_once(client, people, frozen_clock):
    await as_user(client, people["lead_33a"])
    assert "Give the date as a date" in (await post_form(client, "/projects/3.3a/milestones", {"title": "Launch", "due_on": "31/01/2027"})).text
    assert "Give the milestone a title" in (await post_form(client, "/projects/3.3a/milestones", {"title": "", "due_on": "2027-01-31"})).text
    assert await Milestone.count() == 0
    assert (await post_form(client, "/projects/3.3a/milestones", {"title": "Launch", "due_on": "2027-01-31"})).status_code == 303
    milestone = (await Milestone.select(Milestone.id).first())["id"]
    assert (await post_form(client, f"/projects/3.3a/milestones/{milestone}/done")).status_code == 303
    again = await post_form(client, f"/projects/3.3a/milestones/{milestone}/done")
    assert again.status_code == 409 and "not an open milestone" in again.text
    assert (await Milestone.select(Milestone.done_on).first())["done_on"] == frozen_clock.now().date()
    assert "Launch, due 2027-01-31" not in (await client.get("/projects/")).text  # done: no longer the next one


async def test_board_meeting_dates(client, people, frozen_clock):
    await as_user(client, people["participation"])
    today = frozen_clock.now().date()
    past = await post_form(client, "/boards/youth-safety-implementation-board/meetings", {"meets_on": (today - timedelta(days=1)).isoformat()})
    assert past.status_code == 422 and "cannot be in the past" in past.text
    soon = (today + timedelta(days=10)).isoformat()
    assert (await post_form(client, "/boards/youth-safety-implementation-board/meetings", {"meets_on": soon, "note": "Reports"})).status_code == 303
    twice = await post_form(client, "/boards/youth-safety-implementation-board/meetings", {"meets_on": soon})
    assert twice.status_code == 422 and "already meets on that date" in twice.text
    assert await BoardMeeting.count() == 1
    assert "next meets" in (await client.get("/projects/")).text
    await as_user(client, people["lead_33a"])
    assert (await post_form(client, "/boards/youth-safety-implementation-board/meetings", {"meets_on": soon})).status_code == 403
    assert (await client.get("/boards/no-such-board")).status_code == 404


async def test_the_public_page_names_agencies_not_people(client, people):
    await as_user(client, people["participation"])
    await post_form(client, "/projects/1.1/team", {"lead": str(people["police"]), "deputy": str(people["nurse"])})
    client.cookies.clear()
    page = (await client.get("/partnership")).text
    assert "Lead: from Police" in page and "Deputy: from Health/NHS" in page and "Nurse" not in page


async def test_the_demo_has_a_lead_a_status_milestones_and_meetings_and_loading_again_changes_nothing(db):
    from app.accounts.demo import load_demo_users

    await load_structure()
    await load_demo_users()
    for _ in range(2):
        await load_demo_governance()
    assert list((await positions("3.3a")).keys()) == [ProjectPosition.lead.value]
    assert (await Project.select(Project.rag).where(Project.reference == "3.3a").first())["rag"] == "amber"
    assert await Milestone.count() == 3 and await BoardMeeting.count() == 4
    assert all(m["meets_on"] > clock.now().date() for m in await BoardMeeting.select(BoardMeeting.meets_on))
