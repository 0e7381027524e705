"""Issue 13 without JavaScript: the participant's join, write and vote forms, the 404 page for an
unknown or expired code (participant layout), the facilitator's pages and forms, presenter view,
summary and exports in every phase."""

from __future__ import annotations

import re

import pytest

from app.accounts.roles import Role
from surveys.boards import services
from surveys.boards.tables import BoardCard, BoardParticipant, BoardVote
from tests.integration.boards.helpers import DISCLOSURE
from tests.staff import make_user, post_form, signed_in_cookie

pytestmark = pytest.mark.usefixtures("db")


async def join(client, board: dict, name: str = "") -> None:
    page = await client.get(f"/r/{board['code']}")
    assert page.status_code == 200 and "Join" in page.text and "Quick exit" in page.text
    response = await post_form(client, f"/r/{board['code']}/join", {"display_name": name})
    assert response.status_code == 303 and response.headers["location"] == f"/r/{board['code']}"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and f"Path=/r/{board['code']}" in cookie


async def test_unknown_or_expired_code_is_a_404_in_the_participant_layout(client, frozen_clock):
    for path in ("/r/NOSUCH", "/r/NOSUCH/live-page"):
        response = await client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 404 and "Quick exit" in response.text and "Childline" in response.text
    assert "We could not find that board" in (await client.get("/r/NOSUCH")).text
    board = await services.create_board(title="Retro")
    frozen_clock.advance(days=31)
    response = await client.get(f"/r/{board['code']}")
    assert response.status_code == 404 and "We could not find that board" in response.text


async def test_a_phone_without_javascript_joins_writes_privately_and_votes(client):
    board = await services.create_board(title="Summit retro", votes_per_person=1)
    await join(client, board, "Ana")
    assert await BoardParticipant.count() == 1
    stored = await BoardParticipant.select(BoardParticipant.token_hash).first()
    assert len(stored["token_hash"]) == 64  # only the hash is kept
    page = await client.get(f"/r/{board['code']}")
    assert "Write a card" in page.text and 'name="column"' in page.text and "✿" in page.text
    response = await post_form(client, f"/r/{board['code']}/cards", {"column": "rose", "text": "Good music", "ref": "a1"})
    assert response.status_code == 303
    again = await post_form(client, f"/r/{board['code']}/cards", {"column": "rose", "text": "Good music", "ref": "a1"})
    assert again.status_code == 303 and await BoardCard.count() == 1  # a double submit makes one card
    long = await post_form(client, f"/r/{board['code']}/cards", {"column": "rose", "text": "y" * 300, "ref": "a2"})
    assert long.status_code == 400 and "at most 280 characters: this one is 300" in long.text and "y" * 300 in long.text
    assert await BoardCard.count() == 1
    assert "Good music" in (await client.get(f"/r/{board['code']}")).text
    # The wrong phase: voting while writing.
    card = (await BoardCard.select(BoardCard.id).first())["id"]
    early = await post_form(client, f"/r/{board['code']}/votes", {"card": str(card), "ref": "v0"})
    assert early.status_code == 400 and "only in the Vote phase" in early.text and await BoardVote.count() == 0
    facilitator = services.Viewer(board["id"], staff_id=1)
    from tests.integration.boards.helpers import phase

    for name in ("reveal", "group", "vote"):
        await phase(facilitator, name)
    assert (await post_form(client, f"/r/{board['code']}/votes", {"card": str(card), "ref": "v1"})).status_code == 303
    over = await post_form(client, f"/r/{board['code']}/votes", {"card": str(card), "ref": "v2"})
    assert over.status_code == 400 and "used all 1 of your votes" in over.text and await BoardVote.count() == 1
    back = await post_form(client, f"/r/{board['code']}/votes", {"card": str(card), "ref": "v3", "take_back": "1"})
    assert back.status_code == 303 and await BoardVote.count() == 0


async def test_a_flagged_card_shows_only_its_writer_a_help_card(client):
    board = await services.create_board(title="Retro")
    await join(client, board)
    response = await post_form(client, f"/r/{board['code']}/cards", {"column": "thorn", "text": DISCLOSURE})
    assert response.status_code == 303 and response.headers["location"].endswith("#help")
    page = (await client.get(f"/r/{board['code']}")).text
    assert "Your card was not put on the board" in page and DISCLOSURE not in page
    client.cookies.clear()
    await join(client, board)
    assert "Your card was not put on the board" not in (await client.get(f"/r/{board['code']}")).text


async def test_posting_without_joining_is_refused_with_words(client):
    board = await services.create_board(title="Retro")
    await client.get(f"/r/{board['code']}")
    response = await post_form(client, f"/r/{board['code']}/cards", {"column": "rose", "text": "hi"})
    assert response.status_code == 403 and "Join the board first" in response.text and await BoardCard.count() == 0


async def test_the_facilitator_makes_and_runs_a_board_with_forms(client):
    client.cookies.update(await signed_in_cookie(await make_user(Role.facilitator)))
    bad = await post_form(client, "/staff/boards/new", {"title": "", "template": "rose_thorn_bud"})
    assert bad.status_code == 400 and "Give the board a title" in bad.text and "Quick exit" not in bad.text
    bad = await post_form(client, "/staff/boards/new", {"title": "Mine", "template": "custom", "custom_columns": ""})
    assert bad.status_code == 400 and "one column a line" in bad.text and 'value="Mine"' in bad.text
    made = await post_form(client, "/staff/boards/new", {"title": "Governance retro", "template": "keep_lose_change",
                                                         "votes_per_person": "2", "minutes_write": "5", "review": "on"})
    assert made.status_code == 303
    board_path = made.headers["location"]
    board_id = int(board_path.rsplit("/", 1)[1])
    page = await client.get(board_path)
    board = await services.get_board(board_id)
    assert page.status_code == 200 and board["code"] in page.text and "<svg" in page.text and "Next: Reveal" in page.text
    assert "min" in page.text  # the write phase's timer
    wrong = await post_form(client, f"{board_path}/act", {"action": "phase", "phase": "party"})
    assert wrong.status_code == 400 and "Choose a phase" in wrong.text
    unknown = await post_form(client, f"{board_path}/act", {"action": "post", "column": "keep", "text": "hi"})
    assert unknown.status_code == 400 and "Choose what to do" in unknown.text
    assert (await post_form(client, f"{board_path}/act", {"action": "phase", "phase": "reveal"})).status_code == 303
    assert "Back to Write" in (await client.get(board_path)).text
    assert (await post_form(client, f"{board_path}/act", {"action": "group_new", "title": "Lighting"})).status_code == 303
    too_few = await post_form(client, f"{board_path}/suggest")
    assert too_few.status_code == 400 and "at least 4 cards" in too_few.text
    presenter = await client.get(f"{board_path}/present")
    assert presenter.status_code == 200 and 'class="presenter"' in presenter.text and board["code"] in presenter.text
    for phase in ("write", "reveal"):
        if phase == "write":
            continue
        for export, kind in (("export.csv", "text/csv"), ("export.md", "text/markdown")):
            response = await client.get(f"{board_path}/{export}")
            assert response.status_code == 200 and response.headers["content-type"].startswith(kind)
    summary = await client.get(f"{board_path}/summary")
    assert summary.status_code == 200 and "Lighting" in summary.text
    not_linked = await post_form(client, f"{board_path}/insights")
    assert not_linked.status_code == 400 and "Link the board to a project first" in not_linked.text


async def test_exports_in_every_phase_show_only_what_the_room_may_see(client):
    from tests.integration.boards.helpers import act, board_with, phase

    client.cookies.update(await signed_in_cookie(await make_user(Role.facilitator)))
    board, (ana, ben), facilitator = await board_with(votes_per_person=2)
    card = (await act(ana, "post", column="rose", text="=cmd|' /C calc'!A0"))["card"]["id"]
    csv_write = (await client.get(f"/staff/boards/{board['id']}/export.csv")).text
    assert "calc" not in csv_write and "1 cards (private until reveal)" in csv_write
    for name in ("reveal", "group", "vote"):
        await phase(facilitator, name)
    await act(ben, "vote", card=card)
    csv_vote = (await client.get(f"/staff/boards/{board['id']}/export.csv")).text
    assert "'=cmd" in csv_vote and "votes (hidden until voting closes)" in csv_vote
    await phase(facilitator, "discuss")
    markdown = (await client.get(f"/staff/boards/{board['id']}/export.md")).text
    assert "(1 votes)" in markdown and re.search(r"^# Summit retro$", markdown, re.M)
    pdf = await client.get(f"/staff/boards/{board['id']}/export.pdf")
    assert pdf.status_code in (200, 503)
    if pdf.status_code == 200:
        assert pdf.content.startswith(b"%PDF")


async def test_a_phone_on_bengali_keeps_its_language_from_join_to_refusals(client):
    """`?lang=bn` on the join link: every form and redirect after it carries the language, and the
    refusals a phone can meet come back in Bengali; the same refusals stay English by default."""
    board = await services.create_board(title="Retro", votes_per_person=1)
    code = board["code"]
    join_page = await client.get(f"/r/{code}?lang=bn")
    assert 'lang="bn"' in join_page.text and f'action="/r/{code}/join?lang=bn"' in join_page.text
    too_long = await post_form(client, f"/r/{code}/join?lang=bn", {"display_name": "n" * 41})
    assert too_long.status_code == 400 and "নাম সর্বোচ্চ 40 অক্ষরের হতে পারে।" in too_long.text
    assert await BoardParticipant.count() == 0
    joined = await post_form(client, f"/r/{code}/join?lang=bn", {"display_name": "Ana"})
    assert joined.status_code == 303 and joined.headers["location"] == f"/r/{code}?lang=bn"

    page = await client.get(joined.headers["location"])
    assert 'lang="bn"' in page.text and "একটি কার্ড লিখুন" in page.text
    assert f'action="/r/{code}/cards?lang=bn"' in page.text and f'data-live="/r/{code}/live?lang=bn"' in page.text
    empty = await post_form(client, f"/r/{code}/cards?lang=bn", {"column": "rose", "text": "   ", "ref": "b1"})
    assert empty.status_code == 400 and "আগে কার্ডে কিছু লিখুন।" in empty.text and "Write something" not in empty.text
    wrong_column = await post_form(client, f"/r/{code}/cards?lang=bn", {"column": "nope", "text": "hi", "ref": "b2"})
    assert wrong_column.status_code == 400 and "বোর্ডের একটি কলাম বেছে নিন।" in wrong_column.text
    long = await post_form(client, f"/r/{code}/cards?lang=bn", {"column": "rose", "text": "y" * 300, "ref": "b3"})
    assert long.status_code == 400 and "একটি কার্ডে সর্বোচ্চ 280 অক্ষর লেখা যায়: এটিতে আছে 300।" in long.text
    # The wrong phase names both phases in the page's words ("Vote" and "Write" as the status shows them).
    early = await post_form(client, f"/r/{code}/votes?lang=bn", {"card": "1", "ref": "b4"})
    assert early.status_code == 400 and "ভোট শুধু “ভোট দিন” ধাপে দেওয়া যায়; বোর্ড এখন “লেখা” ধাপে আছে।" in early.text
    posted = await post_form(client, f"/r/{code}/cards?lang=bn", {"column": "rose", "text": "Good music", "ref": "b5"})
    assert posted.status_code == 303 and posted.headers["location"] == f"/r/{code}?lang=bn"
    assert await BoardCard.count() == 1

    # English stays the default: the same refusal without ?lang= (and no Accept-Language).
    english = await post_form(client, f"/r/{code}/cards", {"column": "rose", "text": "", "ref": "e1"})
    assert english.status_code == 400 and "Write something on the card first." in english.text and 'lang="en"' in english.text
    assert f'data-live="/r/{code}/live"' in (await client.get(f"/r/{code}")).text

    # A phone set to Urdu that has not joined is told so in Urdu, right to left.
    client.cookies.clear()
    await client.get(f"/r/{code}")
    not_joined = await post_form(client, f"/r/{code}/cards?lang=ur", {"column": "rose", "text": "hi"})
    assert not_joined.status_code == 403 and "پہلے بورڈ میں شامل ہوں: آپ کا فون ابھی اس میں شامل نہیں ہے۔" in not_joined.text
    assert 'dir="rtl"' in not_joined.text and await BoardCard.count() == 1


async def test_the_browser_language_is_used_when_the_link_names_none(client):
    board = await services.create_board(title="Retro")
    page = await client.get(f"/r/{board['code']}", headers={"Accept-Language": "bn-BD,bn;q=0.9,en;q=0.5"})
    assert 'lang="bn"' in page.text and "যোগ দিন" in page.text
    # The join form keeps the language even if the next request's browser header differs.
    assert f'action="/r/{board["code"]}/join?lang=bn"' in page.text
