"""Insights pages: choose answers, start a theme run and watch it, read and shape the themes, export."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

from litestar import Controller, Request, Response, WebSocket, get, post, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, WebSocketDisconnect
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from app.accounts.auth import requires
from app.accounts.roles import Permission
from app.accounts.schemas import Form
from app.audit.services import AuditAction, record
from app.insights import editing, exports, live, services, summary
from app.insights.schemas import AnswersForm, FlagForm, MergeForm, QuoteForm, RenameForm, SelectionForm
from app.insights.sources import SourceError, SurveyQuestionSource
from app.insights.tables import ACTIVE_STATES
from app.web.requests import AppSettings, RowId, actor_of, client_ip, signed_in_user
from surveys.questionnaires import definitions as survey_definitions
from surveys.questionnaires import finding as survey_finding
from surveys.questionnaires import results as survey_results
from surveys.questionnaires.definition import TEXT_KINDS
from surveys.questionnaires.staff_controllers import may_see_results, viewer_for

SHORT = 100
ANSWERS_PER_PAGE = 200


async def _survey(request: Request, survey_id: int) -> dict:
    survey = await survey_finding.get_survey(survey_id)
    if survey is None or not await may_see_results(signed_in_user(request), survey):
        raise NotFoundException("There is no such survey.")
    return survey


async def _run(request: Request, run_id: int) -> dict:
    run = await services.get_run(run_id)
    if run is None:
        raise NotFoundException("There is no such theme run.")
    if "survey" not in run["parameters"]:  # a board's cards or a user test's notes: their themes are on the activity's own page
        raise NotFoundException("This theme run is of a retrospective board's cards or a user test's notes: its themes are on "
                                "the board's summary or the study's results page.")
    await _survey(request, run["parameters"]["survey"])
    return run


class InsightsController(Controller):
    path = "/staff/insights"
    tags = ["insights"]
    include_in_schema = False
    guards = requires(Permission.review_insights)

    @get("/", name="insights_index")
    async def index(self, request: Request) -> Template:
        user = signed_in_user(request)
        surveys = []
        for survey in await survey_finding.list_surveys():
            if not await may_see_results(user, survey):
                continue
            definition = await survey_definitions.load_definition(survey["id"])
            questions = [q for q in definition.questions if q.kind in TEXT_KINDS]
            if questions:
                surveys.append({"survey": survey, "questions": questions})
        return Template("insights/index.html", context={"surveys": surveys})

    async def _page(self, request: Request, settings, survey: dict, source: SurveyQuestionSource, run: dict | None, *,
                    by: str = "", error: str = "", status: int = 200) -> Template:
        definition = await survey_definitions.load_definition(survey["id"])
        view = await services.run_view(run, viewer=viewer_for(signed_in_user(request)), threshold=settings.small_group_threshold,
                                       by_key=by) if run else None
        return Template("insights/page.html", status_code=status, context={
            "survey": survey, "definition": definition, "source": source, "run": run, "view": view, "by": by,
            "text_questions": [q for q in definition.questions if q.kind in TEXT_KINDS],
            "cohort_questions": survey_results.crosstab_candidates(definition),
            "chart": summary.size_chart(view.themes) if view else [], "error": error,
            "active": run is not None and run["state"] in ACTIVE_STATES,
        })

    @get("/surveys/{survey_id:int}", name="survey_insights")
    async def survey_page(self, request: Request, settings: AppSettings, survey_id: RowId, question: FromQuery[str] = "",
                          date_from: FromQuery[str] = "", date_to: FromQuery[str] = "", cohort: FromQuery[str] = "",
                          by: FromQuery[str] = "") -> Template:
        survey = await _survey(request, survey_id)
        definition = await survey_definitions.load_definition(survey_id)
        if not question:
            question = next((q.key for q in definition.questions if q.kind in TEXT_KINDS), "")
        form = SelectionForm(question[:SHORT], date_from[:SHORT], date_to[:SHORT], cohort[:SHORT])
        try:
            source = form.source(survey_id)
            source.check(definition)
        except SourceError as problem:
            return await self._page(request, settings, survey, SurveyQuestionSource(survey_id, question[:SHORT]), None,
                                    error=str(problem), status=400)
        return await self._page(request, settings, survey, source, await services.latest_run(source.key), by=by[:SHORT])

    @post("/surveys/{survey_id:int}/runs", name="insights_start")
    async def start(self, request: Request, settings: AppSettings, survey_id: RowId,
                    data: Annotated[SelectionForm, Form]) -> Template | Redirect:
        survey = await _survey(request, survey_id)
        try:
            source = data.source(survey_id)
            source.check(await survey_definitions.load_definition(survey_id))
            run_id = await services.start_run(source, requested_by=signed_in_user(request).id, full=data.full == "on")
        except SourceError as problem:
            return await self._page(request, settings, survey, SurveyQuestionSource(survey_id, data.question), None,
                                    error=str(problem), status=400)
        except services.RunRefused as refused:
            return await self._page(request, settings, survey, source, await services.latest_run(source.key),
                                    error=str(refused), status=409)
        await record(AuditAction.themes_started, actor=actor_of(request), target_type="theme_run", target_id=run_id,
                     detail={"survey": survey_id}, ip_address=client_ip(request))
        return Redirect(f"/staff/insights/runs/{run_id}", status_code=303)

    @get("/runs/{run_id:int}", name="insights_run")
    async def run_page(self, request: Request, settings: AppSettings, run_id: RowId, by: FromQuery[str] = "") -> Template:
        run = await _run(request, run_id)
        survey = await _survey(request, run["parameters"]["survey"])
        return await self._page(request, settings, survey, services.source_of(run), run, by=by[:SHORT])

    @get("/runs/{run_id:int}/status.json", name="insights_run_status")
    async def run_status(self, request: Request, run_id: RowId) -> dict:
        await _run(request, run_id)
        return await services.status(run_id)

    @websocket("/runs/{run_id:int}/live", name="insights_run_live")
    async def live_progress(self, socket: WebSocket, channels: NamedDependency[ChannelsPlugin], run_id: RowId) -> None:
        """The run's progress as JSON messages until it finishes: what the channel publishes, and
        the run's row every two seconds in case a message was published where this worker cannot hear."""
        await _run(socket, run_id)
        await socket.accept()
        sent = None
        inbox: asyncio.Queue[bytes] = asyncio.Queue()

        async def received(event: bytes) -> None:
            await inbox.put(event)

        try:
            async with channels.start_subscription(live.channel(run_id)) as subscriber, \
                    subscriber.run_in_background(received, join=False):
                current = await services.status(run_id)
                while True:
                    if current != sent:
                        await socket.send_json(current)
                        sent = current
                    if current.get("state") not in ACTIVE_STATES:
                        break
                    try:
                        current = json.loads(await asyncio.wait_for(inbox.get(), timeout=2.0))
                    except TimeoutError:
                        current = await services.status(run_id)
        except WebSocketDisconnect:
            return
        await socket.close()

    async def _edit(self, request: Request, settings, theme_id: int, edit) -> Template | Redirect:
        try:
            row = await services.theme(theme_id)
        except LookupError:
            raise NotFoundException("There is no such theme.") from None
        run = await _run(request, row["run"])
        try:
            await edit()
        except services.EditRefused as refused:
            survey = await _survey(request, run["parameters"]["survey"])
            return await self._page(request, settings, survey, services.source_of(run), run, error=str(refused), status=400)
        return Redirect(f"/staff/insights/runs/{run['id']}#theme-{theme_id}", status_code=303)

    @post("/themes/{theme_id:int}/rename", name="theme_rename")
    async def rename(self, request: Request, settings: AppSettings, theme_id: RowId, data: Annotated[RenameForm, Form]) -> Template | Redirect:
        return await self._edit(request, settings, theme_id, lambda: services.rename(
            theme_id, data.label, actor=actor_of(request), ip_address=client_ip(request)))

    @post("/themes/{theme_id:int}/merge", name="theme_merge")
    async def merge(self, request: Request, settings: AppSettings, theme_id: RowId, data: Annotated[MergeForm, Form]) -> Template | Redirect:
        async def edit():
            if not data.into.isdigit():
                raise services.EditRefused("Choose the theme to merge it into.")
            await services.merge(theme_id, int(data.into), actor=actor_of(request), ip_address=client_ip(request))
        return await self._edit(request, settings, theme_id, edit)

    @post("/themes/{theme_id:int}/unmerge", name="theme_unmerge")
    async def unmerge(self, request: Request, settings: AppSettings, theme_id: RowId) -> Template | Redirect:
        return await self._edit(request, settings, theme_id, lambda: services.unmerge(
            theme_id, actor=actor_of(request), ip_address=client_ip(request)))

    @post("/themes/{theme_id:int}/usefulness", name="theme_usefulness")
    async def usefulness(self, request: Request, settings: AppSettings, theme_id: RowId, data: Annotated[FlagForm, Form]) -> Template | Redirect:
        return await self._edit(request, settings, theme_id, lambda: services.set_not_useful(
            theme_id, data.not_useful == "yes", actor=actor_of(request), ip_address=client_ip(request)))

    @post("/themes/{theme_id:int}/quote", name="theme_quote")
    async def quote(self, request: Request, settings: AppSettings, theme_id: RowId, data: Annotated[QuoteForm, Form]) -> Template | Redirect:
        async def edit():
            if not data.index.isdigit():
                raise services.EditRefused("There is no such quote.")
            await services.quote_action(theme_id, int(data.index), data.action, actor=actor_of(request), ip_address=client_ip(request))
        return await self._edit(request, settings, theme_id, edit)

    async def _answers_page(self, request: Request, settings, theme_id: int, *, error: str = "", status: int = 200,
                            page: int = 1) -> Template:
        """A theme's answers, redacted, each with a labelled checkbox, and the forms to move the
        ticked ones or split the theme. A theme kept back for small numbers lists none."""
        try:
            row, run, answers = await editing.theme_answers(theme_id)
        except LookupError:
            raise NotFoundException("There is no such theme.") from None
        await _run(request, run["id"])
        view = await services.run_view(run, viewer=viewer_for(signed_in_user(request)), threshold=settings.small_group_threshold)
        shown = [*view.themes, *view.not_useful] if view else []
        this = next((t for t in shown if t.id == theme_id), None)
        listed = this is not None and not this.count.suppressed and row["merged_into"] is None
        pages = max(1, -(-len(answers) // ANSWERS_PER_PAGE))
        page = min(max(page, 1), pages)
        return Template("insights/answers.html", status_code=status, context={
            "theme": row, "run": run, "view": this, "error": error, "threshold": settings.small_group_threshold,
            "answers": answers[(page - 1) * ANSWERS_PER_PAGE:page * ANSWERS_PER_PAGE] if listed else [],
            "listed": listed, "page": page, "pages": pages, "answer_count": len(answers),
            "merged_into": next((t for t in shown if row["merged_into"] is not None and t.id == row["merged_into"]), None),
            "destinations": [t for t in shown if t.id != theme_id and t.kind != "other"],
            "offer_other": row["kind"] != "other",
        })

    @get("/themes/{theme_id:int}/answers", name="theme_answers")
    async def answers(self, request: Request, settings: AppSettings, theme_id: RowId, page: FromQuery[str] = "1") -> Template:
        return await self._answers_page(request, settings, theme_id, page=int(page) if page.isdigit() and len(page) < 7 else 1)

    async def _reshape(self, request: Request, settings, theme_id: int, edit) -> Template | Redirect:
        try:
            row = await services.theme(theme_id)
        except LookupError:
            raise NotFoundException("There is no such theme.") from None
        await _run(request, row["run"])
        try:
            return await edit()
        except services.EditRefused as refused:
            return await self._answers_page(request, settings, theme_id, error=str(refused), status=400)

    @post("/themes/{theme_id:int}/split", name="theme_split")
    async def split(self, request: Request, settings: AppSettings, theme_id: RowId, data: Annotated[AnswersForm, Form]) -> Template | Redirect:
        async def edit():
            if data.how == "auto":
                new_id = await editing.split_automatically(theme_id, actor=actor_of(request), ip_address=client_ip(request))
            elif data.how == "ticked":
                new_id = await editing.split_ticked(theme_id, data.ticked(), data.name, actor=actor_of(request),
                                                    ip_address=client_ip(request))
            else:
                raise services.EditRefused("Choose how to split the theme.")
            run = (await services.theme(new_id))["run"]
            return Redirect(f"/staff/insights/runs/{run}#theme-{new_id}", status_code=303)
        return await self._reshape(request, settings, theme_id, edit)

    @post("/themes/{theme_id:int}/move", name="theme_move")
    async def move(self, request: Request, settings: AppSettings, theme_id: RowId, data: Annotated[AnswersForm, Form]) -> Template | Redirect:
        async def edit():
            await editing.move_answers(theme_id, data.ticked(), data.to, actor=actor_of(request), ip_address=client_ip(request))
            return Redirect(f"/staff/insights/themes/{theme_id}/answers", status_code=303)
        return await self._reshape(request, settings, theme_id, edit)

    async def _finished_view(self, request: Request, settings, run_id: int, by: str):
        run = await _run(request, run_id)
        view = await services.run_view(run, viewer=viewer_for(signed_in_user(request)), threshold=settings.small_group_threshold,
                                       by_key=by)
        if view is None:
            raise NotFoundException("This run has no themes to export.")
        return run, view

    @get("/runs/{run_id:int}/themes.csv", name="insights_csv")
    async def themes_csv(self, request: Request, settings: AppSettings, run_id: RowId, by: FromQuery[str] = "") -> Response:
        run, view = await self._finished_view(request, settings, run_id, by[:SHORT])
        await record(AuditAction.data_exported, actor=actor_of(request), target_type="theme_run", target_id=run_id,
                     detail={"format": "themes-csv", "rows": len(view.themes) + len(view.not_useful)}, ip_address=client_ip(request))
        return Response(exports.to_csv(view), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="themes-run-{run_id}.csv"'})

    @get("/runs/{run_id:int}/summary", name="insights_summary")
    async def html_summary(self, request: Request, settings: AppSettings, run_id: RowId, by: FromQuery[str] = "") -> Template:
        run, view = await self._finished_view(request, settings, run_id, by[:SHORT])
        survey = await _survey(request, run["parameters"]["survey"])
        definition = await survey_definitions.load_definition(survey["id"])
        await record(AuditAction.data_exported, actor=actor_of(request), target_type="theme_run", target_id=run_id,
                     detail={"format": "themes-html"}, ip_address=client_ip(request))
        return Template("insights/summary.html", context={
            "survey": survey, "question": definition.question(run["parameters"]["question"]), "run": run, "view": view,
            "chart": summary.size_chart(view.themes)})

