"""Issue 13 item 5 and bad input over real websockets (uvicorn in a child process, the `websockets`
client) on both engines: the protocol's state, event, presence, ack and error frames; one order of
events; private writing; replayed and forged frames refused with words, the board unchanged."""

from __future__ import annotations

import json

import pytest
from websockets.exceptions import ConnectionClosed

from app.accounts.roles import Role
from surveys.boards import services
from surveys.boards.tables import BoardCard, RetroBoard
from tests.integration.boards.live_clients import LiveClient, is_event, is_type, ws_url
from tests.staff import make_user, signed_in_cookie

pytestmark = pytest.mark.usefixtures("db")


async def joined(board: dict, name: str = "") -> str:
    return f"chorus_board={await services.join(board['id'], name)}"


async def staff_cookie(role: Role = Role.facilitator) -> str:
    cookie = await signed_in_cookie(await make_user(role))
    return "; ".join(f"{k}={v}" for k, v in cookie.items())


async def test_a_socket_without_a_joined_cookie_or_with_an_unknown_code_is_refused(live_server):
    board = await services.create_board(title="Retro")
    for path, cookie, words in ((f"/r/{board['code']}/live", "", "Join the board first"),
                                (f"/r/{board['code']}/live", "chorus_board=forged", "Join the board first"),
                                ("/r/NOSUCH/live", "", "no board with that code")):
        async with LiveClient(ws_url(live_server.url, path), cookie) as client:
            frame = await client.next()
            assert frame["type"] == "error" and words in frame["message"]
            with pytest.raises(ConnectionClosed):  # closed by the server (4403)
                await client.next()
            assert client.socket.close_code == 4403


async def test_the_protocol_from_write_to_reveal_for_two_phones_and_the_facilitator(live_server):
    board = await services.create_board(title="Retro")
    ana_cookie, ben_cookie, staff = await joined(board), await joined(board), await staff_cookie()
    async with LiveClient(ws_url(live_server.url, f"/r/{board['code']}/live"), ana_cookie) as ana, \
            LiveClient(ws_url(live_server.url, f"/r/{board['code']}/live"), ben_cookie) as ben, \
            LiveClient(ws_url(live_server.url, f"/boards/{board['id']}/live"), staff) as facilitator:
        for client in (ana, ben, facilitator):
            state = await client.until(is_type("state"))
            assert state["seq"] == 0 and state["state"]["phase"] == "write"
        # Presence frames carry the latest count; it reaches 2 (people on phones: staff screens are not counted).
        assert await facilitator.until(lambda f: f == {"type": "presence", "count": 2})

        await ana.send({"action": "post", "ref": "r1", "column": "rose", "text": "The youth forum listened"})
        ack = await ana.until(lambda f: f.get("ref") == "r1")
        assert ack["type"] == "ack", ack
        assert ack["seq"] == 1 and ack["card"]["text"] == "The youth forum listened"
        for client in (ana, ben, facilitator):
            event = await client.until(is_event("card_written"))
            assert event["seq"] == 1 and event["event"] == {"kind": "card_written", "column": "rose", "count": 1}

        # A replay (same ref) answers the same ack and makes nothing.
        await ana.send({"action": "post", "ref": "r1", "column": "rose", "text": "The youth forum listened"})
        assert await ana.until(is_type("ack", "r1")) == ack
        assert await BoardCard.count() == 1

        # Forged and malformed frames: an error to the sender only, nothing changed.
        for frame, words in (("{not json", "not valid JSON"), (json.dumps({"action": "dance", "ref": "x"}), "Unknown action"),
                             (json.dumps({"action": "phase", "ref": "f1", "phase": "reveal"}), "Only the facilitator"),
                             (json.dumps({"action": "post", "ref": "r2", "column": "rose", "text": "x" * 300}), "at most 280"),
                             (json.dumps(["post"]), "JSON object")):
            await ben.send(frame)
            error = await ben.until(is_type("error"))
            assert words in error["message"]
        assert (await RetroBoard.select(RetroBoard.seq, RetroBoard.phase).first()) == {"seq": 1, "phase": "write"}

        await facilitator.send({"action": "phase", "ref": "p1", "phase": "reveal"})
        assert (await facilitator.until(is_type("ack", "p1")))["seq"] == 2
        for client in (ana, ben, facilitator):
            event = await client.until(is_event("phase"))
            assert event["seq"] == 2 and event["event"]["phase"] == "reveal"
        await ben.send({"action": "resync"})
        state = await ben.until(is_type("state"))
        assert state["seq"] == 2 and [card["text"] for card in state["state"]["cards"]] == ["The youth forum listened"]

        # Every client saw the same events in the same order, each seq once.
        for client in (ana, ben, facilitator):
            assert [f["seq"] for f in client.frames if f["type"] == "event"] == [1, 2]


async def test_a_participant_socket_on_a_staff_path_or_a_non_facilitator_is_refused(live_server, client):
    board = await services.create_board(title="Retro")
    from websockets.exceptions import InvalidStatus

    for cookie in (await joined(board), await staff_cookie(Role.analyst)):
        with pytest.raises(InvalidStatus):
            async with LiveClient(ws_url(live_server.url, f"/boards/{board['id']}/live"), cookie) as refused:
                await refused.next()


async def test_a_phone_on_bengali_gets_its_socket_refusals_in_bengali_and_staff_stay_english(live_server):
    """The page's `data-live` address carries `?lang=`: the socket answers that phone in its language;
    without it English; the facilitator's socket stays English."""
    board = await services.create_board(title="Retro")
    code = board["code"]
    async with LiveClient(ws_url(live_server.url, f"/r/{code}/live?lang=bn"), await joined(board)) as phone, \
            LiveClient(ws_url(live_server.url, f"/r/{code}/live"), await joined(board)) as english, \
            LiveClient(ws_url(live_server.url, f"/boards/{board['id']}/live"), await staff_cookie()) as facilitator:
        for client in (phone, english, facilitator):
            await client.until(is_type("state"))
        for frame, words in (({"action": "post", "ref": "b1", "column": "rose", "text": "  "}, "আগে কার্ডে কিছু লিখুন।"),
                             ({"action": "post", "ref": "b2", "column": "nope", "text": "hi"}, "বোর্ডের একটি কলাম বেছে নিন।"),
                             ({"action": "vote", "ref": "b3", "card": 1},
                              "ভোট শুধু “ভোট দিন” ধাপে দেওয়া যায়; বোর্ড এখন “লেখা” ধাপে আছে।"),
                             (json.dumps({"action": "post", "ref": "b4", "text": "x" * (17 * 1024)}), "এই বার্তাটি খুব লম্বা।")):
            await phone.send(frame)
            error = await phone.until(is_type("error"))
            assert error["message"] == words
        await english.send({"action": "post", "ref": "e1", "column": "rose", "text": ""})
        assert (await english.until(is_type("error", "e1")))["message"] == "Write something on the card first."
        await facilitator.send({"action": "approve", "ref": "f1", "card": 1})
        assert (await facilitator.until(is_type("error", "f1")))["message"] == "This board shows cards without review."
        await facilitator.send({"action": "focus", "ref": "f2", "card": 1})
        assert "only in the discuss or actions phases" in (await facilitator.until(is_type("error", "f2")))["message"]
    assert await BoardCard.count() == 0 and (await RetroBoard.select(RetroBoard.seq).first())["seq"] == 0

    # Refused before joining: in the language the link asked for.
    for path, words in ((f"/r/{code}/live?lang=bn", "আগে বোর্ডে যোগ দিন: লিংকটি খুলে “যোগ দিন” চাপুন।"),
                        ("/r/NOSUCH/live?lang=ur", "اس کوڈ کا کوئی بورڈ نہیں ہے۔")):
        async with LiveClient(ws_url(live_server.url, path)) as refused:
            assert (await refused.next())["message"] == words
