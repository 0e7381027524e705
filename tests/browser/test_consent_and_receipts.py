"""In real Chromium, with axe on every page: the first page's notice and age band, the parent or
carer statement, the optional contact question, then the receipt's see-and-delete flow."""

import re

import pytest

from app.safeguarding.tables import Disclosure
from surveys.questionnaires.tables import Answer, ContactRequest, Response
from tests.browser_support import assert_accessible
from tests.surveys import make_survey

pytestmark = pytest.mark.browser
DISCLOSURE = "my stepdad hits me when he is drunk and I am scared to go home"


async def test_consent_age_contact_then_see_and_delete_with_the_receipt(page, db):
    await make_survey(code="feel", ask_contact=True, retention_months=6)
    await page.goto("/s/feel")
    await page.get_by_role("heading", name="What happens to your answers").wait_for()
    await page.get_by_text("We keep your answers for 6 months. Then we delete them.").wait_for()
    await assert_accessible(page)

    await page.get_by_role("button", name="Start").click()  # no age chosen
    await page.get_by_role("alert").get_by_text("Please choose how old you are.").wait_for()
    await assert_accessible(page)
    await page.get_by_label("Under 13").check()
    await page.get_by_role("button", name="Start").click()  # under 13, statement not ticked
    await page.get_by_role("alert").get_by_text("If you are under 13, ask a parent or carer first").wait_for()
    assert await page.get_by_label("Under 13").is_checked()  # what they chose is kept
    await page.get_by_label("A parent or carer knows I am doing this").check()
    await page.get_by_role("button", name="Start").click()

    await page.get_by_label("No", exact=True).check()
    await page.get_by_role("button", name="Next").click()
    await page.get_by_role("group", name="Would you like someone to contact you?").wait_for()
    await assert_accessible(page)
    await page.get_by_label("Anything else?").fill(DISCLOSURE)
    await page.get_by_label("Yes", exact=True).check()
    await page.get_by_role("button", name="Send my answers").click()
    await page.get_by_text("Tell us how to reach you, or choose No.").first.wait_for()
    await assert_accessible(page)
    await page.get_by_label("If yes: how can we reach you?").fill("07700 900123 after 4pm")
    # Sending screens the words: the first time, the server may still be fitting the screening model
    # on a busy machine, so this one step may take longer than Playwright's usual 30 seconds.
    await page.get_by_role("button", name="Send my answers").click(no_wait_after=True)
    await page.get_by_role("heading", name="Thank you. Your answers have been sent.").wait_for(timeout=180_000)
    await page.get_by_text("You told us how to reach you").wait_for()
    receipt = (await page.locator(".code strong").inner_text()).strip()
    response = await Response.objects().first()
    assert (response.age_band, response.parent_statement) == ("under_13", True)
    assert await ContactRequest.count() == 1

    await page.get_by_role("link", name="See or delete your answers with this code").click()
    await page.get_by_role("heading", name="See or delete your answers").wait_for()
    await assert_accessible(page)
    await page.get_by_label("Your receipt code").fill(receipt)
    await page.get_by_role("button", name="Show my answers").click()
    await page.get_by_role("heading", name="Your answers").wait_for()
    await page.get_by_text(DISCLOSURE).wait_for()
    await page.get_by_text("passed to a safeguarding lead").wait_for()
    assert "07700" not in await page.content()
    await assert_accessible(page)
    await page.get_by_role("button", name="Delete my answers").click()
    await page.get_by_role("heading", name="Delete your answers?").wait_for()
    await assert_accessible(page)
    assert await Response.count() == 1  # asking first deletes nothing
    await page.get_by_role("button", name="Yes, delete my answers").click()
    await page.get_by_role("heading", name="Your answers have been deleted").wait_for()
    await page.get_by_text("The safeguarding lead keeps their copy").wait_for()
    await assert_accessible(page)
    assert (await Response.count(), await Answer.count(), await ContactRequest.count()) == (0, 0, 0)
    assert (await Disclosure.objects().first()).text == DISCLOSURE

    # The same code again: a clear message, on the participant layout with its quick exit.
    await page.goto("/receipt")
    await page.get_by_label("Your receipt code").fill(receipt)
    await page.get_by_role("button", name="Show my answers").click()
    await page.get_by_text("The answers for that code have already been deleted.").wait_for()
    await page.get_by_role("link", name=re.compile("Quick exit")).wait_for()
    await assert_accessible(page)
