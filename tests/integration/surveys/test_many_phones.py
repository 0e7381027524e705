"""A youth event: 300 phones send the same survey at once, and every one is stored exactly once
(issue 9). Correctness only; speed is measured by scripts/load_participants.py, never here."""

import asyncio

from app.accounts.auth import token_hash
from surveys.questionnaires.tables import Answer, Draft, Response
from tests.surveys import make_survey, receipt_in, send, start

PHONES = 300


async def test_three_hundred_phones_at_once_are_all_stored_once(client, db):
    await make_survey(code="hall")

    async def phone(n: int) -> str:
        first = await start(client, "hall")
        moved = await send(client, first, 1, knows="no")
        assert moved.status_code == 303, moved.text[:300]
        sent = await send(client, first, 2, action="submit", area=("north", "south")[n % 2], say=f"more youth clubs {n}")
        assert sent.status_code == 200, sent.text[:300]
        return receipt_in(sent.text).replace("-", "")

    receipts = await asyncio.gather(*(phone(n) for n in range(PHONES)))

    assert len(set(receipts)) == PHONES
    stored = [r["receipt_hash"] for r in await Response.select(Response.receipt_hash)]
    assert sorted(stored) == sorted(token_hash(r) for r in receipts)  # each acknowledged one, once
    assert await Answer.count() == PHONES * 3
    assert await Draft.count() == 0
