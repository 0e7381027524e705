"""The read-only data API under /api/v1: thin handlers over `data`, each guarded by the scope it needs."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Router, get
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.params import Parameter

from app.database import LARGEST_ID
from app.integrations import data, schemas
from app.integrations.auth import SECURITY_SCHEME_NAME, api_error, scope
from app.integrations.services import Scope
from app.web.requests import AppSettings, RowId

MAX_LIMIT = 100
Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description=f"How many to return (1-{MAX_LIMIT}).")]
Offset = Annotated[int, Parameter(ge=0, le=LARGEST_ID, description="How many to skip.")]
Key = Annotated[str, Parameter(max_length=100)]


async def _call(coroutine):
    """The data layer's refusals as HTTP answers with their messages."""
    try:
        return await coroutine
    except data.NoSuchThing as missing:
        raise NotFoundException(str(missing)) from None
    except data.BadRequest as problem:
        raise ValidationException(str(problem)) from None


class SurveysApi(Controller):
    path = "/surveys"
    tags = ["api: surveys"]

    @get("/", guards=scope(Scope.results_read), summary="Published and closed surveys, with response counts through suppression")
    async def list_surveys(self, settings: AppSettings, limit: Limit = 50, offset: Offset = 0) -> schemas.SurveyPage:
        return await data.survey_page(threshold=settings.small_group_threshold, limit=limit, offset=offset)

    @get("/{survey_id:int}/results", guards=scope(Scope.results_read), summary="A survey's aggregated results, small groups suppressed")
    async def results(self, settings: AppSettings, survey_id: RowId, by: Key = "", of: Key = "",
                      cohort: Annotated[str, Parameter(max_length=200, description="<question>=<answer>: that cohort's figures too. A cohort "
                                                       "under the threshold (or kept back) is a 200 with too_few true and no figures.")] = "",
                      ) -> schemas.SurveyResults:
        """The figures results.json gives a role that may not see small groups; `by` and `of` add its cross-tab."""
        return await _call(data.survey_results(survey_id, threshold=settings.small_group_threshold, by=by, of=of, cohort=cohort))

    @get("/{survey_id:int}/themes", guards=scope(Scope.themes_read), summary="Themes of a free-text question's latest theme run")
    async def themes(self, settings: AppSettings, survey_id: RowId, question: Key = "",
                     by: Annotated[str, Parameter(max_length=100, description="A one-answer question to split each theme by, or @month.")] = "",
                     ) -> schemas.Themes:
        """Labels, sizes, sentiment split and keywords; redacted quotes; flagged answers never included."""
        return await _call(data.survey_themes(survey_id, threshold=settings.small_group_threshold, question=question, by=by))


class OutcomesApi(Controller):
    path = "/outcomes"
    tags = ["api: indicators"]
    guards = scope(Scope.indicators_read)

    @get("/", summary="Theory-of-change indicators for every outcome, baseline against latest wave")
    async def outcomes(self, settings: AppSettings) -> schemas.OutcomePage:
        return await data.outcome_indicators(threshold=settings.small_group_threshold)

    @get("/{number:int}", summary="One outcome's indicators")
    async def outcome(self, settings: AppSettings, number: Annotated[int, Parameter(ge=1, le=1000)]) -> schemas.OutcomeIndicators:
        return (await _call(data.outcome_indicators(threshold=settings.small_group_threshold, number=number))).items[0]


class FindingsApi(Controller):
    path = "/findings"
    tags = ["api: findings"]
    guards = scope(Scope.findings_read)

    @get("/", summary="Findings sent to projects and boards, with evidence, answers and actions")
    async def findings(self, limit: Limit = 50, offset: Offset = 0,
                       status: Annotated[str, Parameter(max_length=20, description="sent, overdue, accepted or not_taken_forward.")] = "",
                       ) -> schemas.FindingPage:
        return await _call(data.finding_page(status=status, limit=limit, offset=offset))

    @get("/{finding_id:int}", summary="One finding")
    async def finding(self, finding_id: RowId) -> schemas.Finding:
        return await _call(data.one_finding(finding_id))


class ActionsApi(Controller):
    path = "/actions"
    tags = ["api: findings"]
    guards = scope(Scope.findings_read)

    @get("/", summary="Actions agreed in answer to findings, with their owner, due date and progress")
    async def actions(self, limit: Limit = 50, offset: Offset = 0) -> schemas.ActionPage:
        return await data.action_page(limit=limit, offset=offset)


api_router = Router(
    path="/api/v1",
    route_handlers=[SurveysApi, OutcomesApi, FindingsApi, ActionsApi],
    security=[{SECURITY_SCHEME_NAME: []}],
    # HTTPException too: the app's own handler for it (pages for browsers) would otherwise come first.
    exception_handlers={HTTPException: api_error, Exception: api_error},
)
