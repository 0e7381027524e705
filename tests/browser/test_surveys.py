"""Surveys in real Chromium on a 360x640 phone screen: building one, answering it in English and in
a right-to-left language, quick exit, save and resume, kiosk reset, no JavaScript at all, page
weight and off-site requests, and axe on every participant page."""

import re

import pytest

from app.accounts.roles import Role
from surveys.questionnaires.tables import Answer, Draft, Response, Section, Survey
from tests.browser.test_staff_pages import sign_in
from tests.browser_support import OffSiteRequests, assert_accessible
from tests.staff import make_user
from tests.surveys import make_survey

pytestmark = pytest.mark.browser
PAGE_WEIGHT_LIMIT = 60 * 1024


async def press_start(page) -> None:
    """Choose an age where the first page asks it (children's and young people's surveys), then Start."""
    age = page.get_by_label("13 to 15")
    if await age.count():
        await age.check()
    await page.get_by_role("button", name="Start").click()


class Weigher:
    """Adds up the bytes of every HTML, CSS and JS response the page loads from our server."""

    def __init__(self, page):
        self.sizes: dict[str, int] = {}
        page.on("response", self._record)
        self.pending = []

    def _record(self, response):
        self.pending.append(response)

    async def total(self) -> int:
        for response in self.pending:
            kind = response.request.resource_type
            if kind in ("document", "stylesheet", "script"):
                try:
                    self.sizes[response.url] = len(await response.body())
                except Exception:  # a redirect has no body
                    pass
        self.pending.clear()
        return sum(self.sizes.values())


async def answer_page_one(page, knows="No"):
    await page.get_by_label(knows, exact=True).check()
    await page.get_by_role("button", name="Next").click()


async def test_build_with_skip_logic_and_a_translation_then_answer_in_urdu(page, db):
    from app.governance.services import load_structure

    await load_structure()
    await make_user(Role.participation_lead, email="lead@example.org")
    await sign_in(page, "lead@example.org")
    await page.goto("/staff/surveys/new")
    await assert_accessible(page)
    await page.get_by_label("Title").fill("Safe at school?")
    await page.get_by_label("Who it is for").select_option("young_people")
    await page.get_by_label("Urdu").check()
    await page.get_by_role("button", name="Create survey").click()
    await page.wait_for_url(re.compile(r"/staff/surveys/\d+/build"))
    await assert_accessible(page)
    await page.get_by_label("Question", exact=True).fill("Do you feel safe at school?")
    await page.get_by_label("Type of answer").select_option("yes_no")
    await page.get_by_role("button", name="Add question").click()
    await page.get_by_text("Saved.").wait_for()
    await page.get_by_label("Question", exact=True).fill("What would help?")
    await page.get_by_label("Type of answer").select_option("short_text")
    await page.get_by_role("group", name="Do you feel safe at school?").get_by_label("No", exact=True).check()
    await page.get_by_role("button", name="Add question").click()
    await page.get_by_text("Only asked when “Do you feel safe at school?” is “No”.").wait_for()
    await assert_accessible(page)

    await page.get_by_role("link", name="Translate into Urdu").click()
    await assert_accessible(page)
    await page.get_by_label("Title").fill("کیا آپ اسکول میں محفوظ ہیں؟")
    await page.get_by_label("q1 question").fill("کیا آپ اسکول میں محفوظ محسوس کرتے ہیں؟")
    await page.get_by_role("button", name="Save translations").click()
    await page.get_by_text("Saved.").wait_for()
    await page.goto(page.url.split("/translations")[0] + "/build")
    await page.get_by_role("button", name="Publish").click()
    await page.get_by_text("Published", exact=True).wait_for()
    code = (await Survey.select(Survey.public_code).first())["public_code"]

    # A participant on a phone, reading Urdu.
    await page.get_by_role("button", name="Sign out").click()
    await page.goto(f"/s/{code}?lang=ur")
    assert await page.get_attribute("html", "dir") == "rtl"
    assert await page.get_by_role("heading", level=1).inner_text() == "کیا آپ اسکول میں محفوظ ہیں؟"
    await assert_accessible(page)
    await page.get_by_label("13 to 15").check()  # shown in English until a translator reviews it
    await page.get_by_role("button", name="شروع کریں").click()
    await page.get_by_text("کیا آپ اسکول میں محفوظ محسوس کرتے ہیں؟").wait_for()
    assert await page.get_attribute("html", "dir") == "rtl"
    # Its answers were not translated: English, marked as English for screen readers.
    follow_up = page.locator("span.untranslated", has_text="What would help?")
    assert not await follow_up.is_visible()
    await page.get_by_label("No", exact=True).check()
    # Skip logic reveals the follow-up at once, in English (not translated) and marked as English.
    await follow_up.wait_for()
    assert await follow_up.get_attribute("lang") == "en"
    await assert_accessible(page)
    await page.get_by_label("What would help?").fill("More teachers on the stairs")
    await page.get_by_role("button", name="میرے جوابات بھیجیں").click()
    await page.get_by_role("heading", name="شکریہ۔ آپ کے جوابات بھیج دیے گئے ہیں۔").wait_for()
    await assert_accessible(page)
    assert await Response.count() == 1 and await Answer.count() == 2
    assert page.off_site.blocked == []


async def test_every_participant_page_in_english_is_accessible_light_and_stays_on_our_server(page, db):
    await make_survey(code="feel")
    weigh = Weigher(page)
    weights = {}

    async def check(name):
        await assert_accessible(page)
        weights[name] = await weigh.total()
        weigh.sizes.clear()

    await page.goto("/join")
    await check("join")
    await page.get_by_label("Code").fill("nope")
    await page.get_by_role("button", name="Join").click()
    await page.get_by_text("We could not find a survey with that code").wait_for()
    await check("join error")
    await page.goto("/s/feel")
    await check("welcome")
    await press_start(page)
    await page.get_by_role("button", name="Next").click()
    await page.get_by_role("heading", name="There is a problem").wait_for()
    await check("page with an error")
    await page.get_by_label("Yes", exact=True).check()
    await page.get_by_label("A teacher").check()  # revealed at once by "Yes"
    await page.get_by_role("button", name="Next").click()
    await page.get_by_text("Where do you live?").wait_for()
    await check("second page")
    await page.get_by_role("button", name="Save and finish later").click()
    await page.get_by_role("heading", name="Your answers are saved").wait_for()
    await check("saved")
    await page.get_by_role("link", name="Carry on with a code").click()
    await check("resume")
    await page.goto("/s/nothing-here")
    await check("not found")
    assert page.off_site.blocked == []
    assert all(size < PAGE_WEIGHT_LIMIT for size in weights.values()), weights
    assert all(size > 0 for size in weights.values())


async def test_save_and_resume_with_the_code(page, db):
    await make_survey(code="feel")
    await page.goto("/s/feel")
    await press_start(page)
    await answer_page_one(page)
    await page.get_by_label("South").check()
    await page.get_by_role("button", name="Save and finish later").click()
    code = await page.locator(".code strong").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)

    # Later, on another device: a fresh browser with nothing stored.
    other = await page.context.browser.new_context(viewport={"width": 360, "height": 640}, base_url=page.url.split("/s/")[0])
    later = await other.new_page()
    await later.goto("/s/feel/resume")
    await later.get_by_label("Your code").fill(code.lower().replace("-", " "))
    await later.get_by_role("button", name="Carry on").click()
    await later.get_by_text("Where do you live?").wait_for()
    assert await later.get_by_label("South").is_checked()
    await later.get_by_role("button", name="Send my answers").click()
    await later.get_by_role("heading", name="Thank you. Your answers have been sent.").wait_for()
    await assert_accessible(later)
    await later.goto("/s/feel/resume")
    await later.get_by_label("Your code").fill(code)  # used up: the answers were sent
    await later.get_by_role("button", name="Carry on").click()
    await later.get_by_text("That code did not work").wait_for()
    await assert_accessible(later)
    await other.close()
    assert await Response.count() == 1


async def test_quick_exit_leaves_and_back_does_not_return(page, db):
    await make_survey(code="feel")
    await page.goto("/s/feel")
    await page.get_by_role("link", name=re.compile("Quick exit")).click()
    await page.wait_for_url("https://www.bbc.co.uk/weather")
    await page.go_back()
    assert "/s/feel" not in page.url
    # Escape three times does the same.
    await page.goto("/s/feel")
    for _ in range(3):
        await page.keyboard.press("Escape")
    await page.wait_for_url("https://www.bbc.co.uk/weather")
    assert page.off_site.blocked == ["https://www.bbc.co.uk/weather"] * 2


async def test_quick_exit_mid_survey_deletes_the_unsent_answers(page, db):
    await make_survey(code="feel")
    await page.goto("/s/feel")
    await press_start(page)
    await answer_page_one(page)
    await page.get_by_label("Anything else?").fill("something secret")
    await page.get_by_role("link", name=re.compile("Quick exit")).click()
    await page.wait_for_url("https://www.bbc.co.uk/weather")
    assert await Draft.count() == 0 and await Response.count() == 0
    # Whoever picks the phone up next and presses Back finds nothing of it: not the page, not the
    # survey's start page before it. Each page reached by Back hides itself and leaves again.
    for _ in range(2):
        await page.go_back()
        await page.wait_for_url("https://www.bbc.co.uk/weather")
        assert "something secret" not in await page.content()
        assert "Feeling safe" not in await page.content()


async def test_after_a_quick_exit_the_survey_opens_again_when_asked_for_afresh(page, db):
    await make_survey(code="feel")
    await page.goto("/s/feel")
    await page.get_by_role("link", name=re.compile("Quick exit")).click()
    await page.wait_for_url("https://www.bbc.co.uk/weather")
    await page.goto("/s/feel")  # scanned or typed again: a new visit, not Back
    await page.get_by_role("button", name="Start").wait_for()
    assert await page.evaluate("sessionStorage.length") == 0


async def test_the_page_count_and_button_follow_the_answers_on_the_page(page, db):
    from surveys.questionnaires.demo import load_demo_survey

    await load_demo_survey(responses=0)
    await page.goto("/s/demo")
    await press_start(page)
    await page.get_by_label("13-15").check()
    await page.get_by_role("button", name="Next").click()
    progress = page.locator("label[for='progress']")
    await page.get_by_text("Page 2 of 2").wait_for()
    assert await page.locator("#send").text_content() == "Next"  # "Not sure" or "No" would add a page
    await page.get_by_label("Not sure").check()
    assert await progress.text_content() == "Page 2 of 3" and await page.locator("#send").text_content() == "Next"
    await page.get_by_label("Yes", exact=True).check()
    assert await progress.text_content() == "Page 2 of 2"
    assert await page.locator("#send").text_content() == "Send my answers"
    await page.get_by_label("Not sure").check()
    await page.locator("#send").click()
    await page.get_by_text("Page 3 of 3").wait_for()
    assert await page.locator("#send").text_content() == "Send my answers"
    await assert_accessible(page)


async def test_a_long_answer_is_counted_not_cut_and_back_after_sending_says_it_was_sent(page, db):
    await make_survey(code="feel")
    await page.goto("/s/feel")
    await press_start(page)
    await answer_page_one(page)
    box = page.get_by_label("Anything else?")
    await box.fill("x" * 4_100)
    assert len(await box.input_value()) == 4_100  # nothing cut
    counter = page.locator("#say-count")
    await counter.get_by_text("4,100 of 4,000 characters: 100 too many").wait_for()
    # Screen readers hear it once, when the text goes over, not at every key press.
    assert await page.locator("[data-count-announce='say']").text_content() == "4,100 of 4,000 characters: 100 too many"
    await assert_accessible(page)
    await page.get_by_role("button", name="Send my answers").click()
    await page.get_by_text("you wrote 4,100").first.wait_for()
    assert len(await page.get_by_label("Anything else?").input_value()) == 4_100  # given back to shorten
    await page.get_by_label("Anything else?").fill("short and sweet")
    await counter.get_by_text("15 of 4,000 characters").wait_for()
    await page.get_by_role("button", name="Send my answers").click()
    await page.get_by_text("Your receipt code").wait_for()
    await page.go_back()
    await page.get_by_text("Your answers have been sent").wait_for()
    assert "short and sweet" not in await page.content()
    await assert_accessible(page)


async def test_kiosk_returns_to_the_start_and_keeps_no_trace(page, db):
    await make_survey(code="feel")
    await page.goto("/s/feel/kiosk")
    await press_start(page)
    await answer_page_one(page)
    await page.get_by_label("Anything else?").fill("my secret words")
    await page.get_by_role("button", name="Send my answers").click()
    await page.get_by_text("The next person can start now.").wait_for()
    assert "/s/feel/kiosk" in page.url
    await assert_accessible(page)
    # The next person presses Back: nothing of the last person's answers.
    await page.go_back()
    assert "my secret words" not in await page.content()
    await assert_accessible(page)
    assert not await page.locator("input:checked").count()
    storage = await page.evaluate("[localStorage.length, sessionStorage.length]")
    assert storage == [0, 0]
    assert {c["name"] for c in await page.context.cookies()} <= {"csrftoken"}
    assert await Response.count() == 1 and (await Response.objects().first()).mode == "kiosk"


async def test_a_survey_can_be_completed_with_javascript_off(chromium, live_server, db):
    await make_survey(code="feel")
    context = await chromium.new_context(viewport={"width": 360, "height": 640}, base_url=live_server.url, java_script_enabled=False)
    off_site = OffSiteRequests(live_server.url)
    await context.route("**/*", off_site)
    page = await context.new_page()
    await page.goto("/s/feel")
    await press_start(page)
    await answer_page_one(page, "Yes")
    await page.get_by_label("A parent").check()
    await page.get_by_role("button", name="Next").click()
    await page.get_by_label("North").check()
    await page.get_by_role("button", name="Send my answers").click()
    await page.get_by_role("heading", name="Thank you. Your answers have been sent.").wait_for()
    receipt = await page.locator(".code strong").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}", receipt)
    # Quick exit works as a plain link too, and still deletes unsent answers first.
    await page.goto("/s/feel")
    await press_start(page)
    await answer_page_one(page)
    await page.get_by_role("link", name=re.compile("Quick exit")).click()
    await page.wait_for_url("https://www.bbc.co.uk/weather")
    assert await Draft.count() == 0
    await context.close()
    assert off_site.blocked == ["https://www.bbc.co.uk/weather"]
    assert await Response.count() == 1 and await Answer.count() == 3


async def test_easy_read_asks_one_question_at_a_time_with_faces(page, db):
    await make_survey(code="feel")
    await page.goto("/s/feel")
    await page.get_by_label("Easy read").check()
    await press_start(page)
    assert await page.get_attribute("html", "class") == "easy-read"
    assert await page.get_by_text("Page 1 of").inner_text() == "Page 1 of 3"
    await assert_accessible(page)


async def test_staff_survey_pages_have_no_wcag_violations(page, db):
    from surveys.questionnaires.demo import load_demo_survey

    survey_id, _ = await load_demo_survey(responses=30)
    await make_user(Role.participation_lead, email="lead@example.org")
    await sign_in(page, "lead@example.org")
    for path in ("/staff/surveys", f"/staff/surveys/{survey_id}", f"/staff/surveys/{survey_id}?of=safe_area&by=age_band",
                 f"/staff/surveys/{survey_id}/build", f"/staff/surveys/{survey_id}/share", f"/staff/surveys/{survey_id}/paper",
                 f"/staff/surveys/{survey_id}/preview?lang=bn", f"/staff/surveys/{survey_id}/settings",
                 f"/staff/surveys/{survey_id}/translations/ur",
                 f"/staff/surveys/{survey_id}/sections/{(await Section.select(Section.id).first())['id']}",
                 f"/staff/surveys/{survey_id}/questions/{(await Answer.select(Answer.question).first())['question']}",
                 "/staff/question-bank"):
        response = await page.goto(path)
        assert response.status == 200, path
        await assert_accessible(page)
    assert page.off_site.blocked == []


async def test_the_script_shows_and_hides_a_dependent_question_at_once(page, db):
    await make_survey(code="feel")
    await page.goto("/s/feel")
    await press_start(page)
    who = page.get_by_role("group", name="Who?")
    assert not await who.is_visible()
    await page.get_by_label("Yes", exact=True).check()
    await who.wait_for()
    await page.get_by_label("A parent").check()
    await assert_accessible(page)
    await page.get_by_label("No", exact=True).check()  # changed their mind: "Who?" goes, and sends nothing
    await who.wait_for(state="hidden")
    await page.get_by_role("button", name="Next").click()
    await page.get_by_text("Where do you live?").wait_for()
    await page.get_by_role("button", name="Send my answers").click()
    await page.get_by_role("heading", name="Thank you. Your answers have been sent.").wait_for()
    assert {r["question.key"] for r in await Answer.select(Answer.question.key)} == {"knows"}
