"""Aggregated survey results, with small-number suppression applied in one place.

Every page, chart, export and API response that shows counts gets them from `summarise`, so a
group smaller than the threshold cannot leak through one route while another hides it.

Suppression rules (threshold t, 5 unless configured, never below 3):
- a count below t is shown as "fewer than t" (zero included: "none" would tell that the others
  in the breakdown add up to everybody);
- if exactly one cell of a breakdown with a shown total is hidden, the next-smallest is hidden as
  well, so the hidden one cannot be worked out by subtraction;
- questions answered by fewer than t people show no breakdown, means or free text at all;
- cross-tab groups smaller than t show no breakdown;
- people allowed to see small groups (Permission.view_small_groups) see every number.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from analysis.redact import redact
from surveys.definition import OTHER, TEXT_KINDS, QuestionDef, SurveyDef
from surveys.services import StoredResponse
from surveys.tables import QuestionKind

FLAGGED_PLACEHOLDER = "[held for the safeguarding lead]"


@dataclass(frozen=True)
class Viewer:
    """What the person looking may see beyond suppressed aggregates."""

    reveal_small_groups: bool = False
    raw_text: bool = False
    flagged_text: bool = False


@dataclass(frozen=True)
class Count:
    value: int | None
    """None when suppressed."""
    percent: float | None = None
    threshold: int = 5

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return f"fewer than {self.threshold}" if self.value is None else str(self.value)

    def to_json(self):
        return self.value if self.value is not None else f"<{self.threshold}"


class Suppressor:
    def __init__(self, threshold: int, reveal: bool = False):
        self.threshold = threshold
        self.reveal = reveal

    def count(self, n: int, of: int | None = None) -> Count:
        if not self.reveal and n < self.threshold:
            return Count(None, None, self.threshold)
        return Count(n, round(100 * n / of, 1) if of else None, self.threshold)

    def breakdown(self, counts: dict[str, int], total: int | None, *, complementary: bool = True) -> dict[str, Count]:
        """Counts per category; with `complementary`, a lone hidden cell takes the next-smallest with it."""
        shown = {k: self.count(n, total) for k, n in counts.items()}
        if self.reveal or not complementary or total is None:
            return shown
        hidden = [k for k, c in shown.items() if c.suppressed]
        if len(hidden) == 1:
            visible = sorted((n, k) for k, n in counts.items() if not shown[k].suppressed)
            if visible:
                shown[visible[0][1]] = Count(None, None, self.threshold)
        return shown


@dataclass
class Row:
    value: str
    label: str
    count: Count


@dataclass
class FreeTextItem:
    text: str
    sentiment: str


@dataclass
class QuestionResult:
    question: QuestionDef
    shown: Count
    answered: Count
    declined: Count
    too_few: bool
    """Fewer than the threshold answered: nothing more is shown."""
    rows: list[Row] = field(default_factory=list)
    likert_groups: list[Row] = field(default_factory=list)
    """Disagree / neutral / agree, for the diverging bar."""
    stats: dict[str, float] = field(default_factory=dict)
    texts: list[FreeTextItem] = field(default_factory=list)
    sentiment: list[Row] = field(default_factory=list)
    other_texts: list[str] = field(default_factory=list)


@dataclass
class CrossTab:
    by: QuestionDef
    of: QuestionDef
    groups: list[tuple[str, Count]]
    """Each group of the "by" question with its size."""
    cells: dict[str, dict[str, Count]]
    """cells[group value][option value]; empty for a group too small to break down."""


@dataclass
class SurveyResults:
    threshold: int
    total: Count
    too_few: bool
    questions: list[QuestionResult] = field(default_factory=list)
    timeline: list[Row] = field(default_factory=list)
    modes: list[Row] = field(default_factory=list)
    unfinished: Count | None = None
    stopped_at: list[Row] = field(default_factory=list)
    """Unfinished answers by the page they have reached: where people stop."""
    crosstab: CrossTab | None = None


def sentiment_label(polarity: float | None) -> str:
    if polarity is None:
        return "neutral"
    return "positive" if polarity >= 0.05 else "negative" if polarity <= -0.05 else "neutral"


def shown_text(text: str, level: str, viewer: Viewer) -> str:
    if level != "none" and not viewer.flagged_text:
        return FLAGGED_PLACEHOLDER
    return text if viewer.raw_text else redact(text)


def summarise(
    definition: SurveyDef,
    responses: Sequence[StoredResponse],
    *,
    threshold: int,
    viewer: Viewer,
    unfinished_pages: Sequence[int] = (),
    crosstab_by: str | None = None,
    crosstab_of: str | None = None,
) -> SurveyResults:
    suppress = Suppressor(threshold, viewer.reveal_small_groups)
    total = suppress.count(len(responses))
    results = SurveyResults(threshold, total, too_few=total.suppressed)
    if results.too_few:
        return results
    results.unfinished = suppress.count(len(unfinished_pages))
    if unfinished_pages:
        reached = Counter(unfinished_pages)
        pages = {f"page {n}": reached.get(n, 0) for n in range(1, max(reached) + 1)}
        results.stopped_at = [Row(k, k.capitalize(), c) for k, c in suppress.breakdown(pages, len(unfinished_pages)).items()]
    visible = [{q.key for q in definition.visible_questions({k: a.given for k, a in r.answers.items()})} for r in responses]
    results.questions = [_question(q, responses, visible, suppress, viewer) for q in definition.questions]
    results.timeline = _timeline(responses, suppress)
    modes = Counter(r.mode for r in responses)
    results.modes = [Row(m, m.title(), c) for m, c in suppress.breakdown(dict(modes), len(responses)).items()]
    if crosstab_by and crosstab_of:
        results.crosstab = _crosstab(definition, responses, crosstab_by, crosstab_of, suppress)
    return results


def _answers_to(question: QuestionDef, responses: Sequence[StoredResponse]):
    return [r.answers[question.key] for r in responses if question.key in r.answers]


def _question(question: QuestionDef, responses: Sequence[StoredResponse], visible: Sequence[set[str]],
              suppress: Suppressor, viewer: Viewer) -> QuestionResult:
    shown_to = sum(1 for keys in visible if question.key in keys)
    stored = _answers_to(question, responses)
    declined = sum(1 for a in stored if a.given.declined)
    answered = [a for a in stored if not a.given.declined]
    result = QuestionResult(
        question, suppress.count(shown_to), suppress.count(len(answered), shown_to or None),
        suppress.count(declined, shown_to or None), too_few=suppress.count(len(answered)).suppressed,
    )
    if result.too_few:
        return result
    values = [a.given.value for a in answered]
    kind = question.kind
    if kind in TEXT_KINDS:
        result.texts = [FreeTextItem(shown_text(a.given.value, a.screening_level, viewer), sentiment_label(a.sentiment)) for a in answered]
        feelings = Counter(sentiment_label(a.sentiment) for a in answered)
        counts = {k: feelings.get(k, 0) for k in ("positive", "neutral", "negative")}
        result.sentiment = [Row(k, k.title(), c) for k, c in suppress.breakdown(counts, len(answered)).items()]
        return result
    if kind in (QuestionKind.number,):
        result.stats = _mean_and_median(values)
        return result
    if kind is QuestionKind.date:
        months = Counter(str(v)[:7] for v in values)
        result.rows = [Row(m, m, c) for m, c in suppress.breakdown(dict(sorted(months.items())), len(answered)).items()]
        return result
    if kind is QuestionKind.ranking:
        firsts = Counter(v[0] for v in values if v)
        cells = suppress.breakdown({o.value: firsts.get(o.value, 0) for o in question.options}, len(answered))
        for option in question.options:
            result.rows.append(Row(option.value, option.label, cells[option.value]))
            ranks = [v.index(option.value) + 1 for v in values if option.value in v]
            if ranks and not suppress.count(len(ranks)).suppressed:
                result.stats[option.value] = round(statistics.fmean(ranks), 2)
        return result
    if kind is QuestionKind.multiple_choice:
        chosen = Counter(v for value in values for v in value)
        counts = {o.value: chosen.get(o.value, 0) for o in question.options}
        if question.allow_other:
            counts[OTHER] = chosen.get(OTHER, 0)
        # Several choices each: no fixed total to subtract from, so no complementary hiding.
        cells = suppress.breakdown(counts, len(answered), complementary=False)
        result.rows = [Row(v, question.label_of(v), c) for v, c in cells.items()]
        if viewer.reveal_small_groups or not cells.get(OTHER, Count(None)).suppressed:
            result.other_texts = [shown_text(a.given.other_text, a.screening_level, viewer) for a in answered if a.given.other_text]
        return result
    counts = Counter(str(v) for v in values)
    cells = suppress.breakdown({o.value: counts.get(o.value, 0) for o in question.options}, len(answered))
    result.rows = [Row(v, question.label_of(v), c) for v, c in cells.items()]
    if kind is QuestionKind.rating:
        result.stats = _mean_and_median(values)
    if kind is QuestionKind.likert:
        groups = {"disagree": counts.get("1", 0) + counts.get("2", 0), "neutral": counts.get("3", 0),
                  "agree": counts.get("4", 0) + counts.get("5", 0)}
        labels = {"disagree": "Disagree", "neutral": "Neither", "agree": "Agree"}
        result.likert_groups = [Row(k, labels[k], c) for k, c in suppress.breakdown(groups, len(answered)).items()]
    return result


def _mean_and_median(values) -> dict[str, float]:
    """Mean and median of number or rating answers; nothing when there are none yet (a new survey)."""
    numbers = [float(v) for v in values]
    if not numbers:
        return {}
    return {"mean": round(statistics.fmean(numbers), 2), "median": statistics.median(numbers)}


def _timeline(responses: Sequence[StoredResponse], suppress: Suppressor) -> list[Row]:
    """Responses per week (Monday to Sunday); weeks with few responses are hidden like any cell."""
    if not responses:
        return []
    weeks = Counter(_monday(r.submitted_at) for r in responses)
    start, end = min(weeks), max(weeks)
    counts = {}
    week = start
    while week <= end:
        counts[week.isoformat()] = weeks.get(week, 0)
        week += timedelta(days=7)
    # Totals are over time, not a breakdown of one group: no complementary hiding needed beyond cells.
    return [Row(w, f"w/c {date.fromisoformat(w).strftime('%d %b')}", c) for w, c in suppress.breakdown(counts, None).items()]


def _monday(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


def crosstab_candidates(definition: SurveyDef) -> list[QuestionDef]:
    """Questions people can be grouped by: one answer each from a fixed list."""
    return [q for q in definition.questions if q.kind in (QuestionKind.single_choice, QuestionKind.yes_no, QuestionKind.likert)]


def _crosstab(definition: SurveyDef, responses: Sequence[StoredResponse], by_key: str, of_key: str, suppress: Suppressor) -> CrossTab | None:
    by, of = definition.question(by_key), definition.question(of_key)
    if by is None or of is None or by not in crosstab_candidates(definition) or of.kind not in (
            QuestionKind.single_choice, QuestionKind.yes_no, QuestionKind.likert, QuestionKind.rating, QuestionKind.multiple_choice):
        return None
    groups: dict[str, list[StoredResponse]] = {o.value: [] for o in by.options}
    for response in responses:
        answer = response.answers.get(by.key)
        if answer and not answer.given.declined and str(answer.given.value) in groups:
            groups[str(answer.given.value)].append(response)
    sizes = suppress.breakdown({g: len(members) for g, members in groups.items()}, None)
    cells: dict[str, dict[str, Count]] = {}
    for group, members in groups.items():
        if sizes[group].suppressed:
            cells[group] = {}
            continue
        answered = [m.answers[of.key].given.value for m in members if of.key in m.answers and not m.answers[of.key].given.declined]
        flat = [v for value in answered for v in (value if isinstance(value, list) else [value])]
        counts = Counter(str(v) for v in flat)
        cells[group] = suppress.breakdown({o.value: counts.get(o.value, 0) for o in of.options}, len(answered),
                                          complementary=of.kind is not QuestionKind.multiple_choice)
    return CrossTab(by, of, [(o.value, sizes[o.value]) for o in by.options], cells)


def to_json(results: SurveyResults) -> dict:
    """The results for the API: the same suppressed numbers the pages show."""
    return {
        "threshold": results.threshold,
        "responses": results.total.to_json(),
        "unfinished": results.unfinished.to_json() if results.unfinished else None,
        "unfinished_by_page": {r.value: r.count.to_json() for r in results.stopped_at},
        "timeline": [{"week": r.value, "responses": r.count.to_json()} for r in results.timeline],
        "modes": {r.value: r.count.to_json() for r in results.modes},
        "questions": [
            {
                "key": q.question.key,
                "text": q.question.text,
                "kind": q.question.kind.value,
                "outcome": q.question.outcome,
                "shown": q.shown.to_json(),
                "answered": q.answered.to_json(),
                "declined": q.declined.to_json(),
                "counts": None if q.too_few else {r.value: r.count.to_json() for r in q.rows},
                "stats": None if q.too_few else q.stats,
                "free_text": None if q.too_few else [{"text": t.text, "sentiment": t.sentiment} for t in q.texts],
            }
            for q in results.questions
        ],
        "crosstab": None if results.crosstab is None else {
            "by": results.crosstab.by.key,
            "of": results.crosstab.of.key,
            "groups": {g: {"size": size.to_json(), "counts": {k: c.to_json() for k, c in results.crosstab.cells[g].items()} or None}
                       for g, size in results.crosstab.groups},
        },
    }

