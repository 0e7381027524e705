"""What the outside probe (issue 9) tripped over on the participant path, on the real database:
page counts that change under the participant, the page after sending, join messages, long
pastes, bidirectional overrides, and malformed page numbers."""

import html
import json
import re

import pytest

from app.accounts.roles import Role
from surveys.questionnaires.demo import load_demo_survey
from surveys.questionnaires.tables import Answer, Response, Survey, SurveyStatus
from tests.staff import make_user, signed_in_cookie
from tests.surveys import make_survey, send, start


@pytest.fixture
async def survey(db):
    return await make_survey(code="feel")


def progress(page: str) -> str:
    return re.search(r'<label for="progress"[^>]*>([^<]+)</label>', page).group(1)


def main_button(page: str) -> tuple[str, str]:
    found = re.search(r'<button type="submit" name="action" value="(next|submit)"[^>]*>([^<]+)</button>', page)
    return found.group(1), found.group(2).strip()


async def test_the_button_says_next_while_an_answer_on_this_page_can_still_add_a_page(client, db):
    """Demo survey: "Not sure" on the last page reveals "Getting help", so that page must not say "Send"."""
    await load_demo_survey(responses=0)
    first = await start(client, "demo")
    await send(client, first, 1, age_band="13_15", area="north")
    page = await client.get(first + "?page=2")
    assert progress(page.text) == "Page 2 of 2"
    assert main_button(page.text) == ("next", "Next")
    # The page carries, for the script, how many pages each answer to "knows_who" makes.
    outlook = json.loads(html.unescape(re.search(r'data-page-totals="([^"]+)"', page.text).group(1)))
    assert outlook["keys"] == ["knows_who"]
    assert outlook["totals"]["not_sure"] == 3 and outlook["totals"]["no"] == 3 and outlook["totals"]["yes"] == 2
    assert outlook["totals"][""] == 2
    # "Not sure" then Next: page 3 of 3, which really is the last.
    moved = await send(client, first, 2, knows_who="not_sure")
    assert moved.status_code == 303 and moved.headers["location"].endswith("page=3")
    last = await client.get(moved.headers["location"])
    assert progress(last.text) == "Page 3 of 3" and main_button(last.text) == ("submit", "Send my answers")


async def test_next_on_a_last_page_never_sends_it_asks_first(client, db):
    await load_demo_survey(responses=0)
    first = await start(client, "demo")
    await send(client, first, 1, age_band="13_15", area="north")
    stayed = await send(client, first, 2, knows_who="yes", who_to="friend", _seen="who_to")
    assert stayed.status_code == 303 and stayed.headers["location"].endswith("page=2&last=1")
    assert await Response.count() == 0
    again = await client.get(stayed.headers["location"])
    assert "That was the last page" in again.text
    assert main_button(again.text) == ("submit", "Send my answers") and progress(again.text) == "Page 2 of 2"
    done = await send(client, first, 2, action="submit", knows_who="yes", who_to="friend", _seen="who_to")
    assert done.status_code == 200 and await Response.count() == 1


async def test_back_after_sending_says_the_answers_are_sent(client, survey):
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    await send(client, first, 2, action="submit", say="my words")
    back = await client.get(first + "?page=2")
    assert back.status_code == 200
    assert "Your answers have been sent" in back.text
    assert "my words" not in back.text and "receipt" not in back.text.lower()
    assert "Quick exit" in back.text and "0800 1111" in back.text


async def test_a_closed_survey_says_closed_by_code_and_by_link_alike(client, survey):
    await Survey.update({Survey.status: SurveyStatus.closed}).where(Survey.id == survey)
    join_code = (await Survey.select(Survey.join_code).first())["join_code"]
    by_code = await client.get("/join", params={"code": join_code}, follow_redirects=True)
    by_link = await client.get("/s/feel")
    assert by_code.status_code == by_link.status_code == 410
    assert "This survey has closed" in by_code.text and "This survey has closed" in by_link.text


async def test_an_empty_join_code_is_explained(client, db):
    first_visit = await client.get("/join")
    assert first_visit.status_code == 200 and "There is a problem" not in first_visit.text
    empty = await client.get("/join", params={"code": "  "})
    assert empty.status_code == 400 and "Please type the code" in empty.text


async def test_a_long_paste_is_not_cut_silently(client, survey):
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    page = await client.get(first + "?page=2")
    textarea = re.search(r"<textarea[^>]*>", page.text).group(0)
    assert "maxlength" not in textarea  # the browser would cut a paste without a word
    assert "up to 4,000 characters" in page.text
    pasted = "x" * 20_000
    refused = await send(client, first, 2, action="submit", say=pasted)
    assert refused.status_code == 400 and "you wrote 20,000" in refused.text
    assert pasted in refused.text  # given back whole, to shorten
    assert await Response.count() == 0


async def test_bidirectional_overrides_are_not_stored(client, survey):
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    await send(client, first, 2, action="submit", say="I feel \u202esafe\u202c at school \u2066ok\u2069")
    stored = await Answer.select(Answer.value).where(Answer.question.key == "say").output(load_json=True).first()
    assert stored["value"] == "I feel safe at school ok"


@pytest.mark.parametrize("query", ["page=abc", "page=1.5", "page=99999999999999999999999", "page=-1"])
async def test_a_malformed_page_number_gets_a_clear_answer(client, survey, query):
    first = await start(client, "feel")
    response = await client.get(f"{first}?{query}")
    assert response.status_code in (200, 400)
    assert "Quick exit" in response.text
    if response.status_code == 400:
        assert "Something went wrong with that page" in response.text


@pytest.mark.parametrize("path", [
    "/staff/surveys/99999999999999999999999",
    "/staff/surveys/9223372036854775808/build",
    "/staff/surveys/2147483648/questions/1",
    "/staff/surveys/0",
    "/admin/users/99999999999999999999",
])
async def test_ids_no_row_can_have_get_a_clear_400_not_a_500(client, db, path):
    role = Role.admin if path.startswith("/admin") else Role.participation_lead
    client.cookies.update(await signed_in_cookie(await make_user(role, mfa=role is Role.admin)))
    response = await client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 400 and "Something in that request was not right" in response.text


async def test_an_id_past_the_integer_range_is_explained_to_api_clients(client, db):
    client.cookies.update(await signed_in_cookie(await make_user(Role.participation_lead)))
    response = await client.get("/staff/surveys/99999999999999999999999/results.json", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json()["extra"] == [{"message": "Expected `int` <= 2147483647", "key": "survey_id", "source": "path"}]
