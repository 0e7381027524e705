"""`make run`'s demo shows the whole loop (issue 12 item 10): themes from the demo survey, two findings
sent to project 3.3a and answered, a submitted highlight report that lists them, and a published
"you said, we did" on the public pages. Loading again adds nothing."""

from __future__ import annotations

from html import unescape

from app.findings.tables import Finding
from app.insights.tables import ThemeRun
from app.reports.tables import HighlightReport
from app.you_said_we_did.tables import Publication


async def test_the_demo_closes_the_loop_and_loading_again_adds_nothing(client, db):
    from app.accounts.demo import load_demo_users
    from app.findings.demo import load_demo_findings
    from app.governance.demo import load_demo_governance
    from app.governance.services import load_structure
    from app.reports.demo import load_demo_report
    from app.you_said_we_did.demo import load_demo_publication
    from surveys.questionnaires.demo import load_demo_survey

    await load_structure()
    await load_demo_users()
    await load_demo_survey(responses=120)
    await load_demo_governance()
    assert await load_demo_findings(threshold=5) == 2
    assert await load_demo_publication() is True
    assert await load_demo_report() is True
    assert (await load_demo_findings(threshold=5), await load_demo_publication(), await load_demo_report()) == (0, False, False)

    assert await ThemeRun.count().where(ThemeRun.state == "done") >= 1
    assert [r["answer"] for r in await Finding.select(Finding.answer).order_by(Finding.id)] == ["accepted", "not_taken_forward"]
    report = await HighlightReport.select().output(load_json=True).where(HighlightReport.state == "submitted").first()
    assert [f["status"] for f in report["facts"]["findings"]] == ["accepted", "not_taken_forward"]
    publication = await Publication.select().output(load_json=True).first()
    assert publication["quote_ids"]

    page = unescape((await client.get("/you-said-we-did/")).text)
    assert "They have started." in page and "25% done" in page
    assert "They have started." in unescape((await client.get("/you-said-we-did/demo")).text)
