"""Everything that changes a board, whether it came as a websocket frame or a plain form: `apply`.

Each action is checked, then applied in one write transaction that locks the board, bumps its
`seq` once per event, stores the events and (on PostgreSQL) sends them with `pg_notify` before
commit, so every worker hears them in commit order. A refused action raises `BoardRefused` with the
words to show, and stores nothing. `ref` is the client's idempotency key: the ack is stored with
the change, and a replay gets the stored ack back without changing anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from app import clock, free_text
from app.database import current_engine, write_transaction
from app.governance.tables import Project
from surveys.boards import live
from surveys.boards.services import (
    PHASE_LABELS,
    PHASES,
    BoardRefused,
    Viewer,
    column_keys,
    help_message,
    public_card,
    tallies_open,
)
from surveys.boards.tables import (
    BoardActionItem,
    BoardCard,
    BoardEvent,
    BoardGroup,
    BoardReceipt,
    BoardVote,
    CardStatus,
    RetroBoard,
)
from surveys.participation.text import N_, Message, clean_text

MAX_CARD = 280
MAX_REF = 64
MAX_GROUP_TITLE = 120
MAX_ACTION = 500
MAX_OWNER = 120
PARTICIPANT_ACTIONS = frozenset({"post", "vote", "unvote"})
FACILITATOR_ACTIONS = frozenset({"phase", "approve", "decline", "group_new", "move", "accept_groups", "focus", "add_action",
                                 "remove_action"})
ACTIONS = PARTICIPANT_ACTIONS | FACILITATOR_ACTIONS

# Refusals a participant can meet with our own page or script, translated on their page and socket.
# (Frames only a hand-made client sends, and the facilitator's refusals, stay in English.)
CHOOSE_COLUMN = N_("Choose one of the board's columns.")
EMPTY_CARD = N_("Write something on the card first.")
CARD_TOO_LONG = N_("A card can be at most %(limit)s characters: this one is %(count)s. Shorten it and send again.")
NO_SUCH_CARD = N_("There is no such card on this board.")
WRITE_PHASE_ONLY = N_("Cards can be written only in the %(phase)s phase; the board is in the %(now)s phase.")
VOTE_PHASE_ONLY = N_("Votes can be given only in the %(phase)s phase; the board is in the %(now)s phase.")
UNVOTE_PHASE_ONLY = N_("Votes can be taken back only in the %(phase)s phase; the board is in the %(now)s phase.")
VOTES_USED_UP = N_("You have used all %(n)s of your votes. Take one back to vote again.")
NO_VOTE_TO_TAKE_BACK = N_("You have no vote on that card to take back.")
BOARD_GONE = N_("This board has gone.")


@dataclass
class Change:
    """What an action did: words for its sender's ack, events for everyone, disclosures opened."""

    ack: dict = field(default_factory=dict)
    events: list[tuple[str, dict]] = field(default_factory=list)
    held: list[int] = field(default_factory=list)


def _ref(message: dict) -> str:
    ref = message.get("ref")
    if not isinstance(ref, str) or not 0 < len(ref) <= MAX_REF:
        raise BoardRefused(f"Every change needs a \"ref\": a text of 1-{MAX_REF} characters (a fresh UUID).")
    return ref


def _card_id(message: dict, key: str = "card") -> int:
    value = message.get(key)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**31:
        raise BoardRefused(Message(NO_SUCH_CARD))
    return value


def check_action(viewer: Viewer, message: object) -> str:
    """The action's name, once it is one this viewer may take."""
    if not isinstance(message, dict):
        raise BoardRefused("Send a JSON object with an \"action\".")
    action = message.get("action")
    if not isinstance(action, str) or action not in ACTIONS:
        raise BoardRefused(f"Unknown action {str(action)[:40]!r}.")
    if action in FACILITATOR_ACTIONS and not viewer.is_facilitator:
        raise BoardRefused("Only the facilitator can do that.")
    if action in PARTICIPANT_ACTIONS and viewer.is_facilitator:
        raise BoardRefused("Facilitators run the board: join from the link on a phone to write or vote.")
    return action


def check_card_text(board: dict, message: dict) -> tuple[str, str]:
    column, text = message.get("column"), message.get("text")
    if not isinstance(column, str) or column not in column_keys(board):
        raise BoardRefused(Message(CHOOSE_COLUMN))
    if not isinstance(text, str) or not clean_text(text).strip():
        raise BoardRefused(Message(EMPTY_CARD))
    text = clean_text(text).strip()
    if len(text) > MAX_CARD:
        raise BoardRefused(Message(CARD_TOO_LONG, limit=MAX_CARD, count=len(text)))
    return column, text


async def apply(viewer: Viewer, message: object) -> dict:
    """Apply one action for this viewer; returns the ack frame for its sender. Raises BoardRefused."""
    action = check_action(viewer, message)
    ref = _ref(message)
    receipt_key = f"{viewer.actor_key}:{ref}"
    stored = await BoardReceipt.select(BoardReceipt.ack).output(load_json=True).where(BoardReceipt.actor_key == receipt_key).first()
    if stored:
        return stored["ack"]
    assessment = None
    if action == "post":
        board = await RetroBoard.select().output(load_json=True).where(RetroBoard.id == viewer.board_id).first()
        _, text = check_card_text(board, message)
        assessment = (await free_text.assess_all([text]))[0]  # off the event loop, before any lock is taken
    frames: list[str] = []
    async with live.board_order(viewer.board_id):
        async with write_transaction():
            board = await _locked(viewer.board_id)
            stored = await BoardReceipt.select(BoardReceipt.ack).output(load_json=True).where(
                BoardReceipt.actor_key == receipt_key).first()
            if stored:  # the same ref arrived twice at once: the first one won
                return stored["ack"]
            change = await HANDLERS[action](board, viewer, message, assessment)
            seq = await _store_events(board, change.events, frames)
            ack = {"type": "ack", "ref": ref, "seq": seq, "action": action, **change.ack}
            await BoardReceipt.insert(BoardReceipt(board=board["id"], actor_key=receipt_key, ack=ack))
        live.publish_committed(board["id"], frames)
    if change.held:
        await free_text.held_committed(change.held)
    return ack


async def _store_events(board: dict, events: list[tuple[str, dict]], frames: list[str]) -> int:
    """Number the events after the board's last, store them and tell other workers (inside the
    caller's transaction, the board row locked); returns the board's new seq."""
    seq = board["seq"]
    for kind, payload in events:
        seq += 1
        await BoardEvent.insert(BoardEvent(board=board["id"], seq=seq, kind=kind, payload=payload, created_at=clock.now()))
        frame = json.dumps({"type": "event", "seq": seq, "event": {"kind": kind, **payload}})
        frames.append(frame)
        await live.notify_in_transaction(board["id"], frame)
    if events:
        await RetroBoard.update({RetroBoard.seq: seq}).where(RetroBoard.id == board["id"])
    return seq


async def release_held_card(card_id: int) -> bool:
    """A safeguarding lead called a held card a false alarm: it joins its board (waiting for the
    facilitator's approval on a board that reviews cards), announced to the room as one numbered event
    without its author. Idempotent: a card no longer held is left alone. Returns whether it was released."""
    card = await BoardCard.select(BoardCard.board).where((BoardCard.id == card_id) & (BoardCard.status == CardStatus.held)).first()
    if card is None:
        return False
    frames: list[str] = []
    async with live.board_order(card["board"]):
        async with write_transaction():
            board = await _locked(card["board"])
            status = CardStatus.pending if board["review"] else CardStatus.shown
            released = await BoardCard.update({BoardCard.status: status}).where(
                (BoardCard.id == card_id) & (BoardCard.status == CardStatus.held)).returning(BoardCard.column)
            if not released:
                return False
            column = released[0]["column"]
            count = await BoardCard.count().where((BoardCard.board == board["id"]) & (BoardCard.column == column)
                                                  & BoardCard.status.is_in([CardStatus.shown, CardStatus.pending]))
            await _store_events(board, [("card_released", {"column": column, "count": count})], frames)
        live.publish_committed(board["id"], frames)
    return True


async def _locked(board_id: int) -> dict:
    """The board's row, locked for this transaction (SQLite's IMMEDIATE transaction already holds the write lock)."""
    if current_engine().engine_type == "postgres":
        await RetroBoard.raw("SELECT id FROM retro_board WHERE id = {} FOR UPDATE", board_id)
    board = await RetroBoard.select().output(load_json=True).where(RetroBoard.id == board_id).first()
    if board is None:
        raise BoardRefused(Message(BOARD_GONE))
    return board


async def _shown_card(board: dict, card_id: int) -> dict:
    card = await BoardCard.select().where((BoardCard.id == card_id) & (BoardCard.board == board["id"])
                                          & (BoardCard.status == CardStatus.shown)).first()
    if card is None:
        raise BoardRefused(Message(NO_SUCH_CARD))
    return card


def _in_phases(board: dict, phases: tuple[str, ...], what: str) -> None:
    if board["phase"] not in phases:
        raise BoardRefused(f"{what} in the {' or '.join(phases)} phase{'s' if len(phases) > 1 else ''}; "
                           f"the board is in the {board['phase']} phase.")


def _in_participant_phase(board: dict, phase: str, refusal: str) -> None:
    if board["phase"] != phase:
        raise BoardRefused(Message(refusal, phase=Message(PHASE_LABELS[phase]), now=Message(PHASE_LABELS[board["phase"]])))


# --- participants ----------------------------------------------------------------------------------


async def _post(board, viewer, message, assessment) -> Change:
    _in_participant_phase(board, "write", WRITE_PHASE_ONLY)
    column, text = check_card_text(board, message)
    status = CardStatus.held if assessment.flagged else CardStatus.pending if board["review"] else CardStatus.shown
    [row] = await BoardCard.insert(BoardCard(board=board["id"], author=viewer.participant_id, column=column, text=text,
                                             status=status, sentiment=assessment.sentiment, created_at=clock.now()))
    if status == CardStatus.held:
        # The room hears nothing (no event); the writer alone is told, and the words wait for the safeguarding lead.
        held = await free_text.hold([free_text.FlaggedText(
            source_kind="board_card", source_id=row["id"], text=text, assessment=assessment,
            place=f"Retrospective board “{board['title']}” ({board['code']}), column {column}")])
        return Change(ack={"held": True, "help": help_message()}, held=held)
    count = await BoardCard.count().where((BoardCard.board == board["id"]) & (BoardCard.column == column)
                                          & BoardCard.status.is_in([CardStatus.shown, CardStatus.pending]))
    card = {"id": row["id"], "column": column, "text": text, "status": status.value}
    return Change(ack={"card": card}, events=[("card_written", {"column": column, "count": count})])


async def _votes_cast(board: dict) -> int:
    return await BoardVote.count().where(BoardVote.board == board["id"])


async def _vote(board, viewer, message, _) -> Change:
    _in_participant_phase(board, "vote", VOTE_PHASE_ONLY)
    card = await _shown_card(board, _card_id(message))
    used = await BoardVote.count().where((BoardVote.board == board["id"]) & (BoardVote.voter == viewer.participant_id))
    if used >= board["votes_per_person"]:
        raise BoardRefused(Message(VOTES_USED_UP, n=board["votes_per_person"]))
    await BoardVote.insert(BoardVote(board=board["id"], card=card["id"], voter=viewer.participant_id))
    return Change(ack={"card": card["id"], "votes_left": board["votes_per_person"] - used - 1},
                  events=[("votes", {"cast": await _votes_cast(board)})])


async def _unvote(board, viewer, message, _) -> Change:
    _in_participant_phase(board, "vote", UNVOTE_PHASE_ONLY)
    card_id = _card_id(message)
    vote = await BoardVote.select(BoardVote.id).where((BoardVote.board == board["id"]) & (BoardVote.card == card_id)
                                                      & (BoardVote.voter == viewer.participant_id)).first()
    if vote is None:
        raise BoardRefused(Message(NO_VOTE_TO_TAKE_BACK))
    await BoardVote.delete().where(BoardVote.id == vote["id"])
    used = await BoardVote.count().where((BoardVote.board == board["id"]) & (BoardVote.voter == viewer.participant_id))
    return Change(ack={"card": card_id, "votes_left": board["votes_per_person"] - used},
                  events=[("votes", {"cast": await _votes_cast(board)})])


# --- the facilitator --------------------------------------------------------------------------------


async def _phase(board, viewer, message, _) -> Change:
    phase = message.get("phase")
    if phase not in PHASES:
        raise BoardRefused(f"Choose a phase: {', '.join(PHASES)}.")
    if phase == board["phase"]:
        raise BoardRefused(f"The board is already in the {phase} phase.")
    now = clock.now()
    await RetroBoard.update({RetroBoard.phase: phase, RetroBoard.phase_started_at: now}).where(RetroBoard.id == board["id"])
    return Change(events=[("phase", {"phase": phase, "started_at": now.isoformat(),
                                     "minutes": board["phase_minutes"].get(phase)})])


async def _pending_card(board: dict, message: dict) -> dict:
    if not board["review"]:
        raise BoardRefused("This board shows cards without review.")
    card = await BoardCard.select().where((BoardCard.id == _card_id(message)) & (BoardCard.board == board["id"])
                                          & (BoardCard.status == CardStatus.pending)).first()
    if card is None:
        raise BoardRefused("There is no card waiting for review with that number.")
    return card


async def _approve(board, viewer, message, _) -> Change:
    card = await _pending_card(board, message)
    await BoardCard.update({BoardCard.status: CardStatus.shown}).where(BoardCard.id == card["id"])
    if board["phase"] == "write":
        return Change(events=[("card_approved", {"card": card["id"]})])
    card["status"] = CardStatus.shown
    names = {}  # an approved card on a named board shows its name after a resync; the event never carries one
    tallies = {} if tallies_open(board) else None
    return Change(events=[("card_shown", {"card": public_card(card, board={**board, "anonymous": True}, names=names, tallies=tallies)})])


async def _decline(board, viewer, message, _) -> Change:
    card = await _pending_card(board, message)
    await BoardCard.update({BoardCard.status: CardStatus.declined}).where(BoardCard.id == card["id"])
    count = await BoardCard.count().where((BoardCard.board == board["id"]) & (BoardCard.column == card["column"])
                                          & BoardCard.status.is_in([CardStatus.shown, CardStatus.pending]))
    return Change(events=[("card_declined", {"card": card["id"], "column": card["column"], "count": count})])


def _group_title(value: object) -> str:
    title = " ".join(value.split()) if isinstance(value, str) else ""
    if not title or len(title) > MAX_GROUP_TITLE:
        raise BoardRefused(f"Give the group a name of 1-{MAX_GROUP_TITLE} characters.")
    return title


GROUPING_PHASES = ("reveal", "group")


async def _group_new(board, viewer, message, _) -> Change:
    _in_phases(board, GROUPING_PHASES, "Groups can be made only")
    title = _group_title(message.get("title"))
    [row] = await BoardGroup.insert(BoardGroup(board=board["id"], title=title))
    return Change(ack={"group": row["id"]}, events=[("group_created", {"group": {"id": row["id"], "title": title}})])


async def _move(board, viewer, message, _) -> Change:
    _in_phases(board, GROUPING_PHASES, "Cards can be moved only")
    card = await _shown_card(board, _card_id(message))
    group = message.get("group")
    if group in (None, "", 0, "0"):
        group = None
    else:
        group = _card_id({"group": group}, "group") if not isinstance(group, int) else group
        if not await BoardGroup.exists().where((BoardGroup.id == group) & (BoardGroup.board == board["id"])):
            raise BoardRefused("There is no such group on this board.")
    await BoardCard.update({BoardCard.group: group}).where(BoardCard.id == card["id"])
    return Change(events=[("card_moved", {"card": card["id"], "group": group})])


async def _accept_groups(board, viewer, message, _) -> Change:
    """Apply the groups "suggest groups" proposed, as the facilitator accepted them (possibly edited)."""
    _in_phases(board, GROUPING_PHASES, "Groups can be made only")
    groups = message.get("groups")
    if not isinstance(groups, list) or not groups or len(groups) > 30:
        raise BoardRefused("Send the groups to make: a list of {\"title\", \"cards\"}.")
    shown = {row["id"] for row in await BoardCard.select(BoardCard.id).where(
        (BoardCard.board == board["id"]) & (BoardCard.status == CardStatus.shown))}
    made, moves = [], []
    for group in groups:
        if not isinstance(group, dict) or not isinstance(group.get("cards"), list):
            raise BoardRefused("Each group needs a title and a list of cards.")
        title = _group_title(group.get("title"))
        cards = [_card_id({"card": card}) for card in group["cards"]]
        if any(card not in shown for card in cards):
            raise BoardRefused("A suggested card is no longer on the board: ask for suggestions again.")
        [row] = await BoardGroup.insert(BoardGroup(board=board["id"], title=title))
        made.append({"id": row["id"], "title": title})
        for card in cards:
            await BoardCard.update({BoardCard.group: row["id"]}).where(BoardCard.id == card)
            moves.append([card, row["id"]])
    return Change(ack={"groups": [group["id"] for group in made]}, events=[("groups_applied", {"groups": made, "moves": moves})])


async def _focus(board, viewer, message, _) -> Change:
    _in_phases(board, ("discuss", "actions"), "A card can be put in focus only")
    card = None
    if message.get("card") not in (None, "", 0):
        card = (await _shown_card(board, _card_id(message)))["id"]
    await RetroBoard.update({RetroBoard.focus_card: card}).where(RetroBoard.id == board["id"])
    return Change(events=[("focus", {"card": card})])


ACTION_PHASES = ("discuss", "actions", "done")


async def _add_action(board, viewer, message, _) -> Change:
    _in_phases(board, ACTION_PHASES, "Actions can be added only")
    text = clean_text(message.get("text") or "").strip() if isinstance(message.get("text"), str) else ""
    if not text or len(text) > MAX_ACTION:
        raise BoardRefused(f"Write the action in 1-{MAX_ACTION} characters.")
    owner = message.get("owner") or ""
    if not isinstance(owner, str) or len(owner.strip()) > MAX_OWNER:
        raise BoardRefused(f"The owner can be at most {MAX_OWNER} characters.")
    due = message.get("due") or ""
    try:
        due = date.fromisoformat(due) if due else None
    except (TypeError, ValueError):
        raise BoardRefused("Give the due date as a date, like 2027-01-31.") from None
    project = message.get("project") or None
    if project is not None:
        if not str(project).isdigit() or not await Project.exists().where(Project.id == int(project)):
            raise BoardRefused("Choose a project from the list.")
        project = int(project)
    project = project if project is not None else board["project"]
    [row] = await BoardActionItem.insert(BoardActionItem(board=board["id"], text=text, owner=owner.strip(), due=due, project=project))
    reference = (await Project.select(Project.reference).where(Project.id == project).first() or {}).get("reference") if project else None
    item = {"id": row["id"], "text": text, "owner": owner.strip(), "due": due.isoformat() if due else "", "project": reference}
    return Change(ack={"action_item": row["id"]}, events=[("action_added", {"action": item})])


async def _remove_action(board, viewer, message, _) -> Change:
    item = _card_id({"card": message.get("item")})
    if not await BoardActionItem.exists().where((BoardActionItem.id == item) & (BoardActionItem.board == board["id"])):
        raise BoardRefused("There is no such action on this board.")
    await BoardActionItem.delete().where(BoardActionItem.id == item)
    return Change(events=[("action_removed", {"item": item})])


HANDLERS = {
    "post": _post, "vote": _vote, "unvote": _unvote, "phase": _phase, "approve": _approve, "decline": _decline,
    "group_new": _group_new, "move": _move, "accept_groups": _accept_groups, "focus": _focus, "add_action": _add_action,
    "remove_action": _remove_action,
}
