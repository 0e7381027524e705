"""Staff pages in real Chromium: the whole invitation journey, and axe on every staff page."""

import re
import time

import pyotp
import pytest

from app.accounts.roles import Role
from app.accounts.tables import OutboxMessage
from app.audit.services import AuditAction, record
from app.governance.services import load_structure
from tests.browser_support import assert_accessible
from tests.staff import PASSWORD, make_user

pytestmark = pytest.mark.browser
NEW_PASSWORD = "lantern meadow quietly hums"


async def sign_in(page, email, password=PASSWORD):
    await page.goto("/login")
    await page.get_by_label("Work email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()


async def enter_code(page, secret):
    await page.get_by_label(re.compile("code", re.I)).fill(pyotp.TOTP(secret).now())
    await page.get_by_role("button", name=re.compile("Continue|Turn on")).click()


async def test_invite_set_password_enrol_mfa_sign_out_and_back_in_with_totp(page, db):
    await load_structure()
    await make_user(Role.admin, email="admin@example.org", mfa=False)
    # The administrator signs in, must set up a second factor first, then invites a colleague.
    await sign_in(page, "admin@example.org")
    await page.wait_for_url("**/account/mfa/setup")
    await assert_accessible(page)
    admin_secret = await page.locator("code.secret").inner_text()
    await enter_code(page, admin_secret)
    await page.get_by_role("heading", name="Your recovery codes").wait_for()
    await assert_accessible(page)
    await page.goto("/admin/users/new")
    await assert_accessible(page)
    await page.get_by_label("Work email").fill("new.dsl@example.org")
    await page.get_by_label("Name").fill("Dee Esel")
    await page.get_by_label("Agency").select_option("Health/NHS")
    await page.get_by_label("Designated safeguarding lead").check()
    await page.get_by_role("button", name="Send invitation").click()
    await page.get_by_text("Invitation sent to new.dsl@example.org").wait_for()
    await assert_accessible(page)
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url("**/login?signed_out=1")

    # The invitation arrives (development keeps mail in the outbox); its link sets a password.
    mail = await OutboxMessage.select(OutboxMessage.body).where(OutboxMessage.to_address == "new.dsl@example.org").first()
    link = re.search(r"https?://[^\s]+/invite/[\w-]+", mail["body"]).group(0)
    await page.goto(link)
    await assert_accessible(page)
    await page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    await page.get_by_label("New password again").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Set password").click()
    await page.get_by_text("Your password is set").wait_for()

    # First sign-in: a safeguarding lead must enrol a second factor.
    await sign_in(page, "new.dsl@example.org", NEW_PASSWORD)
    await page.wait_for_url("**/account/mfa/setup")
    secret = await page.locator("code.secret").inner_text()
    await enter_code(page, secret)
    await page.get_by_role("link", name="I have saved them").click()
    await page.get_by_role("heading", name="Hello, Dee Esel").wait_for()
    await assert_accessible(page)
    await page.get_by_role("button", name="Sign out").click()

    # Back in: password, then a code from the authenticator.
    await sign_in(page, "new.dsl@example.org", NEW_PASSWORD)
    await page.wait_for_url("**/login/mfa**")
    await assert_accessible(page)
    # The enrolment code may still be current and each code works once: use the app's next code,
    # as a phone whose clock runs a little ahead would (Chorus allows one step of drift).
    await page.get_by_label(re.compile("code", re.I)).fill(pyotp.TOTP(secret).at(time.time() + 30))
    await page.get_by_role("button", name="Continue").click()
    await page.get_by_role("heading", name="Hello, Dee Esel").wait_for()
    assert page.url.endswith("/staff")


@pytest.mark.parametrize("path", ["/login", "/password/forgot", "/password/reset/not-a-token", "/staff", "/account", "/admin/users", "/admin/users/1", "/admin/audit", "/admin/outbox", "/admin/integrations"])
async def test_staff_pages_have_no_wcag_a_or_aa_violations(page, db, path):
    await load_structure()
    admin = await make_user(Role.admin, email="admin@example.org", mfa=False)
    await make_user(Role.project_lead)
    await record(AuditAction.login_failed, detail={"reason": "wrong_password"})
    if path not in ("/login", "/password/forgot", "/password/reset/not-a-token"):
        await sign_in(page, "admin@example.org")
        secret = await page.locator("code.secret").inner_text()
        await enter_code(page, secret)
        await page.get_by_role("heading", name="Your recovery codes").wait_for()
    response = await page.goto(path.replace("/1", f"/{admin}"))
    assert response.status in (200, 404)
    await assert_accessible(page)


async def test_a_wrong_password_shows_an_accessible_error(page, db):
    await make_user(Role.analyst)
    await sign_in(page, "analyst@example.org", "not my password at all")
    await page.get_by_role("alert").wait_for()
    assert "do not match" in await page.get_by_role("alert").inner_text()
    await assert_accessible(page)
