"""“Suggest groups”: the `analysis` theme model over the board's shown cards. A suggestion is only
ever shown to the facilitator; nothing changes until they accept it (the `accept_groups` action)."""

from __future__ import annotations

import asyncio

from surveys.boards.services import BoardRefused
from surveys.boards.tables import BoardCard, CardStatus

MIN_CARDS = 4


def _themes(texts: list[str]):
    from analysis.themes import find_themes  # heavy: only when a facilitator asks

    return find_themes(texts, random_state=0)


async def suggest(board_id: int) -> list[dict]:
    """Proposed groups: [{"title", "cards": [card ids]}], each card in at most one group."""
    cards = await BoardCard.select(BoardCard.id, BoardCard.text).where(
        (BoardCard.board == board_id) & (BoardCard.status == CardStatus.shown)).order_by(BoardCard.id)
    if len(cards) < MIN_CARDS:
        raise BoardRefused(f"Suggestions need at least {MIN_CARDS} cards on the board.")
    result = await asyncio.to_thread(_themes, [card["text"] for card in cards])
    labels = {theme.id: theme.label for theme in result.themes}
    groups: dict[str, list[int]] = {}
    for card, theme_id in zip(cards, result.assignments, strict=True):
        if theme_id is not None:
            groups.setdefault(theme_id, []).append(card["id"])
    proposal = [{"title": labels.get(theme_id, "Other")[:120] or "Other", "cards": ids} for theme_id, ids in groups.items()]
    if not proposal:
        raise BoardRefused("No groups stood out among these cards; group them by hand.")
    return sorted(proposal, key=lambda group: -len(group["cards"]))
