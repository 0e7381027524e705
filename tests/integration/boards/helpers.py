"""Shared helpers for board tests: a board with people on it."""

from __future__ import annotations

import uuid

from surveys.boards import actions, services
from surveys.boards.services import Viewer

DISCLOSURE = "my stepdad hits me when he is drunk and I am scared to go home"


def ref() -> str:
    return str(uuid.uuid4())


async def board_with(participants: int = 2, **options) -> tuple[dict, list[Viewer], Viewer]:
    """A board, `participants` joined viewers and its facilitator's viewer (staff id 1 need not exist: the id is only a key)."""
    board = await services.create_board(title="Summit retro", **options)
    viewers = []
    for i in range(participants):
        token = await services.join(board["id"], f"Person {i}")
        viewers.append(Viewer(board["id"], participant_id=await services.participant_for(board["id"], token)))
    return board, viewers, Viewer(board["id"], staff_id=1)


async def act(viewer: Viewer, action: str, **fields) -> dict:
    return await actions.apply(viewer, {"action": action, "ref": ref(), **fields})


async def phase(facilitator: Viewer, name: str) -> dict:
    return await act(facilitator, "phase", phase=name)
