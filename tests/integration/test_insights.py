"""Issue 11, items 3-6: theme runs as jobs with live progress, the insights page, people's edits
kept across re-runs, and exports. Real database (both engines), a real job worker, real channels."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.accounts.roles import Role
from app.asgi import create_app
from app.audit.services import Actor
from app.audit.tables import AuditEvent
from app.insights import live, services
from app.insights.sources import SurveyQuestionSource
from app.insights.tables import RunState, Theme, ThemeMember, ThemeRun
from app.settings import get_settings
from surveys.questionnaires import definitions as survey_definitions
from surveys.questionnaires import submitting as survey_submitting
from surveys.questionnaires.definition import Given
from surveys.questionnaires.tables import Answer, Response, ResponseMode
from tests.conftest import in_process_client
from tests.jobs import eventually, running_worker
from tests.staff import make_user, post_form, signed_in_cookie
from tests.surveys import make_survey

TOPICS = {
    "lights": ["more street lights on the way home", "the street lighting near the park is broken", "brighter street lights by the station",
               "street lights on my road are too dark", "fix the lights in the underpass", "lighting in the alley behind the shops"],
    "police": ["police patrols near the school at home time", "more police walking around the estate", "police officers on the high road at night",
               "see police in the park more often", "community police officers who know us", "police should patrol the bus station"],
    "clubs": ["a youth club open on friday nights", "more youth clubs and things to do", "the youth centre should open at weekends",
              "free football sessions at the youth club", "youth workers at the club to talk to", "clubs for young people after school"],
}
ANSWERS = [text for texts in TOPICS.values() for text in texts]
HELD = "my stepdad hits me and tonight i want to kill myself"
FORMULA_LABEL = "=HYPERLINK(\"http://evil\")"


async def answer_survey(survey_id: int, texts: list[str], *, prefix: str = "r", areas: tuple[str, ...] = ("north", "south")) -> list[int]:
    definition = await survey_definitions.load_definition(survey_id)
    ids = []
    for n, text in enumerate(texts):
        await survey_submitting.store_response(
            definition, {"knows": Given("no"), "area": Given(areas[n % len(areas)]), "say": Given(text)},
            submission_key=f"{prefix}{n}", receipt=f"{prefix}{n}", language="en", mode=ResponseMode.online,
            started_at=datetime.now(UTC))
        ids.append((await Response.select(Response.id).where(Response.submission_key == f"{prefix}{n}").first())["id"])
    return ids


async def run_to_the_end(run_id: int) -> dict:
    async with running_worker(get_settings()):
        await eventually(lambda: _finished(run_id), timeout=240, what=f"theme run {run_id} to finish")
    return await services.get_run(run_id)


async def _finished(run_id: int) -> bool:
    return (await services.get_run(run_id))["state"] in (RunState.done, RunState.failed)


async def test_a_run_is_a_job_that_publishes_its_progress_and_stores_themes_with_its_parameters(db):
    survey_id = await make_survey(code="themes")
    await answer_survey(survey_id, ANSWERS)
    plugin = live.channels_plugin(get_settings())
    source = SurveyQuestionSource(survey_id, "say")
    async with plugin:  # the app's channels, started as its lifespan would (LISTEN/NOTIFY on PostgreSQL)
        run_id = await services.start_run(source, requested_by=None)
        async with plugin.start_subscription(live.channel(run_id)) as subscriber:
            heard: list[dict] = []

            async def listen() -> None:
                async for event in subscriber.iter_events():
                    heard.append(json.loads(event))
                    if heard[-1]["state"] in ("done", "failed"):
                        return

            listening = asyncio.create_task(listen())
            run = await run_to_the_end(run_id)
            await asyncio.wait_for(listening, timeout=30)
    assert run["state"] == "done" and run["outcome"] == "themed" and run["progress"] == 100
    assert run["answer_count"] == len(ANSWERS) and run["active_key"] is None
    assert run["parameters"] == {"survey": survey_id, "question": "say", "from": "", "to": "", "cohort": "",
                                 "k": "auto", "random_state": 0, "representation": "wordllama", "path": "full", "reason": "first run"}
    progress = [m["progress"] for m in heard]
    assert heard[0]["state"] == "running" and heard[-1] == {**heard[-1], "state": "done", "progress": 100}
    assert progress == sorted(progress) and len(set(progress)) >= 3  # it moved, never backwards
    themes = await Theme.select().output(load_json=True).where(Theme.run == run_id)
    assert len(themes) >= 2 and all(t["label"] for t in themes)
    members = await ThemeMember.select().where(ThemeMember.run == run_id)
    assert len(members) == len(ANSWERS)
    assert all(m["x"] is not None and 0 <= m["x"] <= 1 for m in members)


async def test_a_second_run_for_the_same_answers_is_refused_while_one_waits(db):
    survey_id = await make_survey(code="twice")
    await answer_survey(survey_id, ANSWERS[:4])
    source = SurveyQuestionSource(survey_id, "say")
    first = await services.start_run(source, requested_by=None)
    with pytest.raises(services.RunRefused, match="already being found"):
        await services.start_run(source, requested_by=None)
    # Another selection of the same question is another source.
    other = await services.start_run(SurveyQuestionSource(survey_id, "say", cohort="area=north"), requested_by=None)
    assert other != first
    assert await ThemeRun.count() == 2


async def test_two_starts_at_the_same_moment_make_one_run(db):
    survey_id = await make_survey(code="race")
    source = SurveyQuestionSource(survey_id, "say")
    outcomes = await asyncio.gather(*(services.start_run(source, requested_by=None) for _ in range(2)), return_exceptions=True)
    assert sorted(type(o).__name__ for o in outcomes) == ["RunRefused", "int"]
    assert await ThemeRun.count() == 1


@pytest.mark.parametrize("count", [0, 1])
async def test_zero_or_one_answer_gives_not_enough_answers(db, count):
    survey_id = await make_survey(code=f"few{count}")
    await answer_survey(survey_id, ANSWERS[:count])
    run = await run_to_the_end(await services.start_run(SurveyQuestionSource(survey_id, "say"), requested_by=None))
    assert (run["state"], run["outcome"], run["answer_count"]) == ("done", "not_enough_answers", count)
    assert await Theme.count().where(Theme.run == run["id"]) == 0


async def test_held_answers_are_never_themed_or_quoted(db):
    survey_id = await make_survey(code="held")
    ids = await answer_survey(survey_id, [*ANSWERS[:8], HELD])
    levels = {a["screening_level"] for a in await Answer.select(Answer.screening_level).where(Answer.response == ids[-1])}
    assert levels - {"none"}  # screening held the words for the safeguarding lead
    run = await run_to_the_end(await services.start_run(SurveyQuestionSource(survey_id, "say"), requested_by=None))
    assert run["answer_count"] == 8
    assert ids[-1] not in {m["item_id"] for m in await ThemeMember.select(ThemeMember.item_id).where(ThemeMember.run == run["id"])}
    quotes = [q for t in await Theme.select(Theme.quotes).where(Theme.run == run["id"]) for q in t["quotes"]]
    assert quotes and not any("kill" in q for q in quotes)


async def test_a_run_whose_worker_died_is_failed_by_the_sweep_not_left_running(db, frozen_clock):
    survey_id = await make_survey(code="died")
    run_id = await services.start_run(SurveyQuestionSource(survey_id, "say"), requested_by=None)
    # A worker took it and died: running, its heartbeat stopped.
    await ThemeRun.update({ThemeRun.state: RunState.running, ThemeRun.heartbeat_at: clock.now()}).where(ThemeRun.id == run_id)
    frozen_clock.advance(minutes=5)
    assert await services.sweep_silent_runs() == 0  # still within its time
    frozen_clock.advance(minutes=6)
    assert await services.sweep_silent_runs() == 1
    run = await services.get_run(run_id)
    assert run["state"] == "failed" and "stopped" in run["error"] and run["active_key"] is None
    # Its source can be run again at once.
    assert await services.start_run(SurveyQuestionSource(survey_id, "say"), requested_by=None) > run_id


async def test_a_job_run_again_after_a_crash_starts_over_and_a_finished_one_is_left_alone(db):
    survey_id = await make_survey(code="again")
    await answer_survey(survey_id, ANSWERS[:6])
    run_id = await services.start_run(SurveyQuestionSource(survey_id, "say"), requested_by=None)
    await ThemeRun.update({ThemeRun.state: RunState.running}).where(ThemeRun.id == run_id)  # the engine hands it on
    await services.execute_run(run_id)
    # Delivered again while still marked running (its worker died after storing): it starts over.
    await ThemeRun.update({ThemeRun.state: RunState.running}).where(ThemeRun.id == run_id)
    await services.execute_run(run_id)
    assert await ThemeMember.count().where(ThemeMember.run == run_id) == 6
    first = await Theme.select(Theme.id).where(Theme.run == run_id)
    await services.execute_run(run_id)  # a duplicate delivery of a finished run: nothing changes
    assert await Theme.select(Theme.id).where(Theme.run == run_id) == first
    assert await ThemeMember.count().where(ThemeMember.run == run_id) == 6


def test_matching_keeps_fixed_groups_by_id_and_themes_by_overlap():
    old = {1: {1, 2, 3, 4}, 2: {5, 6, 7}, 3: {8, 9}}
    new = {10: {1, 2, 3, 4, 20}, 11: {5, 6, 21, 22, 23, 24, 25}, 12: {30, 31}, 13: {8, 9}}
    matched = services.match_themes(old, new, old_ids={1: "t1", 2: "t2", 3: "general-praise"},
                                    new_ids={10: "t1", 11: "t2", 12: "t3", 13: "general-praise"})
    assert matched == {10: 1, 13: 3}  # 11 overlaps 2 by 2/8 < 0.3: new; 12 overlaps nothing: new


async def finished_run(survey_id: int, texts: list[str], prefix: str = "r") -> int:
    await answer_survey(survey_id, texts, prefix=prefix)
    run = await run_to_the_end(await services.start_run(SurveyQuestionSource(survey_id, "say"), requested_by=None))
    assert run["outcome"] == "themed"
    return run["id"]


async def test_edits_are_audited_and_a_rerun_with_new_answers_keeps_names_merges_and_choices(db):
    survey_id = await make_survey(code="keep")
    run_id = await finished_run(survey_id, ANSWERS)
    actor = Actor(None, "lead@example.org")
    themes = await Theme.select().output(load_json=True).where((Theme.run == run_id) & (Theme.kind == "theme")).order_by(Theme.position)
    assert len(themes) >= 3
    first, second, third = themes[:3]
    await services.rename(first["id"], "  Street   lighting ", actor=actor)
    await services.merge(third["id"], second["id"], actor=actor)
    await services.quote_action(second["id"], 0, "hide", actor=actor)
    with pytest.raises(services.EditRefused, match="into itself"):
        await services.merge(first["id"], first["id"], actor=actor)
    with pytest.raises(services.EditRefused, match="80 characters"):
        await services.rename(first["id"], "x" * 81, actor=actor)
    assert (await services.theme(first["id"]))["merged_into"] is None  # refused edits changed nothing
    assert (await services.theme(first["id"]))["label"] == "Street lighting"
    edits = [e["detail"]["edit"] for e in await AuditEvent.select(AuditEvent.detail).output(load_json=True).where(AuditEvent.action == "theme_edited").order_by(AuditEvent.id)]
    assert edits == ["rename", "merge", "quote_hide"]

    # New answers arrive; the re-run matches its themes to these and keeps the decisions.
    rerun = await finished_run(survey_id, ["a youth club open on sunday", "more street lights near the library"], prefix="n")
    new = {t["id"]: t for t in await Theme.select().output(load_json=True).where(Theme.run == rerun)}
    renamed = [t for t in new.values() if t["label"] == "Street lighting"]
    assert len(renamed) == 1 and renamed[0]["renamed"] and not renamed[0]["is_new"]
    merged = [t for t in new.values() if t["merged_into"] is not None]
    assert len(merged) == 1 and new[merged[0]["merged_into"]]["hidden_quotes"] == second["quotes"][:1]


async def test_the_page_the_job_and_the_edits_over_http(db):
    survey_id = await make_survey(code="page")
    await answer_survey(survey_id, ANSWERS)
    lead = await make_user(Role.participation_lead)
    async with in_process_client(create_app()) as client:
        client.cookies.update(await signed_in_cookie(lead))
        results = (await client.get(f"/staff/surveys/{survey_id}")).text
        assert f'/staff/insights/surveys/{survey_id}?question=say' in results
        page = await client.get(f"/staff/insights/surveys/{survey_id}?question=say")
        assert page.status_code == 200 and "Find themes" in page.text
        started = await post_form(client, f"/staff/insights/surveys/{survey_id}/runs", {"question": "say"})
        assert started.status_code == 303
        run_url = started.headers["location"]
        run_id = int(run_url.rsplit("/", 1)[1])
        waiting = await client.get(run_url)
        assert "<progress" in waiting.text and 'http-equiv="refresh"' in waiting.text
        again = await post_form(client, f"/staff/insights/surveys/{survey_id}/runs", {"question": "say"})
        assert again.status_code == 409 and "already being found" in again.text
        bad = await post_form(client, f"/staff/insights/surveys/{survey_id}/runs", {"question": "knows"})
        assert bad.status_code == 400 and "free-text questions" in bad.text
        bad_date = await post_form(client, f"/staff/insights/surveys/{survey_id}/runs", {"question": "say", "date_from": "28/11/2026"})
        assert bad_date.status_code == 400 and "2026-11-28" in bad_date.text
        await run_to_the_end(run_id)
        done = await client.get(run_url + "?by=area")
        assert done.status_code == 200 and "<progress" not in done.text
        assert 'class="map-svg"' in done.text and "Share by cohort" in done.text and "kill" not in done.text
        over_time = await client.get(run_url + "?by=%40month")
        assert over_time.status_code == 200 and "over time, by month" in over_time.text
        assert (await client.get(f"/staff/insights/runs/{run_id}/themes.csv?by=%40month")).status_code == 200
        theme_id = (await Theme.select(Theme.id).where((Theme.run == run_id) & (Theme.kind == "theme")).order_by(Theme.position).first())["id"]
        to_itself = await post_form(client, f"/staff/insights/themes/{theme_id}/merge", {"into": str(theme_id)})
        assert to_itself.status_code == 400 and "cannot be merged into itself" in to_itself.text
        assert (await services.theme(theme_id))["merged_into"] is None
        renamed = await post_form(client, f"/staff/insights/themes/{theme_id}/rename", {"label": FORMULA_LABEL})
        assert renamed.status_code == 303
        exported = await client.get(f"/staff/insights/runs/{run_id}/themes.csv?by=area")
        assert exported.status_code == 200
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert rows[0][:2] == ["theme", "answers"] and "answers: North" in rows[0]
        assert ["'" + FORMULA_LABEL] == [r[0] for r in rows if "HYPERLINK" in r[0]]
        summary = await client.get(f"/staff/insights/runs/{run_id}/summary")
        assert summary.status_code == 200 and "<caption>Themes, largest first</caption>" in summary.text
        assert await AuditEvent.count().where(AuditEvent.action == "data_exported") == 3  # the CSV by month, by area, the summary


async def test_roles_without_review_insights_cannot_see_or_start_themes(db):
    survey_id = await make_survey(code="roles")
    facilitator = await make_user(Role.facilitator)
    async with in_process_client(create_app()) as client:
        client.cookies.update(await signed_in_cookie(facilitator))
        assert (await client.get(f"/staff/insights/surveys/{survey_id}", headers={"Accept": "text/html"})).status_code == 403
        assert (await post_form(client, f"/staff/insights/surveys/{survey_id}/runs", {"question": "say"})).status_code == 403
        assert "/staff/insights/surveys" not in (await client.get(f"/staff/surveys/{survey_id}")).text
    assert await ThemeRun.count() == 0


async def test_small_theme_counts_are_suppressed_through_the_one_service(db):
    from app.insights import summary
    from app.insights.sources import SourceItem
    from surveys.questionnaires.results import Viewer

    run = await ThemeRun.insert(ThemeRun(source_key="k", source_kind="survey_question", parameters={}, state="done",
                                         queued_at=clock.now()))
    run_id = run[0]["id"]
    sizes = {"big": 12, "bigger": 20, "tiny": 2}
    item = 0
    items = []
    for position, (label, size) in enumerate(sizes.items()):
        theme_id = (await Theme.insert(Theme(run=run_id, model_id=label, found_label=label, label=label, position=position,
                                             quotes=[f"{label} quote"])))[0]["id"]
        for _ in range(size):
            item += 1
            items.append(SourceItem(item, "text", datetime.now(UTC) - timedelta(days=1), "positive"))
            await ThemeMember.insert(ThemeMember(run=run_id, theme=theme_id, item_id=item, x=0.5, y=0.5))
    hidden = await summary.build(run_id, items, viewer=Viewer(), threshold=5)
    shown = {t.label: t for t in hidden.themes}
    assert str(shown["tiny"].count) == "fewer than 5" and shown["tiny"].quotes == []
    # The total is the sum of the themes: one more count is kept back so "tiny" cannot be worked out.
    assert sum(t.count.suppressed for t in hidden.themes) + hidden.total.suppressed >= 2
    assert all(p["label"] != "tiny" for p in hidden.points)
    revealed = await summary.build(run_id, items, viewer=Viewer(reveal_small_groups=True), threshold=5)
    assert {t.label: t.count.value for t in revealed.themes} == sizes
    assert next(t for t in revealed.themes if t.label == "tiny").count.small


async def test_each_theme_over_time_by_month_with_small_months_suppressed(db):
    # Item 4's "over time": answers per calendar month, as one table with the themes through the one
    # suppression service; every answer has a month, so there is no "no answer" column.
    from app.insights import summary
    from app.insights.services import month_split
    from app.insights.sources import SourceItem
    from surveys.questionnaires.results import Viewer

    run_id = (await ThemeRun.insert(ThemeRun(source_key="k", source_kind="survey_question", parameters={}, state="done",
                                             queued_at=clock.now())))[0]["id"]
    october, november = datetime(2026, 10, 15, tzinfo=UTC), datetime(2026, 11, 15, tzinfo=UTC)
    plan = {"lighting": [october] * 9 + [november] * 8, "buses": [october] * 7 + [november] * 2}
    items, item = [], 0
    for position, (label, dates) in enumerate(plan.items()):
        theme_id = (await Theme.insert(Theme(run=run_id, model_id=label, found_label=label, label=label, position=position)))[0]["id"]
        for when in dates:
            item += 1
            items.append(SourceItem(item, "text", when, "neutral"))
            await ThemeMember.insert(ThemeMember(run=run_id, theme=theme_id, item_id=item, x=0.5, y=0.5))
    labels, month_of = month_split(items)
    assert labels == ["October 2026", "November 2026"]
    hidden = await summary.build(run_id, items, viewer=Viewer(), threshold=5, cohort_of=month_of, cohort_labels=labels,
                                 unknown_column=False)
    assert hidden.cohorts == ["October 2026", "November 2026"]
    buses = next(t for t in hidden.themes if t.label == "buses")
    assert str(buses.by_cohort[1]) == "fewer than 5"
    # Complementary: November's 2 cannot be worked out from the theme's size or November's total.
    lighting = next(t for t in hidden.themes if t.label == "lighting")
    recoverable = (not buses.count.suppressed and not buses.by_cohort[0].suppressed) or (
        not hidden.cohort_totals[1].suppressed and not lighting.by_cohort[1].suppressed)
    assert not recoverable
    revealed = await summary.build(run_id, items, viewer=Viewer(reveal_small_groups=True), threshold=5, cohort_of=month_of,
                                   cohort_labels=labels, unknown_column=False)
    assert [n.value for n in next(t for t in revealed.themes if t.label == "buses").by_cohort] == [7, 2]
