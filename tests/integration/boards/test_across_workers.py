"""Live boards across two server processes on PostgreSQL: an event stored by one worker reaches the
phones connected to the other (LISTEN/NOTIFY through Litestar's AsyncPgChannelsBackend), in one
order, and presence counts the phones on both."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid

import httpx
import pytest
from websockets.asyncio.client import connect

from app.accounts.roles import Role
from surveys.boards import services as boards
from tests.browser_support import LiveServer
from tests.staff import make_user, signed_in_cookie

pytestmark = [
    pytest.mark.usefixtures("db"),
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="crossing workers needs PostgreSQL LISTEN/NOTIFY; SQLite runs one worker with memory channels"),
]


@pytest.fixture
def two_servers(subprocess_env):
    servers = [LiveServer(subprocess_env), LiveServer(subprocess_env)]
    for server in servers:  # a card is screened before it is stored: wait until each server's models are fitted
        wait_for_models(server)
    yield servers
    for server in servers:
        server.stop()
        print(server.output()[-4000:])  # shown by pytest when the test fails


def wait_for_models(server: LiveServer, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while httpx.get(f"{server.url}/health", timeout=10).json().get("models") != "ready":
        assert time.monotonic() < deadline, "the server's free-text models were not ready in time"
        time.sleep(0.5)


async def join(server: LiveServer, code: str) -> str:
    """A phone joins the board through this server; returns its Cookie header."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        page = await client.get(f"/r/{code}")
        assert page.status_code == 200
        token = client.cookies.get("csrftoken") or ""
        joined = await client.post(f"/r/{code}/join", data={"display_name": "", "_csrf_token": token})
        assert joined.status_code in (200, 302, 303), joined.text[:300]
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


class Phone:
    def __init__(self, socket):
        self.socket = socket
        self.frames: list[dict] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.socket:
            self.frames.append(json.loads(raw))

    async def until(self, predicate, timeout: float = 15) -> dict:
        async def wait() -> dict:
            while True:
                for frame in self.frames:
                    if predicate(frame):
                        return frame
                await asyncio.sleep(0.02)
        return await asyncio.wait_for(wait(), timeout)

    async def send(self, action: dict) -> dict:
        await self.socket.send(json.dumps(action))
        return await self.until(lambda f: f.get("ref") == action["ref"] and f["type"] in ("ack", "error"))

    def events(self) -> list[int]:
        return [f["seq"] for f in self.frames if f["type"] == "event"]


async def test_an_event_posted_on_one_worker_reaches_phones_and_screens_on_the_other(two_servers):
    first, second = two_servers
    facilitator_id = await make_user(Role.facilitator)
    board = await boards.create_board(title="Across workers", template="rose_thorn_bud", created_by=facilitator_id)
    code, board_id = board["code"], board["id"]
    staff_cookie = "; ".join(f"{k}={v}" for k, v in (await signed_in_cookie(facilitator_id)).items())
    ws_first, ws_second = first.url.replace("http", "ws"), second.url.replace("http", "ws")

    async with connect(f"{ws_first}/r/{code}/live", additional_headers={"Cookie": await join(first, code)}) as a, \
            connect(f"{ws_second}/r/{code}/live", additional_headers={"Cookie": await join(second, code)}) as b, \
            connect(f"{ws_second}/boards/{board_id}/live", additional_headers={"Cookie": staff_cookie}) as screen:
        on_first, on_second, facilitator = Phone(a), Phone(b), Phone(screen)
        for phone in (on_first, on_second, facilitator):
            await phone.until(lambda f: f["type"] == "state")

        # A card written on worker 1 is counted on worker 2's phone and screen (its words stay private until reveal).
        ack = await on_first.send({"action": "post", "ref": str(uuid.uuid4()), "column": "rose", "text": "the youth club on fridays"})
        assert ack["type"] == "ack"
        written = await on_second.until(lambda f: f["type"] == "event" and f["seq"] == ack["seq"])
        assert written["event"]["kind"] == "card_written" and "the youth club" not in json.dumps(written)
        await facilitator.until(lambda f: f["type"] == "event" and f["seq"] == ack["seq"])

        # A card written on worker 2 reaches worker 1; the facilitator on worker 2 reveals, and worker 1's phone sees it.
        second_ack = await on_second.send({"action": "post", "ref": str(uuid.uuid4()), "column": "thorn", "text": "buses after 9pm"})
        await on_first.until(lambda f: f["type"] == "event" and f["seq"] == second_ack["seq"])
        reveal = await facilitator.send({"action": "phase", "ref": str(uuid.uuid4()), "phase": "reveal"})
        assert reveal["type"] == "ack"
        await on_first.until(lambda f: f["type"] == "event" and f["seq"] == reveal["seq"])
        await on_first.socket.send(json.dumps({"action": "resync"}))
        state = await on_first.until(lambda f: f["type"] == "state" and f["seq"] >= reveal["seq"])
        assert sorted(card["text"] for card in state["state"]["cards"]) == ["buses after 9pm", "the youth club on fridays"]

        # Presence counts the phones on both workers.
        await facilitator.until(lambda f: f["type"] == "presence" and f["count"] == 2)

        # One order for everyone: both phones saw the same events, each once, in seq order.
        await on_second.until(lambda f: f["type"] == "event" and f["seq"] == reveal["seq"])
        assert on_first.events() == sorted(set(on_first.events()))
        assert on_second.events() == sorted(set(on_second.events()))
        assert on_first.events()[-3:] == on_second.events()[-3:] == [ack["seq"], second_ack["seq"], reveal["seq"]]
