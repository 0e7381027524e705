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


async def test_send_to_insights_themes_the_project_cards_and_the_summary_lists_the_themes(client):
    from app.accounts.roles import Role
    from app.governance.services import load_structure
    from app.governance.tables import Project
    from app.insights import services as insights
    from tests.staff import make_user, post_form, signed_in_cookie

    await load_structure()
    board = await demo.load_demo_board()
    project = await Project.select(Project.id).first()
    await RetroBoard.update({RetroBoard.project: project["id"]}).where(RetroBoard.id == board["id"])
    client.cookies.update(await signed_in_cookie(await make_user(Role.facilitator)))
    sent = await post_form(client, f"/staff/boards/{board['id']}/insights")
    assert sent.status_code == 303 and "summary?sent=" in sent.headers["location"]
    run_id = int(sent.headers["location"].rsplit("=", 1)[1])
    waiting = await client.get(f"/staff/boards/{board['id']}/summary?sent={run_id}")
    assert "Themes across the project" in waiting.text and "Refresh to see its themes" in waiting.text
    await insights.execute_run(run_id)  # the job, run here rather than by a worker
    themes = await insights.visible_themes(await insights.get_run(run_id), threshold=5, reveal_small_groups=True)
    assert themes and sum(t["size"].value for t in themes) <= 34
    summary = await client.get(f"/staff/boards/{board['id']}/summary")
    assert all(theme["label"] in summary.text.replace("&#39;", "'").replace("&amp;", "&") for theme in themes)
    # The insights page is for survey runs; a board's run says where its themes are instead of failing.
    client.cookies.update(await signed_in_cookie(await make_user(Role.participation_lead)))
    elsewhere = await client.get(f"/staff/insights/runs/{run_id}", headers={"Accept": "text/html"})
    assert elsewhere.status_code == 404
