"""Small-number suppression, as the one aggregation service applies it."""

from datetime import UTC, datetime, timedelta

import pytest

from surveys.questionnaires.definition import Given, Option, QuestionDef, SectionDef, SurveyDef
from surveys.questionnaires.responses import StoredAnswer, StoredResponse
from surveys.questionnaires.results import Viewer, response_count, summarise, to_json
from surveys.questionnaires.tables import QuestionKind as K

AREA = QuestionDef(1, "area", K.single_choice, "Where?", options=(Option("n", "North"), Option("s", "South"), Option("x", "Elsewhere")))
SAFE = QuestionDef(2, "safe", K.yes_no, "Safe?", options=(Option("yes", "Yes"), Option("no", "No"), Option("not_sure", "Not sure")))
SAY = QuestionDef(3, "say", K.long_text, "Anything else?")
SURVEY = SurveyDef(1, "t", sections=(SectionDef(1, questions=(AREA, SAFE, SAY)),))
START = datetime(2026, 11, 2, 12, tzinfo=UTC)
PUBLIC = Viewer()
ANALYST = Viewer(reveal_small_groups=True, raw_text=True)


def responses(rows):
    """rows: (area, safe, text, screening level) per respondent."""
    out = []
    for i, (area, safe, text, level) in enumerate(rows):
        answers = {"area": StoredAnswer(Given(area)), "safe": StoredAnswer(Given(safe))}
        if text:
            answers["say"] = StoredAnswer(Given(text), level, 0.0)
        out.append(StoredResponse(i, START + timedelta(days=i % 10), "en", "online", level != "none", answers))
    return out


# 12 north, 3 south, 6 elsewhere; safe: 14 yes / 7 no.
ROWS = [("n", "yes", "", "none")] * 9 + [("n", "no", "", "none")] * 3 + [("s", "no", "", "none")] * 3 + [("x", "yes", "", "none")] * 5 + [("x", "no", "", "none")]


def test_a_count_under_the_threshold_is_hidden_and_so_is_the_next_smallest():
    area = next(q for q in summarise(SURVEY, responses(ROWS), threshold=5, viewer=PUBLIC).questions if q.question.key == "area")
    cells = {r.value: r.count for r in area.rows}
    assert cells["n"].value == 12
    assert cells["s"].suppressed and str(cells["s"]) == "fewer than 5"
    # 21 answered - 12 - 6 would give the 3 away; everyone answered, so "answered" is hidden (it would
    # tell that nobody declined), and it says so: it is not "fewer than 5".
    assert str(area.answered) == "hidden" and not cells["x"].suppressed


def test_people_allowed_small_groups_see_every_number_marked_small():
    area = next(q for q in summarise(SURVEY, responses(ROWS), threshold=5, viewer=ANALYST).questions if q.question.key == "area")
    assert [(r.count.value, r.count.small) for r in area.rows] == [(12, False), (3, True), (6, False)]


def test_the_threshold_is_configurable():
    assert not response_count(3, threshold=3, viewer=PUBLIC).suppressed
    assert response_count(2, threshold=3, viewer=PUBLIC).suppressed


def test_fewer_respondents_than_the_threshold_show_nothing_at_all():
    results = summarise(SURVEY, responses(ROWS[:4]), threshold=5, viewer=PUBLIC)
    assert results.too_few and results.questions == []
    assert to_json(results)["responses"] == "<5"


def test_the_api_shape_never_holds_a_small_number():
    results = summarise(SURVEY, responses(ROWS), threshold=5, viewer=PUBLIC, crosstab_by="area", crosstab_of="safe")
    document = to_json(results)
    area = next(q for q in document["questions"] if q["key"] == "area")
    assert area["counts"] == {"n": 12, "s": "<5", "x": 6} and area["answered"] == "hidden"
    groups = document["crosstab"]["groups"]
    assert groups["s"] == {"size": "<5", "counts": None}  # a small group is not broken down
    assert groups["n"]["counts"]["no"] == "<5" and groups["n"]["counts"]["not_sure"] == "<5"

    def numbers(value):
        if isinstance(value, dict):
            for k, v in value.items():
                if k not in ("threshold", "stats", "outcome"):
                    yield from numbers(v)
        elif isinstance(value, list):
            for v in value:
                yield from numbers(v)
        elif isinstance(value, int) and not isinstance(value, bool):
            yield value

    assert all(n >= 5 for n in numbers(document)), sorted(numbers(document))


def test_free_text_is_redacted_for_roles_without_raw_text():
    # Six who wrote nothing: a list of answers from everyone asked would tell that nobody declined (0).
    # (Words held for the safeguarding lead never reach here: tests/integration/safeguarding.)
    rows = [("n", "yes", "my name is Sam and I live at 12 Park Road", "none")] * 6
    rows += [("n", "yes", "", "none")] * 6
    results = summarise(SURVEY, responses(rows), threshold=5, viewer=PUBLIC)
    texts = [t.text for t in next(q for q in results.questions if q.question.key == "say").texts]
    assert texts and all("Sam" not in t and "Park Road" not in t for t in texts)
    raw = summarise(SURVEY, responses(rows), threshold=5, viewer=ANALYST)
    raw_texts = [t.text for t in next(q for q in raw.questions if q.question.key == "say").texts]
    assert any("Sam" in t for t in raw_texts)


def test_a_question_answered_by_too_few_shows_no_text():
    rows = [("n", "yes", "", "none")] * 8 + [("n", "yes", "only me", "none")] * 2
    say = next(q for q in summarise(SURVEY, responses(rows), threshold=5, viewer=PUBLIC).questions if q.question.key == "say")
    assert say.too_few and say.texts == []


@pytest.mark.parametrize("threshold", [3, 5, 10])
def test_timeline_weeks_follow_the_threshold(threshold):
    results = summarise(SURVEY, responses(ROWS), threshold=threshold, viewer=PUBLIC)
    assert all(r.count.suppressed or r.count.value >= threshold for r in results.timeline)
    assert sum(r.count.value or 0 for r in summarise(SURVEY, responses(ROWS), threshold=threshold, viewer=ANALYST).timeline) == len(ROWS)


def test_where_people_stop_is_counted_by_page_and_suppressed_like_any_count():
    public = summarise(SURVEY, responses(ROWS), threshold=5, viewer=PUBLIC, unfinished_pages=[1] * 7 + [2] * 2 + [3] * 9)
    assert public.unfinished.value == 18
    cells = {r.value: r.count for r in public.stopped_at}
    assert cells["page 3"].value == 9 and cells["page 2"].suppressed and cells["page 1"].suppressed
    exact = summarise(SURVEY, responses(ROWS), threshold=5, viewer=ANALYST, unfinished_pages=[1] * 7 + [2] * 2)
    assert [r.count.value for r in exact.stopped_at] == [7, 2]
