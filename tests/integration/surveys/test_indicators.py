"""Outcome indicator pages: a baseline wave against the latest follow-up, on both engines.

The figures each wave contributes come from the results service (small groups suppressed first);
the tests check the page shows the statistics `surveys.questionnaires.statistics` gives for those counts, the
sample sizes beside them, "not enough answers to tell" when it should, and nothing under the threshold.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.accounts.roles import Role
from app.governance.services import load_structure
from surveys.questionnaires import building, definitions, indicators, statistics, submitting
from surveys.questionnaires.building import BuildError, QuestionFields
from surveys.questionnaires.definition import Given
from surveys.questionnaires.tables import Audience, QuestionKind, ResponseMode, Survey
from tests.staff import make_user, post_form, signed_in_cookie


async def make_wave(series: str, wave: int, answers: list[dict[str, Given]], *, title: str = "Feeling safe", code: str | None = None) -> int:
    """A published survey in `series` asking knows (yes/no), safe (agree/disagree) and trust (0-10), all for outcome 1."""
    await load_structure()
    survey_id = await building.create_survey({"title": title, "audience": Audience.young_people, "series": series, "wave": wave},
                                             created_by=None, public_code=code)
    section = (await definitions.load_definition(survey_id)).sections[0].id
    for key, kind, text in [("knows", QuestionKind.yes_no, "Would you know who to talk to?"),
                            ("safe", QuestionKind.likert, "I feel safe in my area."),
                            ("trust", QuestionKind.rating, "How much do you trust services to help?")]:
        await building.add_question(survey_id, section, replace(QuestionFields(kind, text, outcome=1), key=key))
    await building.change_status(survey_id, "publish")
    definition = await definitions.load_definition(survey_id)
    for n, given in enumerate(answers):
        await submitting.store_response(definition, given, submission_key=f"{series}-{wave}-{n}", receipt=f"{series}-{wave}-{n}",
                                      language="en", mode=ResponseMode.online, started_at=datetime.now(UTC))
    return survey_id


def people(**answers: dict) -> list[dict[str, Given]]:
    """Answers given as counts per value for each question ("declined": "I'd rather not say")."""
    columns = {key: [v for v, n in counts.items() for _ in range(n)] for key, counts in answers.items()}
    sizes = {len(c) for c in columns.values()}
    assert len(sizes) == 1, "every question needs the same number of people"
    return [{key: Given(None, declined=True) if column[i] == "declined" else Given(str(column[i])) for key, column in columns.items()}
            for i in range(sizes.pop())]


def scale(**counts: int) -> dict:
    return {int(k[1:]) if k.startswith("v") else k: n for k, n in counts.items()}


async def sign_in(client, role: Role) -> None:
    client.cookies.update(await signed_in_cookie(await make_user(role, email=f"{role.value}@example.org")))


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


BASELINE = people(knows={"yes": 24, "no": 26, "not_sure": 10, "declined": 6},
                  safe={1: 8, 2: 12, 3: 20, 4: 14, 5: 6, "declined": 6},
                  trust={**{n: 5 for n in range(11)}, 5: 10, "declined": 6})
FOLLOW_UP = people(knows={"yes": 42, "no": 18, "not_sure": 10, "declined": 7},
                   safe={1: 5, 2: 8, 3: 17, 4: 25, 5: 15, "declined": 7},
                   trust={**{n: 6 for n in range(11)}, 8: 10, "declined": 7})


@pytest.fixture
async def two_waves(db):
    # Knows who to talk to: 24 of the 60 who answered (40 %) at baseline, 42 of 70 (60 %) at follow-up.
    baseline = await make_wave("Feeling safe", 1, BASELINE)
    follow_up = await make_wave("Feeling safe", 2, FOLLOW_UP, title="Feeling safe again")
    return baseline, follow_up


async def test_the_outcome_page_compares_the_baseline_with_the_follow_up(client, two_waves):
    await sign_in(client, Role.facilitator)  # may not see small groups: every figure here is one a page may show
    page = await client.get("/outcomes/1")
    assert page.status_code == 200
    text = text_of(page.text)
    knows = statistics.compare_shares(24, 60, 42, 70)
    assert round(100 * knows.low) == 3 and round(100 * knows.high) == 36
    assert ("More young people said yes to “Would you know who to talk to?”: 40 % → 60 %, +20 points "
            f"(95 % CI +3 to +36), p = {knows.p_value:.3f}.") in text
    assert "40 % said yes (n = 60)" in text and "60 % said yes (n = 70)" in text
    # Agreeing (4 or 5): 20 of 60 -> 40 of 70; and Mann-Whitney across the whole scale.
    safe = statistics.compare_shares(20, 60, 40, 70)
    assert (f"More young people agreed with “I feel safe in my area.”: 33 % → 57 %, +24 points (95 % CI +{round(100 * safe.low)} "
            f"to +{round(100 * safe.high)}), p = {safe.p_value:.3f}.") in text
    scale_test = statistics.compare_distributions(statistics.expand({1: 8, 2: 12, 3: 20, 4: 14, 5: 6}),
                                                  statistics.expand({1: 5, 2: 8, 3: 17, 4: 25, 5: 15}))
    assert f"Across the whole scale, answers moved towards agreeing (Mann-Whitney p = {scale_test.p_value:.3f}" in text
    # Ratings: the change in the mean with its interval, and Mann-Whitney.
    trust = statistics.compare_distributions(statistics.expand({**{n: 5 for n in range(11)}, 5: 10}),
                                             statistics.expand({**{n: 6 for n in range(11)}, 8: 10}), with_mean_interval=True)
    assert (f"No clear change in ratings for “How much do you trust services to help?”: average 5.0 → 5.2 out of 10, +0.2 "
            f"(95 % CI −{abs(trust.mean_low):.1f} to +{trust.mean_high:.1f}), Mann-Whitney p = {trust.p_value:.2f}. "
            "The difference could be chance.") in text
    assert page.text.count('<section class="indicator"') == 3
    index = text_of((await client.get("/outcomes")).text)
    assert "3 indicators" in index and "no questions across waves yet" in index


async def test_small_samples_say_not_enough_answers_to_tell(client, db):
    # 29 people a wave: 11 agree at baseline, 18 at follow-up (shown, out of the 29 asked), but under 30.
    await make_wave("Small", 1, people(knows={"yes": 12, "no": 8, "not_sure": 9}, safe={1: 5, 2: 6, 3: 7, 4: 5, 5: 6}))
    await make_wave("Small", 2, people(knows={"yes": 15, "no": 5, "not_sure": 9}, safe={1: 5, 2: 6, 3: 0, 4: 9, 5: 9}), title="Small again")
    await sign_in(client, Role.participation_lead)
    text = text_of((await client.get("/outcomes/1")).text)
    assert "“I feel safe in my area.”: Not enough answers to tell: fewer than 30 answers in a wave." in text
    assert "p =" not in text and "95 % CI" not in text
    assert "(n = 29)" in text  # the sample sizes are still shown


async def test_a_suppressed_group_is_neither_shown_nor_used(client, db):
    # 3 of 40 say yes at baseline: "fewer than 5" on the results page, so no share, no test, no 3.
    await make_wave("Rare", 1, people(knows={"yes": 3, "no": 30, "not_sure": 7, "declined": 5}))
    await make_wave("Rare", 2, people(knows={"yes": 20, "no": 13, "not_sure": 7, "declined": 5}), title="Rare again")
    await sign_in(client, Role.participation_lead)  # even someone who may see small groups gets no figure from one
    page = (await client.get("/outcomes/1")).text
    text = text_of(page)
    assert "“Would you know who to talk to?”: " + indicators.HIDDEN[0].upper() + indicators.HIDDEN[1:] + "." in text
    assert "fewer than 5" in text
    assert not re.search(r"\b3 %|\(n = 3\)|<td>3</td>", page)


async def test_only_surveys_whose_results_one_may_see_are_compared(client, two_waves):
    await sign_in(client, Role.project_lead)  # no project: sees no survey's results
    page = await client.get("/outcomes/1")
    assert page.status_code == 200 and '<section class="indicator"' not in page.text
    await sign_in(client, Role.safeguarding_lead)  # may not see results at all
    assert (await client.get("/outcomes/1")).status_code == 403
    assert (await client.get("/outcomes")).status_code == 403


async def test_an_unknown_outcome_is_not_found(client, two_waves):
    await sign_in(client, Role.analyst)
    for number in (0, 13, 99999999999):
        assert (await client.get(f"/outcomes/{number}")).status_code == 404


async def test_a_series_with_one_wave_waits_for_its_follow_up(client, db):
    await make_wave("Only once", 1, BASELINE)
    await sign_in(client, Role.analyst)
    assert "waiting for a follow-up wave of “Only once”" in text_of((await client.get("/outcomes/1")).text)


SETTINGS = {"title": "Wave test", "audience": "young_people", "languages": "en", "retention_months": "12", "under_13_route": "parent_statement"}


@pytest.mark.parametrize(("fields", "error"), [
    ({"series": "S", "wave": "0"}, "The wave is a whole number, 1 to 99"),
    ({"series": "S", "wave": "two"}, "The wave is a whole number, 1 to 99"),
    ({"series": "S", "wave": "100"}, "The wave is a whole number, 1 to 99"),
    ({"series": "", "wave": "2"}, "Name the series this wave belongs to"),
])
async def test_bad_waves_are_explained_and_nothing_is_stored(client, db, fields, error):
    await sign_in(client, Role.facilitator)
    await client.get("/staff/surveys/new")
    response = await post_form(client, "/staff/surveys/new", {**SETTINGS, **fields})
    assert response.status_code == 400 and error in text_of(response.text)
    assert await Survey.count() == 0


async def test_two_surveys_cannot_be_the_same_wave_of_a_series_and_duplicating_makes_the_next(client, db):
    first = await make_wave("Feeling safe", 1, [])
    with pytest.raises(BuildError, match="already has a wave 1"):
        await building.create_survey({"title": "Again", "audience": Audience.young_people, "series": "Feeling safe", "wave": 1}, created_by=None)
    assert await Survey.count() == 1
    second = await building.duplicate_survey(first, created_by=None)
    third = await building.duplicate_survey(first, created_by=None)
    waves = {r["id"]: (r["series"], r["wave"]) for r in await Survey.select(Survey.id, Survey.series, Survey.wave)}
    assert waves == {first: ("Feeling safe", 1), second: ("Feeling safe", 2), third: ("Feeling safe", 3)}
    keys = [q.key for q in (await definitions.load_definition(third)).questions]
    assert keys == ["knows", "safe", "trust"]  # the same keys: answers line up across waves
    with pytest.raises(BuildError, match="already has a wave 2"):
        await building.update_survey(third, {"series": "Feeling safe", "wave": 2})


async def test_settings_form_sets_series_and_wave(client, db):
    await sign_in(client, Role.facilitator)
    await client.get("/staff/surveys/new")
    response = await post_form(client, "/staff/surveys/new", {**SETTINGS, "series": "  Termly check-in ", "wave": "3"})
    assert response.status_code in (302, 303)
    row = await Survey.select(Survey.series, Survey.wave).first()
    assert row == {"series": "Termly check-in", "wave": 3}


async def test_the_demo_has_a_follow_up_wave_that_the_outcome_pages_compare(client, db):
    from surveys.questionnaires.demo import load_demo_follow_up

    survey_id, added = await load_demo_follow_up(responses=60)
    assert added == 60 and (await load_demo_follow_up())[1] == 0
    rows = await Survey.select(Survey.public_code, Survey.series, Survey.wave).order_by(Survey.wave)
    assert [(r["public_code"], r["wave"]) for r in rows] == [("demo", 1), ("demo-wave-2", 2)]
    await sign_in(client, Role.participation_lead)
    text = text_of((await client.get("/outcomes/1")).text)
    assert "“If something worried you, would you know who to talk to?”" in text and "(n = 60)" in text and "(n = 320)" in text
