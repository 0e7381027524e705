# ruff: noqa: F811  (the findings tests' `world` fixture is imported, then named as a parameter)
"""“You said, we did” and receipts that come back (issue 12 items 5 and 6): the participation lead
publishes a sent finding in plain words (needs evidence that still resolves; a draft or blank text is
refused), with chosen redacted quotes; the partnership's page and the survey's page show it with the
decision and actions as they change, in a person's translation where there is one; withdrawing takes
it down. A participant's receipt code shows the themes their answers fed and what happened, and they
may leave an email (told once per change, deleted on request or with their answers). Both engines."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape

import pytest

from app.audit.tables import AuditEvent
from app.insights.tables import ThemeMember, ThemeRun
from app.you_said_we_did import services
from app.you_said_we_did.tables import Publication, ReceiptFollow
from surveys.participation import receipts
from surveys.questionnaires import definitions as survey_definitions
from surveys.questionnaires import submitting as survey_submitting
from surveys.questionnaires.definition import Given
from surveys.questionnaires.tables import Response, ResponseMode
from tests.integration.test_findings import as_user, draft_from_theme, send_to_project, world  # noqa: F401  (world is a fixture)
from tests.jobs import smtp_settings
from tests.staff import post_form
from tests.surveys import make_survey

RECEIPT = "LIGHT2FIXM"


async def add_own_answer(world, text: str = "the street lights by my flats are broken") -> int:
    """One participant who kept their receipt code, with an answer in the lights theme."""
    definition = await survey_definitions.load_definition(world["survey"])
    await survey_submitting.store_response(definition, {"knows": Given("no"), "area": Given("north"), "say": Given(text)},
                                         submission_key="own", receipt=RECEIPT, language="en", mode=ResponseMode.online,
                                         started_at=datetime.now(UTC))
    response_id = (await Response.select(Response.id).where(Response.submission_key == "own").first())["id"]
    run = world["themes"]["_run"]
    await ThemeMember.insert(ThemeMember(run=run, theme=world["themes"]["lights"], item_id=response_id, x=0.1, y=0.1))
    return response_id


async def publish(client, finding_id: int, **fields):
    return await post_form(client, f"/findings/{finding_id}/publish/", {
        "said": "You told us the street lights near the park are broken and you feel unsafe walking home.",
        "did": "The council is fixing the lights by the park this winter.", **fields})


async def quote_ids(finding_id: int) -> list[int]:
    from app.findings.tables import FindingEvidence

    return [e["id"] for e in await FindingEvidence.select(FindingEvidence.id).where(
        (FindingEvidence.finding == finding_id) & (FindingEvidence.kind == "quote"))]


async def test_a_draft_blank_words_or_evidence_that_no_longer_resolves_are_refused(client, world):
    draft = await draft_from_theme(client, world)
    refused = await publish(client, draft)
    assert refused.status_code == 422 and "Send the finding to a project or a board first" in unescape(refused.text)

    sent = await send_to_project(client, world)
    await as_user(client, world["people"]["participation"])
    blank = await publish(client, sent, did="  ")
    assert blank.status_code == 422 and "Write what was decided and done" in blank.text
    too_long = await publish(client, sent, said="x" * 2001)
    assert too_long.status_code == 422 and "under 2000 characters (it has 2001)" in too_long.text
    assert await Publication.count() == 0

    # The theme run is deleted (say, a re-run replaced it): no evidence leads back to what was said.
    await ThemeRun.delete().where(ThemeRun.id == world["themes"]["_run"])
    gone = await publish(client, sent)
    assert gone.status_code == 422 and "Publishing needs at least one piece of evidence" in gone.text
    assert await Publication.count() == 0


async def test_published_with_chosen_quotes_on_the_partnership_and_survey_pages_then_actions_then_withdrawn(client, world):
    finding = await send_to_project(client, world)
    await as_user(client, world["people"]["participation"])
    quotes = await quote_ids(finding)
    assert len(quotes) >= 2
    form = await client.get(f"/findings/{finding}/publish/")
    assert form.status_code == 200 and "Reading age" in form.text
    response = await publish(client, finding, quote=[str(quotes[0])])
    assert response.status_code == 303
    assert await AuditEvent.count().where(AuditEvent.action == "finding_published") == 1

    client.cookies.clear()  # the public pages need no account
    page = unescape((await client.get("/you-said-we-did/")).text)
    assert "You told us the street lights near the park are broken" in page
    assert "The council is fixing the lights by the park this winter." in page
    assert "The people who decide have been asked to answer." in page
    assert "Quick exit" in page and "Childline" in page
    chosen = await _quote_text(quotes[0])
    assert f"“{chosen}”" in page and f"“{await _quote_text(quotes[1])}”" not in page
    assert world["texts"][world["held"]] not in page  # the held answer is never anywhere public
    assert "Street lights" in unescape((await client.get("/you-said-we-did/finds")).text)
    other = await make_survey(code="elsewhere")
    assert other and "Street lights" not in (await client.get("/you-said-we-did/elsewhere")).text
    assert (await client.get("/you-said-we-did/nosuchcode")).status_code == 404

    await as_user(client, world["people"]["lead"])
    accepted = await post_form(client, f"/findings/{finding}/accept", {
        "description": "Fix the lights by the park", "owner": "Sam Okafor", "due_on": "2027-01-31", "progress": "40"})
    assert accepted.status_code == 303, accepted.text[:500]
    client.cookies.clear()
    page = unescape((await client.get("/you-said-we-did/")).text)
    assert "Fix the lights by the park: 40% done, due 31/01/2027" in page

    await as_user(client, world["people"]["participation"])
    assert (await post_form(client, f"/findings/{finding}/publish/withdraw")).status_code == 303
    client.cookies.clear()
    assert "Street lights" not in (await client.get("/you-said-we-did/")).text
    assert "Nothing has been shared yet" in (await client.get("/you-said-we-did/")).text


async def _quote_text(evidence_id: int) -> str:
    from app.findings.tables import FindingEvidence

    return (await FindingEvidence.select(FindingEvidence.quote).where(FindingEvidence.id == evidence_id).first())["quote"]


async def test_a_persons_translation_is_shown_in_that_language(client, world):
    finding = await send_to_project(client, world)
    await as_user(client, world["people"]["participation"])
    assert (await publish(client, finding)).status_code == 303
    refused = await post_form(client, f"/findings/{finding}/publish/translation", {"language": "xx", "said": "a", "did": "b"})
    assert refused.status_code == 422 and "Choose one of the languages" in refused.text
    saved = await post_form(client, f"/findings/{finding}/publish/translation",
                            {"language": "bn", "said": "আপনি বলেছেন পার্কের আলো ভাঙা।", "did": "কাউন্সিল আলো ঠিক করছে।"})
    assert saved.status_code == 303
    client.cookies.clear()
    page = (await client.get("/you-said-we-did/?lang=bn")).text
    assert "আপনি বলেছেন পার্কের আলো ভাঙা।" in page and 'lang="bn"' in page
    assert "You told us the street lights" not in page
    assert "You told us the street lights" in (await client.get("/you-said-we-did/?lang=en")).text


async def test_a_receipt_shows_its_themes_and_what_happened_and_an_email_is_told_once_per_change(client, world, smtp_server):
    response_id = await add_own_answer(world)
    finding = await send_to_project(client, world)
    await as_user(client, world["people"]["participation"])
    assert (await publish(client, finding)).status_code == 303
    client.cookies.clear()
    await client.get("/receipt/")

    page = unescape((await post_form(client, "/receipt/", {"receipt": RECEIPT})).text)
    assert "What happened with what you said" in page and "Your answers are part of these themes:" in page
    assert "<li>lights</li>" in page and "<li>police</li>" not in page
    assert "The council is fixing the lights by the park this winter." in page

    bad = await post_form(client, "/receipt/follow", {"receipt": RECEIPT, "email": "not an email"})
    assert bad.status_code == 400 and "That does not look like an email address" in bad.text
    assert await ReceiptFollow.count() == 0
    unknown = await post_form(client, "/receipt/follow", {"receipt": "ZZZZZZZZZZ", "email": "me@example.org"})
    assert unknown.status_code == 404 and await ReceiptFollow.count() == 0
    ok = await post_form(client, "/receipt/follow", {"receipt": RECEIPT, "email": "me@example.org"})
    assert ok.status_code == 200 and "We will email you when this changes." in ok.text

    settings = smtp_settings(smtp_server)
    assert await services.tell_followers(settings) == 0  # what was published before they asked is not news
    await as_user(client, world["people"]["lead"])
    assert (await post_form(client, f"/findings/{finding}/accept", {
        "description": "Fix the lights by the park", "owner": "Sam Okafor", "due_on": "2027-01-31", "progress": "10"})).status_code == 303
    assert await services.tell_followers(settings) == 1  # the decision is news
    assert await services.tell_followers(settings) == 0  # once per change
    body = smtp_server.bodies_to("me@example.org")[0]
    assert "Street lights: they agreed to act (0 of 1 actions done)" in body and "street lights by my flats" not in body
    await as_user(client, world["people"]["participation"])
    assert (await publish(client, finding, did="The council has started fixing the lights by the park.")).status_code == 303
    assert await services.tell_followers(settings) == 1

    # Deleting the answers with the receipt code deletes the email too.
    assert (await receipts.erase(RECEIPT)).found is receipts.Found.held
    assert await ReceiptFollow.count() == 0 and not await Response.exists().where(Response.id == response_id)


async def test_stop_emailing_deletes_the_email(client, world):
    await add_own_answer(world)
    await client.get("/receipt/")
    assert (await post_form(client, "/receipt/follow", {"receipt": RECEIPT, "email": "me@example.org"})).status_code == 200
    stopped = await post_form(client, "/receipt/unfollow", {"receipt": RECEIPT})
    assert stopped.status_code == 200 and "your email is deleted" in stopped.text and await ReceiptFollow.count() == 0


@pytest.mark.parametrize("path", ["/you-said-we-did/", "/you-said-we-did/finds"])
async def test_the_public_pages_are_there_with_nothing_published(client, world, path):
    page = await client.get(path)
    assert page.status_code == 200 and "Nothing has been shared yet" in page.text
