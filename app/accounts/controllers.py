"""Sign-in, second factor, invitations, password resets and the staff member's own account."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from app import jobs
from app.accounts import auth, services
from app.accounts.auth import PUBLIC, SignInStageGuard, requires
from app.accounts.passwords import WeakPassword
from app.accounts.roles import Permission
from app.accounts.schemas import (
    EMAIL_SHAPE,
    ChangePasswordForm,
    CodeForm,
    EmailForm,
    Form,
    LoginForm,
    NewPasswordForm,
    safe_next,
)
from app.audit.services import Actor, AuditAction, record
from app.safeguarding import services as safeguarding
from app.settings import get_settings
from app.web.requests import AppSettings, client_ip, expired_session_cookie, session_cookie, signed_in_user

# Per-address limit on the forms an attacker would hammer (shared by all of them, as Litestar keys
# it by address); per-account backoff, which works across workers, is in services.
sign_in_rate_limit = RateLimitConfig(rate_limit=("minute", get_settings().sign_in_rate_limit))
RATE_LIMITED = [sign_in_rate_limit.middleware]


SECOND_FACTOR_PROBLEMS = {
    services.SecondFactor.wrong: "That code is not right. Try the newest code, or a recovery code.",
    services.SecondFactor.just_used: "That code was just used — wait for the next one.",
    services.SecondFactor.locked: "Too many wrong codes. Wait a few minutes, then try the newest code or a recovery code.",
}


def _after_sign_in(user: auth.CurrentUser | None, next_path: str) -> str | None:
    if user is None:
        return None
    if user.fully_signed_in:
        return safe_next(next_path)
    if user.mfa_enabled:
        return f"/login/mfa?next={quote(safe_next(next_path))}"
    return "/account/mfa/setup"


class SignInController(Controller):
    path = ""
    tags = ["accounts"]
    include_in_schema = False
    opt = PUBLIC

    @get("/login", name="login")
    async def login_page(self, request: Request, next: FromQuery[str] = "", signed_out: FromQuery[bool] = False, welcome: FromQuery[bool] = False) -> Template | Redirect:
        destination = _after_sign_in(signed_in_user(request), next)
        if destination:
            return Redirect(destination)
        return Template("accounts/login.html", context={"next": safe_next(next, ""), "signed_out": signed_out, "welcome": welcome})

    @post("/login", middleware=RATE_LIMITED)
    async def login(self, request: Request, settings: AppSettings, data: Annotated[LoginForm, Form]) -> Template | Redirect:
        sign_in = await services.authenticate(data.email, data.password, ip_address=client_ip(request))
        if sign_in is None:
            return Template(
                "accounts/login.html",
                context={"next": safe_next(data.next, ""), "error": services.GENERIC_LOGIN_ERROR, "email": data.email[:254]},
                status_code=400,
            )
        await auth.end_session(request.cookies.get(auth.SESSION_COOKIE))
        mfa_passed = not sign_in.needs_second_factor and not sign_in.must_enrol
        token = await auth.start_session(sign_in.user_id, mfa_passed=mfa_passed, user_agent=request.headers.get("user-agent", ""))
        if sign_in.needs_second_factor:
            destination = f"/login/mfa?next={quote(safe_next(data.next))}"
        elif sign_in.must_enrol:
            destination = "/account/mfa/setup"
        else:
            destination = safe_next(data.next)
        return Redirect(destination, cookies=[session_cookie(token, settings)])

    @get("/login/mfa", name="mfa_challenge", guards=[SignInStageGuard()], opt={"public": False})
    async def mfa_page(self, request: Request, next: FromQuery[str] = "") -> Template | Redirect:
        user = signed_in_user(request)
        if user.fully_signed_in or not user.mfa_enabled:
            return Redirect(_after_sign_in(user, next))
        return Template("accounts/mfa_challenge.html", context={"next": safe_next(next, "")})

    @post("/login/mfa", guards=[SignInStageGuard()], opt={"public": False}, middleware=RATE_LIMITED)
    async def mfa_verify(self, request: Request, settings: AppSettings, data: Annotated[CodeForm, Form]) -> Template | Redirect:
        user = signed_in_user(request)
        outcome = await services.verify_second_factor(user.id, data.code, ip_address=client_ip(request))
        if outcome is not services.SecondFactor.accepted:
            return Template(
                "accounts/mfa_challenge.html",
                context={"next": safe_next(data.next, ""), "error": SECOND_FACTOR_PROBLEMS[outcome]},
                status_code=400,
            )
        token = await auth.mark_mfa_passed(user.session_token)
        return Redirect(safe_next(data.next), cookies=[session_cookie(token, settings)])

    @post("/logout", name="logout", guards=[SignInStageGuard()], opt={"public": False})
    async def logout(self, request: Request, settings: AppSettings) -> Redirect:
        user = signed_in_user(request)
        await auth.end_session(user.session_token)
        await record(AuditAction.logout, actor=Actor(user.id, user.email), target_type="staff_user", target_id=user.id, ip_address=client_ip(request))
        return Redirect("/login?signed_out=1", cookies=[expired_session_cookie(settings)])

    @get("/password/forgot", name="forgot_password")
    async def forgot_page(self) -> Template:
        return Template("accounts/forgot.html")

    @post("/password/forgot", middleware=RATE_LIMITED)
    async def forgot(self, request: Request, data: Annotated[EmailForm, Form]) -> Template:
        email = data.email.strip()
        if not EMAIL_SHAPE.match(email):
            return Template("accounts/forgot.html", context={"error": "Enter the email address you sign in with.", "email": email}, status_code=400)
        # Known and unknown emails get the same page after the same work: looking the account up,
        # issuing the link and mailing it are a job (app.jobs), in the database until a worker runs it.
        await jobs.enqueue(jobs.password_reset, email, client_ip(request))
        return Template("accounts/forgot.html", context={"sent": True})

    @get("/password/reset/{token:str}", name="reset_password")
    async def reset_page(self, token: FromPath[str]) -> Template:
        return await _token_form(token, "reset")

    @post("/password/reset/{token:str}", middleware=RATE_LIMITED)
    async def reset(self, request: Request, token: FromPath[str], data: Annotated[NewPasswordForm, Form]) -> Template | Redirect:
        return await _set_password(request, token, "reset", data)

    @get("/invite/{token:str}", name="accept_invite")
    async def invite_page(self, token: FromPath[str]) -> Template:
        return await _token_form(token, "invite")

    @post("/invite/{token:str}", middleware=RATE_LIMITED)
    async def accept(self, request: Request, token: FromPath[str], data: Annotated[NewPasswordForm, Form]) -> Template | Redirect:
        return await _set_password(request, token, "invite", data)


async def _token_form(token: str, purpose: str, *, error: str = "", status_code: int = 200) -> Template:
    try:
        await services.consume_token(token, purpose, peek=True)
    except services.TokenProblem as problem:
        return _token_problem(problem, purpose)
    return Template("accounts/set_password.html", context={"purpose": purpose, "error": error}, status_code=status_code)


def _token_problem(problem: services.TokenProblem, purpose: str) -> Template:
    """Why an emailed link cannot be used, with the way to a new one: 404 unknown, 410 spent."""
    status_code = 404 if problem.reason == "unknown" else 410
    return Template("accounts/token_problem.html", context={"reason": problem.reason, "purpose": purpose}, status_code=status_code)


async def _set_password(request: Request, token: str, purpose: str, data: NewPasswordForm) -> Template | Redirect:
    if data.password != data.confirm:
        return await _token_form(token, purpose, error="The two passwords are not the same.", status_code=400)
    complete = services.accept_invite if purpose == "invite" else services.complete_password_reset
    try:
        await complete(token, data.password, ip_address=client_ip(request))
    except services.TokenProblem as problem:
        return _token_problem(problem, purpose)
    except WeakPassword as weak:
        return await _token_form(token, purpose, error=str(weak), status_code=400)
    return Redirect("/login?welcome=1")


class AccountController(Controller):
    path = ""
    tags = ["accounts"]
    include_in_schema = False

    @get("/staff", name="staff_home", guards=requires(Permission.use_staff_area))
    async def staff_home(self, request: Request, settings: AppSettings) -> Template:
        from app.dashboards import services as dashboards
        from surveys.participation import charts

        user = signed_in_user(request)
        disclosures = await safeguarding.open_counts() if user.can(Permission.triage_safeguarding) else None
        participation = (await dashboards.participation_panel(threshold=settings.small_group_threshold)
                         if user.can(Permission.view_small_groups) else None)
        return Template("accounts/staff_home.html", context={
            "disclosures": disclosures, "participation": participation, "charts": charts,
            "projects": await dashboards.project_panel(user), "boards": await dashboards.board_panel(user),
            "findings": await dashboards.findings_panel(user),
            "indicators": await dashboards.indicator_lines(user, threshold=settings.small_group_threshold) if user.board_ids else []})

    @get("/account", name="account", guards=requires(Permission.use_staff_area))
    async def account(self, request: Request, changed: FromQuery[bool] = False) -> Template:
        user = signed_in_user(request)
        return Template(
            "accounts/account.html",
            context={"recovery_left": await services.unused_recovery_codes(user.id), "changed": changed},
        )

    @post("/account/password", guards=requires(Permission.use_staff_area))
    async def change_password(self, request: Request, settings: AppSettings, data: Annotated[ChangePasswordForm, Form]) -> Template | Redirect:
        user = signed_in_user(request)
        error = "The two new passwords are not the same." if data.password != data.confirm else ""
        if not error:
            try:
                token = await services.change_password(user, data.current, data.password, ip_address=client_ip(request))
            except (services.AccountError, WeakPassword) as problem:
                error = str(problem)
            else:
                return Redirect("/account?changed=1", cookies=[session_cookie(token, settings)])
        return Template(
            "accounts/account.html",
            context={"recovery_left": await services.unused_recovery_codes(user.id), "password_error": error},
            status_code=400,
        )

    @get("/account/mfa/setup", name="mfa_setup", guards=[SignInStageGuard()])
    async def mfa_setup_page(self, request: Request) -> Template | Redirect:
        user = signed_in_user(request)
        if user.mfa_enabled:
            return Redirect("/account")
        enrolment = await services.begin_enrolment(user)
        return Template("accounts/mfa_setup.html", context={"enrolment": enrolment})

    @post("/account/mfa/setup", guards=[SignInStageGuard()])
    async def mfa_setup(self, request: Request, settings: AppSettings, data: Annotated[CodeForm, Form]) -> Template | Redirect:
        user = signed_in_user(request)
        if user.mfa_enabled:
            return Redirect("/account")
        try:
            codes = await services.confirm_enrolment(user, data.code, ip_address=client_ip(request))
        except services.AccountError as problem:
            enrolment = await services.begin_enrolment(user)
            return Template("accounts/mfa_setup.html", context={"enrolment": enrolment, "error": str(problem)}, status_code=400)
        token = await auth.mark_mfa_passed(user.session_token)
        return Template("accounts/recovery_codes.html", context={"codes": codes, "first_time": True}, cookies=[session_cookie(token, settings)])

    @post("/account/mfa/disable", guards=requires(Permission.use_staff_area))
    async def mfa_disable(self, request: Request) -> Template | Redirect:
        user = signed_in_user(request)
        try:
            await services.disable_mfa(user, ip_address=client_ip(request))
        except services.AccountError as problem:
            return Template("accounts/account.html", context={"recovery_left": await services.unused_recovery_codes(user.id), "mfa_error": str(problem)}, status_code=400)
        return Redirect("/account")

    @post("/account/recovery-codes", guards=requires(Permission.use_staff_area))
    async def recovery_codes(self, request: Request) -> Template:
        user = signed_in_user(request)
        codes = await services.regenerate_recovery_codes(user, ip_address=client_ip(request))
        return Template("accounts/recovery_codes.html", context={"codes": codes, "first_time": False})
