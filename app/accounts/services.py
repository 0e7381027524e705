"""Staff accounts: invitations, sign-in with backoff, password resets, second factors, roles."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

import pyotp
import segno

from app import clock
from app.accounts import auth
from app.accounts.passwords import check_new_password, hash_password, needs_rehash, verify_password
from app.accounts.roles import MFA_REQUIRED, SCOPED_ROLES, Role
from app.accounts.tables import Agency, EmailToken, RecoveryCode, StaffRole, StaffUser
from app.audit.services import Actor, AuditAction, record
from app.mail import Mail, MailNotSent, send
from app.settings import Settings
from app.web.links import public_link

INVITE_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=1)
FREE_ATTEMPTS = 5
MAX_LOCK = timedelta(minutes=60)
RECOVERY_CODE_COUNT = 10
TOTP_ISSUER = "Chorus"

GENERIC_LOGIN_ERROR = (
    "That email and password do not match an active account, or the account is locked for a few "
    "minutes after too many attempts. Check them and try again, or reset your password."
)


class TokenProblem(ValueError):
    """An emailed link that cannot be used: `reason` is unknown, expired or used."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class AccountError(ValueError):
    """A request about an account that cannot be done; the message is for the person."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- invitations and resets ----------------------------------------------------------------------


@dataclass(frozen=True)
class RoleGrant:
    role: Role
    project_id: int | None = None
    board_id: int | None = None


async def _issue_token(user_id: int, purpose: str, lifetime: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    # A new link replaces any unused one of the same kind.
    await EmailToken.update({EmailToken.used_at: now}).where(
        (EmailToken.user == user_id) & (EmailToken.purpose == purpose) & EmailToken.used_at.is_null()
    )
    await EmailToken.insert(
        EmailToken(purpose=purpose, token_hash=auth.token_hash(token), user=user_id, created_at=now, expires_at=now + lifetime)
    )
    return token


async def consume_token(token: str, purpose: str, *, peek: bool = False) -> int:
    """The user id an emailed link belongs to; marks it used unless `peek`. Raises TokenProblem."""
    row = await EmailToken.select().where(
        (EmailToken.token_hash == auth.token_hash(token)) & (EmailToken.purpose == purpose)
    ).first()
    if row is None:
        raise TokenProblem("unknown")
    if row["used_at"] is not None:
        raise TokenProblem("used")
    if clock.now() >= row["expires_at"]:
        raise TokenProblem("expired")
    if not peek:
        # Conditional on still being unused, so two requests racing with one link cannot both win.
        spent = await EmailToken.update({EmailToken.used_at: clock.now()}).where(
            (EmailToken.id == row["id"]) & EmailToken.used_at.is_null()
        ).returning(EmailToken.id)
        if not spent:
            raise TokenProblem("used")
    return row["user"]


async def invite(
    settings: Settings,
    *,
    actor: Actor,
    email: str,
    display_name: str,
    agency: Agency,
    grants: list[RoleGrant],
    ip_address: str = "",
) -> int:
    """Create an account without a password and email a link to set one."""
    email = normalise_email(email)
    if await StaffUser.exists().where(StaffUser.email == email):
        raise AccountError("There is already an account with that email.")
    async with StaffUser._meta.db.transaction():
        user = StaffUser(email=email, display_name=display_name.strip(), agency=agency.value, created_at=clock.now())
        await user.save()
        await _set_grants(user.id, grants, actor=actor, ip_address=ip_address)
        token = await _issue_token(user.id, "invite", INVITE_LIFETIME)
        await record(AuditAction.user_invited, actor=actor, target_type="staff_user", target_id=user.id, ip_address=ip_address)
    await _send_invite(settings, email, display_name, token)
    return user.id


async def resend_invite(settings: Settings, *, actor: Actor, user_id: int, ip_address: str = "") -> None:
    user = await StaffUser.select(StaffUser.email, StaffUser.display_name, StaffUser.password_hash).where(
        StaffUser.id == user_id
    ).first()
    if user is None:
        raise AccountError("No such account.")
    if user["password_hash"]:
        raise AccountError("That person has already set a password; they can reset it from the sign-in page.")
    token = await _issue_token(user_id, "invite", INVITE_LIFETIME)
    await record(AuditAction.invite_resent, actor=actor, target_type="staff_user", target_id=user_id, ip_address=ip_address)
    await _send_invite(settings, user["email"], user["display_name"], token)


async def _send_invite(settings: Settings, email: str, name: str, token: str) -> None:
    link = public_link(settings, f"/invite/{token}")
    await send(
        settings,
        Mail(
            to=email,
            subject="You have been invited to Chorus",
            body=(
                f"Hello {name},\n\nYou have been given a staff account on Chorus, the youth-safety "
                f"partnership's feedback platform.\n\nSet your password here (the link works once, "
                f"for 7 days):\n{link}\n\nIf you did not expect this, you can ignore this email.\n"
            ),
        ),
    )


async def _redeem(token: str, purpose: str, password: str) -> dict:
    """Set a password from an emailed link: the link is spent only if the password is accepted."""
    user_id = await consume_token(token, purpose, peek=True)
    user = await StaffUser.select(StaffUser.id, StaffUser.email, StaffUser.display_name).where(StaffUser.id == user_id).first()
    check_new_password(password, email=user["email"], display_name=user["display_name"])
    await consume_token(token, purpose)
    await StaffUser.update(
        {StaffUser.password_hash: hash_password(password), StaffUser.failed_logins: 0, StaffUser.locked_until: None}
    ).where(StaffUser.id == user_id)
    return user


async def accept_invite(token: str, password: str, *, ip_address: str = "") -> int:
    user = await _redeem(token, "invite", password)
    await record(AuditAction.invite_accepted, actor=Actor(user["id"], user["email"]), target_type="staff_user", target_id=user["id"], ip_address=ip_address)
    return user["id"]


async def request_password_reset(settings: Settings, email: str, *, ip_address: str = "") -> None:
    """Email a reset link if an active account has this email; say nothing either way.

    Run after the response is sent (see the /password/forgot controller), so that known and unknown
    emails take the same time to answer; a mail failure is logged by app.mail and otherwise silent.
    """
    email = normalise_email(email)
    user = await StaffUser.select(StaffUser.id, StaffUser.display_name, StaffUser.password_hash).where(
        (StaffUser.email == email) & (StaffUser.active == True)  # noqa: E712 - Piccolo expression
    ).first()
    if user is None:
        return
    token = await _issue_token(user["id"], "reset", RESET_LIFETIME)
    await record(AuditAction.password_reset_requested, actor=Actor(user["id"], email), target_type="staff_user", target_id=user["id"], ip_address=ip_address)
    link = public_link(settings, f"/password/reset/{token}")
    try:
        await send(
            settings,
            Mail(
                to=email,
                subject="Reset your Chorus password",
                body=(
                    f"Hello {user['display_name']},\n\nSomeone asked to reset the password of your Chorus "
                    f"account. If it was you, choose a new password here (the link works once, for one "
                    f"hour):\n{link}\n\nIf it was not you, ignore this email: your password is unchanged.\n"
                ),
            ),
        )
    except MailNotSent:
        pass  # logged where it failed; the person can ask again


async def complete_password_reset(token: str, password: str, *, ip_address: str = "") -> int:
    user = await _redeem(token, "reset", password)
    await auth.end_all_sessions(user["id"])
    await record(AuditAction.password_reset_completed, actor=Actor(user["id"], user["email"]), target_type="staff_user", target_id=user["id"], ip_address=ip_address)
    return user["id"]


# --- sign-in -------------------------------------------------------------------------------------


def lock_duration(failures: int) -> timedelta | None:
    """No lock for the first few failures, then 1, 2, 4 … minutes, at most an hour."""
    if failures < FREE_ATTEMPTS:
        return None
    return min(timedelta(minutes=2 ** (failures - FREE_ATTEMPTS)), MAX_LOCK)


@dataclass(frozen=True)
class SignIn:
    user_id: int
    needs_second_factor: bool
    must_enrol: bool


async def authenticate(email: str, password: str, *, ip_address: str = "") -> SignIn | None:
    """Check a password with per-account backoff. None for any failure, whatever its reason."""
    email = normalise_email(email)
    user = await StaffUser.select().where(StaffUser.email == email).first()
    now = clock.now()
    if user is None:
        verify_password(None, password)  # same work as a real check
        await record(AuditAction.login_failed, detail={"reason": "unknown_email"}, ip_address=ip_address)
        return None
    actor = Actor(user["id"], email)
    if user["locked_until"] is not None and now < user["locked_until"]:
        verify_password(None, password)
        await record(AuditAction.login_locked, actor=actor, target_type="staff_user", target_id=user["id"], ip_address=ip_address)
        return None
    if not verify_password(user["password_hash"], password) or not user["active"]:
        failures = user["failed_logins"] + 1
        lock = lock_duration(failures)
        await StaffUser.update(
            {StaffUser.failed_logins: failures, StaffUser.locked_until: now + lock if lock else None}
        ).where(StaffUser.id == user["id"])
        reason = "inactive" if user["active"] is False else "wrong_password"
        await record(AuditAction.login_failed, actor=actor, target_type="staff_user", target_id=user["id"], detail={"reason": reason, "failures": failures}, ip_address=ip_address)
        return None
    changes = {StaffUser.failed_logins: 0, StaffUser.locked_until: None, StaffUser.last_login_at: now}
    if needs_rehash(user["password_hash"]):
        changes[StaffUser.password_hash] = hash_password(password)
    await StaffUser.update(changes).where(StaffUser.id == user["id"])
    roles = {Role(r["role"]) for r in await StaffRole.select(StaffRole.role).where(StaffRole.user == user["id"])}
    sign_in = SignIn(
        user_id=user["id"],
        needs_second_factor=user["mfa_enabled"],
        must_enrol=not user["mfa_enabled"] and bool(roles & MFA_REQUIRED),
    )
    # The password step and the completed sign-in are separate events: a right password followed
    # by a wrong second factor is not a sign-in.
    await record(AuditAction.password_accepted, actor=actor, target_type="staff_user", target_id=user["id"], ip_address=ip_address)
    if not sign_in.needs_second_factor and not sign_in.must_enrol:
        await record(AuditAction.login_succeeded, actor=actor, target_type="staff_user", target_id=user["id"], detail={"second_factor": "none"}, ip_address=ip_address)
    return sign_in


async def change_password(user: auth.CurrentUser, current: str, new: str, *, ip_address: str = "") -> str:
    """Change the password, end every other session, and return a new session token."""
    row = await StaffUser.select(StaffUser.password_hash).where(StaffUser.id == user.id).first()
    if not verify_password(row["password_hash"], current):
        raise AccountError("Your current password is not right.")
    check_new_password(new, email=user.email, display_name=user.display_name)
    await StaffUser.update({StaffUser.password_hash: hash_password(new)}).where(StaffUser.id == user.id)
    await auth.end_all_sessions(user.id)
    await record(AuditAction.password_changed, actor=Actor(user.id, user.email), target_type="staff_user", target_id=user.id, ip_address=ip_address)
    return await auth.start_session(user.id, mfa_passed=True)


# --- second factor -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    qr_svg_data_uri: str


async def begin_enrolment(user: auth.CurrentUser) -> Enrolment:
    """A TOTP secret to scan (kept until confirmed; a new one each time until then)."""
    row = await StaffUser.select(StaffUser.totp_secret, StaffUser.mfa_enabled).where(StaffUser.id == user.id).first()
    if row["mfa_enabled"]:
        raise AccountError("Your second factor is already set up.")
    secret = row["totp_secret"] or pyotp.random_base32()
    if not row["totp_secret"]:
        await StaffUser.update({StaffUser.totp_secret: secret}).where(StaffUser.id == user.id)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)
    qr = segno.make(uri, error="m")
    return Enrolment(secret=secret, uri=uri, qr_svg_data_uri=qr.svg_data_uri(scale=5, dark="#1b1b1f"))


def _totp_step(secret: str, code: str) -> int | None:
    """The time step a code belongs to (now, or one step either way for clock drift), or None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(clock.now())
    for step in (now_step, now_step - 1, now_step + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def confirm_enrolment(user: auth.CurrentUser, code: str, *, ip_address: str = "") -> list[str]:
    row = await StaffUser.select(StaffUser.totp_secret, StaffUser.mfa_enabled).where(StaffUser.id == user.id).first()
    if row["mfa_enabled"] or not row["totp_secret"]:
        raise AccountError("Start setting up your second factor again.")
    step = _totp_step(row["totp_secret"], code)
    if step is None:
        raise AccountError("That code is not right. Check the time on your phone and try the newest code.")
    await StaffUser.update({StaffUser.mfa_enabled: True, StaffUser.last_totp_step: step}).where(StaffUser.id == user.id)
    actor = Actor(user.id, user.email)
    await record(AuditAction.mfa_enrolled, actor=actor, target_type="staff_user", target_id=user.id, ip_address=ip_address)
    if not user.mfa_passed:  # enrolling was the second step of this sign-in
        await record(AuditAction.login_succeeded, actor=actor, target_type="staff_user", target_id=user.id, detail={"second_factor": "enrolment"}, ip_address=ip_address)
    return await _new_recovery_codes(user.id)


async def _new_recovery_codes(user_id: int) -> list[str]:
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    await RecoveryCode.delete().where(RecoveryCode.user == user_id)
    await RecoveryCode.insert(*[RecoveryCode(user=user_id, code_hash=auth.token_hash(code)) for code in codes])
    return codes


async def regenerate_recovery_codes(user: auth.CurrentUser, *, ip_address: str = "") -> list[str]:
    await record(AuditAction.recovery_codes_regenerated, actor=Actor(user.id, user.email), target_type="staff_user", target_id=user.id, ip_address=ip_address)
    return await _new_recovery_codes(user.id)


class SecondFactor(Enum):
    """What became of a second-factor code."""

    accepted = "accepted"
    wrong = "wrong"
    just_used = "just_used"
    """A right TOTP code whose time step has already been used: wait for the next one."""
    locked = "locked"
    """Too many wrong codes: none is checked until the backoff has passed."""


async def verify_second_factor(user_id: int, code: str, *, ip_address: str = "") -> SecondFactor:
    """A TOTP code (each time step usable once) or an unused recovery code, with the same per-account
    backoff as passwords: after FREE_ATTEMPTS wrong codes even a right one waits 1, 2, 4 … minutes."""
    row = await StaffUser.select(
        StaffUser.email, StaffUser.totp_secret, StaffUser.last_totp_step, StaffUser.second_factor_locked_until
    ).where(StaffUser.id == user_id).first()
    actor = Actor(user_id, row["email"])
    now = clock.now()
    if row["second_factor_locked_until"] is not None and now < row["second_factor_locked_until"]:
        await record(AuditAction.mfa_locked, actor=actor, target_type="staff_user", target_id=user_id, ip_address=ip_address)
        return SecondFactor.locked
    step = _totp_step(row["totp_secret"] or "", code)
    just_used = step is not None and row["last_totp_step"] is not None and step <= row["last_totp_step"]
    if step is not None and not just_used:
        # Conditional on the step still being new, so two requests with one code cannot both pass.
        taken = await StaffUser.update(
            {StaffUser.last_totp_step: step, StaffUser.second_factor_failures: 0, StaffUser.second_factor_locked_until: None}
        ).where((StaffUser.id == user_id) & (StaffUser.last_totp_step.is_null() | (StaffUser.last_totp_step < step))).returning(StaffUser.id)
        if taken:
            await record(AuditAction.login_succeeded, actor=actor, target_type="staff_user", target_id=user_id, detail={"second_factor": "totp"}, ip_address=ip_address)
            return SecondFactor.accepted
        just_used = True
    if just_used:
        await record(AuditAction.mfa_failed, actor=actor, target_type="staff_user", target_id=user_id, detail={"reason": "just_used"}, ip_address=ip_address)
        return SecondFactor.just_used
    recovery = await RecoveryCode.update({RecoveryCode.used_at: now}).where(
        (RecoveryCode.user == user_id) & (RecoveryCode.code_hash == auth.token_hash(code.strip().lower())) & RecoveryCode.used_at.is_null()
    ).returning(RecoveryCode.id)
    if recovery:
        await StaffUser.update({StaffUser.second_factor_failures: 0, StaffUser.second_factor_locked_until: None}).where(StaffUser.id == user_id)
        await record(AuditAction.recovery_code_used, actor=actor, target_type="staff_user", target_id=user_id, ip_address=ip_address)
        await record(AuditAction.login_succeeded, actor=actor, target_type="staff_user", target_id=user_id, detail={"second_factor": "recovery_code"}, ip_address=ip_address)
        return SecondFactor.accepted
    # Counted in the database in one statement, so parallel guesses from several sessions all count.
    counted = await StaffUser.update({StaffUser.second_factor_failures: StaffUser.second_factor_failures + 1}).where(
        StaffUser.id == user_id
    ).returning(StaffUser.second_factor_failures)
    failures = counted[0]["second_factor_failures"]
    lock = lock_duration(failures)
    if lock:
        await StaffUser.update({StaffUser.second_factor_locked_until: now + lock}).where(StaffUser.id == user_id)
    await record(AuditAction.mfa_failed, actor=actor, target_type="staff_user", target_id=user_id, detail={"reason": "wrong_code", "failures": failures}, ip_address=ip_address)
    return SecondFactor.wrong


async def disable_mfa(user: auth.CurrentUser, *, ip_address: str = "") -> None:
    if user.mfa_required:
        raise AccountError("Your role needs a second factor, so it cannot be turned off.")
    await StaffUser.update({StaffUser.mfa_enabled: False, StaffUser.totp_secret: None, StaffUser.last_totp_step: None}).where(
        StaffUser.id == user.id
    )
    await RecoveryCode.delete().where(RecoveryCode.user == user.id)
    await record(AuditAction.mfa_disabled, actor=Actor(user.id, user.email), target_type="staff_user", target_id=user.id, ip_address=ip_address)


async def unused_recovery_codes(user_id: int) -> int:
    return await RecoveryCode.count().where((RecoveryCode.user == user_id) & RecoveryCode.used_at.is_null())


# --- administration ------------------------------------------------------------------------------


async def _set_grants(user_id: int, grants: list[RoleGrant], *, actor: Actor, ip_address: str) -> None:
    """Make the user's roles exactly `grants`, auditing each one granted or revoked."""
    for grant in grants:
        scope = SCOPED_ROLES.get(grant.role)
        if scope == "project" and grant.project_id is None:
            raise AccountError("A project lead needs a project.")
        if scope == "board" and grant.board_id is None:
            raise AccountError("A board member needs a board.")
    existing = await StaffRole.select().where(StaffRole.user == user_id)
    wanted = {(g.role.value, g.project_id if g.role is Role.project_lead else None, g.board_id if g.role is Role.board_member else None) for g in grants}
    have = {(r["role"], r["project"], r["board"]): r["id"] for r in existing}
    for key, row_id in have.items():
        if key not in wanted:
            await StaffRole.delete().where(StaffRole.id == row_id)
            await record(AuditAction.role_revoked, actor=actor, target_type="staff_user", target_id=user_id, detail=_grant_detail(key), ip_address=ip_address)
    for key in wanted - set(have):
        await StaffRole.insert(StaffRole(user=user_id, role=key[0], project=key[1], board=key[2]))
        await record(AuditAction.role_granted, actor=actor, target_type="staff_user", target_id=user_id, detail=_grant_detail(key), ip_address=ip_address)


def _grant_detail(key: tuple) -> dict:
    role, project, board = key
    detail = {"role": role}
    if project:
        detail["project_id"] = project
    if board:
        detail["board_id"] = board
    return detail


async def update_user(
    *, actor: Actor, user_id: int, display_name: str, agency: Agency, active: bool, grants: list[RoleGrant], ip_address: str = ""
) -> None:
    user = await StaffUser.select(StaffUser.active, StaffUser.display_name, StaffUser.agency).where(StaffUser.id == user_id).first()
    if user is None:
        raise AccountError("No such account.")
    if actor.id == user_id and (not active or Role.admin not in {g.role for g in grants}):
        raise AccountError("You cannot remove your own administrator role or deactivate yourself.")
    async with StaffUser._meta.db.transaction():
        await StaffUser.update({StaffUser.display_name: display_name.strip(), StaffUser.agency: agency.value, StaffUser.active: active}).where(
            StaffUser.id == user_id
        )
        if (user["display_name"], user["agency"]) != (display_name.strip(), agency.value):
            await record(AuditAction.user_updated, actor=actor, target_type="staff_user", target_id=user_id, ip_address=ip_address)
        if user["active"] != active:
            await record(AuditAction.user_reactivated if active else AuditAction.user_deactivated, actor=actor, target_type="staff_user", target_id=user_id, ip_address=ip_address)
            if not active:
                await auth.end_all_sessions(user_id)
        await _set_grants(user_id, grants, actor=actor, ip_address=ip_address)


async def list_users() -> list[dict]:
    users = await StaffUser.select(
        StaffUser.id, StaffUser.email, StaffUser.display_name, StaffUser.agency, StaffUser.active,
        StaffUser.mfa_enabled, StaffUser.password_hash, StaffUser.last_login_at,
    ).order_by(StaffUser.display_name)
    roles = await StaffRole.select(StaffRole.user, StaffRole.role)
    for user in users:
        user["invited"] = user.pop("password_hash") is None
        user["roles"] = sorted({Role(r["role"]) for r in roles if r["user"] == user["id"]}, key=list(Role).index)
    return users


async def get_user(user_id: int) -> dict | None:
    user = await StaffUser.select(
        StaffUser.id, StaffUser.email, StaffUser.display_name, StaffUser.agency, StaffUser.active,
        StaffUser.mfa_enabled, StaffUser.password_hash,
    ).where(StaffUser.id == user_id).first()
    if user is not None:
        user["invited"] = user.pop("password_hash") is None
        user["grants"] = await StaffRole.select().where(StaffRole.user == user_id)
    return user


async def create_user_with_password(
    *, email: str, display_name: str, agency: Agency, password: str, grants: list[RoleGrant], actor: Actor | None = None
) -> int:
    """For the CLI and demo data: an account that can sign in at once."""
    email = normalise_email(email)
    check_new_password(password, email=email, display_name=display_name)
    if await StaffUser.exists().where(StaffUser.email == email):
        raise AccountError(f"There is already an account for {email}.")
    async with StaffUser._meta.db.transaction():
        user = StaffUser(
            email=email, display_name=display_name, agency=agency.value, password_hash=hash_password(password), created_at=clock.now()
        )
        await user.save()
        await _set_grants(user.id, grants, actor=actor or Actor(None, "chorus-cli"), ip_address="")
    return user.id
