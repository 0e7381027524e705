"""A retrospective board and what happens on it.

`RetroBoard` holds the session (columns, phase, timers) and `seq`, the counter every event bumps in
the transaction that stores it, so all viewers see one order. Authors are kept only as foreign keys
to `BoardParticipant` (a random token's hash and an optional display name): nothing shown to the
room, the facilitator or an export reads them on an anonymous board.
"""

from enum import Enum

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.accounts.tables import StaffUser
from app.governance.tables import Project


class Phase(str, Enum):
    write = "write"
    reveal = "reveal"
    group = "group"
    vote = "vote"
    discuss = "discuss"
    actions = "actions"
    done = "done"


PHASES = [phase.value for phase in Phase]


class CardStatus(str, Enum):
    pending = "pending"
    """Waiting for the facilitator's approval (review mode)."""
    shown = "shown"
    held = "held"
    """Flagged by screening: held for the safeguarding lead, never shown to the room."""
    declined = "declined"


class RetroBoard(Table, help_text="One live retrospective: its columns, phase, timers and event counter."):
    title = Varchar(length=200)
    template = Varchar(length=30, help_text="rose_thorn_bud, keep_lose_change, start_stop_continue, how_might_we or custom.")
    columns = JSON(default=[], help_text="[{key, title, prompt, colour, symbol}] in order.")
    project = ForeignKey(Project, null=True, on_delete=OnDelete.set_null)
    anonymous = Boolean(default=True, help_text="Cards show no name to anyone (the default).")
    review = Boolean(default=False, help_text="The facilitator approves cards before the room sees them.")
    votes_per_person = Integer(default=3)
    phase_minutes = JSON(default={}, help_text="Minutes planned per phase, e.g. {\"write\": 5}.")
    phase = Varchar(length=10, choices=Phase, default=Phase.write)
    phase_started_at = Timestamptz()
    focus_card = Integer(null=True, default=None, help_text="The card being discussed (discuss phase).")
    code = Varchar(length=20, unique=True, help_text="The join code in /r/<code>.")
    seq = Integer(default=0, help_text="The last event's number; bumped in the transaction that stores each event.")
    created_by = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    expires_at = Timestamptz(help_text="After this the join link answers 404.")


class BoardParticipant(Table, help_text="Someone who joined from a phone: a random token's hash, an optional name."):
    board = ForeignKey(RetroBoard, index=True, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    display_name = Varchar(length=40, default="")
    joined_at = Timestamptz()


class BoardGroup(Table, help_text="A named group cards are moved into."):
    board = ForeignKey(RetroBoard, index=True, on_delete=OnDelete.cascade)
    title = Varchar(length=120)


class BoardCard(Table, help_text="A card. `author` is read only to show the writer their own cards and for the safeguarding lead."):
    board = ForeignKey(RetroBoard, index=True, on_delete=OnDelete.cascade)
    author = ForeignKey(BoardParticipant, null=True, on_delete=OnDelete.set_null)
    column = Varchar(length=40)
    text = Text()
    status = Varchar(length=10, choices=CardStatus, default=CardStatus.shown)
    sentiment = Varchar(length=10, default="neutral")
    group = ForeignKey(BoardGroup, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class BoardVote(Table, help_text="One dot vote; tallies are shown to nobody until voting closes."):
    board = ForeignKey(RetroBoard, index=True, on_delete=OnDelete.cascade)
    card = ForeignKey(BoardCard, index=True, on_delete=OnDelete.cascade)
    voter = ForeignKey(BoardParticipant, on_delete=OnDelete.cascade)


class BoardActionItem(Table, help_text="An agreed action: text, owner, due date, linked project."):
    board = ForeignKey(RetroBoard, index=True, on_delete=OnDelete.cascade)
    text = Text()
    owner = Varchar(length=120, default="")
    due = Date(null=True, default=None)
    project = ForeignKey(Project, null=True, on_delete=OnDelete.set_null)


class BoardEvent(Table, help_text="Every broadcast event in order, so a client can catch up."):
    board = ForeignKey(RetroBoard, index=True, on_delete=OnDelete.cascade)
    seq = Integer()
    kind = Varchar(length=30)
    payload = JSON(default={})
    created_at = Timestamptz()


class BoardReceipt(Table, help_text="What an action with a client's ref answered, so a replay answers the same and does nothing twice."):
    board = ForeignKey(RetroBoard, index=True, on_delete=OnDelete.cascade)
    actor_key = Varchar(length=80, help_text="unique per actor and ref: '<p or s>:<id>:<ref>'", unique=True)
    ack = JSON(default={})


class BoardPresence(Table, help_text="One open websocket of a board, whichever worker holds it; refreshed while open."):
    board = ForeignKey(RetroBoard, index=True, on_delete=OnDelete.cascade)
    connection = Varchar(length=36, unique=True)
    participant = Integer(null=True, default=None, help_text="The participant it is for (presence counts people, not tabs); empty for staff.")
    seen_at = Timestamptz()
