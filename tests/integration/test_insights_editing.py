"""Issue 11, item 5's remainder: people split themes (automatically, or by moving ticked answers to
a new theme) and move answers between themes; the edits are audited, refused when they would
leave a theme empty or point elsewhere, and kept across re-runs. Real database (both engines),
the real analysis code, a real job worker for the re-run."""

from __future__ import annotations

import csv
import io

import pytest

from app import clock
from app.accounts.roles import Role
from app.asgi import create_app
from app.audit.services import Actor
from app.audit.tables import AuditEvent
from app.insights import editing, services, summary
from app.insights.sources import SurveyQuestionSource
from app.insights.tables import Theme, ThemeMember, ThemeRun
from surveys.questionnaires.results import Viewer
from tests.conftest import in_process_client
from tests.integration.test_insights import HELD, TOPICS, answer_survey, finished_run
from tests.staff import make_user, post_form, signed_in_cookie
from tests.surveys import make_survey

LEAD = Actor(None, "lead@example.org")


async def hand_run(survey_id: int, plan: dict[str, list[int]], *, source_key: str | None = None) -> tuple[int, dict[str, int]]:
    """A finished run of the survey's "say" answers whose themes are exactly `plan` (label -> response ids)."""
    source = SurveyQuestionSource(survey_id, "say")
    run_id = (await ThemeRun.insert(ThemeRun(
        source_key=source_key or source.key, source_kind=source.kind, survey=survey_id,
        parameters={**source.parameters(), **services.MODEL_PARAMETERS}, state="done", outcome="themed", queued_at=clock.now())))[0]["id"]
    ids = {}
    for position, (label, items) in enumerate(plan.items()):
        kind = "other" if label == "Other answers" else "theme"
        ids[label] = (await Theme.insert(Theme(run=run_id, model_id="other" if kind == "other" else f"t{position + 1}", kind=kind,
                                               found_label=label, label=label, position=position, keywords=[label],
                                               quotes=[])))[0]["id"]
        if items:
            await ThemeMember.insert(*(ThemeMember(run=run_id, theme=ids[label], item_id=i, x=0.5, y=0.5) for i in items))
    return run_id, ids


async def members_of(theme_id: int) -> set[int]:
    return {m["item_id"] for m in await ThemeMember.select(ThemeMember.item_id).where(ThemeMember.theme == theme_id)}


async def edits() -> list[dict]:
    return [e["detail"] for e in await AuditEvent.select(AuditEvent.detail).output(load_json=True).where(
        AuditEvent.action == "theme_edited").order_by(AuditEvent.id)]


async def snapshot(run_id: int) -> tuple:
    """Everything a refused edit must leave as it was."""
    themes = await Theme.select().output(load_json=True).where(Theme.run == run_id).order_by(Theme.id)
    members = await ThemeMember.select(ThemeMember.theme, ThemeMember.item_id, ThemeMember.placed_by_hand).where(
        ThemeMember.run == run_id).order_by(ThemeMember.item_id)
    return themes, members, await AuditEvent.count()


@pytest.fixture
async def lights_police_clubs(db):
    """A survey whose answers are about street lights, police and youth clubs (6 each), and a run
    where lights and police were put in one theme."""
    survey_id = await make_survey(code="edit")
    ids = await answer_survey(survey_id, [t for texts in TOPICS.values() for t in texts])
    lights, police, clubs = ids[:6], ids[6:12], ids[12:]
    run_id, themes = await hand_run(survey_id, {"lights and police": lights + police, "clubs": clubs})
    return {"survey": survey_id, "run": run_id, "themes": themes, "lights": set(lights), "police": set(police), "clubs": set(clubs)}


async def test_split_in_two_automatically_reclusters_labels_and_quotes_each_part(lights_police_clubs):
    case = lights_police_clubs
    mixed = case["themes"]["lights and police"]
    new_id = await editing.split_automatically(mixed, actor=LEAD)
    parts = [await members_of(mixed), await members_of(new_id)]
    # KMeans k=2 on the run's representation finds the two topics again.
    assert sorted(parts, key=min) == [case["lights"], case["police"]]
    old, new = await services.theme(mixed), await services.theme(new_id)
    assert new["run"] == case["run"] and new["split_from"] == mixed and new["kind"] == "theme" and not new["renamed"]
    assert old["label"] and new["label"] and old["label"] != new["label"] and old["label"] != "clubs"
    assert old["found_label"] == old["label"] and new["keywords"] and old["keywords"] != ["lights and police"]
    texts = {i: t for i, t in zip(sorted(case["lights"] | case["police"] | case["clubs"]),
                                  [t for texts in TOPICS.values() for t in texts], strict=True)}
    for row, part in ((old, parts[0]), (new, parts[1])):
        assert row["quotes"] and set(row["quotes"]) <= {texts[i] for i in part}  # each part quotes its own answers
    # Automatic placements are the split's, not a person's: the split itself is kept on a re-run.
    assert not any(m["placed_by_hand"] for m in await ThemeMember.select(ThemeMember.placed_by_hand).where(ThemeMember.run == case["run"]))
    assert await edits() == [{"edit": "split_automatically", "run": case["run"], "into": new_id, "moved": len(parts[1])}]
    # The page counts follow: three themes of 6, sentiment split from the answers' stored labels.
    items = await services.source_of(await services.get_run(case["run"])).items()
    view = await summary.build(case["run"], items, viewer=Viewer(reveal_small_groups=True), threshold=5)
    assert sorted(t.count.value for t in view.themes) == [6, 6, 6]
    assert all(sum(c.value for c in t.sentiment.values()) == 6 for t in view.themes)


async def test_ticked_answers_make_a_new_named_theme_and_leave_the_rest(lights_police_clubs):
    case = lights_police_clubs
    mixed = case["themes"]["lights and police"]
    ticked = sorted(case["police"])[:4]
    new_id = await editing.split_ticked(mixed, ticked, "  Police   patrols ", actor=LEAD)
    new = await services.theme(new_id)
    assert (new["label"], new["renamed"], new["split_from"]) == ("Police patrols", True, mixed) and new["found_label"]
    assert await members_of(new_id) == set(ticked) and await members_of(mixed) == case["lights"] | (case["police"] - set(ticked))
    placed = {m["item_id"] for m in await ThemeMember.select(ThemeMember.item_id).where(
        (ThemeMember.run == case["run"]) & (ThemeMember.placed_by_hand == True))}  # noqa: E712
    assert placed == set(ticked)
    old = await services.theme(mixed)
    assert old["label"] == "lights and police"  # the theme they came from keeps its name; its quotes are its own again
    moved_texts = {a["quote"] for a in (await editing.theme_answers(new_id))[2]}
    assert old["quotes"] and not set(old["quotes"]) & moved_texts and set(new["quotes"]) <= moved_texts
    # A blank name: the model names it.
    second = await editing.split_ticked(mixed, sorted(case["police"] - set(ticked))[:1], "", actor=LEAD)
    assert (await services.theme(second))["label"] == (await services.theme(second))["found_label"] != ""
    assert [e["edit"] for e in await edits()] == ["split_ticked", "split_ticked"]
    assert (await edits())[0] == {"edit": "split_ticked", "run": case["run"], "into": new_id, "moved": 4}


async def test_a_split_that_would_leave_an_empty_theme_is_refused_and_changes_nothing(lights_police_clubs):
    case = lights_police_clubs
    mixed, clubs = case["themes"]["lights and police"], case["themes"]["clubs"]
    _, single = await hand_run(case["survey"], {"one": [min(case["clubs"])]}, source_key="other-selection")
    await services.merge(clubs, mixed, actor=LEAD)
    before = await snapshot(case["run"])
    refusals = [
        (editing.split_ticked(mixed, [], "New", actor=LEAD), "Tick the answers"),
        (editing.split_ticked(mixed, sorted(case["lights"] | case["police"] | case["clubs"]), "New", actor=LEAD), "ticked every answer"),
        (editing.split_ticked(mixed, [10**6], "New", actor=LEAD), "no longer in this theme"),
        (editing.split_ticked(mixed, [min(case["lights"])], "x" * 81, actor=LEAD), "80 characters"),
        (editing.split_automatically(clubs, actor=LEAD), "merged into another"),
        (editing.split_ticked(clubs, [min(case["clubs"])], "New", actor=LEAD), "merged into another"),
    ]
    for attempt, message in refusals:
        with pytest.raises(services.EditRefused, match=message):
            await attempt
    assert await snapshot(case["run"]) == before
    single_before = await snapshot((await services.theme(single["one"]))["run"])
    for attempt in (editing.split_automatically(single["one"], actor=LEAD), editing.split_ticked(single["one"], [min(case["clubs"])], "", actor=LEAD)):
        with pytest.raises(services.EditRefused, match="one answer cannot be split"):
            await attempt
    assert await snapshot((await services.theme(single["one"]))["run"]) == single_before


async def test_answers_all_alike_cannot_be_split_automatically(db):
    survey_id = await make_survey(code="alike")
    ids = await answer_survey(survey_id, ["more street lights"] * 4)
    run_id, themes = await hand_run(survey_id, {"lights": ids})
    before = await snapshot(run_id)
    with pytest.raises(services.EditRefused, match="too alike"):
        await editing.split_automatically(themes["lights"], actor=LEAD)
    assert await snapshot(run_id) == before


async def test_held_answers_are_never_listed_ticked_or_quoted(db):
    survey_id = await make_survey(code="heldedit")
    ids = await answer_survey(survey_id, [*TOPICS["lights"], HELD])
    run_id, themes = await hand_run(survey_id, {"lights": ids})  # as if it had been themed before screening held it
    _, _, answers = await editing.theme_answers(themes["lights"])
    assert [a["item"] for a in answers] == ids[:-1]
    with pytest.raises(services.EditRefused, match="no longer in this theme"):
        await editing.split_ticked(themes["lights"], [ids[-1]], "", actor=LEAD)
    new_id = await editing.split_automatically(themes["lights"], actor=LEAD)
    quotes = [q for t in await Theme.select(Theme.quotes).where(Theme.run == run_id) for q in t["quotes"]]
    assert quotes and not any("kill" in q for q in quotes)
    assert ids[-1] in await members_of(themes["lights"]) and ids[-1] not in await members_of(new_id)


async def test_moving_ticked_answers_to_another_theme_or_to_other_and_every_count_follows(lights_police_clubs):
    case = lights_police_clubs
    mixed, clubs = case["themes"]["lights and police"], case["themes"]["clubs"]
    moving = sorted(case["police"])[:2]
    assert await editing.move_answers(mixed, moving, str(clubs), actor=LEAD) == clubs
    assert await members_of(clubs) == case["clubs"] | set(moving)
    to_other = sorted(case["lights"])[:1]
    other = await editing.move_answers(mixed, to_other, editing.OTHER, actor=LEAD)
    other_row = await services.theme(other)
    assert (other_row["kind"], other_row["model_id"], other_row["label"], other_row["run"]) == ("other", "other", "Other answers", case["run"])
    assert await members_of(other) == set(to_other)
    # A second move to "other" uses the same group.
    assert await editing.move_answers(mixed, sorted(case["lights"])[1:2], editing.OTHER, actor=LEAD) == other
    assert [(e["edit"], e["to"], e["moved"]) for e in await edits()] == [("move", clubs, 2), ("move", other, 1), ("move", other, 1)]
    # Counts, cohort split (through the one suppression service) and the map follow the answers.
    items = await services.source_of(await services.get_run(case["run"])).items()
    cohorts = await services.cohort_split(case["survey"], "area")
    view = await summary.build(case["run"], items, viewer=Viewer(reveal_small_groups=True), threshold=5,
                               cohort_of=cohorts[1], cohort_labels=cohorts[0])
    counts = {t.id: t.count.value for t in view.themes}
    assert counts == {mixed: 8, clubs: 8, other: 2}
    shown = next(t for t in view.themes if t.id == clubs)
    assert sum(c.value for c in shown.by_cohort) == 8 and sum(c.value for c in shown.sentiment.values()) == 8
    assert sum(1 for p in view.points if p["label"] == shown.label) == 8
    hidden = await summary.build(case["run"], items, viewer=Viewer(), threshold=5)
    assert str(next(t for t in hidden.themes if t.id == other).count) == "fewer than 5"


async def test_moves_to_another_run_a_merged_theme_or_the_same_theme_are_refused(lights_police_clubs):
    case = lights_police_clubs
    mixed, clubs = case["themes"]["lights and police"], case["themes"]["clubs"]
    _, elsewhere = await hand_run(case["survey"], {"elsewhere": []}, source_key="other-selection")
    extra_theme = (await Theme.insert(Theme(run=case["run"], model_id="t9", found_label="buses", label="buses", position=9)))[0]["id"]
    await services.merge(extra_theme, clubs, actor=LEAD)
    before = await snapshot(case["run"])
    one = [min(case["lights"])]
    refusals = [
        (editing.move_answers(mixed, one, str(elsewhere["elsewhere"]), actor=LEAD), "same set of themes"),
        (editing.move_answers(mixed, one, str(extra_theme), actor=LEAD), "merged into another"),
        (editing.move_answers(mixed, one, str(mixed), actor=LEAD), "in that theme already"),
        (editing.move_answers(clubs, [min(case["clubs"])], str(clubs), actor=LEAD), "in that theme already"),
        (editing.move_answers(mixed, one, "", actor=LEAD), "Choose the theme"),
        (editing.move_answers(mixed, one, "99999999", actor=LEAD), "same set of themes"),
        (editing.move_answers(mixed, [], str(clubs), actor=LEAD), "Tick the answers"),
        (editing.move_answers(mixed, [min(case["clubs"])], str(clubs), actor=LEAD), "no longer in this theme"),
        (editing.move_answers(extra_theme, one, str(mixed), actor=LEAD), "merged into another"),
    ]
    for attempt, message in refusals:
        with pytest.raises(services.EditRefused, match=message):
            await attempt
    assert await snapshot(case["run"]) == before


async def test_a_rerun_keeps_a_split_apart_and_new_answers_go_to_the_nearer_part(lights_police_clubs):
    # The rule, on a re-run the model put back together: the part without a counterpart is made
    # again from the one with, with its name and decisions, takes back its answers, and the new
    # answers of the joined theme go to the nearer part.
    case = lights_police_clubs
    mixed = case["themes"]["lights and police"]
    part = await editing.split_automatically(mixed, actor=LEAD)
    await services.rename(part, "Police", actor=LEAD)
    await services.quote_action(part, 0, "hide", actor=LEAD)
    split_off = "police" if await members_of(part) == case["police"] else "lights"
    stays = {"police": "lights", "lights": "police"}[split_off]
    assert await members_of(part) == case[split_off]
    new_ids = await answer_survey(case["survey"], ["police officers patrolling the park", "broken street lights on my road"], prefix="n")
    newcomer = {"police": new_ids[0], "lights": new_ids[1]}
    rerun, rerun_themes = await hand_run(case["survey"], {"joined": sorted(case["lights"] | case["police"] | set(new_ids)),
                                                          "clubs": sorted(case["clubs"])})
    await services.carry_decisions(case["run"], rerun)
    rows = {r["id"]: r for r in await Theme.select().output(load_json=True).where(Theme.run == rerun)}
    joined = rerun_themes["joined"]
    assert len(rows) == 3 and not any(r["is_new"] for r in rows.values())
    police = next(r for r in rows.values() if r["label"] == "Police")
    rest = next(r for r in rows.values() if r["id"] not in (police["id"], rerun_themes["clubs"]))
    # Whichever part the joined theme matched, the other was made again next to it, linked as a split.
    assert joined in (police["id"], rest["id"]) and (police["split_from"] == rest["id"] or rest["split_from"] == police["id"])
    assert police["renamed"] and police["hidden_quotes"] == (await services.theme(part))["hidden_quotes"]
    assert await members_of(police["id"]) == case[split_off] | {newcomer[split_off]}
    assert await members_of(rest["id"]) == case[stays] | {newcomer[stays]}
    assert police["quotes"] and rest["quotes"] and not set(police["quotes"]) & set(rest["quotes"])


async def test_a_rerun_keeps_splits_and_moves_made_by_hand(db):
    survey_id = await make_survey(code="keepsplit")
    answers = [t for texts in TOPICS.values() for t in texts]
    run_id = await finished_run(survey_id, answers)
    themes = await Theme.select().output(load_json=True).where((Theme.run == run_id) & (Theme.kind == "theme")).order_by(Theme.position)
    assert len(themes) >= 2
    source, destination = themes[0], themes[1]
    source_answers = sorted(await members_of(source["id"]))
    assert len(source_answers) >= 3
    await editing.split_ticked(source["id"], source_answers[:2], "Underpass", actor=LEAD)
    await services.rename(destination["id"], "Where they go", actor=LEAD)
    moved = source_answers[2]
    await editing.move_answers(source["id"], [moved], str(destination["id"]), actor=LEAD)

    rerun = await finished_run(survey_id, ["the underpass lights are broken", "a youth club open on sunday"], prefix="n")
    rows = {r["id"]: r for r in await Theme.select().output(load_json=True).where(Theme.run == rerun)}
    kept = [r for r in rows.values() if r["label"] == "Underpass"]
    assert len(kept) == 1 and kept[0]["renamed"] and not kept[0]["is_new"]
    assert set(source_answers[:2]) <= await members_of(kept[0]["id"])
    assert kept[0]["split_from"] in rows  # still one part of a split, in the new run
    where_they_go = [r for r in rows.values() if r["label"] == "Where they go"]
    assert len(where_they_go) == 1 and moved in await members_of(where_they_go[0]["id"])
    placed = {m["item_id"] for m in await ThemeMember.select(ThemeMember.item_id).where(
        (ThemeMember.run == rerun) & (ThemeMember.placed_by_hand == True))}  # noqa: E712
    assert placed == {*source_answers[:2], moved}


async def test_split_and_move_over_http_with_the_theme_edit_permission_and_csrf(lights_police_clubs):
    case = lights_police_clubs
    mixed, clubs = case["themes"]["lights and police"], case["themes"]["clubs"]
    lead = await make_user(Role.participation_lead)
    facilitator = await make_user(Role.facilitator)
    async with in_process_client(create_app()) as client:
        client.cookies.update(await signed_in_cookie(facilitator))
        assert (await client.get(f"/staff/insights/themes/{mixed}/answers", headers={"Accept": "text/html"})).status_code == 403
        assert (await post_form(client, f"/staff/insights/themes/{mixed}/split", {"how": "auto"})).status_code == 403
        assert (await post_form(client, f"/staff/insights/themes/{mixed}/move", {"item": [str(min(case["lights"]))],
                                                                                   "to": str(clubs)})).status_code == 403
    async with in_process_client(create_app()) as client:
        client.cookies.update(await signed_in_cookie(lead))
        page = await client.get(f"/staff/insights/themes/{mixed}/answers")
        assert page.status_code == 200
        first = min(case["lights"])
        assert f'<input type="checkbox" id="answer-{first}" name="item" value="{first}">' in page.text
        assert f'<label for="answer-{first}">' in page.text and "Split in two automatically" in page.text
        # No CSRF token: refused, nothing moved.
        no_token = await client.post(f"/staff/insights/themes/{mixed}/move", data={"item": str(first), "to": str(clubs)},
                                     headers={"Accept": "text/html"})
        assert no_token.status_code == 403 and first not in await members_of(clubs)
        nothing = await post_form(client, f"/staff/insights/themes/{mixed}/split", {"how": "ticked", "name": "New"})
        assert nothing.status_code == 400 and "Tick the answers" in nothing.text
        not_a_number = await post_form(client, f"/staff/insights/themes/{mixed}/move", {"item": ["abc"], "to": str(clubs)})
        assert not_a_number.status_code == 400 and "Tick the answers" in not_a_number.text
        moved = await post_form(client, f"/staff/insights/themes/{mixed}/move", {"item": [str(first)], "to": str(clubs)})
        assert moved.status_code == 303 and moved.headers["location"].endswith(f"/themes/{mixed}/answers")
        assert first in await members_of(clubs)
        exported = (await client.get(f"/staff/insights/runs/{case['run']}/themes.csv")).content.decode("utf-8-sig")
        assert ["clubs", "7"] == next(r for r in csv.reader(io.StringIO(exported)) if r[0] == "clubs")[:2]  # the export follows
        ticked = sorted(case["police"])[:3]
        split = await post_form(client, f"/staff/insights/themes/{mixed}/split", {"how": "ticked", "item": [str(i) for i in ticked],
                                                                                   "name": "Police"})
        assert split.status_code == 303
        assert split.headers["location"].startswith(f"/staff/insights/runs/{case['run']}#theme-")
        new_id = int(split.headers["location"].rsplit("#theme-", 1)[1])
        assert await members_of(new_id) == set(ticked)
        auto = await post_form(client, f"/staff/insights/themes/{mixed}/split", {"how": "auto"})
        assert auto.status_code == 303
        run_page = await client.get(f"/staff/insights/runs/{case['run']}")
        assert "Police" in run_page.text and f"/staff/insights/themes/{mixed}/answers" in run_page.text
    assert [e["edit"] for e in await edits()] == ["move", "split_ticked", "split_automatically"]
