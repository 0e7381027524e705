"""Second factor: mandatory for administrators and safeguarding leads, TOTP codes work once,
recovery codes work once, and the session is replaced when the second step is done."""

import re
from datetime import timedelta

import pyotp
import pytest

from app.accounts import auth
from app.accounts.roles import Role
from app.accounts.tables import RecoveryCode, StaffSession, StaffUser
from app.audit.tables import AuditEvent
from tests.staff import PASSWORD, make_user, post_form, totp_now

pytestmark = pytest.mark.usefixtures("db")
JSON = {"Accept": "application/json"}


async def sign_in(client, email, **extra):
    return await post_form(client, "/login", {"email": email, "password": PASSWORD, **extra})


@pytest.mark.parametrize("role", [Role.admin, Role.safeguarding_lead])
async def test_roles_that_need_mfa_must_enrol_before_anything_else(client, role):
    user_id = await make_user(role, mfa=False)
    response = await sign_in(client, f"{role.value}@example.org")
    assert response.headers["location"] == "/account/mfa/setup"
    for path in ("/staff", "/account", "/admin/users", "/admin/audit"):
        assert (await client.get(path, headers=JSON)).status_code == 401, path
    page = await client.get("/account/mfa/setup")
    assert page.status_code == 200 and "data:image/svg+xml" in page.text
    pending_token = client.cookies[auth.SESSION_COOKIE]

    confirmed = await post_form(client, "/account/mfa/setup", {"code": await totp_now(user_id)})
    assert confirmed.status_code == 200 and "recovery codes" in confirmed.text
    assert client.cookies[auth.SESSION_COOKIE] != pending_token  # a new session once fully signed in
    assert await auth.resolve_session(pending_token) is None
    assert (await client.get("/staff")).status_code == 200
    assert await RecoveryCode.count().where(RecoveryCode.user == user_id) == 10
    assert (await StaffUser.select(StaffUser.mfa_enabled).where(StaffUser.id == user_id).first())["mfa_enabled"]


async def test_a_wrong_enrolment_code_is_refused_and_the_account_stays_unenrolled(client):
    await make_user(Role.admin, mfa=False)
    await sign_in(client, "admin@example.org")
    await client.get("/account/mfa/setup")
    response = await post_form(client, "/account/mfa/setup", {"code": "000000"})
    assert response.status_code == 400 and "not right" in response.text
    assert not (await StaffUser.select(StaffUser.mfa_enabled).first())["mfa_enabled"]


async def test_signing_in_with_mfa_asks_for_a_code_and_each_code_works_once(client, frozen_clock):
    user_id = await make_user(Role.admin)
    response = await sign_in(client, "admin@example.org", next="/admin/users")
    assert response.headers["location"] == "/login/mfa?next=/admin/users"
    assert (await client.get("/admin/users", headers=JSON)).status_code == 401
    code = await totp_now(user_id)
    verified = await post_form(client, "/login/mfa", {"code": code, "next": "/admin/users"})
    assert verified.status_code == 302 and verified.headers["location"] == "/admin/users"
    assert (await client.get("/admin/users")).status_code == 200

    client.cookies.clear()
    await sign_in(client, "admin@example.org")
    replay = await post_form(client, "/login/mfa", {"code": code})
    assert replay.status_code == 400  # the same code, inside its 30 s window: refused, saying why
    assert "That code was just used — wait for the next one." in replay.text and "not right" not in replay.text
    frozen_clock.advance(seconds=30)
    assert (await post_form(client, "/login/mfa", {"code": await totp_now(user_id)})).status_code == 302


async def test_a_code_from_the_previous_window_is_accepted_for_clock_drift(client, frozen_clock):
    user_id = await make_user(Role.admin)
    await sign_in(client, "admin@example.org")
    assert (await post_form(client, "/login/mfa", {"code": await totp_now(user_id, offset_steps=-1)})).status_code == 302


async def test_recovery_codes_work_once_each(client):
    user_id = await make_user(Role.safeguarding_lead, mfa=False)
    await sign_in(client, "safeguarding_lead@example.org")
    await client.get("/account/mfa/setup")
    page = await post_form(client, "/account/mfa/setup", {"code": await totp_now(user_id)})
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", page.text)
    assert len(codes) == 10
    await post_form(client, "/logout")
    await sign_in(client, "safeguarding_lead@example.org")
    assert (await post_form(client, "/login/mfa", {"code": codes[0]})).status_code == 302
    await post_form(client, "/logout")
    await sign_in(client, "safeguarding_lead@example.org")
    assert (await post_form(client, "/login/mfa", {"code": codes[0]})).status_code == 400
    assert "recovery_code_used" in [r["action"] for r in await AuditEvent.select(AuditEvent.action)]


async def test_optional_mfa_can_be_turned_off_but_mandatory_mfa_cannot(client):
    analyst = await make_user(Role.analyst, mfa=True)
    await sign_in(client, "analyst@example.org")
    await post_form(client, "/login/mfa", {"code": await totp_now(analyst)})
    assert (await post_form(client, "/account/mfa/disable")).status_code == 302
    assert not (await StaffUser.select(StaffUser.mfa_enabled).where(StaffUser.id == analyst).first())["mfa_enabled"]

    client.cookies.clear()
    admin = await make_user(Role.admin)
    await sign_in(client, "admin@example.org")
    await post_form(client, "/login/mfa", {"code": await totp_now(admin)})
    refused = await post_form(client, "/account/mfa/disable")
    assert refused.status_code == 400 and "cannot be turned off" in refused.text
    assert (await StaffUser.select(StaffUser.mfa_enabled).where(StaffUser.id == admin).first())["mfa_enabled"]


async def test_totp_secret_matches_an_authenticator_app(client):
    """The enrolment page's key, typed into any RFC 6238 app, yields codes Chorus accepts."""
    await make_user(Role.admin, mfa=False)
    await sign_in(client, "admin@example.org")
    page = (await client.get("/account/mfa/setup")).text
    secret = page.split('<code class="secret">')[1].split("</code>")[0]
    assert (await post_form(client, "/account/mfa/setup", {"code": pyotp.TOTP(secret).now()})).status_code == 200
    assert await StaffSession.count() == 1


async def test_wrong_codes_back_off_like_passwords_and_hold_the_right_code_until_the_wait_is_over(client, frozen_clock):
    user_id = await make_user(Role.admin)
    await sign_in(client, "admin@example.org")
    right = await totp_now(user_id)
    accepted_now = {right, await totp_now(user_id, -1), await totp_now(user_id, 1)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted_now)
    for attempt in range(5):
        refused = await post_form(client, "/login/mfa", {"code": wrong if attempt % 2 else "abcdef-012345"})  # TOTP and recovery guesses count alike
        assert refused.status_code == 400 and "not right" in refused.text
    user = await StaffUser.select(StaffUser.second_factor_failures, StaffUser.second_factor_locked_until).where(StaffUser.id == user_id).first()
    assert user["second_factor_failures"] == 5 and user["second_factor_locked_until"] == frozen_clock.now() + timedelta(minutes=1)

    held = await post_form(client, "/login/mfa", {"code": right})
    assert held.status_code == 400 and "Too many wrong codes" in held.text
    assert (await client.get("/staff", headers=JSON)).status_code == 401
    # A new sign-in with the password does not reset the count.
    client.cookies.clear()
    await sign_in(client, "admin@example.org")
    assert (await post_form(client, "/login/mfa", {"code": right})).status_code == 400

    frozen_clock.advance(minutes=1, seconds=1)
    assert (await post_form(client, "/login/mfa", {"code": wrong})).status_code == 400  # the sixth: two minutes now
    frozen_clock.advance(minutes=1, seconds=30)
    assert "Too many wrong codes" in (await post_form(client, "/login/mfa", {"code": await totp_now(user_id)})).text
    frozen_clock.advance(seconds=31)
    assert (await post_form(client, "/login/mfa", {"code": await totp_now(user_id)})).status_code == 302
    user = await StaffUser.select(StaffUser.second_factor_failures, StaffUser.second_factor_locked_until).where(StaffUser.id == user_id).first()
    assert user == {"second_factor_failures": 0, "second_factor_locked_until": None}
    assert "mfa_locked" in [r["action"] for r in await AuditEvent.select(AuditEvent.action)]
