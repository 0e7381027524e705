"""What the API reads: the same services the staff pages use, seen as a role that may not see
small groups or raw free text (an integration never does), turned into the API's Structs.

Nothing here counts or suppresses on its own: survey figures come from `surveys.questionnaires.results.summarise`
(`to_json`, as results.json), themes from `app.insights.services.run_view`, indicators from
`surveys.questionnaires.indicators`. A cohort's figures are the cells of the results page's cross-tab "by" the
cohort's question, each protected against the whole survey's figures exactly as that page is.
"""

from __future__ import annotations

import msgspec

from app.insights import services as insights
from app.insights.sources import SurveyQuestionSource
from app.integrations import schemas
from surveys.participation.suppression import PRIMARY
from surveys.questionnaires import definitions, drafts, finding, indicators, results
from surveys.questionnaires import responses as survey_responses
from surveys.questionnaires.definition import TEXT_KINDS, SurveyDef
from surveys.questionnaires.tables import QuestionKind, Survey, SurveyStatus

VIEWER = results.Viewer()
"""Tokens never see small groups or free text before redaction."""
READABLE = (SurveyStatus.published, SurveyStatus.closed)
CROSSTAB_OF_KINDS = (QuestionKind.single_choice, QuestionKind.yes_no, QuestionKind.likert, QuestionKind.rating,
                     QuestionKind.multiple_choice)


class NoSuchThing(LookupError):
    """404: the survey does not exist or is not readable through the API."""


class BadRequest(ValueError):
    """400: a parameter that names nothing in this survey; the message lists what would."""


async def readable_survey(survey_id: int) -> dict:
    survey = await finding.get_survey(survey_id)
    if survey is None or survey["status"] not in READABLE:
        raise NoSuchThing("There is no such survey (only published and closed surveys are in the API).")
    return survey


async def survey_page(*, threshold: int, limit: int, offset: int) -> schemas.SurveyPage:
    rows = [s for s in await finding.list_surveys() if s["status"] in READABLE]
    rows.sort(key=lambda s: s["id"])
    details = {r["id"]: r for r in await Survey.select(Survey.id, Survey.series, Survey.wave).where(
        Survey.id.is_in([s["id"] for s in rows[offset:offset + limit]] or [0]))}
    items = [schemas.SurveySummary(
        id=s["id"], title=s["title"], status=s["status"], audience=s["audience"], series=details[s["id"]]["series"],
        wave=details[s["id"]]["wave"], responses=results.response_count(s["responses"], threshold=threshold, viewer=VIEWER).to_json(),
    ) for s in rows[offset:offset + limit]]
    return schemas.SurveyPage(items=items, total=len(rows), limit=limit, offset=offset)


async def survey_results(survey_id: int, *, threshold: int, by: str = "", of: str = "", cohort: str = "") -> schemas.SurveyResults:
    """results.json's document for a viewer without small groups, and a cohort's figures if asked."""
    await readable_survey(survey_id)
    definition = await definitions.load_definition(survey_id)
    responses = await survey_responses.load_responses(definition)
    unfinished = await drafts.abandoned_drafts(survey_id)
    cohort_key, value = _cohort(definition, cohort) if cohort else ("", "")
    summary = results.summarise(definition, responses, threshold=threshold, viewer=VIEWER, unfinished_pages=unfinished,
                                crosstab_by=by or None, crosstab_of=of or None)
    document = msgspec.convert({**results.to_json(summary), "survey_id": survey_id}, schemas.SurveyResults)
    if cohort:
        document.cohort = _cohort_figures(definition, responses, unfinished, summary, cohort_key, value, threshold)
    return document


def _cohort(definition: SurveyDef, cohort: str) -> tuple[str, str]:
    key, _, value = cohort.partition("=")
    question = next((q for q in results.crosstab_candidates(definition) if q.key == key), None)
    if question is None or value not in question.option_values:
        choices = ", ".join(f"{q.key}=<{'|'.join(o.value for o in q.options)}>" for q in results.crosstab_candidates(definition))
        raise BadRequest(f"cohort must be <question>=<answer> for a one-answer question of this survey: {choices or 'this survey has none'}.")
    return key, value


def _cohort_figures(definition: SurveyDef, responses, unfinished, summary: results.SurveyResults, key: str, value: str,
                    threshold: int) -> schemas.Cohort:
    """The cohort's size is the cohort question's count for that answer (the same figure, hidden the
    same way); each other question's counts are the cross-tab "by" the cohort question, which the
    one service protects against every figure of the whole survey. A cohort whose size is kept back
    gets no breakdown at all."""
    grouping = None if summary.too_few else next(q for q in summary.questions if q.question.key == key)
    if grouping is None or grouping.too_few:  # fewer than the threshold answered at all, so the cohort is smaller
        size = results.Count(None, None, threshold, PRIMARY)
    else:
        size = next(r.count for r in grouping.rows if r.value == value)
    too_few = size.suppressed
    questions = []
    for question in definition.questions:
        if question.key == key or question.kind not in CROSSTAB_OF_KINDS:
            continue
        counts = None
        if not too_few:
            split = results.summarise(definition, responses, threshold=threshold, viewer=VIEWER, unfinished_pages=unfinished,
                                      crosstab_by=key, crosstab_of=question.key)
            cells = split.crosstab.cells.get(value) if split.crosstab else None
            counts = {option: count.to_json() for option, count in cells.items()} if cells else None
        questions.append(schemas.CohortQuestion(key=question.key, counts=counts))
    message = (f"Fewer than {threshold} people in this cohort, or its size is kept back to protect a smaller group: "
               "its figures are not shown." if too_few else "Each count is this cohort's cell of the cross-tab by "
               f"'{key}', suppressed as on the results page.")
    return schemas.Cohort(question=key, value=value, size=size.to_json(), too_few=too_few, message=message, questions=questions)


async def survey_themes(survey_id: int, *, threshold: int, question: str = "", by: str = "") -> schemas.Themes:
    """The latest theme run over one free-text question (all its answers), as the insights page shows it."""
    await readable_survey(survey_id)
    definition = await definitions.load_definition(survey_id)
    text_questions = [q.key for q in definition.questions if q.kind in TEXT_KINDS]
    question = question or (text_questions[0] if text_questions else "")
    if question not in text_questions:
        raise BadRequest(f"question must be a free-text question of this survey: {', '.join(text_questions) or 'it has none'}.")
    cohort_keys = [q.key for q in results.crosstab_candidates(definition)]
    if by and by not in cohort_keys and by != insights.OVER_TIME:
        raise BadRequest(f"by must be a one-answer question of this survey or {insights.OVER_TIME}: {', '.join(cohort_keys)}.")
    run = await insights.latest_run(SurveyQuestionSource(survey_id, question).key)
    view = await insights.run_view(run, viewer=VIEWER, threshold=threshold, by_key=by) if run else None
    themes = []
    if view is not None:
        for theme in view.themes:
            themes.append(schemas.Theme(
                id=theme.id, label=theme.label, kind=theme.kind, keywords=theme.keywords, size=theme.count.to_json(),
                sentiment={k: c.to_json() for k, c in theme.sentiment.items()} if theme.sentiment else None,
                quotes=[q["text"] for q in theme.quotes],
                by_cohort=dict(zip(view.cohorts, (c.to_json() for c in theme.by_cohort), strict=True)) if view.cohorts else None,
                is_new=theme.is_new,
            ))
    return schemas.Themes(
        survey_id=survey_id, question=question, by=by or None,
        run=schemas.ThemeRunInfo(id=run["id"], state=run["state"], outcome=run["outcome"],
                                 finished_at=run["finished_at"].isoformat() if run["finished_at"] else None) if run else None,
        total=view.total.to_json() if view else None,
        cohort_totals=dict(zip(view.cohorts, (c.to_json() for c in view.cohort_totals), strict=True)) if view and view.cohorts else None,
        themes=themes,
    )


async def _readable(row: dict) -> bool:
    return row["status"] in READABLE


async def outcome_indicators(*, threshold: int, number: int | None = None) -> schemas.OutcomePage:
    """Indicators per outcome, from the same comparisons as /outcomes (every wave summarised without small groups)."""
    outcomes = await indicators.list_outcomes()
    if number is not None:
        outcomes = [o for o in outcomes if o["number"] == number]
        if not outcomes:
            raise NoSuchThing("There is no such outcome: the theory of change has outcomes 1 to 12.")
    loaded = await indicators.load_series(threshold=threshold, may_see=_readable)
    return schemas.OutcomePage(items=[_outcome(indicators.outcome_page(o, loaded)) for o in outcomes])


def _wave(figures: indicators.WaveFigures) -> schemas.WaveFigures:
    return schemas.WaveFigures(
        survey_id=figures.wave.survey_id, title=figures.wave.title, wave=figures.wave.number, answered=figures.answered.to_json(),
        asked=figures.asked.to_json(), share=figures.share.to_json() if figures.share is not None else None, mean=figures.mean)


def _outcome(page: indicators.OutcomePage) -> schemas.OutcomeIndicators:
    items = []
    for i in page.indicators:
        share, dist = i.share, i.distribution
        items.append(schemas.Indicator(
            question=i.question.key, text=i.question.text, kind=i.question.kind.value, series=i.series, measure=i.measure, base=i.base,
            baseline=_wave(i.baseline), latest=_wave(i.latest),
            share_change=schemas.ShareChange(before=share.before, after=share.after, difference=share.difference, low=share.low,
                                             high=share.high, p_value=share.p_value) if share else None,
            distribution_change=schemas.DistributionChange(p_value=dist.p_value, superiority=dist.superiority, mean_before=dist.mean_before,
                                                           mean_after=dist.mean_after, mean_low=dist.mean_low,
                                                           mean_high=dist.mean_high) if dist else None,
            not_enough=i.not_enough, summary=i.summary,
        ))
    return schemas.OutcomeIndicators(number=page.outcome["number"], statement=page.outcome["statement"], indicators=items,
                                     waiting_series=[s.name for s in page.waiting])


# --- findings and actions ------------------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


async def _sent_findings(status: str = "") -> list[dict]:
    from app import clock
    from app.findings import services as findings
    from app.findings.tables import Finding, FindingState

    if status and status not in findings.STATUSES or status == "draft":
        raise BadRequest(f"status must be one of {', '.join(s for s in findings.STATUSES if s != 'draft')}.")
    today = clock.now().date()
    rows = await findings.finding_rows(Finding.state == FindingState.sent)
    rows.sort(key=lambda r: r["id"])
    return [r for r in rows if not status or findings.status_of(r, today) == status]


def _action(a) -> schemas.Action:
    return schemas.Action(id=a.id, finding_id=a.finding_id, description=a.description, owner=a.owner, due_on=a.due_on.isoformat(),
                          progress=a.progress, updated_at=a.updated_at.isoformat())


async def _finding(row: dict, actions: list) -> schemas.Finding:
    from app import clock
    from app.findings import services as findings

    evidence = [await findings.resolve_evidence(e) for e in await findings.evidence_rows(row["id"])]
    return schemas.Finding(
        id=row["id"], title=row["title"], summary=row["summary"], recommendation=row["recommendation"],
        status=findings.status_of(row, clock.now().date()), recipient=findings.recipient_label(row),
        project=row["project_reference"], board=row["board_slug"], sent_at=row["sent_at"].isoformat(), due_on=_iso(row["due_on"]),
        answered_at=_iso(row["answered_at"]), reason=row["answer_reason"] or "",
        evidence=[schemas.Evidence(kind=e.kind, figures=e.figures, quote=e.quote, run_id=e.run_id, theme_id=e.theme_id,
                                   outcome_number=e.outcome_number, question_key=e.question_key, survey_ids=e.survey_ids,
                                   resolves=e.resolves) for e in evidence],
        actions=[_action(a) for a in actions if a.finding_id == row["id"]],
    )


async def finding_page(*, status: str = "", limit: int, offset: int) -> schemas.FindingPage:
    """Findings sent to projects and boards (never drafts), oldest first. Their evidence is what they
    showed anyone: counts suppressed when added, quotes redacted, held answers never quoted."""
    from app.findings import services as findings

    rows = await _sent_findings(status)
    page = rows[offset:offset + limit]
    actions = await findings.list_actions([r["id"] for r in page])
    return schemas.FindingPage(items=[await _finding(r, actions) for r in page], total=len(rows), limit=limit, offset=offset)


async def one_finding(finding_id: int) -> schemas.Finding:
    from app.findings import services as findings

    row = next((r for r in await _sent_findings() if r["id"] == finding_id), None)
    if row is None:
        raise NoSuchThing("There is no such finding (drafts are not in the API).")
    return await _finding(row, await findings.list_actions([finding_id]))


async def action_page(*, limit: int, offset: int) -> schemas.ActionPage:
    """Every action agreed in answer to a finding, oldest first."""
    from app.findings import services as findings

    actions = await findings.list_actions([r["id"] for r in await _sent_findings()])
    return schemas.ActionPage(items=[_action(a) for a in actions[offset:offset + limit]], total=len(actions), limit=limit, offset=offset)
