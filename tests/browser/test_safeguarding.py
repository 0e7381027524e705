"""Issue 10's promise, end to end in real Chromium: a participant writes a disclosure, the
safeguarding lead's alert arrives by real SMTP (aiosmtpd on loopback) with a link and no words,
the lead signs in with the second factor, finds it in the queue and triages it to closed; a
facilitator, a project lead and an analyst cannot see the words anywhere (pages, exports, JSON)."""

import os
import re
import time

import pyotp
import pytest

from app.accounts.roles import Role
from app.accounts.tables import StaffUser
from app.safeguarding.tables import Disclosure
from tests.browser.test_staff_pages import sign_in
from tests.browser_support import LiveServer, assert_accessible
from tests.staff import make_user, wait_for_mail
from tests.surveys import make_survey

pytestmark = pytest.mark.browser
DISCLOSURE = "my mums boyfriend hits me and tonight i want to kill myself"


@pytest.fixture
def mailing_server(migrated_database, smtp_server):
    """The app with real outgoing mail to the capturing SMTP server (the shared live server keeps mail local)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({"SIGN_IN_RATE_LIMIT_PER_MINUTE": "10000", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port),
                "CHORUS_JOB_WORKER": "web"})  # the alert is sent by the job worker inside the web app, as `make run` runs it
    server = LiveServer(env)
    yield server
    server.stop()


async def test_a_disclosure_reaches_the_lead_and_nobody_else(chromium, mailing_server, smtp_server, db):
    survey_id = await make_survey(code="feel")
    lead = await make_user(Role.safeguarding_lead, email="dsl@example.org")
    secret = (await StaffUser.select(StaffUser.totp_secret).where(StaffUser.id == lead).first())["totp_secret"]
    context = await chromium.new_context(viewport={"width": 360, "height": 640}, base_url=mailing_server.url)
    page = await context.new_page()

    # A young person answers on their phone and writes a disclosure.
    await page.goto("/s/feel")
    await page.get_by_label("13 to 15").check()
    await page.get_by_role("button", name="Start").click()
    await page.get_by_label("No", exact=True).check()
    await page.get_by_role("button", name="Next").click()
    await page.get_by_label("Anything else?").fill(DISCLOSURE)
    # The first send may wait for the screening model to finish fitting on a busy machine.
    await page.get_by_role("button", name="Send my answers").click(no_wait_after=True)
    await page.get_by_text("Your receipt code").wait_for(timeout=180_000)
    await context.clear_cookies()

    # The lead's alert arrives by SMTP: a link, none of the words.
    body = (await wait_for_mail(smtp_server, "dsl@example.org", timeout=60))[0]
    assert "boyfriend" not in body and "hits" not in body
    link = re.search(r"https?://\S+/safeguarding/disclosures/\d+", body).group(0)

    # Signing in with the password and then the authenticator's code leads to it.
    await page.goto(link)
    await page.wait_for_url("**/login**")
    await page.get_by_label("Work email").fill("dsl@example.org")
    await page.get_by_label("Password").fill("correct horse battery staple")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/login/mfa**")
    await page.get_by_label(re.compile("code", re.I)).fill(pyotp.TOTP(secret).at(time.time()))
    await page.get_by_role("button", name="Continue").click()
    await page.get_by_role("heading", name=re.compile(r"Disclosure \d+")).wait_for()
    assert DISCLOSURE in await page.locator("blockquote").inner_text()
    await assert_accessible(page)

    # The queue lists it; the lead triages it to closed, a note at each step.
    await page.get_by_role("link", name="Back to the queue").click()
    await page.get_by_text(DISCLOSURE).wait_for()
    await assert_accessible(page)
    await page.get_by_role("link", name=re.compile(r"Disclosure \d+")).first.click()
    for choice, note in (("Acknowledged", "Read it; calling the school DSL now."), ("Action taken", "Referral to children's social care."),
                         ("Closed", "Strategy meeting held; plan in place.")):
        await page.get_by_label(choice, exact=True).check()
        await page.get_by_label("Note").fill(note)
        await page.get_by_role("button", name="Save this step").click()
        await page.get_by_text(f"Saved: now {choice.lower()}").wait_for()
    await assert_accessible(page)
    assert (await Disclosure.select(Disclosure.state).first())["state"] == "closed"
    await context.close()

    # Nobody else sees the words: not on the results page, the results JSON or any export.
    for role in (Role.facilitator, Role.project_lead, Role.analyst):
        await make_user(role, email=f"{role.value}@example.org")
        other = await chromium.new_context(base_url=mailing_server.url)
        their_page = await other.new_page()
        await sign_in(their_page, f"{role.value}@example.org")
        await their_page.wait_for_url("**/staff")
        for path in (f"/staff/surveys/{survey_id}", f"/staff/surveys/{survey_id}/results.json", f"/staff/surveys/{survey_id}/results.csv",
                     "/safeguarding/", *(f"/staff/surveys/{survey_id}/export/{fmt}" for fmt in ("csv", "json", "xlsx"))):
            response = await their_page.request.get(path)
            assert b"boyfriend" not in await response.body(), (role, path)
        await other.close()
