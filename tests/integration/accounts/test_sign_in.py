"""Sign-in: sessions in the database, rotation, timeouts, backoff, the same message for every failure."""

from datetime import timedelta

import pytest

from app.accounts import auth
from app.accounts.roles import Role
from app.accounts.services import lock_duration
from app.accounts.tables import StaffSession, StaffUser
from app.audit.tables import AuditEvent
from tests.staff import PASSWORD, make_user, post_form, signed_in_cookie

pytestmark = pytest.mark.usefixtures("db")


async def sign_in(client, email, password=PASSWORD, **extra):
    return await post_form(client, "/login", {"email": email, "password": password, **extra})


async def test_signing_in_sets_a_database_session_cookie(client):
    user_id = await make_user(Role.facilitator)
    response = await sign_in(client, "facilitator@example.org", next="/account")
    assert response.status_code == 302 and response.headers["location"] == "/account"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{auth.SESSION_COOKIE}=")
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "secure" not in lowered  # Secure in production only
    token = client.cookies[auth.SESSION_COOKIE]
    stored = await StaffSession.select().first()
    assert stored["user"] == user_id and stored["token_hash"] == auth.token_hash(token) != token
    assert (await client.get("/staff")).status_code == 200


async def test_a_new_session_id_at_every_sign_in(client):
    await make_user(Role.facilitator)
    await sign_in(client, "facilitator@example.org")
    first = client.cookies[auth.SESSION_COOKIE]
    await sign_in(client, "facilitator@example.org")
    second = client.cookies[auth.SESSION_COOKIE]
    assert first != second
    assert await StaffSession.count() == 1  # the old session was ended, not left behind
    assert await auth.resolve_session(first) is None


async def test_unknown_email_and_wrong_password_get_the_same_answer(client):
    await make_user(Role.facilitator)
    unknown = await sign_in(client, "nobody@example.org")
    wrong = await sign_in(client, "facilitator@example.org", "not the right password")
    assert unknown.status_code == wrong.status_code == 400
    message = "do not match an active account"
    assert message in unknown.text and message in wrong.text
    assert auth.SESSION_COOKIE not in client.cookies


async def test_repeated_failures_lock_the_account_with_growing_backoff(client, frozen_clock):
    await make_user(Role.facilitator)
    for _ in range(5):
        await sign_in(client, "facilitator@example.org", "wrong password guess")
    user = await StaffUser.select(StaffUser.failed_logins, StaffUser.locked_until).first()
    assert user["failed_logins"] == 5 and user["locked_until"] == frozen_clock.now() + timedelta(minutes=1)
    # Locked: even the right password is refused, with the same message.
    refused = await sign_in(client, "facilitator@example.org")
    assert refused.status_code == 400 and "locked for a few minutes" in refused.text
    frozen_clock.advance(minutes=1, seconds=1)
    await sign_in(client, "facilitator@example.org", "wrong password again")
    user = await StaffUser.select(StaffUser.locked_until).first()
    assert user["locked_until"] == frozen_clock.now() + timedelta(minutes=2)  # doubled
    frozen_clock.advance(minutes=2, seconds=1)
    assert (await sign_in(client, "facilitator@example.org")).status_code == 302
    assert (await StaffUser.select(StaffUser.failed_logins).first())["failed_logins"] == 0
    actions = [row["action"] for row in await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id)]
    assert actions.count("login_failed") == 6 and "login_locked" in actions and actions[-1] == "login_succeeded"


async def test_the_backoff_never_exceeds_an_hour():
    assert [lock_duration(n) for n in range(1, 5)] == [None] * 4
    assert lock_duration(5) == timedelta(minutes=1) and lock_duration(7) == timedelta(minutes=4)
    assert lock_duration(40) == timedelta(minutes=60)


async def test_a_deactivated_account_cannot_sign_in(client):
    user_id = await make_user(Role.analyst)
    await StaffUser.update({StaffUser.active: False}).where(StaffUser.id == user_id)
    assert (await sign_in(client, "analyst@example.org")).status_code == 400


async def test_sessions_end_after_30_idle_minutes(client, frozen_clock):
    user_id = await make_user(Role.analyst)
    client.cookies.update(await signed_in_cookie(user_id))
    frozen_clock.advance(minutes=29)
    assert (await client.get("/staff")).status_code == 200  # activity keeps it alive
    frozen_clock.advance(minutes=29)
    assert (await client.get("/staff")).status_code == 200
    frozen_clock.advance(minutes=31)
    response = await client.get("/staff", headers={"Accept": "text/html"})
    assert response.status_code == 302 and response.headers["location"] == "/login?next=/staff"
    assert await StaffSession.count() == 0


async def test_sessions_end_after_12_hours_however_active(client, frozen_clock):
    user_id = await make_user(Role.analyst)
    client.cookies.update(await signed_in_cookie(user_id))
    for _ in range(24):
        frozen_clock.advance(minutes=29)
        assert (await client.get("/staff")).status_code == 200
    frozen_clock.advance(minutes=25)  # 12 h 1 min after sign-in
    assert (await client.get("/staff", headers={"Accept": "application/json"})).status_code == 401


async def test_signing_out_destroys_the_session(client):
    await make_user(Role.analyst)
    await sign_in(client, "analyst@example.org")
    token = client.cookies[auth.SESSION_COOKIE]
    response = await post_form(client, "/logout")
    assert response.status_code == 302 and response.headers["location"] == "/login?signed_out=1"
    assert await StaffSession.count() == 0
    assert await auth.resolve_session(token) is None
    client.cookies.set(auth.SESSION_COOKIE, token)  # a stolen copy of the cookie is now worthless
    assert (await client.get("/staff", headers={"Accept": "application/json"})).status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
async def test_sign_in_never_redirects_off_site(client, target):
    await make_user(Role.analyst)
    response = await sign_in(client, "analyst@example.org", next=target)
    assert response.headers["location"] == "/staff"


async def test_an_oversized_email_is_a_400_and_nothing_is_stored(client):
    response = await sign_in(client, "a" * 10_000 + "@example.org")
    assert response.status_code == 400
    assert await AuditEvent.count() == 0 and await StaffSession.count() == 0


async def test_a_wrong_csrf_token_gets_a_friendly_403(client):
    await make_user(Role.analyst)
    await client.get("/login")
    response = await client.post(
        "/login", data={"email": "analyst@example.org", "password": PASSWORD, "_csrf_token": "forged"}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 403
    # The sign-in page is a staff page: its errors keep the staff layout, without the participant quick exit.
    assert "nothing was saved" in response.text and "quick-exit" not in response.text
    assert await StaffSession.count() == 0


async def test_one_address_hammering_the_sign_in_forms_is_slowed_down(client, settings):
    assert settings.sign_in_rate_limit == 20
    statuses = [(await sign_in(client, f"guess{i}@example.org")).status_code for i in range(21)]
    assert statuses[:20] == [400] * 20 and statuses[20] == 429


async def test_in_production_the_session_cookie_is_secure(db, tmp_path):
    import os

    from app.asgi import create_app
    from app.settings import Settings
    from tests.conftest import in_process_client

    settings = Settings.from_env(
        {"CHORUS_ENV": "production", "SECRET_KEY": "p" * 48, "SMTP_HOST": "127.0.0.1", "CHORUS_PUBLIC_URL": "https://testserver.local",
         "DATABASE_URL": os.environ["DATABASE_URL"], "CHORUS_VAR_DIR": str(tmp_path)}
    )
    await make_user(Role.analyst)
    # Production cookies are Secure, so the client must speak HTTPS to send them back.
    async with in_process_client(create_app(settings), base_url="https://testserver.local") as client:
        response = await sign_in(client, "analyst@example.org")
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith(auth.SESSION_COOKIE) and "; secure" in cookie and "httponly" in cookie
