"""User management for administrators."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from app.accounts import services
from app.accounts.auth import requires
from app.accounts.roles import ROLE_LABELS, SCOPED_ROLES, Permission, Role
from app.accounts.schemas import Form, UserForm
from app.accounts.tables import Agency
from app.governance.tables import Board, Project
from app.mail import MailNotSent
from app.web.requests import AppSettings, RowId, actor_of, client_ip


def grants_from(form: UserForm) -> list[services.RoleGrant]:
    grants = []
    for role in form.role_list:
        if role is Role.project_lead:
            grants += [services.RoleGrant(role, project_id=p) for p in form.project_list] or [services.RoleGrant(role)]
        elif role is Role.board_member:
            grants += [services.RoleGrant(role, board_id=b) for b in form.board_list] or [services.RoleGrant(role)]
        else:
            grants.append(services.RoleGrant(role))
    return grants


async def form_context(**extra) -> dict:
    return {
        "roles": list(Role),
        "role_labels": ROLE_LABELS,
        "scoped_roles": SCOPED_ROLES,
        "agencies": list(Agency),
        "projects": await Project.select(Project.id, Project.reference, Project.focus).order_by(Project.position),
        "boards": await Board.select(Board.id, Board.name).order_by(Board.position),
        **extra,
    }


class UserAdminController(Controller):
    path = "/admin/users"
    tags = ["admin"]
    include_in_schema = False
    guards = requires(Permission.manage_users)

    @get("/", name="admin_users")
    async def list_users(self, invited: FromQuery[str] = "", saved: FromQuery[bool] = False) -> Template:
        return Template("admin/users.html", context={"users": await services.list_users(), "role_labels": ROLE_LABELS, "invited": invited[:254], "saved": saved})

    @get("/new", name="admin_user_new")
    async def new_user_page(self) -> Template:
        return Template("admin/user_form.html", context=await form_context(user=None, granted=set()))

    @post("/new")
    async def invite_user(self, request: Request, settings: AppSettings, data: Annotated[UserForm, Form]) -> Template | Redirect:
        try:
            if problem := data.problem(inviting=True):
                raise services.AccountError(problem)
            await services.invite(
                settings,
                actor=actor_of(request),
                email=data.email,
                display_name=data.display_name,
                agency=data.agency_choice,
                grants=grants_from(data),
                ip_address=client_ip(request),
            )
        except services.AccountError as problem:
            context = await form_context(user=None, granted={r.value for r in data.role_list}, error=str(problem), form=data)
            return Template("admin/user_form.html", context=context, status_code=400)
        except MailNotSent:
            return Redirect(f"/admin/users?invited={data.email}&mail_failed=1")
        return Redirect(f"/admin/users?invited={data.email}")

    @get("/{user_id:int}", name="admin_user")
    async def edit_user_page(self, user_id: RowId) -> Template:
        user = await services.get_user(user_id)
        if user is None:
            raise NotFoundException()
        return Template("admin/user_form.html", context=await form_context(user=user, granted={g["role"] for g in user["grants"]}))

    @post("/{user_id:int}")
    async def update_user(self, request: Request, user_id: RowId, data: Annotated[UserForm, Form]) -> Template | Redirect:
        try:
            if problem := data.problem(inviting=False):
                raise services.AccountError(problem)
            await services.update_user(
                actor=actor_of(request),
                user_id=user_id,
                display_name=data.display_name,
                agency=data.agency_choice,
                active=data.active == "on",
                grants=grants_from(data),
                ip_address=client_ip(request),
            )
        except services.AccountError as problem:
            user = await services.get_user(user_id)
            if user is None:
                raise NotFoundException() from None
            context = await form_context(user=user, granted={r.value for r in data.role_list}, error=str(problem), form=data)
            return Template("admin/user_form.html", context=context, status_code=400)
        return Redirect("/admin/users?saved=1")

    @post("/{user_id:int}/resend-invite")
    async def resend_invite(self, request: Request, settings: AppSettings, user_id: RowId) -> Redirect:
        try:
            await services.resend_invite(settings, actor=actor_of(request), user_id=user_id, ip_address=client_ip(request))
        except services.AccountError:
            raise NotFoundException() from None
        return Redirect(f"/admin/users/{user_id}")
