"""The demo board at /r/demo: the summit's own retrospective (report §2.1, ../shared/seed/
youth-safety-summit-report.txt), finished — cards through the one free-text door, grouped, voted on,
with actions. Loading again changes nothing (the board is found by its code)."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import timedelta

from surveys.boards import actions, services
from surveys.boards.services import Viewer
from surveys.boards.tables import BoardVote, RetroBoard

DEMO_CODE = "demo"
# Report §2.1's roses, thorns and buds (long items shortened to a card; sub-points as their own cards).
CARDS = {
    "rose": [
        "The appetite to create a more cohesive plan around youth safety work",
        "Single pathway to tackle exploitation and youth violence",
        "Increased work around quality assurance of multi-agency work on youth safety",
        "Partnership working led to a more coordinated response: holiday programmes, COVID response, critical incident response",
        "Information and intelligence sharing improved between partners and other local authorities",
        "Trauma support for staff following serious or critical incidents",
        "Education settings and the local authority worked together to reduce permanent exclusions",
        "Only 0.39% of children went to Alternative Provision",
        "Provision is becoming more systemic and relational and less behaviourist",
        "The violence and vulnerability plan is held up as good practice externally",
        "Reduction in robberies and serious youth violence over the last 2 years",
        "Good Ofsted inspection with outstanding leadership",
    ],
    "thorn": [
        "Data exchange between agencies is still weak: a past data breach still hurts trust",
        "Growing complexity of cases, with undiagnosed special educational and mental health needs, so many needs are unmet",
        "Engagement with some partners is still hard: housing, CAMHS and some multi-academy trusts",
        "The exploitation pathway still has duplication between meetings",
        "Relationships between MASH, LBNIIP and MACE are still unclear",
        "The exploitation screening tool is not used across the partnership",
        "Individuals are bottlenecking parts of the pathway, so it lacks safety",
        "Knowledge of adults of concern over 25 is lacking",
        "Very little provision for young people aged 16-25",
        "Lack of evaluative thinking: how are we measuring impact and change?",
        "Engagement in partnership training on youth safety is very poor",
        "Communication of the offer to children, young people and families is fragmented and duplicated",
        "The one joint youth safety plan never really got off the ground",
    ],
    "bud": [
        "Keep up with the tools organised crime networks use, and understand county lines business models to disrupt them",
        "Growing trust between partners, especially police and the local authority",
        "Less firefighting, especially in mainstream schools",
        "Respond to the changing profiles of children and young people and their whole eco-system",
        "Understand county lines activity across generations in a family",
        "Learn from good practice in other areas, universities and thought leaders",
        "A more data-informed approach: understand need and gaps, and evidence what works",
        "Information from the MACE could be shared back out again",
        "Engage the voluntary, community and faith sector to reach families and communities early",
    ],
}
GROUPS = {
    "Working together": [0, 1, 3, 4, 13, 14, 17, 26, 33],
    "Data and evidence": [2, 12, 21, 28, 31, 32],
    "Support that reaches young people": [5, 6, 7, 8, 15, 20, 24, 27, 30, 34],
}
ACTIONS = [
    {"text": "Agree one data-sharing agreement between police, health and the council", "owner": "Implementation board", "days": 90},
    {"text": "Map provision for 16-25 year olds and its gaps", "owner": "Early help lead", "days": 60},
    {"text": "Bring the youth assembly into the youth safety board", "owner": "Participation lead", "days": 45},
]


async def load_demo_board(seed: int = 2026) -> dict:
    """The finished demo board (made once)."""
    existing = await RetroBoard.select(RetroBoard.id).where(RetroBoard.code == DEMO_CODE).first()
    if existing:
        return await services.get_board(existing["id"])
    board = await services.create_board(title="Youth Safety Summit: reflections on the last 2 years", code=DEMO_CODE,
                                        votes_per_person=3, lifetime=timedelta(days=3650))
    rng = random.Random(seed)
    people = []
    for _ in range(12):
        token = await services.join(board["id"])
        people.append(Viewer(board["id"], participant_id=await services.participant_for(board["id"], token)))
    facilitator = Viewer(board["id"], staff_id=0)
    # Sent together, so the free-text door screens them in one pass of its models (app.free_text's batcher).
    posts = [actions.apply(rng.choice(people), {"action": "post", "ref": str(uuid.uuid4()), "column": column, "text": text})
             for column, texts in CARDS.items() for text in texts]
    ids = [ack["card"]["id"] if "card" in ack else None for ack in await asyncio.gather(*posts)]

    async def act(viewer: Viewer, **message) -> dict:
        return await actions.apply(viewer, {"ref": str(uuid.uuid4()), **message})

    for phase in ("reveal", "group"):
        await act(facilitator, action="phase", phase=phase)
    await act(facilitator, action="accept_groups", groups=[
        {"title": title, "cards": [ids[i] for i in members if i < len(ids) and ids[i]]} for title, members in GROUPS.items()])
    await act(facilitator, action="phase", phase="vote")
    shown = [card for card in ids if card]
    # Dot votes written at once (nobody is watching a demo being made; `make run` waits for it).
    await BoardVote.insert(*[BoardVote(board=board["id"], card=card, voter=person.participant_id)
                             for person in people for card in rng.sample(shown, 3)])
    for phase in ("discuss", "actions"):
        await act(facilitator, action="phase", phase=phase)
    for item in ACTIONS:
        due = (board["created_at"] + timedelta(days=item["days"])).date().isoformat()
        await act(facilitator, action="add_action", text=item["text"], owner=item["owner"], due=due)
    await act(facilitator, action="phase", phase="done")
    return await services.get_board(board["id"])
