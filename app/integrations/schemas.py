"""The API's response bodies (msgspec Structs, so /schema documents every field) and the admin form."""

from __future__ import annotations

from typing import Annotated

import msgspec

Figure = Annotated[int | str, msgspec.Meta(
    description='A count: a number, "<5" (fewer than the threshold, 0 included) or "hidden" (at least the '
                "threshold, kept back so a small group cannot be worked out). Tokens never see small groups.")]


# --- admin form ------------------------------------------------------------------------------------


class TokenForm(msgspec.Struct):
    # Fields default to blank: a form sent without them gets its message on the form, not a bare 400.
    name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    scopes: list[str] | str = ""
    expires_on: Annotated[str, msgspec.Meta(max_length=20)] = ""

    @property
    def scope_list(self) -> list[str]:
        return [s for s in (self.scopes if isinstance(self.scopes, list) else [self.scopes]) if s][:10]


# --- surveys -----------------------------------------------------------------------------------------


class SurveySummary(msgspec.Struct):
    id: int
    title: str
    status: str
    audience: str
    series: str
    wave: int
    responses: Figure


class SurveyPage(msgspec.Struct):
    items: list[SurveySummary]
    total: int
    limit: int
    offset: int


class Week(msgspec.Struct):
    week: Annotated[str, msgspec.Meta(description="The Monday starting the week (ISO date).")]
    responses: Figure


class FreeText(msgspec.Struct):
    text: Annotated[str, msgspec.Meta(description="The answer with personal details replaced by [NAME], [PHONE] …")]
    sentiment: str | None


class QuestionResult(msgspec.Struct):
    key: str
    text: str
    kind: str
    outcome: int | None
    shown: Figure
    answered: Figure
    declined: Figure
    counts: dict[str, Figure] | None
    stats: dict[str, float] | None
    feelings: dict[str, Figure] | None
    free_text: list[FreeText] | None


class CrossTabGroup(msgspec.Struct):
    size: Figure
    counts: dict[str, Figure] | None


class CrossTab(msgspec.Struct):
    by: str
    of: str
    groups: dict[str, CrossTabGroup]


class CohortQuestion(msgspec.Struct):
    key: str
    counts: dict[str, Figure] | None
    """None when the cohort is too small to break down."""


class Cohort(msgspec.Struct):
    question: str
    value: str
    size: Figure
    too_few: bool
    message: str
    questions: list[CohortQuestion]


class SurveyResults(msgspec.Struct):
    """The survey's results exactly as results.json gives them to a role that may not see small groups."""

    survey_id: int
    threshold: int
    responses: Figure
    unfinished: Figure | None
    unfinished_by_page: dict[str, Figure]
    timeline: list[Week]
    modes: dict[str, Figure]
    questions: list[QuestionResult]
    crosstab: CrossTab | None
    cohort: Cohort | None = None


# --- themes --------------------------------------------------------------------------------------------


class ThemeRunInfo(msgspec.Struct):
    id: int
    state: str
    outcome: str
    finished_at: str | None


class Theme(msgspec.Struct):
    id: int
    label: str
    kind: str
    keywords: list[str]
    size: Figure
    sentiment: dict[str, Figure] | None
    quotes: Annotated[list[str], msgspec.Meta(description="Redacted; none for a theme whose size is kept back.")]
    by_cohort: dict[str, Figure] | None
    is_new: bool


class Themes(msgspec.Struct):
    survey_id: int
    question: str
    by: str | None
    run: ThemeRunInfo | None
    total: Figure | None
    cohort_totals: dict[str, Figure] | None
    themes: list[Theme]


# --- indicators ---------------------------------------------------------------------------------------


class WaveFigures(msgspec.Struct):
    survey_id: int
    title: str
    wave: int
    answered: Figure
    asked: Figure
    share: Figure | None
    mean: float | None


class ShareChange(msgspec.Struct):
    before: float
    after: float
    difference: float
    low: float
    high: float
    p_value: float


class DistributionChange(msgspec.Struct):
    p_value: float
    superiority: float
    mean_before: float
    mean_after: float
    mean_low: float | None
    mean_high: float | None


class Indicator(msgspec.Struct):
    question: str
    text: str
    kind: str
    series: str
    measure: str
    base: str
    baseline: WaveFigures
    latest: WaveFigures
    share_change: ShareChange | None
    distribution_change: DistributionChange | None
    not_enough: str | None
    summary: str


class OutcomeIndicators(msgspec.Struct):
    number: int
    statement: str
    indicators: list[Indicator]
    waiting_series: Annotated[list[str], msgspec.Meta(description="Series with only one wave with answers so far.")]


class OutcomePage(msgspec.Struct):
    items: list[OutcomeIndicators]


# --- findings and actions ------------------------------------------------------------------------------


class Action(msgspec.Struct):
    id: int
    finding_id: int
    description: str
    owner: Annotated[str, msgspec.Meta(description="The named person who owns it.")]
    due_on: str
    progress: Annotated[int, msgspec.Meta(ge=0, le=100, description="Per cent done.")]
    updated_at: str


class Evidence(msgspec.Struct):
    kind: Annotated[str, msgspec.Meta(description="theme_counts, quote or indicator.")]
    figures: Annotated[dict, msgspec.Meta(description="What the finding showed, as shown: counts suppressed as on pages.")]
    quote: Annotated[str, msgspec.Meta(description="A redacted quote (quote evidence only).")]
    run_id: int | None
    theme_id: int | None
    outcome_number: int | None
    question_key: str
    survey_ids: list[int]
    resolves: Annotated[bool, msgspec.Meta(description="Every source record it names still exists.")]


class Finding(msgspec.Struct):
    id: int
    title: str
    summary: str
    recommendation: str
    status: Annotated[str, msgspec.Meta(description="sent, overdue, accepted or not_taken_forward (drafts are never in the API).")]
    recipient: str
    project: str | None
    board: str | None
    sent_at: str
    due_on: str | None
    answered_at: str | None
    reason: Annotated[str, msgspec.Meta(description="Why it is not taken forward (else empty).")]
    evidence: list[Evidence]
    actions: list[Action]


class FindingPage(msgspec.Struct):
    items: list[Finding]
    total: int
    limit: int
    offset: int


class ActionPage(msgspec.Struct):
    items: list[Action]
    total: int
    limit: int
    offset: int
