"""Issue 13 item 7: `make run` (chorus demo load) has a finished board at /r/demo made from the
summit report's roses, thorns and buds, through the one free-text door; loading twice changes nothing."""

import pytest

from surveys.boards import demo, services
from surveys.boards.tables import BoardActionItem, BoardCard, BoardGroup, BoardVote, RetroBoard

pytestmark = pytest.mark.usefixtures("db")


async def test_the_demo_board_is_finished_and_readable_at_r_demo(client):
    board = await demo.load_demo_board()
    assert board["phase"] == "done" and board["code"] == "demo"
    assert await BoardCard.count() == sum(len(texts) for texts in demo.CARDS.values())
    assert await BoardGroup.count() == 3 and await BoardVote.count() == 36 and await BoardActionItem.count() == 3
    await demo.load_demo_board()
    assert await RetroBoard.count() == 1 and await BoardCard.count() == 34
    page = await client.get("/r/demo")
    assert page.status_code == 200 and "Reduction in robberies and serious youth violence" in page.text and "Working together" in page.text
    assert "Quick exit" in page.text and "votes" in page.text
    state = await services.state_for(services.Viewer(board["id"], staff_id=1))
    assert sum(card["votes"] for card in state["cards"]) == 36
