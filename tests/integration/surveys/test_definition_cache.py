"""Participant pages reuse a worker's definition of a published survey, and never a stale one:
every change participants could see gives the survey a new version (issue 9, the 300 phones)."""

from surveys.questionnaires import building, definitions, finding, translations
from surveys.questionnaires.tables import Survey
from tests.surveys import make_survey, start


async def survey_row(survey_id: int) -> dict:
    return await Survey.select().where(Survey.id == survey_id).output(load_json=True).first()


async def test_a_published_survey_is_built_once_per_version_and_language(db):
    survey_id = await make_survey(code="feel")
    row = await survey_row(survey_id)
    first, _ = await definitions.participant_definition(row, "en")
    again, _ = await definitions.participant_definition(await survey_row(survey_id), "en")
    assert again is first
    in_urdu, missing = await definitions.participant_definition(row, "ur")
    assert in_urdu is not first and missing  # no Urdu texts yet: English shown, and said so


async def test_a_translation_saved_after_publishing_is_shown_on_the_next_page(client, db):
    survey_id = await make_survey(code="feel")
    question = (await definitions.load_definition(survey_id)).questions[0]
    first = await start(client, "feel", lang="ur")
    assert "Would you know who to talk to?" in (await client.get(first)).text  # no Urdu yet: English
    await translations.save_translations(survey_id, "ur", {f"q:{question.id}:text": "کیا آپ جانتے ہیں کس سے بات کریں؟"})
    page = (await client.get(first)).text
    assert "کیا آپ جانتے ہیں کس سے بات کریں؟" in page and "Would you know who to talk to?" not in page


async def test_a_change_to_a_published_survey_is_seen_at_once(client, db):
    survey_id = await make_survey(code="feel")
    assert "Feeling safe" in (await client.get("/s/feel")).text
    await building.update_survey(survey_id, {"title": "How safe do you feel?"})
    page = await client.get("/s/feel")
    assert "How safe do you feel?" in page.text and "Feeling safe" not in page.text


async def test_a_draft_is_never_cached(db):
    survey_id = await make_survey(code="feel", publish=False)
    row = await survey_row(survey_id)
    one, _ = await definitions.participant_definition(row, "en")
    two, _ = await definitions.participant_definition(row, "en")
    assert one is not two


async def test_the_lookup_by_code_gives_the_row_a_piccolo_select_gives(db):
    # Its SQL is written once (issue 9's profile); the row must be what the select would give, with
    # timestamps, nulls, booleans and the JSON list typed the same on both engines.
    from datetime import UTC, datetime

    survey_id = await make_survey(code="feel-safe", response_cap=40, closes_at=datetime(2030, 1, 1, tzinfo=UTC))
    expected = await survey_row(survey_id)
    for typed in ("feel-safe", "  FEEL-SAFE "):
        found = await finding.survey_by_public_code(typed)
        assert found == expected
        assert found["languages"] == ["en", "ur"] and isinstance(found["closes_at"], datetime) and found["opens_at"] is None
    assert await finding.survey_by_public_code("no-such-code") is None
    assert await finding.survey_by_public_code("x' OR '1'='1") is None  # a value, never SQL
