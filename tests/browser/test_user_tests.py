"""A user-testing session in real Chromium on a tablet, axe on every page: plan a study with two
tasks, run two participants, lose nothing typed while the connection is down, one participant fills
the SUS, the other withdraws; the results show it and the report downloads as a PDF."""

import asyncio

import pytest

from app.accounts import services as accounts
from app.accounts.roles import Role
from app.accounts.tables import Agency
from app.governance.services import load_structure
from surveys.user_tests.tables import Observation, TaskResult
from tests.browser.test_governance import sign_in
from tests.browser_support import OffSiteRequests, assert_accessible
from tests.staff import PASSWORD

pytestmark = pytest.mark.browser

TABLET = {"width": 768, "height": 1024}


@pytest.fixture
async def tablet(chromium, live_server):
    context = await chromium.new_context(viewport=TABLET, base_url=live_server.url, has_touch=True)
    off_site = OffSiteRequests(live_server.url)
    await context.route("**/*", off_site)
    page = await context.new_page()
    yield page
    assert off_site.blocked == []
    await context.close()


async def wait_for_models(page) -> None:
    """The free-text models fit in the background after the server starts (about half a minute on an idle machine)."""
    for _ in range(600):
        if (await (await page.request.get("/health")).json())["models"] == "ready":
            return
        await asyncio.sleep(0.5)
    raise AssertionError("the free-text models were not ready after 5 minutes")


async def add_participant(page, age_band: str) -> None:
    await page.get_by_label("Age band").select_option(age_band)
    await page.get_by_label("Taking part as").select_option(label="Young person")
    await page.get_by_role("button", name="Add and start").click()
    await page.get_by_role("heading", name="Consent first").wait_for()


async def test_a_session_on_a_tablet_from_planning_to_the_pdf(tablet, db):
    page = tablet
    await load_structure()
    await accounts.create_user_with_password(email="fac@example.org", display_name="Fay Facilitator", agency=Agency.vcfs,
                                             password=PASSWORD, grants=[accounts.RoleGrant(Role.facilitator)])
    await sign_in(page, "fac@example.org")
    await page.get_by_role("link", name="User tests").click()
    await page.get_by_role("link", name="Plan a new study").click()
    await page.get_by_label("Title").fill("Can young people find help?")
    await page.get_by_role("button", name="Create the study").click()
    await page.get_by_role("heading", name="Can young people find help?").wait_for()
    await assert_accessible(page)
    for title, scenario in (("Find someone to talk to", "Find out who you could talk to today."),
                            ("Find a youth club", "Find a youth club near where you live.")):
        await page.get_by_label("Task name", exact=True).last.fill(title)
        await page.get_by_label("Scenario, in plain words").last.fill(scenario)
        await page.get_by_role("button", name="Add the task").click()
        await page.get_by_text("The task is saved.").wait_for()
    await assert_accessible(page)

    # The first participant: consent, task 1 saved online, task 2 typed while the connection is down.
    await add_participant(page, "13-15")
    await assert_accessible(page)
    await page.get_by_label("P01 has agreed to take part").check()
    await page.get_by_role("button", name="Record consent").click()
    await page.get_by_text("Consent is recorded.").wait_for()
    first, second = page.locator("section", has=page.get_by_role("heading", name="Task 1")), page.locator(
        "section", has=page.get_by_role("heading", name="Task 2"))
    await first.get_by_label("Success").check()
    await first.get_by_label("Time on task (seconds)").fill("55")
    await first.get_by_label("6", exact=True).check()
    await first.get_by_label("Observation or quote").fill("I would tap the orange button")
    await wait_for_models(page)  # as a facilitator would after a restart: /health says when notes are screened at once
    await first.get_by_role("button", name="Save task 1").click()
    await page.locator("li", has_text="I would tap the orange button").wait_for()
    await assert_accessible(page)

    await page.context.set_offline(True)
    await second.get_by_label("Failed").check()
    await second.get_by_label("Time on task (seconds)").fill("120")
    await second.get_by_label("Observation or quote").fill("Could not find the map")
    await second.get_by_role("button", name="Save task 2").click()
    await second.get_by_text("Not sent: no connection. Kept on this tablet").wait_for()
    assert await Observation.count() == 1  # nothing reached the server, nothing was lost on the tablet
    await page.context.set_offline(False)
    await page.locator("li", has_text="Could not find the map").wait_for()  # sent when back online
    assert await TaskResult.count() == 2 and await Observation.count() == 2

    await page.get_by_role("link", name="Hand the tablet to P01 for the SUS").click()
    await page.get_by_role("heading", name="What did you think?").wait_for()
    await assert_accessible(page)
    for n, answer in enumerate([5, 1, 5, 1, 5, 1, 5, 1, 5, 1], start=1):
        await page.locator(f"#s{n}-{answer}").check()
    await page.get_by_role("button", name="I have finished").click()
    await page.get_by_role("heading", name="Thank you!").wait_for()
    await assert_accessible(page)
    await page.get_by_role("link", name="Back to the session").click()
    await page.get_by_text("Filled in: score 100.0.").wait_for()

    # The second participant does one task, then withdraws.
    await page.get_by_role("link", name="Can young people find help?").click()
    await add_participant(page, "16-18")
    await page.get_by_label("P02 has agreed to take part").check()
    await page.get_by_role("button", name="Record consent").click()
    await page.locator("section", has=page.get_by_role("heading", name="Task 1")).get_by_label("Abandoned").check()
    await page.get_by_label("Observation or quote").first.fill("P02 said it was boring")
    await page.get_by_role("button", name="Save task 1").click()
    await page.locator("li", has_text="P02 said it was boring").wait_for()
    await page.get_by_role("button", name="P02 withdraws: delete their data").click()
    await page.get_by_text("The participant has withdrawn").wait_for()
    await assert_accessible(page)

    await page.get_by_role("link", name="Results").first.click()
    await page.get_by_role("heading", name="Results: Can young people find help?").wait_for()
    await page.get_by_text("1 withdrew").wait_for()
    await page.get_by_text("Mean SUS 100.0").wait_for()
    assert "P02 said it was boring" not in await page.content()
    await assert_accessible(page)
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Download the report (PDF)").click()
    download = await download_info.value
    path = await download.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
