"""The "attacker" test (issue 9): for what a facilitator or a project lead is shown — the results
page, results.json, the cross-tab, the weekly timeline, the survey list — every sum and difference
along every margin is tried, and no hidden count may come out exactly. Over the demo survey (320
generated responses) and over the issue's small-group survey (14 responses; groups 6 / 6 / 2).
People who may see small groups see every number, marked as a small group, on every page."""

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from app.accounts.roles import Role
from app.governance.services import load_structure
from app.governance.tables import Project
from surveys.questionnaires import building, definitions, submitting
from surveys.questionnaires.building import QuestionFields
from surveys.questionnaires.definition import Given, Option
from surveys.questionnaires.tables import Audience, QuestionKind, ResponseMode, Survey
from tests.staff import make_user, signed_in_cookie
from tests.suppression_attacker import hidden_recovered, percent_base, recover, survey_lines

THRESHOLD = 5
START = datetime(2026, 11, 2, 12, tzinfo=UTC)


async def small_group_survey() -> int:
    """The issue's survey: 14 responses in groups a 6 / b 6 / c 2; a and b all say yes; c both
    rather not say (so "Yes 12 (100%)"); one of c's two answered in a week of its own."""
    await load_structure()
    survey_id = await building.create_survey({
        "title": "Small groups", "purpose": "Probe.", "audience": Audience.young_people, "languages": ["en"],
        "consent_text": "Anonymous.", "local_contact": "Youth team",
    }, created_by=None)
    section = (await definitions.load_definition(survey_id)).sections[0].id
    await building.add_question(survey_id, section, QuestionFields(
        QuestionKind.single_choice, "Which group?", key="grp", required=True,
        options=(Option("a", "Group a"), Option("b", "Group b"), Option("c", "Group c"))))
    await building.add_question(survey_id, section, QuestionFields(QuestionKind.yes_no, "Do you feel safe?", key="yn", required=True))
    await building.change_status(survey_id, "publish")
    definition = await definitions.load_definition(survey_id)
    people = [("a", Given("yes"))] * 6 + [("b", Given("yes"))] * 6 + [("c", Given(None, declined=True))] * 2
    for n, (group, feel) in enumerate(people):
        when = START + timedelta(days=21) if n == 12 else START + timedelta(days=n % 14)
        await submitting.store_response(definition, {"grp": Given(group), "yn": feel}, submission_key=f"small{n}", receipt=f"small{n}",
                                      language="en", mode=ResponseMode.online, started_at=when, submitted_at=when)
    return survey_id


async def as_role(client, role: Role, survey_id: int) -> None:
    if role is Role.project_lead:
        await Survey.update({Survey.project: (await Project.select(Project.id).first())["id"]}).where(Survey.id == survey_id)
    client.cookies.update(await signed_in_cookie(await make_user(role, email=f"{role.value}@example.org")))


def structure(definition) -> dict:
    """What a reader knows of the survey itself: which questions must be answered, and when each is asked."""
    conditions = {}
    for section in definition.sections:
        for q in section.questions:
            condition = q.show_if or section.show_if
            if condition is not None:
                conditions[q.key] = (condition.question, sorted(condition.values))
    return {"required": {q.key for q in definition.questions if q.required}, "conditions": conditions}


FIGURE = r"(\d+|fewer than \d+|hidden)"


def figure(text: str) -> int | str:
    text = text.strip()
    if text.isdigit():
        return int(text)
    return f"<{THRESHOLD}" if text.startswith("fewer than") else "hidden"


def page_figures(page: str, definition) -> tuple[dict, list[tuple[int, float, str]]]:
    """Every count the results page shows, by the attacker's labels, and each (count, percent, base label)."""
    figures: dict[str, int | str] = {}
    percents: list[tuple[int, float, str]] = []
    lead = re.search(r'<p class="lead">' + FIGURE + r" response", page)
    figures["responses"] = figure(lead.group(1))
    timeline = re.search(r'aria-label="Responses per week: ([^"]*)"', page)
    if timeline:
        for label, value in re.findall(r"w/c (\d\d \w\w\w) " + FIGURE, html.unescape(timeline.group(1))):
            week = datetime.strptime(f"{label} {START.year}", "%d %b %Y").date()
            figures[f"week {week.isoformat()}"] = figure(value)
    for key, body in re.findall(r'<section class="result" aria-labelledby="result-([^"]+)">(.*?)</section>', page, re.S):
        question = definition.question(key)
        asked = re.search(r"Asked " + FIGURE + r" · answered " + FIGURE + r"(?: \(([\d.]+)%\))? · “I’d rather not say” " + FIGURE, body)
        figures[f"{key}.asked"], figures[f"{key}.answered"], figures[f"{key}.declined"] = (
            figure(asked.group(1)), figure(asked.group(2)), figure(asked.group(4)))
        if asked.group(3):
            percents.append((figures[f"{key}.answered"], float(asked.group(3)), f"{key}.asked"))
        labels = {o.label: o.value for o in question.options} | {"Other": "_other"}
        for label, value in re.findall(r'<span class="bar-label">([^<]*)</span>.*?<span class="bar-value[^"]*">([^<]*)</span>', body, re.S):
            label = html.unescape(label)
            number = re.match(FIGURE + r"(?: \(([\d.]+)%\))?", html.unescape(value).replace(" (small group)", ""))
            if label in ("Positive", "Neutral", "Negative") and question.kind.value.endswith("_text"):
                name = f"{key}~{label.lower()}"
            elif question.kind is QuestionKind.date:
                name = f"{key}={label}"
            else:
                name = f"{key}={labels.get(label, label)}"
            figures[name] = figure(number.group(1))
            if number.group(2):
                percents.append((figures[name], float(number.group(2)), f"{key}.answered"))
        listed = re.search(r"Read the (\d+) answers", body)
        if listed:
            figures[f"{key}.listed"] = int(listed.group(1))
    table = re.search(r'<table class="crosstab">(.*?)</table>', page, re.S)
    if table:
        by = re.search(r'<select id="by" name="by">.*?<option value="([^"]+)" selected', page, re.S).group(1)
        of = re.search(r'<select id="of" name="of">.*?<option value="([^"]+)" selected', page, re.S).group(1)
        by_q, of_q = definition.question(by), definition.question(of)
        group_labels = {o.label: o.value for o in by_q.options}
        heads = re.findall(r'<th scope="col">([^<]*)<br><span class="small">(?:(\d+|fewer than \d+) people|size (hidden))', table.group(1))
        groups = [group_labels[html.unescape(label)] for label, _, _ in heads]
        for group, (_, size, hidden) in zip(groups, heads, strict=True):
            figures[f"{by}={group}"] = figure(size or hidden)
        for label, row in re.findall(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', table.group(1), re.S):
            option = next(o.value for o in of_q.options if o.label == html.unescape(label))
            for group, cell in zip(groups, re.findall(r"<td[^>]*>(.*?)</td>", row, re.S), strict=True):
                number = re.match(FIGURE + r"(?: \(([\d.]+)% of the group\))?", html.unescape(cell).strip())
                if number:
                    figures[f"x {group}={option}"] = figure(number.group(1))
                    if number.group(2):
                        percents.append((figures[f"x {group}={option}"], float(number.group(2)), f"{by}={group}"))
    return figures, percents


def attack(document: dict, page: str, list_page: str, survey_id: int, definition) -> dict[str, int]:
    figures, lines = survey_lines(document, structure(definition))
    shown, percents = page_figures(page, definition)
    # One figure, one value, on every route.
    assert {k: v for k, v in shown.items() if k in figures and not k.endswith(".listed")} == \
        {k: figures[k] for k in shown if k in figures and not k.endswith(".listed")}
    for key, value in shown.items():
        figures.setdefault(key, value)
        if key.endswith(".listed"):
            lines.append((f"{key[:-len('.listed')]}.answered", [key]))
    listed = re.search(rf'<a href="/staff/surveys/{survey_id}">.*?</td>.*?</td>.*?</td>\s*<td>([^<]*)</td>', list_page, re.S)
    assert figure(listed.group(1)) == figures["responses"], "the survey list and the results disagree"
    recovered = hidden_recovered(figures, lines, threshold=THRESHOLD)
    for count, percent, base in percents:
        if isinstance(count, int) and not isinstance(figures.get(base), int):
            if (value := percent_base(count, percent)) is not None:
                recovered[f"{base} (from a percentage)"] = value
    return recovered


def hidden_in(document: dict) -> int:
    return str(document).count(f"'<{THRESHOLD}'") + str(document).count("'hidden'")


@pytest.mark.parametrize("role", [Role.facilitator, Role.project_lead])
async def test_the_small_group_survey_gives_nothing_away_by_subtraction(client, db, role):
    survey_id = await small_group_survey()
    definition = await definitions.load_definition(survey_id)
    await as_role(client, role, survey_id)
    params = {"by": "grp", "of": "yn"}
    document = (await client.get(f"/staff/surveys/{survey_id}/results.json", params=params)).json()
    page = (await client.get(f"/staff/surveys/{survey_id}", params=params)).text
    list_page = (await client.get("/staff/surveys")).text
    assert document["questions"][0]["counts"]["c"] == "<5" and hidden_in(document) >= 3
    assert attack(document, page, list_page, survey_id, definition) == {}
    # The results CSV publishes the very same figures.
    rows = list(csv.reader(io.StringIO((await client.get(f"/staff/surveys/{survey_id}/results.csv")).content.decode("utf-8-sig"))))
    by_label = {q["key"]: {definition.question(q["key"]).label_of(v): n for v, n in (q["counts"] or {}).items()} for q in document["questions"]}
    for key, _, answer, count, _ in rows[2:]:
        expected = document["questions"][[q["key"] for q in document["questions"]].index(key)]["answered"] if answer == "(answered)" \
            else document["questions"][[q["key"] for q in document["questions"]].index(key)]["declined"] if answer == "I'd rather not say" \
            else by_label[key][answer]
        assert figure(count) == expected, (key, answer, count)
    # What the issue found: "Yes 12 (100%)" is gone; groups a and b may show 6 now that "answered"
    # is hidden (it would tell nobody declined), so 14 - 6 - 6 no longer gives group c.
    assert "(100.0%)" not in page and document["questions"][0]["answered"] == "hidden"


async def test_the_attacker_finds_what_the_issue_found(db):
    """The attack itself works: the figures the issue saw give the small group away."""
    figures = {"responses": 14, "grp=a": 6, "grp=b": 6, "grp=c": "<5", "yn.asked": 14, "yn.answered": 12, "yn.declined": "<5",
               "yn=yes": 12, "yn=no": "<5", "yn=not_sure": "<5", "week 1": 13, "week 2": "<5"}
    lines = [("responses", ["grp=a", "grp=b", "grp=c"]), ("yn.asked", ["yn.answered", "yn.declined"]),
             ("yn.answered", ["yn=yes", "yn=no", "yn=not_sure"]), ("responses", ["week 1", "week 2"])]
    assert recover(figures, lines, threshold=THRESHOLD) == {"grp=c": 2, "yn.declined": 2, "yn=no": 0, "yn=not_sure": 0, "week 2": 1}
    assert percent_base(6, 50.0) == 12


@pytest.mark.parametrize("role", [Role.facilitator, Role.project_lead])
async def test_the_demo_survey_gives_nothing_away_by_subtraction(client, db, role):
    from surveys.questionnaires.demo import load_demo_survey

    survey_id, _ = await load_demo_survey()
    definition = await definitions.load_definition(survey_id)
    await as_role(client, role, survey_id)
    list_page = (await client.get("/staff/surveys")).text
    candidates = [("area", "safe_area"), ("knows_who", "who_to"), ("age_band", "least_safe")]
    for by, of in candidates:
        params = {"by": by, "of": of}
        document = (await client.get(f"/staff/surveys/{survey_id}/results.json", params=params)).json()
        page = (await client.get(f"/staff/surveys/{survey_id}", params=params)).text
        assert document["responses"] == 320 and hidden_in(document) > 0
        assert attack(document, page, list_page, survey_id, definition) == {}, (by, of)


@pytest.mark.parametrize("role", [Role.participation_lead, Role.analyst])
async def test_people_who_may_see_small_groups_see_them_everywhere_marked(client, db, role):
    survey_id = await small_group_survey()
    await as_role(client, role, survey_id)
    params = {"by": "grp", "of": "yn"}
    document = (await client.get(f"/staff/surveys/{survey_id}/results.json", params=params)).json()
    page = (await client.get(f"/staff/surveys/{survey_id}", params=params)).text
    assert hidden_in(document) == 0
    assert document["questions"][0]["counts"] == {"a": 6, "b": 6, "c": 2}
    assert document["crosstab"]["groups"]["c"] == {"size": 2, "counts": {"yes": 0, "no": 0, "not_sure": 0}}
    main = re.search(r'<main id="main".*</main>', page, re.S).group(0)
    shown = re.sub(r"<[^>]+>", " ", main)
    assert " hidden" not in shown and "fewer than 5 " not in shown, shown
    # Marked in words (not colour only): the group of 2, its cross-tab column and its week.
    assert page.count("small group") >= 4
    assert re.search(r"Group c</span>\s*<span class=\"bar-track\">.*?2 <span class=\"small-group\">\(small group\)</span>", page, re.S)


@pytest.mark.parametrize(("role", "shown"), [(Role.facilitator, "fewer than 5"), (Role.project_lead, "fewer than 5"),
                                             (Role.participation_lead, '3 <span class="small-group">(small group)</span>')])
async def test_the_survey_list_shows_the_response_count_the_results_page_shows(client, db, role, shown):
    survey_id = await small_group_survey()
    await Survey.update({Survey.title: "Three answers"}).where(Survey.id == survey_id)
    from surveys.questionnaires.tables import Response

    keep = [r["id"] for r in await Response.select(Response.id).order_by(Response.id).limit(3)]
    await Response.delete().where(Response.id.not_in(keep))
    await as_role(client, role, survey_id)
    list_page = (await client.get("/staff/surveys")).text
    row = re.search(r"Three answers</a>.*?</tr>", list_page, re.S).group(0)
    assert f"<td>{shown}</td>" in row
    assert f'<p class="lead">{shown} responses' in (await client.get(f"/staff/surveys/{survey_id}")).text


async def test_every_view_shows_the_same_figures_so_views_cannot_be_combined(client, db):
    """The question figures do not change with the cross-tab asked for, and "by a of b" hides the
    same cells as "by b of a": otherwise one view's shown number fills another's gap."""
    from surveys.questionnaires.demo import load_demo_survey

    survey_id, _ = await load_demo_survey()
    await as_role(client, Role.facilitator, survey_id)

    async def results(**params):
        return (await client.get(f"/staff/surveys/{survey_id}/results.json", params=params)).json()

    plain = await results()
    area_by_age = await results(by="age_band", of="area")
    age_by_area = await results(by="area", of="age_band")
    for split in (area_by_age, age_by_area, await results(by="knows_who", of="who_to")):
        assert split["questions"] == plain["questions"] and split["timeline"] == plain["timeline"]
    one = {(g, o): n for g, body in area_by_age["crosstab"]["groups"].items() for o, n in (body["counts"] or {}).items()}
    other = {(g, o): n for o, body in age_by_area["crosstab"]["groups"].items() for g, n in (body["counts"] or {}).items()}
    assert one and {k: v for k, v in one.items() if k in other} == {k: v for k, v in other.items() if k in one}
