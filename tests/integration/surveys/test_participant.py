"""A participant's whole path over HTTP, on the real database: pages, skip logic, saving for later,
sending once, and what every malformed or hostile form gets (nothing half-stored, ever)."""

import asyncio

import pytest

from surveys.participation.i18n import gettext_for
from surveys.questionnaires.tables import Answer, Draft, Response, Survey, SurveyStatus
from tests.surveys import csrf, make_survey, receipt_in, send, start


@pytest.fixture
async def survey(db):
    survey_id = await make_survey(code="feel")
    return survey_id


async def counts():
    return await Response.count(), await Answer.count()


async def test_complete_with_skip_logic_and_get_a_receipt(client, survey):
    first = await start(client, "feel")
    page = await client.get(first)
    assert page.status_code == 200 and "Would you know who to talk to?" in page.text
    # "Who?" is on the page for the script to reveal, hidden until then, its inputs sending nothing.
    assert '<div class="conditional" data-show-if="knows" data-show-values="yes" hidden>' in page.text
    assert '<input type="hidden" name="_seen" value="who" disabled>' in page.text
    # Without the script, answering "yes" shows the page again with "Who?" before moving on.
    revealed = await send(client, first, 1, knows="yes")
    assert revealed.status_code == 303 and revealed.headers["location"].endswith("page=1#who")
    assert '<div class="conditional" data-show-if="knows" data-show-values="yes">' in (await client.get(first)).text
    assert (await send(client, first, 1, knows="yes", who="teacher")).headers["location"].endswith("page=2")
    done = await send(client, first, 2, action="submit", area="north", say="More youth clubs please")
    assert done.status_code == 200 and "Your receipt code" in done.text
    assert await counts() == (1, 4)
    assert await Draft.count() == 0
    stored = {row["question.key"]: row["value"] for row in await Answer.select(Answer.question.key, Answer.value).output(load_json=True)}
    assert stored == {"knows": "yes", "who": "teacher", "area": "north", "say": "More youth clubs please"}


async def test_going_back_and_changing_an_answer_drops_the_answers_it_hid(client, survey):
    first = await start(client, "feel")
    await send(client, first, 1, knows="yes")
    await send(client, first, 1, knows="yes", who="parent")
    await send(client, first, 2, action="back")
    await send(client, first, 1, knows="no")
    await send(client, first, 2, action="submit")
    assert {r["question.key"] for r in await Answer.select(Answer.question.key)} == {"knows"}


async def test_a_required_question_left_blank_is_explained_next_to_it(client, survey):
    first = await start(client, "feel")
    response = await send(client, first, 1)
    assert response.status_code == 400
    assert "Please answer this question" in response.text
    assert 'id="knows-error"' in response.text
    assert await counts() == (0, 0)


async def test_a_double_submit_stores_exactly_one_response_and_shows_the_same_receipt(client, survey):
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    one, two = await asyncio.gather(
        send(client, first, 2, action="submit", area="south"),
        send(client, first, 2, action="submit", area="south"),
    )
    assert one.status_code == two.status_code == 200
    assert receipt_in(one.text) == receipt_in(two.text)
    # A refresh of the thank-you page (the browser re-posts) and a retry after a dropped connection.
    again = await send(client, first, 2, action="submit", area="south")
    assert receipt_in(again.text) == receipt_in(one.text)
    assert await counts() == (1, 2)


async def test_save_and_resume_with_a_code_moves_the_draft_to_a_new_address(client, survey):
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    saved = await send(client, first, 2, action="save", area="north")
    assert saved.status_code == 200
    code = receipt_in(saved.text)
    assert len(code.replace("-", "")) == 8
    bad = await client.post("/s/feel/resume", data={"_csrf_token": csrf(client), "resume_code": "ABCD-2345"})
    assert bad.status_code == 404 and "That code did not work" in bad.text
    resumed = await client.post("/s/feel/resume", data={"_csrf_token": csrf(client), "resume_code": code.lower()})
    assert resumed.status_code == 303
    new_address = resumed.headers["location"]
    assert new_address != first.split("?")[0]
    assert (await client.get(first)).status_code == 404  # the old address no longer opens the answers
    page = await client.get(new_address)
    assert 'value="north" checked' in page.text


async def test_kiosk_mode_returns_to_the_start_with_no_receipt(client, survey):
    first = await start(client, "feel", mode="kiosk")
    await send(client, first, 1, knows="no")
    done = await send(client, first, 2, action="submit")
    assert done.status_code == 303 and done.headers["location"].startswith("/s/feel/kiosk?sent=1")
    after = await client.get(first)  # the next person presses Back: that it was sent, nothing of what
    assert after.status_code == 200 and "Your answers have been sent" in after.text and "Yes" not in after.text
    response = await Response.objects().first()
    assert response.mode == "kiosk"


async def test_worrying_free_text_is_screened_stored_with_its_result_and_signposting_shown(client, survey):
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    done = await send(client, first, 2, action="submit", say="my stepdad hits me when he is drunk")
    assert "If something you wrote is happening to you" in done.text and "0800 1111" in done.text
    answer = await Answer.objects().where(Answer.question.key == "say").first()
    assert answer.screening_level in ("concern", "urgent") and answer.screening_categories
    assert (await Response.objects().first()).flagged


async def test_html_in_free_text_is_shown_escaped(client, survey):
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    await send(client, first, 2, action="save", say='<script>alert("x")</script><b>hi</b>')
    page = await client.get(first.split("?")[0] + "?page=2")
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text


# --- bad input: each gets a clear message or a 4xx, and nothing is stored --------------------------


@pytest.mark.parametrize(("fields", "status", "words"), [
    ({"unknown_question": "1"}, 400, "nothing was saved"),
    ({"knows": "maybe"}, 400, "nothing was saved"),
    ({"knows": "no", "area": "north"}, 400, "nothing was saved"),  # a question of another page
    ({"knows": "no", "who": "parent"}, 400, "nothing was saved"),  # an answer to a hidden question
    ({"knows": ["yes", "no"]}, 400, "nothing was saved"),
])
async def test_tampered_fields_are_refused_whole(client, survey, fields, status, words):
    first = await start(client, "feel")
    response = await send(client, first, 1, **fields)
    assert response.status_code == status and words in response.text
    draft = await Draft.objects().output(load_json=True).first()
    assert draft.answers == {} and draft.furthest_page == 1
    assert await counts() == (0, 0)


async def test_a_100_kb_answer_gets_a_message_and_is_not_stored(client, survey):
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    response = await send(client, first, 2, action="submit", say="x" * 100_000)
    assert response.status_code == 400 and "Please keep this under 4,000 characters (you wrote 100,000)" in response.text
    assert await counts() == (0, 0)


async def test_a_body_over_the_participant_limit_is_refused(client, survey):
    first = await start(client, "feel")
    response = await send(client, first, 1, knows="no", say="x" * 300_000)
    assert response.status_code == 413
    assert await counts() == (0, 0)


async def test_invalid_utf8_is_refused(client, survey):
    first = await start(client, "feel")
    body = f"_csrf_token={csrf(client)}&page=1&action=next&knows=%FF%FE".encode()
    response = await client.post(first.split("?")[0], content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and "nothing was saved" in response.text
    assert (await Draft.objects().output(load_json=True).first()).answers == {}


async def test_a_page_or_action_out_of_range_is_refused(client, survey):
    first = await start(client, "feel")
    assert (await send(client, first, 2, knows="no")).status_code == 400  # page 2 not reached yet
    assert (await send(client, first, 1, action="delete", knows="no")).status_code == 400


async def test_multipart_posts_are_refused(client, survey):
    first = await start(client, "feel")
    response = await client.post(first.split("?")[0], files={"knows": ("x.txt", b"no")}, data={"_csrf_token": csrf(client), "page": "1"})
    assert response.status_code == 400


async def test_unknown_and_unpublished_surveys_are_not_found(client, db):
    await make_survey(code="draft", publish=False)
    for url in ("/s/nope", "/s/draft", "/s/nope/kiosk", "/s/nope/resume"):
        response = await client.get(url)
        assert response.status_code == 404 and "We could not find that survey" in response.text
        assert "Quick exit" in response.text and "0800 1111" in response.text


async def test_a_survey_closed_mid_way_takes_no_answers(client, survey):
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    await Survey.update({Survey.status: SurveyStatus.closed}).where(Survey.id == survey)
    response = await send(client, first, 2, action="submit")
    assert response.status_code == 410 and "This survey has closed" in response.text
    assert await counts() == (0, 0)
    assert (await client.get("/s/feel")).status_code == 410


async def test_the_response_cap_closes_the_survey(client, db):
    await make_survey(code="capped", response_cap=1)
    first = await start(client, "capped")
    await send(client, first, 1, knows="no")
    await send(client, first, 2, action="submit")
    assert (await client.get("/s/capped")).status_code == 410


async def test_a_gone_draft_address_shows_nothing(client, survey):
    response = await client.get("/s/feel/d/not-a-real-token")
    assert response.status_code == 404 and "There is nothing here" in response.text


async def test_join_codes_are_forgiving_and_unknown_ones_explained(client, survey):
    join_code = (await Survey.select(Survey.join_code).first())["join_code"]
    typed = f" {join_code[:3].lower()}-{join_code[3:]} "
    response = await client.get("/join", params={"code": typed})
    assert response.status_code == 303 and response.headers["location"] == "/s/feel"
    missing = await client.get("/join", params={"code": "ZZZZZZ"})
    assert missing.status_code == 404 and "We could not find a survey with that code" in missing.text


async def test_language_comes_from_the_browser_and_the_page_says_so(client, survey):
    page = await client.get("/s/feel", headers={"Accept-Language": "ur-PK,ur;q=0.9"})
    assert 'lang="ur" dir="rtl"' in page.text
    assert "فوری باہر نکلیں" in page.text  # the interface's words in Urdu
    # No Urdu survey texts yet: English shown, marked as English, and the page says so.
    assert '<span lang="en" dir="ltr" class="untranslated">Feeling safe</span>' in page.text
    assert gettext_for("ur")("Some parts of this survey are not translated yet, so they are shown in English.") in page.text


async def test_unfinished_answers_expire_after_14_days_and_are_purged(client, survey, frozen_clock):
    from surveys.questionnaires.drafts import purge_expired_drafts

    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    frozen_clock.advance(days=13, hours=23)
    assert (await client.get(first)).status_code == 200
    assert await purge_expired_drafts() == 0
    frozen_clock.advance(hours=2)
    gone = await client.get(first)
    assert gone.status_code == 404 and "There is nothing here" in gone.text
    assert await purge_expired_drafts() == 1 and await Draft.count() == 0


async def test_the_purge_command_runs(subprocess_env, db):
    from tests.integration.accounts.test_cli import chorus

    done = chorus(subprocess_env, "surveys", "purge-drafts")
    assert done.returncode == 0 and "deleted 0 expired unfinished answers" in done.stdout


async def test_a_post_without_the_form_token_is_refused_and_stores_nothing(client, survey):
    first = await start(client, "feel")
    response = await client.post(first.split("?")[0], data={"page": "1", "action": "next", "knows": "no"}, headers={"Accept": "text/html"})
    assert response.status_code == 403 and "nothing was saved" in response.text and "Quick exit" in response.text
    assert (await Draft.objects().output(load_json=True).first()).answers == {}


async def test_quick_exit_from_a_page_with_answers_deletes_them_and_leaves(client, survey):
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    page = await client.get(first)
    exit_link = first.split("?")[0] + "/exit"
    assert f'href="{exit_link}"' in page.text
    response = await client.get(exit_link)
    assert response.status_code == 303 and response.headers["location"] == "https://www.bbc.co.uk/weather"
    assert await Draft.count() == 0
    # An unknown survey or token still leaves at once.
    assert (await client.get("/s/nope/d/nothing/exit")).headers["location"] == "https://www.bbc.co.uk/weather"


async def test_with_the_script_a_revealed_question_answered_on_the_same_page_moves_on_at_once(client, survey):
    first = await start(client, "feel")
    moved = await send(client, first, 1, knows="yes", who="parent", _seen="who")
    assert moved.headers["location"].endswith("page=2")
    # Seen but left blank (it is optional): still moves on.
    other = await start(client, "feel")
    assert (await send(client, other, 1, knows="yes", _seen="who")).headers["location"].endswith("page=2")
    # An answer to the revealed question when its condition does not hold is refused whole.
    third = await start(client, "feel")
    refused = await send(client, third, 1, knows="no", who="parent", _seen="who")
    assert refused.status_code == 400 and "nothing was saved" in refused.text
