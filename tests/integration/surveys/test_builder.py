"""Building a survey through the staff pages: questions, skip logic, translations, publishing."""

import re

import pytest

from app.accounts.roles import Role
from surveys.questionnaires import building, definitions
from surveys.questionnaires.tables import BankQuestion, Question, Survey, Translation
from tests.staff import make_user, post_form, signed_in_cookie
from tests.surveys import make_survey


@pytest.fixture
async def builder(client, db):
    from app.governance.services import load_structure

    await load_structure()
    client.cookies.update(await signed_in_cookie(await make_user(Role.facilitator)))
    return client


async def new_survey(client, **fields) -> int:
    response = await post_form(client, "/staff/surveys/new", {"title": "How safe do you feel?", "audience": "children",
                                                               "languages": ["bn", "ur"], **fields})
    assert response.status_code in (302, 303), response.text
    return int(re.search(r"/staff/surveys/(\d+)/build", response.headers["location"]).group(1))


async def add(client, survey_id, **fields):
    section = (await definitions.load_definition(survey_id)).sections[-1].id
    return await post_form(client, f"/staff/surveys/{survey_id}/questions", {"section": str(section), **fields})


async def test_build_a_survey_with_skip_logic_translate_publish_and_share(builder):
    survey_id = await new_survey(builder)
    assert (await add(builder, survey_id, kind="yes_no", text="Do you feel safe at school?", required="1", outcome="3")).status_code in (302, 303)
    response = await add(builder, survey_id, kind="long_text", text="What makes you feel unsafe?", show_if=["q1=no", "q1=not_sure"])
    assert response.status_code in (302, 303)
    definition = await definitions.load_definition(survey_id)
    assert [q.key for q in definition.questions] == ["q1", "q2"]
    assert definition.questions[1].show_if.values == {"no", "not_sure"}
    assert definition.questions[0].outcome == 3

    page = await builder.get(f"/staff/surveys/{survey_id}/build")
    assert "Reading age" in page.text and "Do you feel safe at school?" in page.text

    translations = await builder.get(f"/staff/surveys/{survey_id}/translations/bn")
    names = re.findall(r'name="(t:[^"]+)"', translations.text)
    assert "t:survey:title" in names and f"t:q:{definition.questions[0].id}:text" in names
    saved = await post_form(builder, f"/staff/surveys/{survey_id}/translations/bn", {"t:survey:title": "আপনি কতটা নিরাপদ?"})
    assert saved.status_code in (302, 303)
    assert await Translation.count() == 1

    published = await post_form(builder, f"/staff/surveys/{survey_id}/status", {"action": "publish"})
    assert published.status_code in (302, 303)
    survey = await Survey.objects().get(Survey.id == survey_id)
    assert survey.status == "published"
    share = await builder.get(f"/staff/surveys/{survey_id}/share")
    assert survey.join_code in share.text and "<svg" in share.text and f"/s/{survey.public_code}/kiosk" in share.text
    qr = await builder.get(f"/staff/surveys/{survey_id}/qr.svg")
    assert qr.headers["content-type"].startswith("image/svg+xml") and b"<svg" in qr.content
    participant = await builder.get(f"/s/{survey.public_code}?lang=bn")
    assert "আপনি কতটা নিরাপদ?" in participant.text


async def test_jargon_and_a_high_reading_age_are_flagged_while_building(builder):
    survey_id = await new_survey(builder)
    await add(builder, survey_id, kind="yes_no",
              text="Has the multi-agency safeguarding pathway's intervention threshold been proportionate to your contextual vulnerabilities?")
    page = await builder.get(f"/staff/surveys/{survey_id}/build")
    assert "may be jargon" in page.text and "multi-agency" in page.text
    assert "the most this audience should need" in page.text


@pytest.mark.parametrize(("fields", "message"), [
    ({"kind": "single_choice", "text": "Pick", "options": "Only one"}, "at least two answers"),
    ({"kind": "single_choice", "text": "Pick", "options": "A\na"}, "Two answers are the same"),
    ({"kind": "number", "text": "How many?", "min_value": "ten"}, "write a number or leave it blank"),
    ({"kind": "number", "text": "How many?", "min_value": "5", "max_value": "1"}, "must not be smaller"),
    ({"kind": "short_text", "text": "Why?", "show_if": ["q9=yes"]}, "does not exist"),
    ({"kind": "short_text", "text": "Why?", "show_if": ["q1=yes", "q2=1"]}, "one earlier question"),
    ({"kind": "short_text", "text": "Why?", "key": "Bad Key!"}, "column name"),
    ({"kind": "short_text", "text": "Why?", "outcome": "13"}, "no outcome 13"),
])
async def test_builder_mistakes_are_explained_and_nothing_is_added(builder, fields, message):
    survey_id = await new_survey(builder)
    await add(builder, survey_id, kind="yes_no", text="Safe?")
    response = await add(builder, survey_id, **fields)
    assert response.status_code == 400 and message in response.text
    assert await Question.count() == 1


async def test_malformed_builder_forms_are_refused_before_anything_runs(builder):
    survey_id = await new_survey(builder)
    for fields in ({"kind": "teleport", "text": "x"}, {"kind": "short_text", "text": ""}, {"kind": "short_text", "text": "x" * 1001}):
        assert (await add(builder, survey_id, **fields)).status_code == 400
    assert (await post_form(builder, "/staff/surveys/new", {"title": "x", "audience": "aliens"})).status_code == 400
    bad_language = await post_form(builder, "/staff/surveys/new", {"title": "x", "audience": "staff", "languages": "klingon"})
    assert bad_language.status_code == 400 and "does not offer the language" in bad_language.text
    assert await Survey.count() == 1


async def test_reorder_duplicate_delete_and_the_question_bank(builder):
    survey_id = await new_survey(builder)
    await add(builder, survey_id, kind="yes_no", text="First?")
    await add(builder, survey_id, kind="short_text", text="Second?", show_if=["q1=yes"])
    first, second = (await definitions.load_definition(survey_id)).questions
    refused = await post_form(builder, f"/staff/surveys/{survey_id}/questions/{second.id}/up")
    assert refused.status_code == 400 and "cannot move above" in refused.text
    cannot_delete = await post_form(builder, f"/staff/surveys/{survey_id}/questions/{first.id}/delete")
    assert cannot_delete.status_code == 400 and "depend on this one" in cannot_delete.text
    await post_form(builder, f"/staff/surveys/{survey_id}/questions/{second.id}/duplicate")
    assert [q.text for q in (await definitions.load_definition(survey_id)).questions] == ["First?", "Second?", "Second?"]
    await post_form(builder, f"/staff/surveys/{survey_id}/questions/{first.id}/bank")
    assert await BankQuestion.count() == 1
    bank_id = (await BankQuestion.select(BankQuestion.id).first())["id"]
    section = (await definitions.load_definition(survey_id)).sections[0].id
    await post_form(builder, f"/staff/surveys/{survey_id}/bank", {"bank_question": str(bank_id), "section": str(section)})
    assert (await definitions.load_definition(survey_id)).questions[-1].text == "First?"
    bank_page = await builder.get("/staff/question-bank")
    assert "First?" in bank_page.text


async def test_published_questions_are_fixed_and_a_duplicate_is_a_new_draft(builder):
    survey_id = await make_survey()
    question = (await definitions.load_definition(survey_id)).questions[0]
    response = await post_form(builder, f"/staff/surveys/{survey_id}/questions/{question.id}", {"kind": "yes_no", "text": "Changed?"})
    assert response.status_code == 400 and "Duplicate it" in response.text
    duplicate = await post_form(builder, f"/staff/surveys/{survey_id}/duplicate")
    new_id = int(re.search(r"/staff/surveys/(\d+)/build", duplicate.headers["location"]).group(1))
    copy = await definitions.load_definition(new_id)
    assert [q.key for q in copy.questions] == ["knows", "who", "area", "say"]
    assert copy.questions[1].show_if.question == "knows"
    assert (await Survey.objects().get(Survey.id == new_id)).status == "draft"


async def test_preview_shows_every_question_in_the_chosen_language(builder):
    survey_id = await make_survey()
    preview = await builder.get(f"/staff/surveys/{survey_id}/preview?lang=ur")
    assert preview.status_code == 200 and 'dir="rtl"' in preview.text and "Who?" in preview.text and "Preview" in preview.text


async def test_a_section_gets_a_title_and_skip_logic_and_refuses_a_later_question(builder):
    survey_id = await new_survey(builder)
    await add(builder, survey_id, kind="yes_no", text="Safe?")
    first = (await definitions.load_definition(survey_id)).sections[0].id
    await post_form(builder, f"/staff/surveys/{survey_id}/sections", {"title": "Why not"})
    second = (await definitions.load_definition(survey_id)).sections[1].id
    saved = await post_form(builder, f"/staff/surveys/{survey_id}/sections/{second}", {"title": "Why not safe", "show_if": ["q1=no"]})
    assert saved.status_code in (302, 303)
    section = (await definitions.load_definition(survey_id)).sections[1]
    assert section.title == "Why not safe" and section.show_if.values == {"no"}
    # The first section cannot depend on its own question.
    refused = await post_form(builder, f"/staff/surveys/{survey_id}/sections/{first}", {"title": "x", "show_if": ["q1=no"]})
    assert refused.status_code == 400 and "earlier question" in refused.text
    assert (await builder.get(f"/staff/surveys/{survey_id}/sections/{second}")).status_code == 200


async def test_share_links_and_qr_codes_use_the_public_address_not_the_request_host(db):
    import os

    from app.asgi import create_app
    from app.governance.services import load_structure
    from app.settings import Settings
    from tests.conftest import in_process_client

    await load_structure()
    # Development as `make run` starts it (no CHORUS_PUBLIC_URL), reached by another loopback name.
    settings = Settings.from_env({k: v for k, v in os.environ.items() if k != "CHORUS_PUBLIC_URL"})
    survey = await Survey.objects().get(Survey.id == await make_survey(code="sharecode"))
    async with in_process_client(create_app(settings), base_url="http://localhost:8000") as client:
        client.cookies.update(await signed_in_cookie(await make_user(Role.facilitator)))
        share = await client.get(f"/staff/surveys/{survey.id}/share")
    assert f"http://127.0.0.1:8000/s/{survey.public_code}" in share.text and "http://127.0.0.1:8000/join" in share.text
    assert "localhost" not in share.text


@pytest.mark.parametrize("project", ["999999", "99999999999999999999"])
async def test_a_project_that_does_not_exist_is_refused_on_the_form_and_nothing_is_saved(builder, project):
    created = await post_form(builder, "/staff/surveys/new", {"title": "Nowhere", "audience": "children", "project": project})
    assert created.status_code == 400 and "That project does not exist" in created.text
    assert 'value="Nowhere"' in created.text and "Childline" not in created.text
    assert await Survey.count() == 0

    survey_id = await new_survey(builder)
    saved = await post_form(builder, f"/staff/surveys/{survey_id}/settings", {"title": "Renamed", "audience": "children", "project": project})
    assert saved.status_code == 400 and "That project does not exist" in saved.text
    assert (await Survey.select(Survey.title, Survey.project).where(Survey.id == survey_id).first()) == {"title": "How safe do you feel?", "project": None}


async def test_retention_contact_and_the_under_13_route_are_survey_settings(builder):
    survey_id = await new_survey(builder)
    survey = await Survey.objects().get(Survey.id == survey_id)
    assert (survey.retention_months, survey.ask_contact, survey.under_13_route) == (12, False, "parent_statement")
    form = await builder.get(f"/staff/surveys/{survey_id}/settings")
    assert 'name="retention_months"' in form.text and 'name="ask_contact"' in form.text and 'name="under_13_route"' in form.text
    saved = await post_form(builder, f"/staff/surveys/{survey_id}/settings", {
        "title": "How safe do you feel?", "audience": "children", "retention_months": "6", "ask_contact": "1",
        "under_13_route": "shorter"})
    assert saved.status_code in (302, 303), saved.text
    survey = await Survey.objects().get(Survey.id == survey_id)
    assert (survey.retention_months, survey.ask_contact, survey.under_13_route) == (6, True, "shorter")
    assert (await add(builder, survey_id, kind="yes_no", text="Do you feel safe?", for_under_13="1")).status_code in (302, 303)
    assert (await Question.objects().first()).for_under_13
    copy = await building.duplicate_survey(survey_id, created_by=None)
    assert (await Survey.select(Survey.retention_months, Survey.ask_contact, Survey.under_13_route).where(Survey.id == copy).first()) == {
        "retention_months": 6, "ask_contact": True, "under_13_route": "shorter"}


@pytest.mark.parametrize(("fields", "message"), [
    ({"retention_months": "0"}, "Keep raw answers for a whole number of months, 1 to 120"),
    ({"retention_months": "121"}, "Keep raw answers for a whole number of months, 1 to 120"),
    ({"retention_months": "twelve"}, "Keep raw answers for a whole number of months, 1 to 120"),
    ({"under_13_route": "nobody"}, "Choose what under-13s do."),
])
async def test_bad_retention_or_route_is_explained_on_the_form_and_nothing_is_saved(builder, fields, message):
    survey_id = await new_survey(builder)
    saved = await post_form(builder, f"/staff/surveys/{survey_id}/settings", {"title": "Renamed", "audience": "children", **fields})
    assert saved.status_code == 400 and message in saved.text
    assert (await Survey.objects().get(Survey.id == survey_id)).title == "How safe do you feel?"
