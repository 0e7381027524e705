"""Boards: making one, joining it, and what each viewer may see of it.

For code (the benchmark, the demo, tests), a board is made with

    board = await services.create_board(title="Summit retro", created_by=<staff id or None>,
                                        template="rose_thorn_bud", custom_columns="", project_id=None,
                                        anonymous=True, review=False, votes_per_person=3,
                                        phase_minutes={"write": 5}, code=None)
    board["id"], board["code"]            # the join link is /r/<code>

and a participant joins with `await services.join(board_id, display_name="")`, which returns the
raw token to put in the `chorus_board` cookie (only its hash is stored).

Authors: a card's `author` is read here only to mark the viewer's own cards ("mine") and, on a
board that is not anonymous, to print the display name the writer chose. Nothing else reads it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from app import clock
from app.accounts.auth import token_hash
from app.governance.tables import Project
from surveys.boards.columns import DEFAULT_TEMPLATE, columns_for
from surveys.boards.tables import (
    PHASES,
    BoardActionItem,
    BoardCard,
    BoardGroup,
    BoardParticipant,
    BoardVote,
    CardStatus,
    Phase,
    RetroBoard,
)
from surveys.participation.text import N_, Message, Refused

MAX_TITLE = 200
MAX_NAME = 40
MAX_VOTES = 20
BOARD_LIFETIME = timedelta(days=30)
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread off a screen
TALLY_PHASES = ("discuss", "actions", "done")
"""Vote tallies are shown to nobody until voting has closed."""
SHOWN_PHASES = tuple(p for p in PHASES if p != "write")


class BoardRefused(Refused):
    """An action or form the board cannot take, with the words to show: a Message where a participant
    can meet it (their page and socket translate it), plain English where only staff can."""


NAME_TOO_LONG = N_("A display name can be at most %(limit)s characters.")


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a participant (by id) or a facilitator/presenter (staff id)."""

    board_id: int
    participant_id: int | None = None
    staff_id: int | None = None

    @property
    def is_facilitator(self) -> bool:
        return self.staff_id is not None

    @property
    def actor_key(self) -> str:
        who = f"p{self.participant_id}" if self.participant_id is not None else f"s{self.staff_id}"
        return f"b{self.board_id}:{who}"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


async def create_board(*, title: str, created_by: int | None = None, template: str = DEFAULT_TEMPLATE, custom_columns: str = "",
                       project_id: int | None = None, anonymous: bool = True, review: bool = False, votes_per_person: int = 3,
                       phase_minutes: dict[str, int] | None = None, code: str | None = None,
                       lifetime: timedelta = BOARD_LIFETIME) -> dict:
    """Make a board in the write phase; returns its row (with `id` and `code`). Raises BoardRefused."""
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise BoardRefused(f"Give the board a title of 1-{MAX_TITLE} characters.")
    columns = columns_for(template, custom_columns)  # ColumnsError is a ValueError with its own words
    if not 1 <= votes_per_person <= MAX_VOTES:
        raise BoardRefused(f"Votes per person must be between 1 and {MAX_VOTES}.")
    minutes = {phase: int(m) for phase, m in (phase_minutes or {}).items() if phase in PHASES and m}
    if any(not 0 < m <= 240 for m in minutes.values()):
        raise BoardRefused("A phase timer is 1-240 minutes (or blank for none).")
    if project_id is not None and not await Project.exists().where(Project.id == project_id):
        raise BoardRefused("Choose a project from the list.")
    now = clock.now()
    for _ in range(5):
        candidate = code or new_code()
        if not await RetroBoard.exists().where(RetroBoard.code == candidate):
            break
        if code:
            raise BoardRefused("That code is taken.")
    else:  # pragma: no cover - 31^6 codes
        raise BoardRefused("Could not find a free code; try again.")
    row = RetroBoard(title=title, template=template, columns=columns, project=project_id, anonymous=anonymous, review=review,
                     votes_per_person=votes_per_person, phase_minutes=minutes, phase=Phase.write, phase_started_at=now,
                     code=candidate, seq=0, created_by=created_by, created_at=now, expires_at=now + lifetime)
    await row.save()
    return await get_board(row.id)


async def get_board(board_id: int) -> dict | None:
    return await RetroBoard.select().output(load_json=True).where(RetroBoard.id == board_id).first()


async def board_by_code(code: str) -> dict | None:
    """The board a join code opens, or None when there is none or it has expired."""
    if not code or len(code) > 20:
        return None
    board = await RetroBoard.select().output(load_json=True).where(RetroBoard.code.is_in([code, code.upper()])).first()
    if board is None or board["expires_at"] <= clock.now():
        return None
    return board


async def list_boards() -> list[dict]:
    return await RetroBoard.select(RetroBoard.id, RetroBoard.title, RetroBoard.code, RetroBoard.phase, RetroBoard.created_at,
                                   RetroBoard.expires_at).order_by(RetroBoard.id, ascending=False)


async def join(board_id: int, display_name: str = "") -> str:
    """A new participant; returns the raw token for their cookie (its hash is what is stored)."""
    name = " ".join(display_name.split())
    if len(name) > MAX_NAME:
        raise BoardRefused(Message(NAME_TOO_LONG, limit=MAX_NAME))
    token = secrets.token_urlsafe(32)
    await BoardParticipant.insert(BoardParticipant(board=board_id, token_hash=token_hash(token), display_name=name,
                                                   joined_at=clock.now()))
    return token


async def participant_for(board_id: int, token: str | None) -> int | None:
    """The participant a cookie's token names on this board, or None."""
    if not token or len(token) > 100:
        return None
    row = await BoardParticipant.select(BoardParticipant.id).where(
        (BoardParticipant.token_hash == token_hash(token)) & (BoardParticipant.board == board_id)).first()
    return row["id"] if row else None


def column_keys(board: dict) -> list[str]:
    return [column["key"] for column in board["columns"]]


def phase_index(phase: str) -> int:
    return PHASES.index(phase)


def tallies_open(board: dict) -> bool:
    return board["phase"] in TALLY_PHASES


def help_message() -> str:
    return ("Thank you for writing this. It has not been put on the board. What you wrote sounds important, so someone "
            "whose job is keeping young people safe will read it. If you want to talk now, call Childline free on 0800 1111, "
            "or 999 if you are in danger.")


def public_card(card: dict, *, board: dict, names: dict[int, str], tallies: dict[int, int] | None) -> dict:
    """A card as anyone may see it: never its author on an anonymous board."""
    shown = {"id": card["id"], "column": card["column"], "text": card["text"], "group": card["group"]}
    if not board["anonymous"] and card["author"] is not None and names.get(card["author"]):
        shown["author_name"] = names[card["author"]]
    if tallies is not None:
        shown["votes"] = tallies.get(card["id"], 0)
    return shown


async def _names(board: dict) -> dict[int, str]:
    if board["anonymous"]:
        return {}
    rows = await BoardParticipant.select(BoardParticipant.id, BoardParticipant.display_name).where(BoardParticipant.board == board["id"])
    return {row["id"]: row["display_name"] for row in rows}


async def tallies_of(board_id: int) -> dict[int, int]:
    rows = await BoardVote.select(BoardVote.card).where(BoardVote.board == board_id)
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["card"]] = counts.get(row["card"], 0) + 1
    return counts


async def column_counts(board: dict) -> dict[str, int]:
    """Cards written per column so far (held and declined cards are not counted: the room sees nothing of them)."""
    rows = await BoardCard.select(BoardCard.column).where(
        (BoardCard.board == board["id"]) & BoardCard.status.is_in([CardStatus.shown, CardStatus.pending]))
    counts = {key: 0 for key in column_keys(board)}
    for row in rows:
        counts[row["column"]] = counts.get(row["column"], 0) + 1
    return counts


async def shown_cards(board: dict, *, with_tallies: bool | None = None) -> list[dict]:
    """The board's shown cards as anyone may see them, in discuss order (most votes first) once tallies are open."""
    tallies = await tallies_of(board["id"]) if (tallies_open(board) if with_tallies is None else with_tallies) else None
    names = await _names(board)
    rows = await BoardCard.select().where((BoardCard.board == board["id"]) & (BoardCard.status == CardStatus.shown)).order_by(BoardCard.id)
    cards = [public_card(row, board=board, names=names, tallies=tallies) for row in rows]
    if tallies is not None:
        cards.sort(key=lambda card: -card["votes"])
    return cards


async def groups_of(board_id: int) -> list[dict]:
    return await BoardGroup.select(BoardGroup.id, BoardGroup.title).where(BoardGroup.board == board_id).order_by(BoardGroup.id)


async def actions_of(board_id: int) -> list[dict]:
    rows = await BoardActionItem.select(BoardActionItem.id, BoardActionItem.text, BoardActionItem.owner, BoardActionItem.due,
                                        BoardActionItem.project.reference.as_alias("project")).where(
        BoardActionItem.board == board_id).order_by(BoardActionItem.id)
    return [{**row, "due": row["due"].isoformat() if row["due"] else ""} for row in rows]


def board_summary(board: dict) -> dict:
    """The board's settings as every viewer may see them."""
    minutes = board["phase_minutes"].get(board["phase"])
    return {"id": board["id"], "title": board["title"], "code": board["code"], "columns": board["columns"],
            "anonymous": board["anonymous"], "review": board["review"], "votes_per_person": board["votes_per_person"],
            "phase_started_at": board["phase_started_at"].isoformat(), "phase_minutes": minutes}


async def state_for(viewer: Viewer, board: dict | None = None) -> dict:
    """Everything this viewer may see now, with the seq it is current to."""
    board = board or await get_board(viewer.board_id)
    state = {"board": board_summary(board), "phase": board["phase"], "phases": PHASES, "seq": board["seq"],
             "counts": await column_counts(board), "groups": await groups_of(board["id"]), "focus": board["focus_card"],
             "actions": await actions_of(board["id"]), "tallies_open": tallies_open(board),
             "cards": await shown_cards(board) if board["phase"] != "write" else []}
    state["votes_cast"] = await BoardVote.count().where(BoardVote.board == board["id"])
    if viewer.participant_id is not None:
        own = await BoardCard.select(BoardCard.id, BoardCard.column, BoardCard.text, BoardCard.status).where(
            (BoardCard.board == board["id"]) & (BoardCard.author == viewer.participant_id)).order_by(BoardCard.id)
        state["mine"] = [row["id"] for row in own if row["status"] != CardStatus.held]
        state["my_cards"] = [row for row in own if row["status"] != CardStatus.held]
        state["help"] = help_message() if any(row["status"] == CardStatus.held for row in own) else ""
        my_votes = await BoardVote.select(BoardVote.card).where(
            (BoardVote.board == board["id"]) & (BoardVote.voter == viewer.participant_id))
        state["my_votes"] = [row["card"] for row in my_votes]
        state["votes_left"] = board["votes_per_person"] - len(my_votes)
    if viewer.is_facilitator and board["review"]:
        pending = await BoardCard.select(BoardCard.id, BoardCard.column, BoardCard.text).where(
            (BoardCard.board == board["id"]) & (BoardCard.status == CardStatus.pending)).order_by(BoardCard.id)
        state["pending"] = pending
    return state


def phase_label(phase: str) -> str:
    return PHASE_LABELS[phase]


PHASE_LABELS = {"write": N_("Write"), "reveal": N_("Reveal"), "group": N_("Group"), "vote": N_("Vote"), "discuss": N_("Discuss"),
                "actions": N_("Actions"), "done": N_("Done")}


def seconds_left(board: dict) -> int | None:
    minutes = board["phase_minutes"].get(board["phase"])
    if not minutes:
        return None
    elapsed = (clock.now() - board["phase_started_at"]).total_seconds()
    return max(0, int(minutes * 60 - elapsed))
