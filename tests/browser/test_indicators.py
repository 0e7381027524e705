"""Outcome indicator pages in real Chromium (the phone-sized page fixture), checked with axe."""

import pytest

from app.accounts.roles import Role
from tests.browser.test_staff_pages import sign_in
from tests.browser_support import assert_accessible
from tests.staff import make_user

pytestmark = pytest.mark.browser


async def test_outcome_pages_have_no_wcag_violations(page, db):
    from surveys.questionnaires.demo import load_demo_follow_up, load_demo_survey

    await load_demo_survey(responses=40)
    await load_demo_follow_up(responses=40)
    await make_user(Role.analyst, email="analyst@example.org")
    await sign_in(page, "analyst@example.org")
    for path in ("/outcomes", "/outcomes/1", "/outcomes/3", "/outcomes/12"):
        response = await page.goto(path)
        assert response.status == 200, path
        await assert_accessible(page)
    await page.goto("/outcomes/3")
    assert await page.locator("section.indicator").count() == 2
    await page.get_by_text("How to read these figures").click()
    assert await page.get_by_text("never used in a test").is_visible()
    assert page.off_site.blocked == []
