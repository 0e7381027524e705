"""The response cap holds when many phones press Send at the same moment (issue 9, medium 8)."""

import asyncio

from surveys.questionnaires.tables import Answer, Draft, Response
from tests.surveys import make_survey, send, start

CAP = 10
PHONES = 40


async def test_simultaneous_sends_store_exactly_the_cap_and_the_rest_are_told_it_is_full(client, db):
    await make_survey(code="capped", response_cap=CAP)
    pages = []
    for _ in range(PHONES):
        first = await start(client, "capped")
        assert (await send(client, first, 1, knows="no")).status_code == 303
        pages.append(first)

    sent = await asyncio.gather(*(send(client, page, 2, action="submit", area="north", say="more youth clubs") for page in pages))

    statuses = sorted(r.status_code for r in sent)
    assert statuses == [200] * CAP + [410] * (PHONES - CAP)
    for refused in (r for r in sent if r.status_code == 410):
        assert "Your receipt code" not in refused.text
    assert await Response.count() == CAP
    # Nothing half-stored: every stored response has its three answers, and no answer is orphaned.
    assert await Answer.count() == CAP * 3
    # The refused keep their unsent draft (nothing of theirs was stored); the stored ones' drafts are gone.
    assert await Draft.count() == PHONES - CAP


async def test_a_send_after_the_cap_is_reached_is_refused_and_stores_nothing(client, db):
    await make_survey(code="capped", response_cap=1)
    early, late = await start(client, "capped"), await start(client, "capped")
    for page in (early, late):
        await send(client, page, 1, knows="no")
    assert (await send(client, early, 2, action="submit")).status_code == 200
    refused = await send(client, late, 2, action="submit", say="hello")
    assert refused.status_code == 410
    assert await Response.count() == 1 and await Answer.count() == 1
