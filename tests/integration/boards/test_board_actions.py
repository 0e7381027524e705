"""Issue 13 build items 1-4 and bad input, at the service layer on both engines: templates, sessions,
phases (and back), private writing, review, groups, votes with hidden tallies, focus, actions, the one
free-text door; every refused action leaves the board as it was."""

from __future__ import annotations

import pytest

from app.safeguarding.tables import Disclosure
from surveys.boards import actions, columns, services
from surveys.boards.services import BoardRefused
from surveys.boards.tables import BoardActionItem, BoardCard, BoardEvent, BoardGroup, BoardVote, RetroBoard
from tests.integration.boards.helpers import DISCLOSURE, act, board_with, phase, ref

pytestmark = pytest.mark.usefixtures("db")


async def snapshot(board_id: int) -> tuple:
    """Everything a refused action must leave as it was."""
    board = await RetroBoard.select(RetroBoard.phase, RetroBoard.seq, RetroBoard.focus_card).where(RetroBoard.id == board_id).first()
    counts = [await table.count().where(table.board == board_id) for table in (BoardCard, BoardVote, BoardGroup, BoardActionItem, BoardEvent)]
    return board, counts, await Disclosure.count()


async def refused(viewer, message, words: str) -> None:
    before = await snapshot(viewer.board_id)
    with pytest.raises(BoardRefused, match=words):
        await actions.apply(viewer, message)
    assert await snapshot(viewer.board_id) == before


def test_templates_have_prompts_colours_and_symbols():
    for key, _ in columns.template_choices()[:-1]:
        for column in columns.columns_for(key):
            assert column["title"] and column["prompt"] and column["colour"].startswith("#") and column["symbol"]
    assert [c["key"] for c in columns.columns_for("rose_thorn_bud")] == ["rose", "thorn", "bud"]
    custom = columns.columns_for("custom", "Hopes: what do you hope for?\nFears: what worries you?")
    assert [c["title"] for c in custom] == ["Hopes", "Fears"] and custom[0]["colour"] != custom[1]["colour"]
    for bad, words in (("", "one column a line"), ("\n".join(f"C{i}: p" for i in range(7)), "at most 6"), ("x" * 41 + ": p", "Column 1")):
        with pytest.raises(columns.ColumnsError, match=words):
            columns.columns_for("custom", bad)
    with pytest.raises(columns.ColumnsError, match="template"):
        columns.columns_for("nonsense")


async def test_making_a_board_refuses_bad_settings_and_stores_nothing():
    for fields, words in (({"title": " "}, "title"), ({"title": "x", "votes_per_person": 0}, "Votes per person"),
                          ({"title": "x", "phase_minutes": {"write": 999}}, "1-240"), ({"title": "x", "project_id": 99999}, "project"),
                          ({"title": "x", "template": "custom", "custom_columns": ""}, "column")):
        with pytest.raises(ValueError, match=words):
            await services.create_board(**fields)
    assert await RetroBoard.count() == 0
    board = await services.create_board(title="Retro", phase_minutes={"write": 5})
    assert board["phase"] == "write" and len(board["code"]) == 6 and board["seq"] == 0
    assert await services.board_by_code(board["code"].lower()) is not None


async def test_cards_are_private_until_reveal_then_everyone_sees_them():
    board, (ana, ben), facilitator = await board_with()
    ack = await act(ana, "post", column="rose", text="The youth forum listened to us")
    assert ack["card"]["text"] == "The youth forum listened to us" and ack["seq"] == 1
    state_ben = await services.state_for(ben)
    assert state_ben["cards"] == [] and state_ben["counts"]["rose"] == 1 and state_ben["my_cards"] == []
    assert (await services.state_for(ana))["my_cards"][0]["text"] == "The youth forum listened to us"
    assert (await services.state_for(facilitator))["cards"] == []
    event = await BoardEvent.select().output(load_json=True).where(BoardEvent.seq == 1).first()
    assert event["kind"] == "card_written" and "text" not in str(event["payload"]) and event["payload"]["count"] == 1
    await phase(facilitator, "reveal")
    for viewer in (ana, ben, facilitator):
        assert [card["text"] for card in (await services.state_for(viewer))["cards"]] == ["The youth forum listened to us"]


async def test_a_flagged_card_never_reaches_the_board_and_its_writer_alone_is_helped():
    board, (ana, ben), facilitator = await board_with()
    ack = await act(ana, "post", column="thorn", text=DISCLOSURE)
    assert ack["held"] is True and "Childline" in ack["help"] and "card" not in ack
    assert ack["seq"] == 0 and await BoardEvent.count() == 0  # the room hears nothing at all
    disclosure = await Disclosure.select().first()
    assert disclosure["source_kind"] == "board_card" and disclosure["text"] == DISCLOSURE
    assert (await services.state_for(ana))["help"] and not (await services.state_for(ben))["help"]
    assert (await services.state_for(ben))["counts"]["thorn"] == 0
    await phase(facilitator, "reveal")
    for viewer in (ana, ben, facilitator):
        assert (await services.state_for(viewer))["cards"] == []


async def test_a_held_card_the_safeguarding_lead_calls_a_false_alarm_rejoins_the_board_as_one_numbered_event():
    from app.accounts.auth import CurrentUser
    from app.accounts.roles import Role
    from app.safeguarding import services as safeguarding
    from tests.staff import make_user

    board, (ana, ben), facilitator = await board_with()
    await act(ana, "post", column="thorn", text=DISCLOSURE)
    await act(ben, "post", column="rose", text="the youth club on fridays")
    disclosure = await Disclosure.select().first()
    lead = await make_user(Role.safeguarding_lead)
    viewer = CurrentUser(lead, "safeguarding_lead@example.org", "Lead", frozenset({Role.safeguarding_lead}), True, True, "x")
    await safeguarding.triage(disclosure["id"], "false_alarm", "Song lyrics, not about the writer.", seen_version=0, viewer=viewer)

    released = await BoardEvent.select().where(BoardEvent.kind == "card_released").first()
    assert released["seq"] == 2 and released["payload"] in ({"column": "thorn", "count": 1}, '{"column": "thorn", "count": 1}')
    assert (await services.state_for(ben))["counts"]["thorn"] == 1
    await phase(facilitator, "reveal")
    assert sorted(c["text"] for c in (await services.state_for(ben))["cards"]) == sorted([DISCLOSURE, "the youth club on fridays"])
    # Released once: a second call (a retry) changes nothing.
    assert await actions.release_held_card(disclosure["source_id"]) is False
    assert await BoardEvent.count().where(BoardEvent.kind == "card_released") == 1


async def test_review_mode_shows_the_facilitator_text_without_author_and_holds_cards_back_until_approved():
    board, (ana, _), facilitator = await board_with(review=True)
    first = await act(ana, "post", column="bud", text="More youth clubs at the weekend")
    second = await act(ana, "post", column="bud", text="Free buses after school")
    pending = (await services.state_for(facilitator))["pending"]
    assert [card["text"] for card in pending] == ["More youth clubs at the weekend", "Free buses after school"]
    assert all(set(card) == {"id", "column", "text"} for card in pending)
    await act(facilitator, "approve", card=first["card"]["id"])
    await act(facilitator, "decline", card=second["card"]["id"])
    await phase(facilitator, "reveal")
    assert [c["text"] for c in (await services.state_for(ana))["cards"]] == ["More youth clubs at the weekend"]
    await refused(facilitator, {"action": "approve", "ref": ref(), "card": second["card"]["id"]}, "waiting for review")


async def test_phases_go_forward_and_back_with_a_timer_and_the_code_expires(frozen_clock):
    board, _, facilitator = await board_with(phase_minutes={"reveal": 3})
    await phase(facilitator, "reveal")
    frozen_clock.advance(seconds=50)
    board = await services.get_board(board["id"])
    assert board["phase"] == "reveal" and services.seconds_left(board) == 130
    await phase(facilitator, "write")  # back a phase
    assert (await services.get_board(board["id"]))["phase"] == "write"
    await refused(facilitator, {"action": "phase", "ref": ref(), "phase": "write"}, "already in the write phase")
    await refused(facilitator, {"action": "phase", "ref": ref(), "phase": "party"}, "Choose a phase")
    assert await services.board_by_code(board["code"]) is not None
    frozen_clock.advance(days=31)
    assert await services.board_by_code(board["code"]) is None and await services.board_by_code("NOSUCH") is None


async def test_groups_by_move_and_accepted_suggestion_then_votes_hidden_until_voting_closes():
    board, (ana, ben), facilitator = await board_with(votes_per_person=2)
    texts = ["street lights near the park are broken", "the park is too dark at night", "more youth workers in schools",
             "youth workers who listen in school"]
    cards = [(await act(ana if i % 2 else ben, "post", column="thorn", text=text))["card"]["id"] for i, text in enumerate(texts)]
    await phase(facilitator, "reveal")
    group = (await act(facilitator, "group_new", title="Lighting"))["group"]
    await act(facilitator, "move", card=cards[0], group=group)
    proposal = [{"title": "Youth workers", "cards": cards[2:]}]
    await act(facilitator, "accept_groups", groups=proposal)
    state = await services.state_for(ana)
    by_card = {card["id"]: card["group"] for card in state["cards"]}
    assert by_card[cards[0]] == group and by_card[cards[1]] is None and by_card[cards[2]] == by_card[cards[3]] != group
    await phase(facilitator, "vote")
    await act(ana, "vote", card=cards[0])
    await act(ana, "vote", card=cards[0])
    await refused(ana, {"action": "vote", "ref": ref(), "card": cards[1]}, "used all 2 of your votes")
    await act(ben, "vote", card=cards[2])
    for viewer in (ana, ben, facilitator):
        state = await services.state_for(viewer)
        assert not state["tallies_open"] and all("votes" not in card for card in state["cards"])
    assert all("card" not in event["payload"] for event in await BoardEvent.select().output(load_json=True).where(BoardEvent.kind == "votes"))
    await act(ana, "unvote", card=cards[0])
    await refused(ben, {"action": "unvote", "ref": ref(), "card": cards[0]}, "no vote on that card")
    await phase(facilitator, "discuss")
    state = await services.state_for(ben)
    assert [(card["id"], card["votes"]) for card in state["cards"]][:2] == [(cards[0], 1), (cards[2], 1)]
    await act(facilitator, "focus", card=cards[2])
    assert (await services.state_for(ben))["focus"] == cards[2]


async def test_actions_have_text_owner_due_date_and_project():
    from app.governance.services import load_structure
    from app.governance.tables import Project

    await load_structure()
    project = await Project.select(Project.id, Project.reference).first()
    board, _, facilitator = await board_with(project_id=project["id"])
    for name in ("reveal", "group", "vote", "discuss"):
        await phase(facilitator, name)
    await act(facilitator, "add_action", text="Fix the park lights", owner="Council", due="2027-01-31")
    [item] = (await services.state_for(facilitator))["actions"]
    assert item == {"id": item["id"], "text": "Fix the park lights", "owner": "Council", "due": "2027-01-31", "project": project["reference"]}
    await refused(facilitator, {"action": "add_action", "ref": ref(), "text": "x", "due": "31/01/2027"}, "as a date")
    await refused(facilitator, {"action": "add_action", "ref": ref(), "text": ""}, "Write the action")


async def test_bad_input_is_refused_with_words_and_changes_nothing():
    board, (ana, _), facilitator = await board_with(votes_per_person=1)
    await refused(ana, {"action": "post", "ref": ref(), "column": "rose", "text": "x" * 281}, "at most 280 characters: this one is 281")
    await refused(ana, {"action": "post", "ref": ref(), "column": "nope", "text": "hi"}, "columns")
    await refused(ana, {"action": "post", "ref": ref(), "column": "rose", "text": "   "}, "Write something")
    await refused(ana, {"action": "vote", "ref": ref(), "card": 1}, "only in the Vote phase")
    await refused(ana, {"action": "phase", "ref": ref(), "phase": "reveal"}, "Only the facilitator")
    await refused(ana, {"action": "accept_groups", "ref": ref(), "groups": []}, "Only the facilitator")
    await refused(facilitator, {"action": "post", "ref": ref(), "column": "rose", "text": "hi"}, "Facilitators run the board")
    await refused(ana, {"action": "dance", "ref": ref()}, "Unknown action")
    await refused(ana, ["post"], "JSON object")
    await refused(ana, {"action": "post", "column": "rose", "text": "no ref"}, "ref")
    await phase(facilitator, "reveal")
    await refused(ana, {"action": "post", "ref": ref(), "column": "rose", "text": "late"}, "only in the Write phase")
    await refused(facilitator, {"action": "move", "ref": ref(), "card": 999, "group": None}, "no such card")
    await refused(facilitator, {"action": "accept_groups", "ref": ref(), "groups": [{"title": "x", "cards": [999]}]}, "no longer on the board")


async def test_a_replayed_ref_answers_the_same_ack_and_changes_nothing():
    board, (ana, _), facilitator = await board_with()
    message = {"action": "post", "ref": "same-ref", "column": "rose", "text": "Good music"}
    first = await actions.apply(ana, message)
    again = await actions.apply(ana, dict(message))
    assert again == first and await BoardCard.count() == 1 and await BoardEvent.count() == 1
    await phase(facilitator, "reveal")
    await phase(facilitator, "group")
    await phase(facilitator, "vote")
    vote = {"action": "vote", "ref": "vote-ref", "card": first["card"]["id"]}
    assert await actions.apply(ana, vote) == await actions.apply(ana, dict(vote))
    assert await BoardVote.count() == 1


async def test_events_are_numbered_one_by_one_for_the_board():
    board, (ana, ben), facilitator = await board_with()
    for i in range(3):
        await act(ana if i % 2 else ben, "post", column="rose", text=f"card {i}")
    await phase(facilitator, "reveal")
    rows = await BoardEvent.select(BoardEvent.seq, BoardEvent.kind).where(BoardEvent.board == board["id"]).order_by(BoardEvent.seq)
    assert [row["seq"] for row in rows] == [1, 2, 3, 4] and rows[-1]["kind"] == "phase"
    assert (await services.get_board(board["id"]))["seq"] == 4
