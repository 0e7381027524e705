"""Boards in real time: one channel per board on the app's one `ChannelsPlugin` (app.insights.live:
memory in one process on SQLite, PostgreSQL LISTEN/NOTIFY across workers), presence, and the
websocket conversation both kinds of viewer have.

Order: on PostgreSQL each event is sent with `pg_notify` inside the transaction that stored it and
bumped the board's `seq`, so every worker hears events in commit order. On SQLite (one process, memory
backend) a per-board lock spans the transaction and the publish. Clients order by `seq` and ask for
`resync` when they see a gap. Presence is a row per open socket in `board_presence`, so every worker
counts the same people; rows of a worker that died stop counting after PRESENCE_STALE.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

from litestar import WebSocket
from litestar.channels import ChannelsPlugin
from litestar.exceptions import WebSocketDisconnect

from app import clock
from app.database import current_engine
from app.insights.live import current_plugin
from surveys.participation.i18n import DEFAULT_LANGUAGE, translate
from surveys.participation.text import N_, Message

logger = logging.getLogger("chorus.boards")

PRESENCE_REFRESH = 30.0
PRESENCE_STALE = timedelta(seconds=90)
MAX_FRAME = 16 * 1024
_ORDER_LOCKS: dict[int, asyncio.Lock] = {}
# Error frames a participant's phone can meet (a pasted novel is too long for one frame); frames only a
# hand-made client sends (not text, not JSON) are answered in English.
FRAME_TOO_LONG = N_("That message is too long.")
WENT_WRONG = N_("Something went wrong on our side; nothing was changed. Try again.")


def channel(board_id: int) -> str:
    return f"board_{board_id}"


def _postgres() -> bool:
    return current_engine().engine_type == "postgres"


@contextlib.asynccontextmanager
async def board_order(board_id: int) -> AsyncIterator[None]:
    """Around a board's write and its publish: on SQLite keeps publishes in seq order (PostgreSQL's NOTIFY already is)."""
    if _postgres():
        yield
        return
    lock = _ORDER_LOCKS.setdefault(board_id, asyncio.Lock())
    async with lock:
        yield


async def notify_in_transaction(board_id: int, frame: str) -> None:
    """On PostgreSQL: queue the frame with NOTIFY in the caller's transaction (sent at commit, in commit order)."""
    if _postgres():
        from surveys.boards.tables import RetroBoard

        await RetroBoard.raw("SELECT pg_notify({}, {})", channel(board_id), frame)


def publish_committed(board_id: int, frames: list[str]) -> None:
    """On the memory backend: publish once committed (PostgreSQL's were sent by the commit itself)."""
    if _postgres() or not frames:
        return
    plugin = current_plugin()
    if plugin is None:
        return
    for frame in frames:
        try:
            plugin.publish(frame, channel(board_id))
        except RuntimeError:  # the plugin is not started in this process (a CLI command)
            return


async def publish_now(board_id: int, frame: str) -> None:
    """A frame with no seq (presence): NOTIFY on PostgreSQL, the plugin in memory."""
    if _postgres():
        await notify_in_transaction(board_id, frame)
    else:
        publish_committed(board_id, [frame])


# --- presence ---------------------------------------------------------------------------------------


async def presence_count(board_id: int) -> int:
    from surveys.boards.tables import BoardPresence

    # One participant on two tabs (or a phone that reconnected) counts once.
    return await BoardPresence.count(distinct=[BoardPresence.participant]).where(
        (BoardPresence.board == board_id) & (BoardPresence.seen_at > clock.now() - PRESENCE_STALE)
        & BoardPresence.participant.is_not_null())


async def _announce_presence(board_id: int) -> None:
    await publish_now(board_id, json.dumps({"type": "presence", "count": await presence_count(board_id)}))


async def arrive(board_id: int, participant_id: int | None) -> str:
    from surveys.boards.tables import BoardPresence

    connection = uuid.uuid4().hex
    await BoardPresence.insert(BoardPresence(board=board_id, connection=connection, participant=participant_id, seen_at=clock.now()))
    await _announce_presence(board_id)
    return connection


async def still_here(connection: str) -> None:
    from surveys.boards.tables import BoardPresence

    await BoardPresence.update({BoardPresence.seen_at: clock.now()}).where(BoardPresence.connection == connection)


async def leave(board_id: int, connection: str) -> None:
    from surveys.boards.tables import BoardPresence

    await BoardPresence.delete().where(BoardPresence.connection == connection)
    await _announce_presence(board_id)


# --- the conversation ---------------------------------------------------------------------------------


def error_frame(message: str, ref: object = None, language: str = DEFAULT_LANGUAGE) -> str:
    """An error for one client, in its language (a Message is translated; plain text goes as it is)."""
    return json.dumps({"type": "error", "ref": ref if isinstance(ref, str) else None, "message": translate(message, language)})


async def answer(viewer, raw: str | bytes | None, language: str = DEFAULT_LANGUAGE) -> str:
    """The reply to one client frame: an ack, a state frame or an error (only ever to its sender, in its language)."""
    from surveys.boards import actions, services, suggestions

    if not isinstance(raw, str):
        return error_frame("Send text frames with one JSON object each.")
    if len(raw) > MAX_FRAME:
        return error_frame(Message(FRAME_TOO_LONG), language=language)
    try:
        message = json.loads(raw)
    except ValueError:
        return error_frame("That was not valid JSON: send one JSON object per message.")
    ref = message.get("ref") if isinstance(message, dict) else None
    try:
        if isinstance(message, dict) and message.get("action") == "resync":
            state = await services.state_for(viewer)
            return json.dumps({"type": "state", "seq": state["seq"], "state": state}, default=str)
        if isinstance(message, dict) and message.get("action") == "suggest":
            if not viewer.is_facilitator:
                raise services.BoardRefused("Only the facilitator can do that.")
            proposal = await suggestions.suggest(viewer.board_id)
            board = await services.get_board(viewer.board_id)
            return json.dumps({"type": "ack", "ref": ref, "seq": board["seq"], "action": "suggest", "suggestions": proposal})
        return json.dumps(await actions.apply(viewer, message), default=str)
    except services.BoardRefused as refused:
        return error_frame(refused.message, ref, language)
    except Exception:
        logger.exception("board action failed")
        return error_frame(Message(WENT_WRONG), ref, language)


async def converse(socket: WebSocket, channels: ChannelsPlugin, viewer, language: str = DEFAULT_LANGUAGE) -> None:
    """Send the state, forward the board's channel, answer the client's frames (in `language`) until it leaves."""
    from surveys.boards import services

    sending = asyncio.Lock()

    async def send(text: str) -> None:
        async with sending:
            await socket.send_text(text)

    async def forward(data: bytes) -> None:
        with contextlib.suppress(Exception):  # a socket closing mid-send ends the conversation below
            await send(data.decode())

    connection = None
    heartbeat = None
    try:
        async with channels.start_subscription([channel(viewer.board_id)]) as subscriber, \
                subscriber.run_in_background(forward, join=False):
            state = await services.state_for(viewer)
            await send(json.dumps({"type": "state", "seq": state["seq"], "state": state}, default=str))
            connection = await arrive(viewer.board_id, viewer.participant_id)

            async def keep_alive() -> None:
                while True:
                    await asyncio.sleep(PRESENCE_REFRESH)
                    await still_here(connection)

            heartbeat = asyncio.create_task(keep_alive())
            while True:
                raw = await socket.receive_data(mode="text")
                await send(await answer(viewer, raw, language))
    except WebSocketDisconnect:
        pass
    finally:
        if heartbeat is not None:
            heartbeat.cancel()
        if connection is not None:
            with contextlib.suppress(Exception):
                await leave(viewer.board_id, connection)
