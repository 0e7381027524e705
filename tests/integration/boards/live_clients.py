"""Real websocket clients (the `websockets` library) against the app served by uvicorn in a child process."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import connect

WAIT = 180  # a guard against a hang, not a timing: the first card waits for the server's screening models


class LiveClient:
    """One websocket viewer that keeps every frame it receives."""

    def __init__(self, url: str, cookie: str = ""):
        self.url = url
        self.cookie = cookie
        self.frames: list[dict] = []
        self.raw: list[str] = []
        self.unread: list[dict] = []
        self.socket = None

    async def __aenter__(self) -> LiveClient:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.socket = await connect(self.url, additional_headers=headers)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.socket.close()

    async def send(self, message: dict | str) -> None:
        await self.socket.send(message if isinstance(message, str) else json.dumps(message))

    async def next(self) -> dict:
        text = await asyncio.wait_for(self.socket.recv(), WAIT)
        self.raw.append(text)
        frame = json.loads(text)
        self.frames.append(frame)
        return frame

    async def until(self, test) -> dict:
        """The first frame not yet taken that passes `test` (others stay for later `until`s; all are in `frames`)."""
        for frame in self.unread:
            if test(frame):
                self.unread.remove(frame)
                return frame
        while True:
            frame = await self.next()
            if test(frame):
                return frame
            self.unread.append(frame)


def ws_url(server_url: str, path: str) -> str:
    return server_url.replace("http://", "ws://") + path


def is_type(kind: str, ref: str | None = None):
    return lambda frame: frame["type"] == kind and (ref is None or frame.get("ref") == ref)


def is_event(kind: str):
    return lambda frame: frame["type"] == "event" and frame["event"]["kind"] == kind
