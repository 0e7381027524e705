"""Aggregated survey results, with small-number suppression applied in one place.

Every page, chart, export and API response that shows counts gets them from `summarise`, so a
group smaller than the threshold cannot leak through one route while another hides it.

Suppression (threshold t, 5 unless configured, never below 3), by `surveys.participation.suppression.protect`
over every figure these results publish or imply and the sums that tie them (`Figures`):
- a count below t is shown as "fewer than t" (zero included: "none" would tell that the others
  in the breakdown add up to everybody);
- while a hidden count, or any count below t, could still be worked out by adding and
  subtracting shown figures (along a breakdown, asked/answered/declined, the timeline, the
  cross-tab's rows and columns, skip logic), one more is hidden and shown as "hidden";
- a percentage is shown only when its base is; a free-text list only when "answered" is;
- questions answered by fewer than t people show no breakdown, means or free text at all;
  cross-tab groups smaller than t are not broken down;
- people allowed to see small groups (Permission.view_small_groups) see every number, each one
  under t marked as a small group.
"""

from __future__ import annotations

import functools
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from analysis.redact import redact
from surveys.participation import suppression
from surveys.participation.suppression import PRIMARY, SECONDARY
from surveys.questionnaires.definition import OTHER, TEXT_KINDS, QuestionDef, SurveyDef
from surveys.questionnaires.responses import StoredResponse
from surveys.questionnaires.tables import QuestionKind


@dataclass(frozen=True)
class Viewer:
    """What the person looking may see beyond suppressed aggregates."""

    reveal_small_groups: bool = False
    raw_text: bool = False


@dataclass(frozen=True)
class Count:
    value: int | None
    """None when hidden."""
    percent: float | None = None
    threshold: int = 5
    hidden_because: str | None = None
    """suppression.PRIMARY (under the threshold) or SECONDARY (hidden so a small one cannot be worked out)."""
    small: bool = False
    """Shown to someone who may see small groups, and under the threshold: marked as a small group."""

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        if self.value is not None:
            return str(self.value)
        return "hidden" if self.hidden_because == SECONDARY else f"fewer than {self.threshold}"

    def to_json(self):
        if self.value is not None:
            return self.value
        return "hidden" if self.hidden_because == SECONDARY else f"<{self.threshold}"


class Figures:
    """Every count a survey's results publish or imply, and the sums that tie them together, so that
    `suppression.protect` can hide what would give a small group away. Keys are tuples."""

    def __init__(self, threshold: int, reveal: bool):
        self.threshold, self.reveal = threshold, reveal
        self.values: dict[tuple, int] = {}
        self.relations: list[suppression.Relation] = []
        self.published: list[tuple] = []
        self.totals: set[tuple] = set()
        self.locked: set[tuple] = set()
        self.hidden: dict[tuple, str] = {}
        self._solved: set[tuple] = set()

    def add(self, key: tuple, value: int, *, shown: bool = True, total: bool = False) -> tuple:
        self.values[key] = value
        if shown:
            self.published.append(key)
        if total:
            self.totals.add(key)
        return key

    def sums(self, total: tuple, parts: Sequence[tuple], *, rest: tuple | None = None, may_have_rest: bool = True) -> None:
        """`total` is the sum of `parts` and, where some may fall outside them (people who skipped an
        optional question), of an unpublished `rest` that a reader can work towards like any count."""
        difference = self.values[total] - sum(self.values[p] for p in parts)
        if rest is not None and (may_have_rest or difference):
            self.add(rest, difference, shown=False)
            parts = [*parts, rest]
        self.relations.append(suppression.relation(total, parts))

    def solve(self) -> None:
        """Hide what must be hidden; called again after adding figures (a cross-tab), it may hide
        only the new ones, so every page shows the question figures the same."""
        if self.reveal:
            return
        settled = {k for k in self._solved if k not in self.hidden}
        self.hidden = suppression.protect(self.values, self.relations, threshold=self.threshold, published=self.published,
                                          locked=self.locked | settled, totals=self.totals, hidden=self.hidden)
        self._solved = set(self.published)

    def count(self, key: tuple, of: tuple | None = None) -> Count:
        """The published figure for `key`; a percentage of `of` only when both are shown (a percentage
        next to a shown count gives its base away)."""
        value = self.values[key]
        if not self.shown(key):
            return Count(None, None, self.threshold, self.hidden.get(key, PRIMARY if value < self.threshold else SECONDARY))
        base = self.values[of] if of is not None and self.shown(of) else None
        return Count(value, round(100 * value / base, 1) if base else None, self.threshold, small=value < self.threshold)

    def shown(self, key: tuple) -> bool:
        return key not in self.hidden and key in self._published_set

    @functools.cached_property
    def _published_set(self) -> set[tuple]:
        return set(self.published)


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
    texts_withheld: bool = False
    """The number who answered is hidden (to protect a small group), so the list, whose length is that number, is too."""


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


def shown_text(text: str, viewer: Viewer) -> str:
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
    figures = Figures(threshold, viewer.reveal_small_groups)
    total_key = figures.add(("responses",), len(responses))
    figures.locked.add(total_key)  # the survey list shows it too (response_count)
    results = SurveyResults(threshold, response_count(len(responses), threshold=threshold, viewer=viewer), too_few=False)
    results.too_few = results.total.suppressed
    if results.too_few:
        return results
    builders = []
    if unfinished_pages:
        builders.append(_stopped_at(figures, unfinished_pages))
    visible = [{q.key for q in definition.visible_questions({k: a.given for k, a in r.answers.items()})} for r in responses]
    builders += [_question(figures, definition, q, responses, visible, viewer) for q in definition.questions]
    builders.append(_timeline(figures, responses))
    builders.append(_modes(figures, responses))
    figures.solve()
    if crosstab_by and crosstab_of:
        builders.append(_crosstab(figures, definition, responses, crosstab_by, crosstab_of))
        figures.solve()
    for build in builders:
        build(results)
    results.unfinished = figures.count(("unfinished",)) if unfinished_pages else response_count(0, threshold=threshold, viewer=viewer)
    return results


def response_count(n: int, *, threshold: int, viewer: Viewer) -> Count:
    """A survey's number of responses, as every page shows it (the results page and the survey list)."""
    if n < threshold and not viewer.reveal_small_groups:
        return Count(None, None, threshold, PRIMARY)
    return Count(n, None, threshold, small=n < threshold)


def _stopped_at(figures: Figures, unfinished_pages: Sequence[int]):
    reached = Counter(unfinished_pages)
    unfinished = figures.add(("unfinished",), len(unfinished_pages), total=True)
    pages = [figures.add(("stopped", n), reached.get(n, 0)) for n in range(1, max(reached) + 1)]
    figures.sums(unfinished, pages)

    def build(results: SurveyResults) -> None:
        results.stopped_at = [Row(f"page {key[1]}", f"Page {key[1]}", figures.count(key)) for key in pages]
    return build


def _modes(figures: Figures, responses: Sequence[StoredResponse]):
    modes = Counter(r.mode for r in responses)
    keys = [figures.add(("mode", m), n) for m, n in modes.items()]
    figures.sums(("responses",), keys)

    def build(results: SurveyResults) -> None:
        results.modes = [Row(key[1], key[1].title(), figures.count(key, ("responses",))) for key in keys]
    return build


def _condition_of(definition: SurveyDef, question: QuestionDef):
    section = next(s for s in definition.sections if any(q.key == question.key for q in s.questions))
    return [c for c in (question.show_if, section.show_if) if c is not None]


def _question(figures: Figures, definition: SurveyDef, question: QuestionDef, responses: Sequence[StoredResponse],
              visible: Sequence[set[str]], viewer: Viewer):
    key, kind = question.key, question.kind
    q = ("q", key)
    shown_to = sum(1 for keys in visible if key in keys)
    stored = _answers_to(question, responses)
    answered = [a for a in stored if not a.given.declined]
    asked = figures.add((*q, "asked"), shown_to, total=True)
    answered_key = figures.add((*q, "answered"), len(answered), total=True)
    declined_key = figures.add((*q, "declined"), len(stored) - len(answered))
    conditions = _condition_of(definition, question)
    # Everyone is asked a question without skip logic; one with it leaves out an unpublished number.
    figures.sums(("responses",), [asked], rest=(*q, "not asked"), may_have_rest=bool(conditions))
    figures.sums(asked, [answered_key, declined_key], rest=(*q, "skipped"), may_have_rest=not question.required)
    if len(conditions) == 1:
        parent = definition.question(conditions[0].question)
        if parent is not None and parent.kind is not QuestionKind.multiple_choice:
            chosen = Counter(str(r.answers[parent.key].given.value) for r in responses
                             if parent.key in r.answers and not r.answers[parent.key].given.declined)
            if sum(chosen.get(v, 0) for v in conditions[0].values) == shown_to:
                # "Asked" equals the parent's counts for the answers that show it: a reader can see that too.
                figures.relations.append(suppression.relation(asked, [("q", parent.key, "opt", v) for v in sorted(conditions[0].values)]))
    too_few = len(answered) < figures.threshold and not viewer.reveal_small_groups
    values = [a.given.value for a in answered]
    rows: list[tuple[tuple, str, str]] = []  # (figure key, value, label)

    def breakdown(counts: dict[str, int], labels: dict[str, str], kind_of_cell: str = "opt", *, whole: bool = True) -> None:
        for value, n in counts.items():
            rows.append((figures.add((*q, kind_of_cell, value), n, shown=not too_few), value, labels[value]))
        if whole:
            figures.sums(answered_key, [r[0] for r in rows if r[0][2] == kind_of_cell], rest=(*q, kind_of_cell, "rest"), may_have_rest=False)

    likert: list[tuple[tuple, str, str]] = []
    feelings: list[tuple[tuple, str, str]] = []
    if kind in TEXT_KINDS:
        counted = Counter(a.sentiment_label or "neutral" for a in answered)
        for name in ("positive", "neutral", "negative"):
            feelings.append((figures.add((*q, "feeling", name), counted.get(name, 0), shown=not too_few), name, name.title()))
        figures.sums(answered_key, [f[0] for f in feelings])
    elif kind is QuestionKind.date:
        months = Counter(str(v)[:7] for v in values)
        breakdown(dict(sorted(months.items())), {m: m for m in months}, "month")
    elif kind is QuestionKind.ranking:
        firsts = Counter(v[0] for v in values if v)
        breakdown({o.value: firsts.get(o.value, 0) for o in question.options}, {o.value: o.label for o in question.options})
    elif kind is QuestionKind.multiple_choice:
        chosen = Counter(v for value in values for v in value)
        counts = {o.value: chosen.get(o.value, 0) for o in question.options}
        if question.allow_other:
            counts[OTHER] = chosen.get(OTHER, 0)
        breakdown(counts, {v: question.label_of(v) for v in counts}, whole=False)
        for row_key, value, _ in rows:
            # Several choices each: each option splits the people who answered into chose / did not.
            figures.sums(answered_key, [row_key], rest=(*q, "not chosen", value))
    elif kind is not QuestionKind.number:
        counted = Counter(str(v) for v in values)
        breakdown({o.value: counted.get(o.value, 0) for o in question.options}, {o.value: question.label_of(o.value) for o in question.options})
        if kind is QuestionKind.likert:
            groups = {"disagree": ("1", "2"), "neutral": ("3",), "agree": ("4", "5")}
            labels = {"disagree": "Disagree", "neutral": "Neither", "agree": "Agree"}
            for name, members in groups.items():
                group = figures.add((*q, "group", name), sum(counted.get(m, 0) for m in members), shown=not too_few)
                figures.sums(group, [(*q, "opt", m) for m in members if (*q, "opt", m) in figures.values])
                likert.append((group, name, labels[name]))

    def build(results: SurveyResults) -> None:
        result = QuestionResult(question, figures.count(asked), figures.count(answered_key, asked),
                                figures.count(declined_key, asked), too_few=too_few)
        results.questions.append(result)
        if too_few:
            return
        result.rows = [Row(value, label, figures.count(k, answered_key)) for k, value, label in rows]
        result.likert_groups = [Row(value, label, figures.count(k, answered_key)) for k, value, label in likert]
        result.sentiment = [Row(value, label, figures.count(k, answered_key)) for k, value, label in feelings]
        if kind in (QuestionKind.number, QuestionKind.rating):
            result.stats = _mean_and_median(values)
        if kind is QuestionKind.ranking:
            for option in question.options:
                ranks = [v.index(option.value) + 1 for v in values if option.value in v]
                if ranks and (len(ranks) >= figures.threshold or viewer.reveal_small_groups):
                    result.stats[option.value] = round(statistics.fmean(ranks), 2)
        if kind in TEXT_KINDS:
            # The list's length is the number who answered: no list when that number is hidden.
            if figures.shown(answered_key):
                # Each text's label adds up to the feelings chart: labels only when all its counts are shown.
                labelled = all(figures.shown(k) for k, _, _ in feelings)
                result.texts = [FreeTextItem(shown_text(a.given.value, viewer),
                                             (a.sentiment_label or "neutral") if labelled else "") for a in answered]
            else:
                result.texts_withheld = True
        if kind is QuestionKind.multiple_choice and figures.shown((*q, "opt", OTHER)) and (*q, "opt", OTHER) in figures.values:
            result.other_texts = [shown_text(a.given.other_text, viewer) for a in answered if a.given.other_text]
    return build


def _answers_to(question: QuestionDef, responses: Sequence[StoredResponse]):
    return [r.answers[question.key] for r in responses if question.key in r.answers]


def _mean_and_median(values) -> dict[str, float]:
    """Mean and median of number or rating answers; nothing when there are none yet (a new survey)."""
    numbers = [float(v) for v in values]
    if not numbers:
        return {}
    return {"mean": round(statistics.fmean(numbers), 2), "median": statistics.median(numbers)}


def _timeline(figures: Figures, responses: Sequence[StoredResponse]):
    """Responses per week (Monday to Sunday): the weeks add up to the total, so a hidden week takes
    another with it."""
    weeks = Counter(_monday(r.submitted_at) for r in responses)
    keys = []
    week = min(weeks, default=None)
    while week is not None and week <= max(weeks):
        keys.append(figures.add(("week", week.isoformat()), weeks.get(week, 0)))
        week += timedelta(days=7)
    if keys:
        figures.sums(("responses",), keys)

    def build(results: SurveyResults) -> None:
        results.timeline = [Row(k[1], f"w/c {date.fromisoformat(k[1]).strftime('%d %b')}", figures.count(k)) for k in keys]
    return build


def _monday(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


def crosstab_candidates(definition: SurveyDef) -> list[QuestionDef]:
    """Questions people can be grouped by: one answer each from a fixed list."""
    return [q for q in definition.questions if q.kind in (QuestionKind.single_choice, QuestionKind.yes_no, QuestionKind.likert)]


def _cell(*pairs: tuple[str, str | None]) -> tuple:
    """A cross-tab cell's key, the same whichever question is the split: "by a of b" and "by b of
    a" publish one table, so they must hide the same cells."""
    return ("x", *sorted(pairs, key=lambda pair: pair[0]))


def _crosstab(figures: Figures, definition: SurveyDef, responses: Sequence[StoredResponse], by_key: str, of_key: str):
    """Answers to `of` split by the answer to `by`. A group's size *is* the `by` question's count for
    that answer (the same figure, hidden the same way), and each answer's column adds up to the `of`
    question's count: the table, with a row for people in no group and a column for people with no
    answer to `of`, is suppressed with both margins tied to the question results, which it may not
    change (they are shown the same on every page)."""
    by, of = definition.question(by_key), definition.question(of_key)
    if by is None or of is None or by == of or by not in crosstab_candidates(definition) or of.kind not in (
            QuestionKind.single_choice, QuestionKind.yes_no, QuestionKind.likert, QuestionKind.rating, QuestionKind.multiple_choice):
        return lambda results: None
    several = of.kind is QuestionKind.multiple_choice
    # Built the same way round for "by a of b" and "by b of a" when both are one-answer questions.
    rows_q, cols_q = sorted((by, of), key=lambda q: q.key) if of in crosstab_candidates(definition) else (by, of)
    cols = [o.value for o in cols_q.options] + ([OTHER] if several and cols_q.allow_other else [])

    def chosen(response, question) -> list[str]:
        answer = response.answers.get(question.key)
        if answer is None or answer.given.declined or answer.given.value is None:
            return []
        return [str(v) for v in (answer.given.value if isinstance(answer.given.value, list) else [answer.given.value])]

    def total_of(question, value) -> tuple:
        return ("q", question.key, "opt", value) if value is not None else ("x", (question.key, None))

    def small(question, value) -> bool:
        return value is not None and figures.values[total_of(question, value)] < figures.threshold and not figures.reveal

    for question in (rows_q, cols_q):
        # People with no answer to a question: its declined, skipped and not asked, worked out.
        figures.add(total_of(question, None), len(responses) - figures.values[("q", question.key, "answered")], shown=False)
        figures.sums(total_of(question, None),
                     [k for k in (("q", question.key, part) for part in ("declined", "skipped", "not asked")) if k in figures.values],
                     rest=("x", (question.key, None), "unexplained"), may_have_rest=False)
    members: dict[str | None, list[StoredResponse]] = {o.value: [] for o in rows_q.options} | {None: []}
    for response in responses:
        values = chosen(response, rows_q)
        members[values[0] if values and values[0] in members else None].append(response)
    col_parts: dict[str | None, list[tuple]] = {c: [] for c in [*cols, None]}
    answered_parts = []
    for row, people in members.items():
        answers = [chosen(m, cols_q) for m in people]
        counts = Counter(v for values in answers for v in values)
        keys = {}
        for col in cols:
            keys[col] = figures.add(_cell((rows_q.key, row), (cols_q.key, col)), counts.get(col, 0),
                                    shown=row is not None and not small(rows_q, row) and not (not several and small(cols_q, col)))
            col_parts[col].append(keys[col])
        no_answer = figures.add(_cell((rows_q.key, row), (cols_q.key, None)), sum(1 for a in answers if not a), shown=False)
        col_parts[None].append(no_answer)
        if several:
            # Several answers each: every option splits the row's answerers into chose / did not.
            row_answered = figures.add(("x", (rows_q.key, row), "answered"), sum(1 for a in answers if a), shown=False)
            answered_parts.append(row_answered)
            figures.sums(total_of(rows_q, row), [row_answered, no_answer])
            for col in cols:
                figures.sums(row_answered, [keys[col]], rest=("x", (rows_q.key, row), "not chosen", col))
        else:
            figures.sums(total_of(rows_q, row), [*keys.values(), no_answer])
    for col, parts in col_parts.items():
        figures.sums(total_of(cols_q, col), parts)
    if several:
        figures.sums(("q", cols_q.key, "answered"), answered_parts)

    def build(results: SurveyResults) -> None:
        options = [o.value for o in of.options] + ([OTHER] if several and of.allow_other else [])
        results.crosstab = CrossTab(
            by, of, [(o.value, figures.count(total_of(by, o.value))) for o in by.options],
            {o.value: {} if small(by, o.value) else {v: figures.count(_cell((by.key, o.value), (of.key, v)), total_of(by, o.value))
                                                     for v in options} for o in by.options},
        )
    return build


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
                "feelings": None if q.too_few or not q.sentiment else {r.value: r.count.to_json() for r in q.sentiment},
                "free_text": None if q.too_few else [{"text": t.text, "sentiment": t.sentiment or None} for t in q.texts],
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

