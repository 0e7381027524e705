# ruff: noqa: F811  (the findings tests' `world` fixture is imported, then named as a parameter)
"""Findings and actions in the data API (issue 12 item 9): a token with `findings:read` reads sent
findings (never drafts) with their evidence as it was shown to anyone (suppressed counts, redacted
quotes, no held answer), answers and actions; without the scope, 403; an unknown id or a draft, 404;
a bad status filter, 400. Both engines."""

from __future__ import annotations

from app.findings.tables import FindingEvidence
from tests.integration.test_findings import as_user, draft_from_theme, send_to_project, world  # noqa: F401
from tests.integration.test_integrations_api import bearer, token
from tests.staff import post_form


async def test_sent_findings_their_evidence_answers_and_actions(client, world):
    draft = await draft_from_theme(client, world, "police")
    sent = await send_to_project(client, world)
    await as_user(client, world["people"]["lead"])
    assert (await post_form(client, f"/findings/{sent}/accept", {
        "description": "Fix the lights by the park", "owner": "Sam Okafor", "due_on": "2027-01-31", "progress": "40"})).status_code == 303
    client.cookies.clear()
    secret = await token("findings:read")

    page = (await client.get("/api/v1/findings", headers=bearer(secret))).json()
    assert page["total"] == 1 and [f["id"] for f in page["items"]] == [sent]  # the draft is not there
    finding = page["items"][0]
    assert finding["status"] == "accepted" and finding["project"] == "3.3a" and finding["title"] == "Street lights"
    assert finding["actions"][0] | {"updated_at": ""} == {"id": finding["actions"][0]["id"], "finding_id": sent,
                                                          "description": "Fix the lights by the park", "owner": "Sam Okafor",
                                                          "due_on": "2027-01-31", "progress": 40, "updated_at": ""}
    stored = await FindingEvidence.select().output(load_json=True).where(FindingEvidence.finding == sent)
    assert [e["quote"] for e in finding["evidence"]] == [e["quote"] for e in stored]
    assert all(e["resolves"] for e in finding["evidence"])
    assert world["texts"][world["held"]] not in str(page)  # the held answer is in the theme, never in the API

    assert (await client.get(f"/api/v1/findings/{sent}", headers=bearer(secret))).json()["id"] == sent
    missing = await client.get(f"/api/v1/findings/{draft}", headers=bearer(secret))
    assert missing.status_code == 404 and "drafts are not in the API" in missing.text
    assert (await client.get("/api/v1/findings?status=accepted", headers=bearer(secret))).json()["total"] == 1
    assert (await client.get("/api/v1/findings?status=overdue", headers=bearer(secret))).json()["total"] == 0
    bad = await client.get("/api/v1/findings?status=draft", headers=bearer(secret))
    assert bad.status_code == 400 and "status must be one of" in bad.text
    actions = (await client.get("/api/v1/actions", headers=bearer(secret))).json()
    assert actions["total"] == 1 and actions["items"][0]["progress"] == 40

    other = await token("results:read")
    refused = await client.get("/api/v1/findings", headers=bearer(other))
    assert refused.status_code == 403 and "findings:read" in refused.text
    assert (await client.get("/api/v1/actions", headers=bearer(other))).status_code == 403
