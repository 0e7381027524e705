"""The loop in real Chromium on a phone-sized screen, axe on every page (issue 12's acceptance): the
participation lead makes a finding from a theme and sends it to project 3.3a; the project's lead signs
in, finds it in the inbox and accepts it with an action; the participation lead's list shows it
accepted, and they publish it as "you said, we did"; the public page shows it, and a participant who
kept their receipt code sees which theme their answer fed and what happened, and asks to hear more."""

from datetime import timedelta

import pytest

from app import clock
from app.accounts import services as accounts
from app.accounts.auth import token_hash
from app.accounts.roles import Role
from app.accounts.tables import Agency, ProjectPosition
from app.governance.services import load_structure
from surveys.questionnaires.tables import Response
from tests.browser.test_governance import sign_in
from tests.browser_support import assert_accessible
from tests.integration.test_findings import TOPICS, answer_survey, project_id, set_position, themed_run
from tests.staff import PASSWORD
from tests.surveys import make_survey

RECEIPT = "LIGHTS2FIX"

pytestmark = pytest.mark.browser


async def test_theme_to_finding_to_answer_to_you_said_we_did_to_the_participant_s_receipt(page, db):
    await load_structure()
    survey_id = await make_survey(code="finds", project=await project_id("3.3a"))
    texts, groups = {}, {}
    for topic, answers in TOPICS.items():
        ids = await answer_survey(survey_id, answers, prefix=topic)
        texts |= dict(zip(ids, answers, strict=True))
        groups[f"street {topic}" if topic == "lights" else topic] = ids
    # One participant kept their receipt code; their answer is in the street-lights theme.
    own = await answer_survey(survey_id, ["the lights on my road have been out for weeks"], prefix="own")
    await Response.update({Response.receipt_hash: token_hash(RECEIPT)}).where(Response.id == own[0])
    groups["street lights"].append(own[0])
    texts[own[0]] = "the lights on my road have been out for weeks"
    themes = await themed_run(survey_id, groups, texts)
    await accounts.create_user_with_password(email="pl@example.org", display_name="Pat Lead", agency=Agency.council_cyps,
                                             password=PASSWORD, grants=[accounts.RoleGrant(Role.participation_lead)])
    lead = await accounts.create_user_with_password(email="lead@example.org", display_name="Lee Lead", agency=Agency.education,
                                                    password=PASSWORD, grants=[accounts.RoleGrant(Role.project_lead, project_id=await project_id("3.3a"))])
    await set_position(lead, "3.3a", ProjectPosition.lead)

    await sign_in(page, "pl@example.org")
    await page.goto(f"/staff/insights/runs/{themes['_run']}")
    await page.get_by_role("heading", name="1. street lights").wait_for()
    await assert_accessible(page)
    await page.get_by_role("button", name="Make a finding from theme 1").click()
    await page.get_by_role("heading", name="street lights", exact=True).wait_for()
    await page.get_by_text("7 of 19 answers (37%)").wait_for()  # with the participant's own answer
    await assert_accessible(page)

    await page.get_by_label("Title").fill("Young people want the street lights fixed")
    await page.get_by_label("Recommendation").fill("Repair the lights by the park and on the walk to the station.")
    await page.get_by_role("button", name="Save the draft").click()
    await page.get_by_text("The draft is saved.").wait_for()
    await page.get_by_label("Send to").select_option(label="3.3a: " + await _focus("3.3a"))
    await page.get_by_role("button", name="Send the finding").click()
    await page.get_by_text("The finding is sent").wait_for()
    due = (clock.now().date() + timedelta(days=28)).strftime("%-d %B %Y")
    await page.get_by_text(due).first.wait_for()
    await assert_accessible(page)

    await page.context.clear_cookies()
    await sign_in(page, "lead@example.org")
    await page.get_by_role("link", name="Inbox").click()
    await page.get_by_role("heading", name="Your findings inbox").wait_for()
    await assert_accessible(page)
    await page.get_by_role("link", name="Young people want the street lights fixed").click()
    await page.get_by_role("heading", name="Accept, with an action").wait_for()
    await assert_accessible(page)
    await page.get_by_role("button", name="Accept with this action").click()
    await page.get_by_text("Describe the action.").wait_for()  # a refusal, said on the form
    await assert_accessible(page)
    await page.get_by_label("What will be done").fill("Survey every light on the route with the youth assembly")
    await page.get_by_label("Owner (a named person)", exact=True).fill("Lee Lead")
    await page.get_by_label("Due date").fill((clock.now().date() + timedelta(days=60)).isoformat())
    await page.get_by_role("button", name="Accept with this action").click()
    await page.get_by_text("Your answer is recorded.").wait_for()
    await page.get_by_role("cell", name="Survey every light on the route with the youth assembly").wait_for()
    await assert_accessible(page)

    await page.context.clear_cookies()
    await sign_in(page, "pl@example.org")
    await page.get_by_role("link", name="Findings", exact=True).click()
    await page.get_by_role("cell", name="Accepted, with actions").wait_for()
    await assert_accessible(page)

    await page.get_by_role("link", name="Young people want the street lights fixed").click()
    await page.get_by_role("link", name="“You said, we did”: publish this finding back to young people").click()
    await page.get_by_label("You said: what young people told us").fill("You told us the street lights are broken and you feel unsafe.")
    await page.get_by_label("We did: what was decided and done").fill("The project is checking every light with the youth assembly.")
    await page.get_by_role("checkbox").first.check()
    await page.get_by_role("button", name="Publish").click()
    await page.get_by_text("It is published on the public page.").wait_for()
    await assert_accessible(page)

    await page.context.clear_cookies()  # young people need no account
    await page.goto("/you-said-we-did/finds")
    await page.get_by_role("heading", name="You said, we did", exact=True).wait_for()
    await page.get_by_text("The project is checking every light with the youth assembly.").wait_for()
    await page.get_by_text("Survey every light on the route with the youth assembly: 0% done").wait_for()
    await page.get_by_role("link", name="Quick exit").wait_for()
    await assert_accessible(page)

    await page.goto("/receipt/")
    await page.get_by_label("Your receipt code").fill(RECEIPT)
    await page.get_by_role("button", name="Show my answers").click()
    await page.get_by_role("heading", name="What happened with what you said").wait_for()
    await page.get_by_role("listitem").filter(has_text="street lights").first.wait_for()
    await page.get_by_text("The project is checking every light with the youth assembly.").wait_for()
    await assert_accessible(page)
    await page.get_by_label("Your email (if you want to hear when this changes)").fill("me@example.org")
    await page.get_by_role("button", name="Email me when this changes").click()
    await page.get_by_text("We will email you when this changes.").wait_for()
    await assert_accessible(page)


async def _focus(reference: str) -> str:
    from app.governance.tables import Project

    return (await Project.select(Project.focus).where(Project.reference == reference).first())["focus"]
