"""Issue 11, Performance: a re-run on a few new answers places them in the previous run's themes
(incremental) instead of clustering again, says which path it took, and keeps people's decisions.
Through the real job on both engines."""

from __future__ import annotations

import json

from app.accounts.roles import Role
from app.asgi import create_app
from app.audit.services import Actor
from app.insights import services
from app.insights.sources import SurveyQuestionSource
from app.insights.tables import RunState, Theme, ThemeMember, ThemeRun
from surveys.questionnaires.tables import Answer, Question, Response
from tests.conftest import in_process_client
from tests.integration.test_insights import ANSWERS, TOPICS, answer_survey, run_to_the_end
from tests.staff import make_user, signed_in_cookie
from tests.surveys import make_survey

# 2 new answers on 20 (10 %): the incremental path.
NEW = ["the street lights near the park are broken at night", "more police patrols near the school please"]


async def rerun(survey_id: int, *, full: bool = False) -> dict:
    run = await run_to_the_end(await services.start_run(SurveyQuestionSource(survey_id, "say"), requested_by=None, full=full))
    assert run["state"] == RunState.done, run["error"]
    return run


async def members(run_id: int) -> dict[int, str]:
    """item -> the model's theme id."""
    rows = await ThemeMember.select(ThemeMember.item_id, ThemeMember.theme.model_id).where(ThemeMember.run == run_id)
    return {r["item_id"]: r["theme.model_id"] for r in rows}


async def test_a_rerun_on_a_few_new_answers_places_them_in_the_previous_themes_and_keeps_decisions(db):
    survey_id = await make_survey(code="incr")
    old_ids = await answer_survey(survey_id, ANSWERS)
    first = await rerun(survey_id)
    assert first["parameters"]["path"] == "full" and first["parameters"]["reason"] == "first run"
    before = await members(first["id"])
    lights = before[old_ids[0]]
    lights_theme = await Theme.select().where((Theme.run == first["id"]) & (Theme.model_id == lights)).first()
    await services.rename(lights_theme["id"], "Street lighting", actor=Actor(None, "lead@example.org"))

    new_ids = await answer_survey(survey_id, NEW, prefix="n")
    second = await rerun(survey_id)
    assert {k: second["parameters"][k] for k in ("path", "from_run", "new_answers", "kept_answers", "removed_answers")} == {
        "path": "incremental", "from_run": first["id"], "new_answers": 2, "kept_answers": 18, "removed_answers": 0}
    after = await members(second["id"])
    assert second["answer_count"] == len(after) == 20
    assert {i: after[i] for i in old_ids} == before  # every earlier answer stays in its theme
    assert after[new_ids[0]] == lights and after[new_ids[1]] == before[old_ids[len(TOPICS["lights"])]]
    themes = {t["model_id"]: t for t in await Theme.select().output(load_json=True).where(Theme.run == second["id"])}
    assert themes[lights]["label"] == "Street lighting" and themes[lights]["renamed"] and not themes[lights]["is_new"]
    assert not any(t["is_new"] for t in themes.values())  # the same themes, matched to the previous run's

    lead = await make_user(Role.participation_lead)
    async with in_process_client(create_app()) as client:
        client.cookies.update(await signed_in_cookie(lead))
        page = (await client.get(f"/staff/insights/runs/{second['id']}")).text
        assert f"Updated from run {first['id']}: 2 new answers placed in its themes" in page
        assert "Found from scratch" in (await client.get(f"/staff/insights/runs/{first['id']}")).text


async def test_many_new_answers_new_topics_or_asking_for_it_cluster_from_scratch(db):
    survey_id = await make_survey(code="scratch")
    await answer_survey(survey_id, ANSWERS)
    await rerun(survey_id)
    # 3 of 21 answers new (14 %), all about something no theme is about: they would fill "other".
    await answer_survey(survey_id, ["the school canteen food is cold", "school dinners cost too much money",
                                    "the canteen queue at lunch takes ages"], prefix="f")
    new_topic = await rerun(survey_id)
    assert (new_topic["parameters"]["path"], new_topic["parameters"]["reason"]) == (
        "full", "the new answers fit none of the previous themes")
    assert len(await members(new_topic["id"])) == 21
    await answer_survey(survey_id, [*NEW, "a youth club open on sunday", "more police in the park", "street lights on my road"],
                        prefix="n")  # 5 of 26 new: 19 %
    few = await rerun(survey_id)
    assert few["parameters"]["path"] == "incremental", few["parameters"]
    await answer_survey(survey_id, [f"{text} again" for text in ANSWERS[:8]], prefix="m")  # 8 of 34 new: 24 %
    many = await rerun(survey_id)
    assert (many["parameters"]["path"], many["parameters"]["reason"]) == ("full", "24 % of the answers are new")
    asked = await rerun(survey_id, full=True)
    assert (asked["parameters"]["path"], asked["parameters"]["reason"]) == ("full", "a full re-run was asked for")
    assert len(await members(asked["id"])) == asked["answer_count"] == 34


async def test_after_a_failed_or_not_enough_answers_run_a_rerun_takes_the_full_path(db):
    survey_id = await make_survey(code="afterbad")
    await answer_survey(survey_id, ANSWERS[:1])
    too_few = await rerun(survey_id)
    assert too_few["outcome"] == "not_enough_answers" and too_few["parameters"]["path"] == "full"
    await answer_survey(survey_id, ANSWERS[1:10], prefix="n")
    after_too_few = await rerun(survey_id)
    assert after_too_few["parameters"]["reason"] == "the previous run found no themes (not enough answers)"
    # A run that failed (its worker died) since: the next one does not build on anything.
    failed_id = await services.start_run(SurveyQuestionSource(survey_id, "say"), requested_by=None)
    await ThemeRun.update({ThemeRun.state: RunState.failed, ThemeRun.active_key: None}).where(ThemeRun.id == failed_id)
    await answer_survey(survey_id, ANSWERS[10:11], prefix="m")
    after_failed = await rerun(survey_id)
    assert (after_failed["parameters"]["path"], after_failed["parameters"]["reason"]) == ("full", "the previous run failed")
    assert len(await members(after_failed["id"])) == 11


async def test_answers_deleted_since_the_previous_run_are_not_carried_into_the_next(db):
    survey_id = await make_survey(code="erased")
    ids = await answer_survey(survey_id, ANSWERS)
    first = await rerun(survey_id)
    before = await members(first["id"])
    await Response.delete().where(Response.id.is_in(ids[:2]))  # erased by receipt, or past retention
    new_ids = await answer_survey(survey_id, NEW[:1], prefix="n")
    second = await rerun(survey_id)
    assert {k: second["parameters"][k] for k in ("path", "new_answers", "kept_answers", "removed_answers")} == {
        "path": "incremental", "new_answers": 1, "kept_answers": 16, "removed_answers": 2}
    after = await members(second["id"])
    assert set(after) == set(ids[2:]) | set(new_ids) and second["answer_count"] == 17
    assert {i: after[i] for i in ids[2:]} == {i: before[i] for i in ids[2:]}
    sizes = {t["model_id"]: t for t in await Theme.select(Theme.model_id, Theme.id).where(Theme.run == second["id"])}
    for model_id in set(after.values()):
        assert await ThemeMember.count().where(ThemeMember.theme == sizes[model_id]["id"]) == list(after.values()).count(model_id)


async def test_a_rerun_where_every_answer_is_new_takes_the_full_path(db):
    survey_id = await make_survey(code="allnew")
    ids = await answer_survey(survey_id, ANSWERS[:10])
    await rerun(survey_id)
    await Response.delete().where(Response.id.is_in(ids))
    await answer_survey(survey_id, ANSWERS[10:], prefix="n")
    run = await rerun(survey_id)
    assert (run["parameters"]["path"], run["parameters"]["reason"]) == ("full", "every answer is new")
    assert len(await members(run["id"])) == run["answer_count"] == 8


async def test_an_answer_whose_text_changed_since_the_previous_run_counts_as_new(db):
    survey_id = await make_survey(code="changed")
    ids = await answer_survey(survey_id, ANSWERS)
    first = await rerun(survey_id)
    say = await Question.select(Question.id).where((Question.survey == survey_id) & (Question.key == "say")).first()
    await Answer.update({Answer.value: json.dumps("more police patrols by the station please")}).where(
        (Answer.response == ids[0]) & (Answer.question == say["id"]))
    second = await rerun(survey_id)
    assert {k: second["parameters"][k] for k in ("path", "from_run", "new_answers", "kept_answers", "removed_answers")} == {
        "path": "incremental", "from_run": first["id"], "new_answers": 1, "kept_answers": 17, "removed_answers": 1}
    after = await members(second["id"])
    assert after[ids[0]] == after[ids[len(TOPICS["lights"])]]  # placed again by its new words: with the police answers
