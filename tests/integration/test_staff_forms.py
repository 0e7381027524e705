"""Staff forms and downloads as a new member of staff meets them: a form sent empty or wrong shows
what to fix on the form itself, in the staff layout (never the participant one with its quick exit
and Childline footer), and nothing is half-stored."""

import html
import re

import pyotp
import pytest

from app.accounts.roles import Role
from app.accounts.tables import EmailToken, OutboxMessage, StaffRole, StaffUser
from app.governance.tables import Project
from surveys.questionnaires.tables import Question, Section, Survey
from tests.staff import PASSWORD, make_user, post_form, signed_in_cookie
from tests.surveys import make_survey

pytestmark = pytest.mark.usefixtures("db")


async def test_csv_downloads_name_their_character_set_once(client):
    survey_id = await make_survey(code="feel")
    client.cookies.update(await signed_in_cookie(await make_user(Role.admin)))
    analyst = await make_user(Role.analyst)
    for path, cookie in (
        ("/admin/audit/export.csv", None),
        (f"/staff/surveys/{survey_id}/results.csv", analyst),
        (f"/staff/surveys/{survey_id}/export/csv", analyst),
    ):
        if cookie:
            client.cookies.update(await signed_in_cookie(cookie))
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "text/csv; charset=utf-8", path


PARTICIPANT_LAYOUT_MARKS = ("Childline", "quick-exit", "Need to talk to someone?")


def in_staff_layout(html: str) -> bool:
    return not any(mark in html for mark in PARTICIPANT_LAYOUT_MARKS) and 'class="site-header"' in html


@pytest.fixture
async def staff(client):
    """A client signed in as someone who may build surveys and manage users."""
    from app.accounts import services
    from app.accounts.tables import Agency
    from app.governance.services import load_structure

    await load_structure()
    user_id = await services.create_user_with_password(
        email="everything@example.org", display_name="Every Role", agency=Agency.other, password=PASSWORD,
        grants=[services.RoleGrant(Role.admin), services.RoleGrant(Role.participation_lead)],
    )
    await StaffUser.update({StaffUser.totp_secret: pyotp.random_base32(), StaffUser.mfa_enabled: True}).where(StaffUser.id == user_id)
    client.cookies.update(await signed_in_cookie(user_id))
    return client


async def test_a_new_survey_sent_empty_is_explained_on_its_form(staff):
    response = await post_form(staff, "/staff/surveys/new", {})
    assert response.status_code == 400 and in_staff_layout(response.text)
    assert "Give the survey a title" in response.text and '<form method="post" action="/staff/surveys/new"' in response.text
    response = await post_form(staff, "/staff/surveys/new", {"title": "Safe?", "audience": ""})
    assert response.status_code == 400 and "Choose who the survey is for" in response.text and 'value="Safe?"' in response.text
    assert await Survey.count() == 0


async def test_a_question_sent_empty_is_explained_on_the_builder(staff):
    survey_id = await make_survey(code="feel", publish=False)
    before = await Question.count()
    for fields, message in (({}, "Choose the type of answer."), ({"kind": "yes_no", "text": "  "}, "Write the question.")):
        response = await post_form(staff, f"/staff/surveys/{survey_id}/questions", fields)
        assert response.status_code == 400 and message in response.text and in_staff_layout(response.text)
        assert f'action="/staff/surveys/{survey_id}/questions"' in response.text
    assert await Question.count() == before


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "Enter the person's work email"),
    ({"email": "someone@example.org"}, "Enter the person's name."),
    ({"email": "someone@example.org", "display_name": "Someone"}, "Choose the person's agency."),
    ({"email": "someone@example.org", "display_name": "Someone", "agency": "Police"}, "Choose at least one role"),
])
async def test_an_invitation_missing_something_or_without_a_role_is_refused_on_its_form(staff, fields, message):
    users = await StaffUser.count()
    response = await post_form(staff, "/admin/users/new", fields)
    assert response.status_code == 400 and message in html.unescape(response.text) and in_staff_layout(response.text)
    assert "Send invitation" in response.text
    if "email" in fields:
        assert f'value="{fields["email"]}"' in response.text
    assert await StaffUser.count() == users and await EmailToken.count() == 0 and await OutboxMessage.count() == 0


async def test_project_and_board_choices_are_checkboxes_and_post_as_before(staff):
    form = await staff.get("/admin/users/new")
    assert "<select" not in form.text.split('name="agency"')[1]  # no list box after the agency
    first, second = [p["id"] for p in await Project.select(Project.id).order_by(Project.position).limit(2)]
    assert f'type="checkbox" id="project-{first}" name="project_ids" value="{first}"' in form.text
    response = await post_form(staff, "/admin/users/new", {
        "email": "lead@example.org", "display_name": "Lead", "agency": "Police", "roles": "project_lead", "project_ids": [str(first), str(second)],
    })
    assert response.status_code == 302
    user = await StaffUser.select(StaffUser.id).where(StaffUser.email == "lead@example.org").first()
    assert sorted(r["project"] for r in await StaffRole.select(StaffRole.project).where(StaffRole.user == user["id"])) == sorted([first, second])
    edit = await staff.get(f"/admin/users/{user['id']}")
    assert f'value="{first}" checked' in edit.text and f'value="{second}" checked' in edit.text


async def test_the_builder_describes_skip_logic_with_question_and_answer_text_and_offers_checkboxes(staff):
    survey_id = await make_survey(code="feel", publish=False)
    page = await staff.get(f"/staff/surveys/{survey_id}/build")
    assert "Only asked when “Would you know who to talk to?” is “Yes”." in page.text
    assert "when knows is" not in page.text
    assert '<legend>Would you know who to talk to?</legend>' in page.text
    assert 'type="checkbox" id="new-show-if-knows-yes" name="show_if" value="knows=yes"' in page.text
    assert not re.search(r"<select[^>]*multiple", page.text)
    added = await post_form(staff, f"/staff/surveys/{survey_id}/questions", {
        "kind": "short_text", "text": "What would help?", "section": str((await Section.select(Section.id).first())["id"]),
        "show_if": ["knows=no", "knows=not_sure"],
    })
    assert added.status_code in (302, 303)
    question = await Question.select(Question.id).where(Question.text == "What would help?").first()
    edit = await staff.get(f"/staff/surveys/{survey_id}/questions/{question['id']}")
    assert 'value="knows=no" checked' in edit.text and 'value="knows=yes">' in edit.text


def sample_path(route_path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+):\w+\}", lambda m: ids[m.group(1)], route_path)


@pytest.mark.parametrize("published", [False, True])
async def test_no_staff_form_sent_empty_gives_a_bare_error_or_the_participant_layout(staff, published):
    """Every staff form, sent with nothing in it: a problem is shown on a page in the staff layout."""
    from app.asgi import create_app
    from surveys.questionnaires.definitions import load_definition

    survey_id = await make_survey(code="feel", publish=published)
    definition = await load_definition(survey_id)
    other = await make_user(Role.analyst)
    ids = {"survey_id": str(survey_id), "section_id": str(definition.sections[0].id), "question_id": str(definition.questions[0].id),
           "user_id": str(other), "language": "ur", "action": "up", "token": "x", "disclosure_id": "1",
           "theme_id": "1", "run_id": "1", "reference": "1.1", "slug": "youth-safety-implementation-board", "milestone_id": "1", "report_id": "1",
           "integration_id": "1",
           "finding_id": "1", "evidence_id": "1", "action_id": "1", "board_id": "1",
           "study_id": "1", "participant_id": "1", "task_id": "1"}
    routes = [(route.path, handler) for route in create_app().routes for handler in getattr(route, "route_handlers", [])
              if "POST" in handler.http_methods and not (handler.opt or {}).get("public")]
    assert len(routes) > 15
    for route_path, _ in routes:
        if route_path in ("/logout", "/login/mfa"):
            continue  # signing out ends the session the rest of this walk uses; the code form is tested in test_mfa
        response = await post_form(staff, sample_path(route_path, ids), {})
        assert response.status_code < 500, route_path
        assert not any(mark in response.text for mark in PARTICIPANT_LAYOUT_MARKS), route_path
        if response.status_code == 400:  # said on the form's own page, not on a bare "Bad Request" page
            assert "<title>Bad Request" not in response.text, f"{route_path}: {response.text[:500]}"


async def test_errors_on_staff_routes_use_the_staff_layout_and_participant_errors_keep_quick_exit(staff):
    survey_id = await make_survey(code="feel", publish=False)
    oversized = await post_form(staff, "/admin/users/new", {"email": "x@example.org", "display_name": "n" * 10_000, "agency": "Police"})
    assert oversized.status_code == 400 and in_staff_layout(oversized.text)
    not_utf8 = await staff.post(f"/staff/surveys/{survey_id}/status", content=b"action=%FF&_csrf_token=" + staff.cookies["csrftoken"].encode(),
                                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"})
    assert not_utf8.status_code == 400 and in_staff_layout(not_utf8.text)
    missing = await staff.get("/staff/surveys/999999/build", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and in_staff_layout(missing.text)
    forged = await staff.post("/admin/users/new", data={"email": "x@example.org"}, headers={"Accept": "text/html"})
    assert forged.status_code == 403 and in_staff_layout(forged.text)
    # A participant's mistake keeps the quick exit and the help footer.
    staff.cookies.clear()
    participant = await staff.get("/s/no-such-survey/d/no-such-draft", headers={"Accept": "text/html"})
    assert participant.status_code in (404, 410) and "Childline" in participant.text
    unknown = await staff.get("/no-such-page", headers={"Accept": "text/html"})
    assert unknown.status_code == 404 and "Childline" in unknown.text
