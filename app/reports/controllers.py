"""Highlight report pages: a project's reports, one report to edit and submit, its exports, a board's view."""

from __future__ import annotations

import asyncio
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException, ServiceUnavailableException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from app.accounts.auth import requires
from app.accounts.roles import Permission
from app.accounts.schemas import Form
from app.governance import services as governance
from app.reports import services
from app.reports.schemas import ReportForm
from app.reports.services import ReportError
from app.web.requests import RowId, actor_of, client_ip, signed_in_user


class HighlightReportsController(Controller):
    """A project's 6-weekly highlight reports (issue 12 item 3). Who sees them: whoever may see the
    project (`governance.visible_project_ids`); who writes them: its lead and deputy (and the
    participation lead), as for its status."""

    path = "/projects/{reference:str}/reports"
    tags = ["reports"]
    include_in_schema = False

    @get("/", name="project_reports", guards=requires(Permission.use_staff_area))
    async def index(self, request: Request, reference: FromPath[str]) -> Template:
        project = await self._project(request, reference)
        return Template("reports/list.html", context={
            "project": project, "reports": await services.reports_for_project(project.id),
            "may_write": governance.may_update_status(signed_in_user(request), project)})

    @get("/{report_id:int}", name="project_report", guards=requires(Permission.use_staff_area))
    async def show(self, request: Request, reference: FromPath[str], report_id: RowId, done: FromQuery[str] = "") -> Template:
        project, report = await self._report(request, reference, report_id)
        return self._page(request, project, report, done=done)

    @post("/{report_id:int}", name="project_report_save", guards=requires(Permission.update_project_status))
    async def save(self, request: Request, reference: FromPath[str], report_id: RowId,
                   data: Annotated[ReportForm, Form]) -> Template | Redirect:
        project, report = await self._report(request, reference, report_id)
        if not governance.may_update_status(signed_in_user(request), project):
            raise PermissionDeniedException("Only this project's lead and deputy, or the participation lead, write its reports.")
        submitting = data.action == "submit"
        try:
            if submitting:
                await services.submit(report, data.narrative(), actor=actor_of(request), ip_address=client_ip(request))
            else:
                await services.save(report, data.narrative(), actor=actor_of(request), ip_address=client_ip(request))
        except ReportError as refused:
            status = HTTP_409_CONFLICT if report.submitted else HTTP_422_UNPROCESSABLE_ENTITY
            return self._page(request, project, report, error=str(refused), form=data, status=status)
        done = "submitted" if submitting else "saved"
        return Redirect(f"/projects/{reference}/reports/{report_id}?done={done}", status_code=HTTP_303_SEE_OTHER)

    @get("/{report_id:int}/report.html", name="project_report_html", guards=requires(Permission.use_staff_area))
    async def export_html(self, request: Request, reference: FromPath[str], report_id: RowId) -> Response:
        project, report = await self._report(request, reference, report_id)
        return Response(self._document(request, project, report), media_type="text/html; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{self._filename(report)}.html"'})

    @get("/{report_id:int}/report.pdf", name="project_report_pdf", guards=requires(Permission.use_staff_area))
    async def export_pdf(self, request: Request, reference: FromPath[str], report_id: RowId) -> Response:
        from app.reports.exports import PdfUnavailable, pdf_of

        project, report = await self._report(request, reference, report_id)
        document = self._document(request, project, report)
        try:
            pdf = await asyncio.to_thread(pdf_of, document)
        except PdfUnavailable as missing:
            raise ServiceUnavailableException(str(missing)) from missing
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{self._filename(report)}.pdf"'})

    @staticmethod
    def _filename(report: services.ReportView) -> str:
        return f"highlight-report-{report.reference}-{report.due_on.isoformat()}"

    @staticmethod
    def _document(request: Request, project, report) -> str:
        return request.app.template_engine.get_template("reports/document.html").render(project=project, report=report)

    async def _project(self, request: Request, reference: str) -> governance.ProjectView:
        project = await governance.project_for(signed_in_user(request), reference)
        if project is None:
            raise NotFoundException("There is no such project, or it is not one you can see.")
        return project

    async def _report(self, request: Request, reference: str, report_id: int):
        project = await self._project(request, reference)
        report = await services.report(report_id)
        if report is None or report.project_id != project.id:
            raise NotFoundException("There is no such report for this project.")
        return project, report

    @staticmethod
    def _page(request: Request, project, report, *, done: str = "", error: str = "", form: ReportForm | None = None,
              status: int = 200) -> Template:
        narrative = form.narrative() if form else report.narrative
        return Template("reports/report.html", status_code=status, context={
            "project": project, "report": report, "narrative": narrative, "done": done, "error": error,
            "may_write": governance.may_update_status(signed_in_user(request), project) and not report.submitted})


class BoardReportsController(Controller):
    """A board's view of its projects' highlight reports, overdue ones first."""

    path = "/boards/{slug:str}/reports"
    tags = ["reports"]
    include_in_schema = False

    @get("/", name="board_reports", guards=requires(Permission.use_staff_area))
    async def index(self, request: Request, slug: FromPath[str]) -> Template:
        board = await services.board_by_slug(slug)
        if board is None:
            raise NotFoundException("There is no such board.")
        visible = {p.id for p in await governance.projects_for(signed_in_user(request))}
        reports = [r for r in await services.reports_for_board(board["id"]) if r.project_id in visible]
        return Template("reports/board.html", context={
            "board": board, "overdue": [r for r in reports if r.overdue],
            "submitted": [r for r in reports if r.submitted], "open": [r for r in reports if not r.submitted and not r.overdue]})
