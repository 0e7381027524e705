"""Helpers for tests of the staff side: accounts, sessions, forms with CSRF, a movable clock, SMTP."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pyotp
import pytest

from app import clock
from app.accounts import auth, services
from app.accounts.roles import MFA_REQUIRED, Role
from app.accounts.tables import Agency, StaffUser
from app.governance.tables import Board, Project

PASSWORD = "correct horse battery staple"


def csrf_token(client: httpx.AsyncClient) -> str:
    return client.cookies.get("csrftoken", "")


async def post_form(client: httpx.AsyncClient, url: str, data: dict | None = None, **kwargs) -> httpx.Response:
    """POST a form the way a browser does: after a GET that set the CSRF cookie, token included."""
    if not csrf_token(client):
        await client.get("/login")
    return await client.post(url, data={**(data or {}), "_csrf_token": csrf_token(client)}, headers={"Accept": "text/html"}, **kwargs)


async def make_user(role: Role | None = None, *, email: str | None = None, mfa: bool | None = None, password: str = PASSWORD) -> int:
    """A user with one role (scoped roles get the first project or board); MFA on where the role needs it."""
    grants = []
    if role is not None:
        project = await Project.select(Project.id).first() if role is Role.project_lead else None
        board = await Board.select(Board.id).first() if role is Role.board_member else None
        grants = [services.RoleGrant(role, project_id=project and project["id"], board_id=board and board["id"])]
    user_id = await services.create_user_with_password(
        email=email or f"{role.value if role else 'nobody'}@example.org",
        display_name=f"Test {role.label if role else 'Nobody'}",
        agency=Agency.other,
        password=password,
        grants=grants,
    )
    if mfa if mfa is not None else role in MFA_REQUIRED:
        await StaffUser.update({StaffUser.totp_secret: pyotp.random_base32(), StaffUser.mfa_enabled: True}).where(StaffUser.id == user_id)
    return user_id


async def signed_in_cookie(user_id: int) -> dict[str, str]:
    """A fully signed-in session for the user, as the cookie a browser would hold."""
    return {auth.SESSION_COOKIE: await auth.start_session(user_id, mfa_passed=True)}


async def totp_now(user_id: int, offset_steps: int = 0) -> str:
    secret = (await StaffUser.select(StaffUser.totp_secret).where(StaffUser.id == user_id).first())["totp_secret"]
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(clock.now()) + offset_steps)


@dataclass
class MovableClock:
    """The edge of the world: tests move time instead of waiting for it."""

    current: datetime = field(default_factory=lambda: datetime(2026, 11, 26, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta) -> None:
        self.current += timedelta(**delta)


@pytest.fixture(scope="session", autouse=True)
def one_argon2_hash_per_password():
    """Hash each test password once per run. Every account still gets a real argon2id hash and
    every sign-in a real verification; the role matrix alone would otherwise spend a minute per
    database engine hashing the same password for its seven accounts per route."""
    real = services.hash_password
    hashes: dict[str, str] = {}

    def hash_once(password: str) -> str:
        if password not in hashes:
            hashes[password] = real(password)
        return hashes[password]

    services.hash_password = hash_once
    yield
    services.hash_password = real


@pytest.fixture
def frozen_clock(monkeypatch) -> MovableClock:
    moving = MovableClock()
    monkeypatch.setattr(clock, "now", moving.now)
    return moving


class CapturingSMTP:
    """A real SMTP server (aiosmtpd) on a free loopback port that keeps what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.Message] = []
        self.hold: threading.Event | None = None
        """While set to an unset Event, every message waits at DATA: a sender that waits for it hangs."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.hold is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.hold.wait)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def bodies_to(self, address: str) -> list[str]:
        return [m.get_payload(decode=True).decode() for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp_server():
    server = CapturingSMTP()
    server.controller.start()
    yield server
    server.controller.stop()


async def wait_for_mail(smtp: CapturingSMTP, address: str, count: int = 1, timeout: float = 5) -> list[str]:
    for _ in range(int(timeout * 20)):
        bodies = smtp.bodies_to(address)
        if len(bodies) >= count:
            return bodies
        await asyncio.sleep(0.05)
    raise AssertionError(f"no mail to {address} within {timeout}s")
