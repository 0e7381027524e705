"""Theory-of-change indicators: for each question tagged to an outcome, its baseline wave against
the latest follow-up wave of the same survey series.

Every figure comes from `results.summarise` (the one aggregation service), run per wave for a
viewer who may not see small groups, whoever is looking: a count hidden there ("fewer than 5" or
"hidden") is neither shown here nor used in a test, and the comparison says "not enough answers
to tell" instead. Then `surveys.questionnaires.statistics` decides whether the samples are big enough to claim
anything (n >= 30 per wave; for a share, every expected cell >= 5) and does the test:
- yes / no questions: the share answering "yes" (two-proportion z-test, 95 % interval);
- agree / disagree (Likert): the share agreeing (agree or strongly agree; the same test), and
  the whole distribution (Mann-Whitney U);
- ratings 0-10: the mean with a 95 % interval for its change, and Mann-Whitney U.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from app.governance.tables import Outcome
from surveys.participation import charts
from surveys.questionnaires import definitions, results, statistics
from surveys.questionnaires import responses as survey_responses
from surveys.questionnaires.definition import QuestionDef, SurveyDef
from surveys.questionnaires.tables import QuestionKind, Survey, SurveyStatus

COMPARED_KINDS = (QuestionKind.yes_no, QuestionKind.likert, QuestionKind.rating)
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class Wave:
    survey_id: int
    title: str
    number: int
    first_answer: datetime | None
    last_answer: datetime | None


@dataclass(frozen=True)
class WaveFigures:
    """One wave's published figures for one question (each a suppressed `results.Count`)."""

    wave: Wave
    answered: results.Count
    asked: results.Count
    share: results.Count | None = None
    """Yes, or agree + strongly agree, out of those who answered (None for ratings)."""
    mean: float | None = None
    likert_segments: list[charts.Segment] | None = None


@dataclass
class Indicator:
    question: QuestionDef
    series: str
    baseline: WaveFigures
    latest: WaveFigures
    share: statistics.ShareChange | None = None
    distribution: statistics.DistributionChange | None = None
    not_enough: str | None = None
    """Why no claim is made ("not enough answers to tell" and the reason), or None."""
    base: str = "answered"
    """What a share is out of: "answered", or "asked" when the number who answered is kept back in a
    wave (it would give away a small number who declined) and everyone asked is counted instead."""
    summary: str = ""
    """The result in plain language."""
    chart: list[charts.Bar] = field(default_factory=list)

    def n(self, figures: WaveFigures) -> results.Count:
        """The sample size shown beside a wave's figure."""
        return figures.asked if self.base == "asked" else figures.answered

    @property
    def measure(self) -> str:
        return {QuestionKind.yes_no: "said yes", QuestionKind.likert: "agreed", QuestionKind.rating: "average rating"}[self.question.kind]


@dataclass
class Series:
    name: str
    waves: list[Wave]


@dataclass
class OutcomePage:
    outcome: dict
    indicators: list[Indicator]
    waiting: list[Series]
    """Series with questions on this outcome but only one wave with answers so far."""


async def list_outcomes() -> list[dict]:
    return await Outcome.select().order_by(Outcome.number)


async def get_outcome(number: int) -> dict | None:
    return await Outcome.select().where(Outcome.number == number).first()


async def series_waves(may_see: Callable[[dict], Awaitable[bool]]) -> list[Series]:
    """Every series with its waves (surveys that have been published), as far as the viewer may see them."""
    rows = await Survey.select().where(Survey.series != "", Survey.status != SurveyStatus.draft).order_by(Survey.series).order_by(Survey.wave)
    by_name: dict[str, list[Wave]] = {}
    for row in rows:
        if await may_see(row):
            by_name.setdefault(row["series"], []).append(Wave(row["id"], row["title"], row["wave"], None, None))
    return [Series(name, waves) for name, waves in by_name.items()]


@dataclass
class LoadedSeries:
    name: str
    waves: list[tuple[Wave, SurveyDef, results.SurveyResults]]


async def load_series(*, threshold: int, may_see: Callable[[dict], Awaitable[bool]]) -> list[LoadedSeries]:
    """Every series the viewer may see, each wave summarised once (an index of outcomes reuses them)."""
    return [LoadedSeries(s.name, [await _load_wave(w, threshold) for w in s.waves]) for s in await series_waves(may_see)]


def outcome_page(outcome: dict, loaded: Sequence[LoadedSeries]) -> OutcomePage:
    page = OutcomePage(outcome, [], [])

    def tagged(definition: SurveyDef) -> list[QuestionDef]:
        return [q for q in definition.questions if q.outcome == outcome["number"] and q.kind in COMPARED_KINDS]

    for series in loaded:
        with_answers = [w for w in series.waves if not w[2].too_few]
        if len(with_answers) < 2:
            if any(tagged(definition) for _, definition, _ in series.waves):
                page.waiting.append(Series(series.name, [w for w, _, _ in series.waves]))
            continue
        (base_wave, base_def, base_results), (last_wave, last_def, last_results) = with_answers[0], with_answers[-1]
        for question in tagged(last_def):
            before = base_def.question(question.key)
            if before is None or before.kind is not question.kind:
                continue  # not asked at baseline (or asked differently): nothing to compare
            page.indicators.append(compare(question, series.name, _figures(base_wave, base_results, question.key),
                                           _figures(last_wave, last_results, question.key),
                                           _result_of(base_results, question.key), _result_of(last_results, question.key)))
    return page


async def _load_wave(wave: Wave, threshold: int) -> tuple[Wave, SurveyDef, results.SurveyResults]:
    definition = await definitions.load_definition(wave.survey_id)
    responses = await survey_responses.load_responses(definition)
    # Never the viewer's own permissions: small groups are kept out of every indicator for everyone.
    summary = results.summarise(definition, responses, threshold=threshold, viewer=results.Viewer())
    if responses:
        wave = Wave(wave.survey_id, wave.title, wave.number, responses[0].submitted_at, responses[-1].submitted_at)
    return wave, definition, summary


def _result_of(summary: results.SurveyResults, key: str) -> results.QuestionResult:
    return next(q for q in summary.questions if q.question.key == key)


def _figures(wave: Wave, summary: results.SurveyResults, key: str) -> WaveFigures:
    result = _result_of(summary, key)
    share = None
    if result.question.kind is QuestionKind.yes_no:
        share = next((r.count for r in result.rows if r.value == "yes"), None)
    elif result.question.kind is QuestionKind.likert:
        share = next((g.count for g in result.likert_groups if g.value == "agree"), None)
    mean = result.stats.get("mean") if result.question.kind is QuestionKind.rating and not result.too_few else None
    segments = charts.diverging(result.likert_groups) if result.question.kind is QuestionKind.likert else None
    return WaveFigures(wave, result.answered, result.shown, share, mean, segments)


def _shown_levels(result: results.QuestionResult) -> dict[float, int] | None:
    """Answers per level for Mann-Whitney, from shown counts only: every option, or else (Likert) the
    three groups disagree / neither / agree; None when a needed count is hidden."""
    if result.too_few:
        return None
    if result.rows and not any(r.count.suppressed for r in result.rows):
        return {float(r.value): r.count.value for r in result.rows}
    if result.likert_groups and not any(g.count.suppressed for g in result.likert_groups):
        return {float(i): g.count.value for i, g in enumerate(result.likert_groups, start=1)}
    return None


HIDDEN = "not enough answers to tell: a group in one wave is too small to show, so it is not used"


def _common_base(before: WaveFigures, after: WaveFigures) -> str | None:
    """Shares are out of those who answered when both waves show that number, else out of everyone
    asked when both show that; None when neither can be used."""
    if not before.answered.suppressed and not after.answered.suppressed:
        return "answered"
    if not before.asked.suppressed and not after.asked.suppressed:
        return "asked"
    return None


def compare(question: QuestionDef, series: str, before: WaveFigures, after: WaveFigures,
            before_result: results.QuestionResult, after_result: results.QuestionResult) -> Indicator:
    indicator = Indicator(question, series, before, after)
    kind = question.kind
    if kind in (QuestionKind.yes_no, QuestionKind.likert):
        base = _common_base(before, after)
        if base is None or before.share is None or after.share is None or before.share.suppressed or after.share.suppressed:
            indicator.not_enough = HIDDEN
        else:
            indicator.base = base
            counts = (before.share.value, getattr(before, base).value, after.share.value, getattr(after, base).value)
            reason = statistics.too_few_for_shares(*counts)
            if reason:
                indicator.not_enough = f"not enough answers to tell: {reason}"
            else:
                indicator.share = statistics.compare_shares(*counts)
    if indicator.not_enough is None and kind in (QuestionKind.likert, QuestionKind.rating):
        levels_before, levels_after = _shown_levels(before_result), _shown_levels(after_result)
        if levels_before is None or levels_after is None or set(levels_before) != set(levels_after):
            if kind is QuestionKind.rating:
                indicator.not_enough = HIDDEN
            # An agree/disagree question keeps its share; only the whole-scale test is left out.
        elif reason := statistics.too_few_for_distributions(sum(levels_before.values()), sum(levels_after.values())):
            indicator.not_enough = f"not enough answers to tell: {reason}"
        else:
            indicator.distribution = statistics.compare_distributions(
                statistics.expand(levels_before), statistics.expand(levels_after), with_mean_interval=kind is QuestionKind.rating)
    indicator.summary = summary(indicator)
    indicator.chart = _chart(indicator)
    return indicator


def percent(share: float) -> str:
    return f"{round(100 * share)} %"


def signed(value: float, digits: int = 0) -> str:
    text = f"{abs(value):.{digits}f}"
    return ("−" if value < 0 and float(text) else "+") + text


def p_text(p: float) -> str:
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def clear(p: float, low: float | None = None, high: float | None = None) -> bool:
    """A change is called clear when the test says so (p < 0.05) and its interval (if any) leaves out no change."""
    return p < SIGNIFICANCE and (low is None or high is None or low > 0 or high < 0)


def summary(indicator: Indicator) -> str:
    question, share, dist = indicator.question, indicator.share, indicator.distribution
    quoted = f"“{question.text}”"
    if indicator.not_enough:
        return f"{quoted}: {indicator.not_enough[0].upper()}{indicator.not_enough[1:]}."
    parts = []
    if share is not None:
        verb = "said yes to" if question.kind is QuestionKind.yes_no else "agreed with"
        points = 100 * share.difference
        figures = (f"{percent(share.before)} → {percent(share.after)}, {signed(points)} points "
                   f"(95 % CI {signed(100 * share.low)} to {signed(100 * share.high)}), {p_text(share.p_value)}")
        if indicator.base == "asked":
            figures += ", out of everyone asked (the number who answered is kept back to protect a small group)"
        if clear(share.p_value, share.low, share.high):
            parts.append(f"{'More' if points > 0 else 'Fewer'} young people {verb} {quoted}: {figures}.")
        else:
            parts.append(f"No clear change in how many {verb} {quoted}: {figures}. The difference could be chance.")
    if dist is not None:
        if question.kind is QuestionKind.rating:
            change = dist.mean_after - dist.mean_before
            figures = (f"average {dist.mean_before:.1f} → {dist.mean_after:.1f} out of 10, {signed(change, 1)} "
                       f"(95 % CI {signed(dist.mean_low, 1)} to {signed(dist.mean_high, 1)}), Mann-Whitney {p_text(dist.p_value)}")
            if clear(dist.p_value, dist.mean_low, dist.mean_high):
                parts.append(f"Ratings for {quoted} went {'up' if change > 0 else 'down'}: {figures}.")
            else:
                parts.append(f"No clear change in ratings for {quoted}: {figures}. The difference could be chance.")
        else:
            direction = "towards agreeing" if dist.superiority > 0.5 else "towards disagreeing"
            odds = f"a follow-up answer is higher than a baseline one {round(100 * dist.superiority)} % of the time"
            if clear(dist.p_value):
                parts.append(f"Across the whole scale, answers moved {direction} (Mann-Whitney {p_text(dist.p_value)}; {odds}).")
            else:
                parts.append(f"Across the whole scale, no clear shift (Mann-Whitney {p_text(dist.p_value)}; {odds}).")
    return " ".join(parts)


def _chart(indicator: Indicator) -> list[charts.Bar]:
    """The headline figure in each wave: a share (of 100 %) or an average rating (of 10)."""
    bars = []
    for figures in (indicator.baseline, indicator.latest):
        label = f"Wave {figures.wave.number}" + (" (baseline)" if figures is indicator.baseline else "")
        if indicator.question.kind is QuestionKind.rating:
            if figures.mean is None:
                bars.append(charts.Bar(label, "not shown", 0.0, True))
            else:
                bars.append(charts.Bar(label, f"average {figures.mean:.1f} of 10 (n = {indicator.n(figures)})", 10 * figures.mean, False))
        elif figures.share is None or figures.share.suppressed or indicator.n(figures).suppressed:
            bars.append(charts.Bar(label, str(figures.share) if figures.share is not None else "not shown", 0.0, True))
        else:
            share = figures.share.value / indicator.n(figures).value
            bars.append(charts.Bar(label, f"{percent(share)} {indicator.measure} (n = {indicator.n(figures)})", round(100 * share, 2), False))
    return bars
