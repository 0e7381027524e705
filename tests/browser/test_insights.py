"""Issue 11's acceptance, end to end in real Chromium: the participation lead runs themes on the
demo survey and watches the progress bar reach 100 over a websocket, renames and merges themes,
new answers arrive, the re-run keeps the name and the merge; every page axe-clean."""

import json
import os
import re
from datetime import UTC, datetime

import pytest

from app.accounts.roles import Role
from app.insights.tables import Theme, ThemeRun
from surveys.questionnaires import definitions, submitting
from surveys.questionnaires.definition import Given
from surveys.questionnaires.demo import load_demo_survey
from surveys.questionnaires.tables import ResponseMode
from tests.browser.test_staff_pages import sign_in
from tests.browser_support import LiveServer, assert_accessible
from tests.staff import make_user

pytestmark = pytest.mark.browser
NEW_ANSWERS = ["the street lights by the park need fixing", "more youth clubs open at the weekend",
               "police officers who talk to young people", "better lighting on the walk to the station"]


@pytest.fixture
def working_server(migrated_database):
    """The app with its job worker inside (CHORUS_JOB_WORKER=web), as `make run` has it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({"SIGN_IN_RATE_LIMIT_PER_MINUTE": "10000", "CHORUS_JOB_WORKER": "web"})
    server = LiveServer(env)
    yield server
    server.stop()


async def run_themes_and_watch(page, button: str) -> list[dict]:
    """Press the button, then collect what the websocket says until the run is done."""
    frames: list[dict] = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda payload: frames.append(json.loads(payload))))
    await page.get_by_role("button", name=button).click()
    await page.locator("section.theme").first.wait_for(timeout=240_000)  # the script reloads the page when it is done
    return frames


async def test_themes_run_with_live_progress_and_people_stay_in_charge(chromium, working_server, db):
    survey_id, _ = await load_demo_survey(responses=120)
    await make_user(Role.participation_lead, email="lead@example.org")
    context = await chromium.new_context(viewport={"width": 1024, "height": 900}, base_url=working_server.url)
    page = await context.new_page()
    await sign_in(page, "lead@example.org")
    await page.wait_for_url("**/staff")

    # From the results page, the free-text question links to its themes.
    await page.goto(f"/staff/surveys/{survey_id}")
    await page.get_by_role("link", name=re.compile("Themes in these answers to .What is one thing")).click()
    await page.get_by_role("heading", name="Themes: How safe do you feel?").wait_for()
    await assert_accessible(page)

    frames = await run_themes_and_watch(page, "Find themes")
    progress = [f["progress"] for f in frames]
    assert frames and frames[-1]["state"] == "done" and progress[-1] == 100, frames
    assert progress == sorted(progress)
    await assert_accessible(page)
    first_run = (await ThemeRun.select(ThemeRun.id).order_by(ThemeRun.id, ascending=False).first())["id"]

    # Rename theme 1; merge theme 3 into theme 2.
    themes = await Theme.select(Theme.id, Theme.label).where((Theme.run == first_run) & (Theme.kind == "theme")).order_by(Theme.position)
    assert len(themes) >= 3
    await page.get_by_text("Change theme 1", exact=True).click()
    await page.get_by_label("New name for theme 1", exact=True).fill("Feeling safe in the park")
    await page.get_by_role("button", name="Rename").first.click()
    await page.get_by_role("heading", name="1. Feeling safe in the park").wait_for()
    third_label = (await page.locator("section.theme h2").nth(2).inner_text()).split(". ", 1)[1]
    second_label = (await page.locator("section.theme h2").nth(1).inner_text()).split(". ", 1)[1]
    await page.locator("section.theme").nth(2).get_by_text("Change theme 3", exact=True).click()
    await page.get_by_label("Merge theme 3 into", exact=True).select_option(label=f"2. {second_label}")
    await page.locator("section.theme").nth(2).get_by_role("button", name="Merge").click()
    await page.get_by_text(f"Includes: “{third_label}”").wait_for()
    await assert_accessible(page)

    # New answers arrive; the lead runs it again; the name and the merge are kept.
    definition = await definitions.load_definition(survey_id)
    for n, text in enumerate(NEW_ANSWERS):
        await submitting.store_response(definition, {"age_band": Given("13_15"), "knows_who": Given("yes"), "one_thing": Given(text)},
                                      submission_key=f"new-{n}", receipt=f"new-{n}", language="en", mode=ResponseMode.online,
                                      started_at=datetime.now(UTC))
    frames = await run_themes_and_watch(page, "Find themes again")
    assert frames[-1]["state"] == "done" and frames[-1]["progress"] == 100
    second_run = (await ThemeRun.select(ThemeRun.id).order_by(ThemeRun.id, ascending=False).first())["id"]
    assert second_run > first_run and page.url.endswith(f"/staff/insights/runs/{second_run}")
    await page.get_by_role("heading", name=re.compile(r"\d+\. Feeling safe in the park")).wait_for()
    await page.get_by_text(re.compile(r"Includes: “")).first.wait_for()
    await assert_accessible(page)
    await context.close()
