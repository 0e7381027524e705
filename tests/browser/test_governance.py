"""Governance live in real Chromium, axe on every page: the participation lead names a project's lead
and deputy (a same-agency pair is flagged), the lead sets an amber status with its reason and a
milestone, and the implementation board gets a meeting date."""

from datetime import timedelta

import pytest

from app import clock
from app.accounts import services as accounts
from app.accounts.roles import Role
from app.accounts.tables import Agency
from app.governance.services import load_structure
from tests.browser_support import assert_accessible
from tests.staff import PASSWORD

pytestmark = pytest.mark.browser


async def sign_in(page, email):
    await page.goto("/login")
    await page.get_by_label("Work email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/staff")


async def test_naming_a_team_setting_a_status_and_a_milestone_and_a_board_date(page, db):
    await load_structure()
    for email, agency, grants in (("pl@example.org", Agency.council_cyps, [accounts.RoleGrant(Role.participation_lead)]),
                                  ("ana.police@example.org", Agency.police, []), ("bo.police@example.org", Agency.police, [])):
        await accounts.create_user_with_password(email=email, display_name=email.split("@")[0].replace(".", " ").title(),
                                                 agency=agency, password=PASSWORD, grants=grants)
    await sign_in(page, "pl@example.org")
    await page.get_by_role("link", name="Projects").first.click()
    await page.get_by_role("heading", name="Projects", exact=True).wait_for()
    await assert_accessible(page)

    await page.get_by_role("link", name="3.3a").click()
    await page.get_by_label("Lead", exact=True).select_option(label="Ana Police (Police)")
    await page.get_by_label("Deputy", exact=True).select_option(label="Bo Police (Police)")
    await page.get_by_role("button", name="Save the team").click()
    await page.get_by_text("both from Police").wait_for()
    await assert_accessible(page)

    await page.get_by_label("▲ Amber").check()
    await page.get_by_role("button", name="Save the status").click()
    await page.get_by_text("Say why the project is red or amber").wait_for()  # the reason is needed, on the form
    await assert_accessible(page)
    await page.get_by_label("Why", exact=True).fill("Schools have not signed up yet.")
    await page.get_by_role("button", name="Save the status").click()
    await page.get_by_text("The status is saved.").wait_for()

    due = (clock.now().date() + timedelta(days=30)).isoformat()
    await page.get_by_label("New milestone").fill("Every partner signs up")
    await page.get_by_label("Due", exact=True).fill(due)
    await page.get_by_role("button", name="Add the milestone").click()
    await page.get_by_text(f"Every partner signs up: due {due}").wait_for()
    await page.get_by_role("button", name="Mark “Every partner signs up” done").click()
    await page.get_by_text("done", exact=False).first.wait_for()
    await assert_accessible(page)

    await page.goto("/projects/")
    await page.get_by_role("link", name="Youth Safety Implementation Board").click()
    await page.get_by_label("Date", exact=True).fill(due)
    await page.get_by_role("button", name="Add the date").click()
    await page.get_by_text("The meeting is added.").wait_for()
    await assert_accessible(page)
    await page.goto("/projects/")
    await page.get_by_text("Same agency").wait_for()
    await page.get_by_text("▲ Amber").first.wait_for()
    await assert_accessible(page)
