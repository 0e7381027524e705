"""Findings pages: the participation lead's list and drafts, a finding's page (evidence linked to its
sources, sending, answering, actions) and the recipients' inbox. Logic and scoping: `services`."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from app.accounts.auth import requires
from app.accounts.roles import Permission
from app.accounts.schemas import Form
from app.findings import services
from app.findings.schemas import ActionForm, ChoiceForm, FindingForm, NotTakenForwardForm, ProgressForm, form_percent
from app.findings.services import AlreadyAnswered, FindingRefused
from app.governance.services import GovernanceError
from app.web.requests import AppSettings, RowId, actor_of, client_ip, signed_in_user
from surveys.questionnaires.staff_controllers import may_see_results

DONE_MESSAGES = {
    "created": "The draft is saved.", "edited": "The draft is saved.", "evidence": "The evidence is added.",
    "removed": "The evidence is removed.", "sent": "The finding is sent: its recipients are being emailed.",
    "answered": "Your answer is recorded.", "action": "The action is saved.",
}


def _number(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


class FindingsController(Controller):
    path = "/findings"
    tags = ["findings"]
    include_in_schema = False

    @get("/", name="findings", guards=requires(Permission.route_findings))
    async def index(self, request: Request, status: FromQuery[str] = "", project: FromQuery[str] = "",
                    board: FromQuery[str] = "") -> Template:
        status = status if status in services.STATUSES else ""
        findings = await services.list_findings(signed_in_user(request), status=status, project_id=_number(project[:12]),
                                                board_id=_number(board[:12]))
        return Template("findings/list.html", context={
            "findings": findings, "status": status, "project": project[:12], "board": board[:12], "labels": services.STATUS_LABELS,
            "choices": await services.send_choices()})

    @get("/influence", name="findings_influence", guards=requires(Permission.use_staff_area))
    async def influence(self, request: Request) -> Template:
        """Voice, audience, influence: how far young people's findings got, for the findings this person may see."""
        from app.findings import influence

        user = signed_in_user(request)
        rows = [r for r in await services.finding_rows() if services.may_see(user, r)]
        overall, projects, boards = await influence.influence(rows)
        return Template("findings/influence.html", context={
            "overall": overall, "projects": projects, "boards": boards, "bars": influence.bars})

    @get("/new", name="finding_new", guards=requires(Permission.route_findings))
    async def new(self) -> Template:
        return Template("findings/new.html", context={"form": None, "error": ""})

    @post("/", name="finding_create", guards=requires(Permission.route_findings))
    async def create(self, request: Request, data: Annotated[FindingForm, Form]) -> Template | Redirect:
        try:
            finding_id = await services.create_finding(data.title, data.summary, data.recommendation, actor=actor_of(request),
                                                       ip_address=client_ip(request))
        except FindingRefused as refused:
            return Template("findings/new.html", status_code=HTTP_422_UNPROCESSABLE_ENTITY, context={"form": data, "error": str(refused)})
        return Redirect(f"/findings/{finding_id}?done=created", status_code=HTTP_303_SEE_OTHER)

    @post("/from-theme/{theme_id:int}", name="finding_from_theme", guards=requires(Permission.route_findings))
    async def from_theme(self, request: Request, settings: AppSettings, theme_id: RowId) -> Template | Redirect:
        try:
            finding_id = await services.create_from_theme(theme_id, threshold=settings.small_group_threshold, actor=actor_of(request),
                                                          ip_address=client_ip(request))
        except LookupError:
            raise NotFoundException("There is no such theme.") from None
        except FindingRefused as refused:
            return Template("findings/new.html", status_code=HTTP_422_UNPROCESSABLE_ENTITY, context={"form": None, "error": str(refused)})
        return Redirect(f"/findings/{finding_id}?done=created", status_code=HTTP_303_SEE_OTHER)

    @get("/{finding_id:int}", name="finding", guards=requires(Permission.use_staff_area))
    async def page(self, request: Request, settings: AppSettings, finding_id: RowId, done: FromQuery[str] = "") -> Template:
        return await self._page(request, settings, finding_id, done=done)

    async def _page(self, request: Request, settings, finding_id: int, *, done: str = "", error: str = "", error_at: str = "",
                    form=None, status: int = 200) -> Template:
        user = signed_in_user(request)
        view = await services.finding_view(user, finding_id)
        if view is None:
            raise NotFoundException("There is no such finding, or it was not sent to you.")
        drafting = view.row["state"] == "draft" and user.can(Permission.route_findings)
        context = {
            "view": view, "done": DONE_MESSAGES.get(done, ""), "error": error, "error_at": error_at, "form": form,
            "drafting": drafting, "may_answer": services.may_answer(user, view.row),
        }
        if drafting:
            context |= {
                "themes": await services.theme_choices(user, threshold=settings.small_group_threshold),
                "indicators": await services.indicator_choices(threshold=settings.small_group_threshold,
                                                               may_see_survey=partial(may_see_results, user)),
                "send": await services.send_choices(),
            }
        return Template("findings/finding.html", status_code=status, context=context)

    async def _change(self, request: Request, settings, finding_id: int, change, *, done: str, at: str, form=None) -> Template | Redirect:
        """Run a change; a refusal is said beside its form (nothing stored), a missing finding is a 404."""
        try:
            await change()
        except LookupError:
            raise NotFoundException("There is no such finding.") from None
        except PermissionError as refused:
            raise PermissionDeniedException(str(refused)) from None
        except AlreadyAnswered as refused:
            return await self._page(request, settings, finding_id, error=str(refused), error_at=at, status=HTTP_409_CONFLICT)
        except (FindingRefused, GovernanceError) as refused:  # GovernanceError: a date field that is not a date
            return await self._page(request, settings, finding_id, error=str(refused), error_at=at, form=form,
                                    status=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(f"/findings/{finding_id}?done={done}#{at}", status_code=HTTP_303_SEE_OTHER)

    @post("/{finding_id:int}/edit", name="finding_edit", guards=requires(Permission.route_findings))
    async def edit(self, request: Request, settings: AppSettings, finding_id: RowId, data: Annotated[FindingForm, Form]) -> Template | Redirect:
        return await self._change(request, settings, finding_id, lambda: services.edit_draft(
            finding_id, data.title, data.summary, data.recommendation, actor=actor_of(request), ip_address=client_ip(request)),
            done="edited", at="draft", form=data)

    @post("/{finding_id:int}/evidence/theme", name="finding_add_theme", guards=requires(Permission.route_findings))
    async def add_theme(self, request: Request, settings: AppSettings, finding_id: RowId, data: Annotated[ChoiceForm, Form]) -> Template | Redirect:
        async def change():
            theme_id = _number(data.choice)
            if theme_id is None:
                raise FindingRefused("Choose a theme from the list.")
            try:
                await services.add_theme(finding_id, theme_id, threshold=settings.small_group_threshold, actor=actor_of(request),
                                         ip_address=client_ip(request))
            except LookupError:
                await services._draft(finding_id)  # a missing finding stays a 404; a missing theme is said on the form
                raise FindingRefused("Choose a theme from the list.") from None
        return await self._change(request, settings, finding_id, change, done="evidence", at="evidence")

    @post("/{finding_id:int}/evidence/quote", name="finding_add_quote", guards=requires(Permission.route_findings))
    async def add_quote(self, request: Request, settings: AppSettings, finding_id: RowId, data: Annotated[ChoiceForm, Form]) -> Template | Redirect:
        async def change():
            theme, _, index = data.choice.partition(":")
            if _number(theme) is None or _number(index) is None:
                raise FindingRefused("Choose a quote from the list.")
            try:
                await services.add_quote(finding_id, _number(theme), _number(index), threshold=settings.small_group_threshold,
                                         actor=actor_of(request), ip_address=client_ip(request))
            except LookupError:
                await services._draft(finding_id)
                raise FindingRefused("Choose a quote from the list.") from None
        return await self._change(request, settings, finding_id, change, done="evidence", at="evidence")

    @post("/{finding_id:int}/evidence/indicator", name="finding_add_indicator", guards=requires(Permission.route_findings))
    async def add_indicator(self, request: Request, settings: AppSettings, finding_id: RowId,
                            data: Annotated[ChoiceForm, Form]) -> Template | Redirect:
        async def change():
            parts = data.choice.split("|")
            if len(parts) != 3 or _number(parts[0]) is None:
                raise FindingRefused("Choose an outcome indicator from the list.")
            await services.add_indicator(finding_id, _number(parts[0]), parts[1], parts[2], threshold=settings.small_group_threshold,
                                         may_see_survey=partial(may_see_results, signed_in_user(request)), actor=actor_of(request),
                                         ip_address=client_ip(request))
        return await self._change(request, settings, finding_id, change, done="evidence", at="evidence")

    @post("/{finding_id:int}/evidence/{evidence_id:int}/remove", name="finding_remove_evidence", guards=requires(Permission.route_findings))
    async def remove_evidence(self, request: Request, settings: AppSettings, finding_id: RowId, evidence_id: RowId) -> Template | Redirect:
        return await self._change(request, settings, finding_id, lambda: services.remove_evidence(
            finding_id, evidence_id, actor=actor_of(request), ip_address=client_ip(request)), done="removed", at="evidence")

    @post("/{finding_id:int}/send", name="finding_send", guards=requires(Permission.route_findings))
    async def send(self, request: Request, settings: AppSettings, finding_id: RowId, data: Annotated[ChoiceForm, Form]) -> Template | Redirect:
        async def change():
            kind, _, target = data.choice.partition(":")
            if kind == "project" and _number(target):
                await services.send_to_project(finding_id, _number(target), actor=actor_of(request), ip_address=client_ip(request))
            elif kind == "board" and _number(target):
                await services.send_to_board(finding_id, _number(target), actor=actor_of(request), ip_address=client_ip(request))
            else:
                await services._ready_to_send(finding_id)
                raise FindingRefused("Choose a project or a board to send the finding to.")
        return await self._change(request, settings, finding_id, change, done="sent", at="send")

    @post("/{finding_id:int}/accept", name="finding_accept", guards=requires(Permission.respond_to_findings))
    async def accept(self, request: Request, settings: AppSettings, finding_id: RowId, data: Annotated[ActionForm, Form]) -> Template | Redirect:
        return await self._change(request, settings, finding_id, lambda: services.accept(
            signed_in_user(request), finding_id, [data.action()], actor=actor_of(request), ip_address=client_ip(request)),
            done="answered", at="answer", form=data)

    @post("/{finding_id:int}/not-taken-forward", name="finding_not_taken_forward", guards=requires(Permission.respond_to_findings))
    async def decline(self, request: Request, settings: AppSettings, finding_id: RowId,
                      data: Annotated[NotTakenForwardForm, Form]) -> Template | Redirect:
        return await self._change(request, settings, finding_id, lambda: services.not_taken_forward(
            signed_in_user(request), finding_id, data.reason, data.owner, actor=actor_of(request), ip_address=client_ip(request)),
            done="answered", at="answer", form=data)

    @post("/{finding_id:int}/actions", name="finding_add_action", guards=requires(Permission.respond_to_findings))
    async def add_action(self, request: Request, settings: AppSettings, finding_id: RowId, data: Annotated[ActionForm, Form]) -> Template | Redirect:
        async def change():
            await services.add_action(signed_in_user(request), finding_id, data.action(), actor=actor_of(request), ip_address=client_ip(request))
        return await self._change(request, settings, finding_id, change, done="action", at="actions", form=data)

    @post("/{finding_id:int}/actions/{action_id:int}/progress", name="finding_action_progress", guards=requires(Permission.respond_to_findings))
    async def progress(self, request: Request, settings: AppSettings, finding_id: RowId, action_id: RowId,
                       data: Annotated[ProgressForm, Form]) -> Template | Redirect:
        return await self._change(request, settings, finding_id, lambda: services.update_progress(
            signed_in_user(request), finding_id, action_id, form_percent(data.progress), actor=actor_of(request),
            ip_address=client_ip(request)), done="action", at="actions")


class InboxController(Controller):
    """Findings sent to the signed-in person's own projects and boards."""

    path = "/inbox"
    tags = ["findings"]
    include_in_schema = False

    @get("/", name="inbox", guards=requires(Permission.respond_to_findings))
    async def inbox(self, request: Request) -> Template:
        return Template("findings/inbox.html", context={"findings": await services.inbox(signed_in_user(request))})
