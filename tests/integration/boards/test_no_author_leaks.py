"""Issue 13's contract: on an anonymous board no page, payload, websocket frame or export that the
facilitator, the presenter or the other participants receive carries a card's or a vote's author —
no participant id, token or display name. The whole session is walked, review mode included."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from app.accounts.roles import Role
from surveys.boards import services
from surveys.boards.tables import BoardCard, BoardEvent, BoardParticipant
from tests.integration.boards.live_clients import LiveClient, is_event, is_type, ws_url
from tests.staff import make_user, signed_in_cookie

pytestmark = pytest.mark.usefixtures("db")
NAMES = ("Zanzibar Alpha", "Quokka Beta")
AUTHOR_KEYS = re.compile(r'"(author|author_name|participant|participant_id|voter|token|display_name)"\s*:')


def leaks(blob: str, secrets: list[str]) -> list[str]:
    found = [secret for secret in secrets if secret and secret in blob]
    found += AUTHOR_KEYS.findall(blob)
    return found


async def test_no_frame_page_or_export_names_an_author(live_server):
    board = await services.create_board(title="Anonymous retro", review=True, votes_per_person=2)
    tokens = [await services.join(board["id"], name) for name in NAMES]
    watcher_token = await services.join(board["id"], "Watcher Gamma")
    ids = [row["id"] for row in await BoardParticipant.select(BoardParticipant.id).order_by(BoardParticipant.id)]
    staff = "; ".join(f"{k}={v}" for k, v in (await signed_in_cookie(await make_user(Role.facilitator))).items())
    presenter_cookie = "; ".join(f"{k}={v}" for k, v in (await signed_in_cookie(await make_user(Role.participation_lead))).items())
    secrets = [*NAMES, *tokens]
    participant_url = ws_url(live_server.url, f"/r/{board['code']}/live")
    staff_url = ws_url(live_server.url, f"/boards/{board['id']}/live")

    async with LiveClient(participant_url, f"chorus_board={tokens[0]}") as ana, \
            LiveClient(participant_url, f"chorus_board={tokens[1]}") as ben, \
            LiveClient(participant_url, f"chorus_board={watcher_token}") as watcher, \
            LiveClient(staff_url, staff) as facilitator, LiveClient(staff_url, presenter_cookie) as presenter:
        everyone = (ana, ben, watcher, facilitator, presenter)
        for client in everyone:
            await client.until(is_type("state"))
        card_ids = []
        for writer, text in ((ana, "The youth forum listened"), (ben, "Buses stop too early"), (ana, "More youth clubs")):
            ref = f"post-{len(card_ids)}"
            await writer.send({"action": "post", "ref": ref, "column": "rose", "text": text})
            card_ids.append((await writer.until(is_type("ack", ref)))["card"]["id"])
        await facilitator.send({"action": "resync"})
        pending = (await facilitator.until(is_type("state")))["state"]["pending"]
        assert sorted(card["id"] for card in pending) == sorted(card_ids)
        for i, card in enumerate(card_ids):
            await facilitator.send({"action": "approve", "ref": f"a{i}", "card": card})
            await facilitator.until(is_type("ack", f"a{i}"))

        async def to_phase(name: str) -> None:
            await facilitator.send({"action": "phase", "ref": f"phase-{name}", "phase": name})
            await facilitator.until(is_type("ack", f"phase-{name}"))
            for client in everyone:
                await client.until(lambda f, name=name: is_event("phase")(f) and f["event"]["phase"] == name)

        for name in ("reveal", "group"):
            await to_phase(name)
        await facilitator.send({"action": "group_new", "ref": "g", "title": "Youth voice"})
        group = (await facilitator.until(is_type("ack", "g")))["group"]
        await facilitator.send({"action": "move", "ref": "m", "card": card_ids[0], "group": group})
        await facilitator.until(is_type("ack", "m"))
        await to_phase("vote")
        for voter, card in ((ana, card_ids[1]), (ben, card_ids[0]), (ben, card_ids[0])):
            ref = f"v-{card}-{len(voter.frames)}"
            await voter.send({"action": "vote", "ref": ref, "card": card})
            await voter.until(is_type("ack", ref))
        await to_phase("discuss")
        await facilitator.send({"action": "focus", "ref": "f", "card": card_ids[0]})
        await facilitator.until(is_type("ack", "f"))
        await facilitator.send({"action": "add_action", "ref": "act", "text": "Ask the bus company", "owner": "Youth council"})
        await facilitator.until(is_type("ack", "act"))
        for client in everyone:
            await client.send({"action": "resync"})
            await client.until(is_type("state"))

        # Frames to the facilitator, the presenter and a participant who wrote nothing: no author anywhere.
        for client in (facilitator, presenter, watcher):
            assert leaks("\n".join(client.raw), secrets) == [], client.url
        # A writer's own frames carry their card (to them alone), but never another's author.
        assert leaks("\n".join(ana.raw), [NAMES[1], tokens[1]]) == []
        assert leaks("\n".join(ben.raw), [NAMES[0], tokens[0]]) == []
        final = [json.loads(raw) for raw in presenter.raw if json.loads(raw)["type"] == "state"][-1]["state"]
        assert sorted(card["votes"] for card in final["cards"]) == [0, 1, 2]

    # Stored events are what every worker broadcasts: no author either.
    events = json.dumps([row["payload"] for row in await BoardEvent.select(BoardEvent.payload).output(load_json=True)])
    assert leaks(events, secrets) == [] and not re.search(r'"(card|voter)":\s*\{', events)

    # Pages and exports, for staff and for another participant.
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        http.cookies.update(await signed_in_cookie(await make_user(Role.facilitator, email="second@example.org")))
        for path in ("", "/present", "/summary", "/export.csv", "/export.md"):
            response = await http.get(f"/staff/boards/{board['id']}{path}")
            assert response.status_code == 200 and leaks(response.text, secrets) == [], path
        http.cookies.clear()
        http.cookies.set("chorus_board", watcher_token, path=f"/r/{board['code']}")
        page = await http.get(f"/r/{board['code']}")
        assert "The youth forum listened" in page.text and leaks(page.text, secrets) == []
    # The participant ids that wrote cards appear in no staff-facing text as an author: cards are stored with them only.
    assert {row["author"] for row in await BoardCard.select(BoardCard.author)} <= set(ids)
