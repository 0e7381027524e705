"""Highlight reports in real Chromium, axe on every page: the lead opens the project's current report,
which Chorus has drafted, saves their words, is told what is missing, submits; the board sees it."""

import pytest

from app.accounts import services as accounts
from app.accounts.roles import Role
from app.accounts.tables import Agency
from app.governance.services import load_structure
from tests.browser.test_governance import sign_in
from tests.browser_support import assert_accessible
from tests.staff import PASSWORD

pytestmark = pytest.mark.browser


async def test_the_lead_writes_and_submits_the_drafted_report_and_the_board_sees_it(page, db):
    await load_structure()
    for email, agency, grants in (("pl@example.org", Agency.council_cyps, [accounts.RoleGrant(Role.participation_lead)]),
                                  ("ana.police@example.org", Agency.police, []), ("cy.health@example.org", Agency.health, [])):
        await accounts.create_user_with_password(email=email, display_name=email.split("@")[0].replace(".", " ").title(),
                                                 agency=agency, password=PASSWORD, grants=grants)
    await sign_in(page, "pl@example.org")
    await page.goto("/projects/3.3a")
    await page.get_by_label("Lead", exact=True).select_option(label="Ana Police (Police)")
    await page.get_by_label("Deputy", exact=True).select_option(label="Cy Health (Health/NHS)")
    await page.get_by_role("button", name="Save the team").click()
    await page.get_by_text("The team is saved.").wait_for()
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url("**/login**")

    await sign_in(page, "ana.police@example.org")
    await page.goto("/projects/3.3a")
    await page.get_by_role("link", name="this project's highlight reports").click()
    await page.get_by_role("heading", name="Highlight reports: 3.3a", exact=False).wait_for()
    await assert_accessible(page)
    await page.get_by_role("table").get_by_role("link").first.click()
    await page.get_by_role("heading", name="What Chorus has drafted", exact=False).wait_for()
    await page.get_by_text("The project has no published surveys yet.").wait_for()
    await assert_accessible(page)

    await page.get_by_label("Risks and issues, and what is being done").fill("Two schools have not replied.")
    await page.get_by_role("button", name="Submit to the board").click()
    await page.get_by_text("Write a few words of overall progress before submitting").wait_for()
    await assert_accessible(page)
    await page.get_by_label("Overall progress", exact=False).fill("Materials drafted with the youth assembly.")
    await page.get_by_role("button", name="Submit to the board").click()
    await page.get_by_text("The report is submitted to the board.").wait_for()
    await page.get_by_text("Two schools have not replied.").wait_for()  # kept from the refused attempt
    await assert_accessible(page)

    await page.goto("/boards/youth-safety-implementation-board")
    await page.get_by_role("link", name="Highlight reports to this board").click()
    await page.get_by_role("table", name="Submitted").wait_for()
    await assert_accessible(page)
