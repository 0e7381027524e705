"""Issue 11 item 5 in real Chromium on a phone-sized screen: the participation lead opens a theme's
answers, ticks answers (by keyboard and by touch on the label), moves them to another theme, makes
a new named theme of others, splits a theme in two automatically, and is told plainly when a split
would leave a theme empty; every page axe-clean."""

import re

import pytest

from app.accounts.roles import Role
from app.insights import services
from app.insights.sources import SurveyQuestionSource
from app.insights.tables import Theme, ThemeMember
from surveys.questionnaires.demo import load_demo_survey
from tests.browser.test_staff_pages import sign_in
from tests.browser_support import assert_accessible
from tests.staff import make_user

# Themes are found for 120 answers inside the test (not by a worker): longer than the default guard against hangs.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]


async def theme_of(run_id: int, item: int) -> int:
    return (await ThemeMember.select(ThemeMember.theme).where((ThemeMember.run == run_id) & (ThemeMember.item_id == item)).first())["theme"]


async def test_split_and_move_answers_with_checkboxes_on_a_phone(page, db):
    survey_id, _ = await load_demo_survey(responses=120)
    await make_user(Role.participation_lead, email="lead@example.org")
    run_id = await services.start_run(SurveyQuestionSource(survey_id, "one_thing"), requested_by=None)
    await services.execute_run(run_id)  # the job itself, run here rather than by a worker
    assert (await services.get_run(run_id))["outcome"] == "themed"
    await sign_in(page, "lead@example.org")
    await page.wait_for_url("**/staff")

    await page.goto(f"/staff/insights/runs/{run_id}")
    sections = page.locator("section.theme")
    themes_before = await sections.count()
    assert themes_before >= 3
    await page.get_by_text("Change theme 1", exact=True).click()
    await page.get_by_role("link", name="Split theme 1, or move its answers").click()
    await page.get_by_role("heading", name=re.compile("^Answers in ")).wait_for()
    await assert_accessible(page)
    first_theme = int(page.url.split("/themes/")[1].split("/")[0])

    # Nothing ticked: refused, said on the page, nothing changed.
    rows_before = await Theme.count().where(Theme.run == run_id)
    await page.get_by_role("button", name="Make a new theme of the ticked answers").click()
    await page.get_by_role("alert").get_by_text("Tick the answers to move first.").wait_for()
    await assert_accessible(page)
    assert await Theme.count().where(Theme.run == run_id) == rows_before

    # Tick one answer with the keyboard and one by touching its label; move both to theme 2.
    boxes = page.get_by_role("checkbox")
    first, second = [int(await boxes.nth(n).get_attribute("value")) for n in (0, 1)]
    await boxes.nth(0).focus()
    await page.keyboard.press("Space")
    await page.locator(f'label[for="answer-{second}"]').click()
    assert await boxes.nth(0).is_checked() and await boxes.nth(1).is_checked()
    destination = page.get_by_label("Move the ticked answers to")
    target_value = await destination.locator("option").first.get_attribute("value")
    await destination.select_option(target_value)
    await page.get_by_role("button", name="Move ticked answers").click()
    await page.wait_for_url(f"**/staff/insights/themes/{first_theme}/answers")
    assert await theme_of(run_id, first) == await theme_of(run_id, second) == int(target_value)
    assert not await page.locator(f"#answer-{first}").count()

    # Two more ticked answers become a new theme with a name.
    boxes = page.get_by_role("checkbox")
    moving = [int(await boxes.nth(n).get_attribute("value")) for n in (0, 1)]
    await boxes.nth(0).check()
    await boxes.nth(1).check()
    await page.get_by_label("Or make them a new theme, named (optional)").fill("Lights on the way home")
    await page.get_by_role("button", name="Make a new theme of the ticked answers").click()
    await page.get_by_role("heading", name=re.compile(r"^\d+\. Lights on the way home")).wait_for()
    assert await sections.count() == themes_before + 1
    new_theme = await theme_of(run_id, moving[0])
    assert await theme_of(run_id, moving[1]) == new_theme != first_theme
    await assert_accessible(page)

    # Split in two automatically the theme the answers were moved to (it now holds two kinds of answer;
    # demo answers repeat, and a theme of one answer said many times is refused as too alike).
    await page.goto(f"/staff/insights/themes/{target_value}/answers")
    await page.get_by_role("button", name="Split in two automatically").click()
    await page.wait_for_load_state("load")
    assert not await page.get_by_role("alert").count(), await page.get_by_role("alert").inner_text()
    await page.wait_for_url(re.compile(rf"/staff/insights/runs/{run_id}#theme-\d+$"))
    assert await sections.count() == themes_before + 2
    await assert_accessible(page)
