"""The partnership's structure: boards, workstreams, projects and outcomes."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from app import clock
from app.accounts.auth import PUBLIC, requires
from app.accounts.roles import Permission
from app.accounts.schemas import Form
from app.accounts.services import list_users
from app.findings.services import board_findings
from app.governance import services
from app.governance.schemas import MeetingForm, MilestoneForm, StatusForm, TeamForm, form_date
from app.governance.services import GovernanceError
from app.governance.tables import RAG, OutcomeAudience
from app.web.requests import RowId, actor_of, client_ip, signed_in_user

AUDIENCE_LABELS = {
    OutcomeAudience.children_young_people_families: "Children, young people and families",
    OutcomeAudience.workforce: "The workforce",
    OutcomeAudience.partnership: "The partnership (including the VCFS)",
}


class PartnershipController(Controller):
    path = "/partnership"
    tags = ["governance"]
    include_in_schema = False
    opt = PUBLIC  # the partnership's structure is public information

    @get("/", name="partnership")
    async def overview(self) -> Template:
        return Template(
            template_name="governance/partnership.html",
            context={
                "boards": await services.list_boards(),
                "workstreams": await services.list_workstreams(),
                "outcomes": await services.list_outcomes_by_audience(),
                "audience_labels": AUDIENCE_LABELS,
            },
        )


class ProjectsController(Controller):
    """Governance live (issue 12): each project's lead and deputy, RAG status and milestones; boards'
    meeting dates. Who sees which project: `services.visible_project_ids`."""

    path = "/projects"
    tags = ["governance"]
    include_in_schema = False

    @get("/", name="projects", guards=requires(Permission.use_staff_area))
    async def projects(self, request: Request) -> Template:
        return Template("governance/projects.html", context={
            "projects": await services.projects_for(signed_in_user(request)), "boards": await services.boards_with_next_meeting()})

    @get("/{reference:str}", name="project", guards=requires(Permission.use_staff_area))
    async def project(self, request: Request, reference: FromPath[str], done: FromQuery[str] = "") -> Template:
        return await self._page(request, reference, done=done)

    @post("/{reference:str}/team", name="project_team", guards=requires(Permission.manage_governance))
    async def team(self, request: Request, reference: FromPath[str], data: Annotated[TeamForm, Form]) -> Template | Redirect:
        project = await self._project(request, reference)
        try:
            warnings = await services.assign_team(project, data.user_id("lead"), data.user_id("deputy"), actor=actor_of(request),
                                                  ip_address=client_ip(request))
        except GovernanceError as refused:
            return await self._page(request, reference, team_error=str(refused), status=HTTP_422_UNPROCESSABLE_ENTITY)
        if warnings:  # saved, and said so, with the warning beside the choice
            return await self._page(request, reference, done="team", team_warning=" ".join(warnings))
        return Redirect(f"/projects/{reference}?done=team", status_code=HTTP_303_SEE_OTHER)

    @post("/{reference:str}/status", name="project_status", guards=requires(Permission.update_project_status))
    async def status(self, request: Request, reference: FromPath[str], data: Annotated[StatusForm, Form]) -> Template | Redirect:
        project = await self._project(request, reference, updating=True)
        try:
            await services.set_status(project, data.rag, data.note, actor=actor_of(request), ip_address=client_ip(request))
        except GovernanceError as refused:
            return await self._page(request, reference, status_error=str(refused), form=data, status=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(f"/projects/{reference}?done=status", status_code=HTTP_303_SEE_OTHER)

    @post("/{reference:str}/milestones", name="project_milestone", guards=requires(Permission.update_project_status))
    async def milestone(self, request: Request, reference: FromPath[str], data: Annotated[MilestoneForm, Form]) -> Template | Redirect:
        project = await self._project(request, reference, updating=True)
        try:
            await services.add_milestone(project, data.title, form_date(data.due_on), actor=actor_of(request), ip_address=client_ip(request))
        except GovernanceError as refused:
            return await self._page(request, reference, milestone_error=str(refused), form=data, status=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(f"/projects/{reference}?done=milestone", status_code=HTTP_303_SEE_OTHER)

    @post("/{reference:str}/milestones/{milestone_id:int}/done", name="project_milestone_done",
          guards=requires(Permission.update_project_status))
    async def milestone_done(self, request: Request, reference: FromPath[str], milestone_id: RowId) -> Template | Redirect:
        project = await self._project(request, reference, updating=True)
        try:
            await services.complete_milestone(project, milestone_id, actor=actor_of(request), ip_address=client_ip(request))
        except GovernanceError as refused:
            return await self._page(request, reference, milestone_error=str(refused), status=HTTP_409_CONFLICT)
        return Redirect(f"/projects/{reference}?done=milestone", status_code=HTTP_303_SEE_OTHER)

    async def _project(self, request: Request, reference: str, *, updating: bool = False) -> services.ProjectView:
        user = signed_in_user(request)
        project = await services.project_for(user, reference)
        if project is None:
            raise NotFoundException("There is no such project, or it is not one you can see.")
        if updating and not services.may_update_status(user, project):
            raise PermissionDeniedException("Only this project's lead and deputy, or the participation lead, can change it.")
        return project

    async def _page(self, request: Request, reference: str, *, done: str = "", team_error: str = "", team_warning: str = "",
                    status_error: str = "", milestone_error: str = "", form=None, status: int = 200) -> Template:
        user = signed_in_user(request)
        project = await self._project(request, reference)
        staff = await list_users() if user.can(Permission.manage_governance) else []
        return Template("governance/project.html", status_code=status, context={
            "project": project, "done": done, "team_error": team_error, "team_warning": team_warning,
            "status_error": status_error, "milestone_error": milestone_error, "form": form,
            "people": [s for s in staff if s["active"]], "may_manage": user.can(Permission.manage_governance),
            "may_update": services.may_update_status(user, project), "rags": [r.value for r in RAG],
        })


class BoardsController(Controller):
    path = "/boards"
    tags = ["governance"]
    include_in_schema = False

    @get("/{slug:str}", name="board", guards=requires(Permission.use_staff_area))
    async def board(self, request: Request, slug: FromPath[str], done: FromQuery[str] = "") -> Template:
        return await self._page(request, slug, done=done)

    @post("/{slug:str}/meetings", name="board_meeting", guards=requires(Permission.manage_governance))
    async def meeting(self, request: Request, slug: FromPath[str], data: Annotated[MeetingForm, Form]) -> Template | Redirect:
        found = await services.board_with_meetings(slug)
        if found is None:
            raise NotFoundException("There is no such board.")
        try:
            await services.add_meeting(found[0]["id"], form_date(data.meets_on), data.note, actor=actor_of(request),
                                       ip_address=client_ip(request))
        except GovernanceError as refused:
            return await self._page(request, slug, error=str(refused), form=data, status=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(f"/boards/{slug}?done=meeting", status_code=HTTP_303_SEE_OTHER)

    async def _page(self, request: Request, slug: str, *, done: str = "", error: str = "", form=None, status: int = 200) -> Template:
        found = await services.board_with_meetings(slug)
        if found is None:
            raise NotFoundException("There is no such board.")
        board, meetings = found
        today = clock.now().date()
        user = signed_in_user(request)
        # Findings sent to the board's meetings: for its members and whoever routes findings.
        sees_findings = user.can(Permission.route_findings) or board["id"] in user.board_ids
        return Template("governance/board.html", status_code=status, context={
            "board": board, "upcoming": [m for m in meetings if m["meets_on"] >= today],
            "past": [m for m in meetings if m["meets_on"] < today][::-1], "done": done, "error": error, "form": form,
            "may_manage": user.can(Permission.manage_governance),
            "findings": await board_findings(board["id"]) if sees_findings else None,
        })
