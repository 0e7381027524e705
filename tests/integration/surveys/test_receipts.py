"""The receipt code finally does something: a participant sees and deletes their own answers at
/receipt; an administrator exports everything held for a code (subject access). Issue 10, item 8."""

import json

import pytest

from app.accounts.roles import Role
from app.audit.tables import AuditEvent
from app.safeguarding.tables import Disclosure
from surveys.participation.receipt_controllers import RECEIPT_GUESSES_PER_MINUTE
from surveys.questionnaires.tables import Answer, ContactRequest, ErasedReceipt, Response
from tests.staff import make_user, post_form, signed_in_cookie
from tests.surveys import csrf, make_survey, receipt_in, send, start

DISCLOSURE = "my stepdad hits me when he is drunk and I am scared to go home"


async def answered(client, say="More youth clubs please", **extra) -> str:
    """Send one response; its receipt code, as the thank-you page shows it."""
    first = await start(client, "feel")
    await send(client, first, 1, knows="yes", who="teacher", _seen="who")
    done = await send(client, first, 2, action="submit", area="north", say=say, **extra)
    assert '<a href="/receipt">' in done.text
    return receipt_in(done.text)


async def post(client, url: str, **data):
    if not csrf(client):
        await client.get("/receipt")
    return await client.post(url, data={"_csrf_token": csrf(client), **data})


@pytest.fixture
async def survey(db):
    return await make_survey(code="feel", ask_contact=True)


async def test_the_receipt_page_is_a_participant_page(client, survey):
    page = await client.get("/receipt")
    assert page.status_code == 200 and "See or delete your answers" in page.text
    assert "Quick exit" in page.text and "0800 1111" in page.text


async def test_a_participant_sees_their_own_answers_and_deletes_them(client, survey):
    code = await answered(client)
    other = await answered(client, say="A skate park")
    shown = await post(client, "/receipt", receipt=code.lower().replace("-", " "))
    assert shown.status_code == 200
    for text in ("Would you know who to talk to?", "A teacher", "North", "More youth clubs please"):
        assert text in shown.text
    assert "A skate park" not in shown.text
    # Deleting asks first; asking deletes nothing.
    confirm = await post(client, "/receipt/delete", receipt=code)
    assert confirm.status_code == 200 and "You cannot undo it" in confirm.text
    assert await Response.count() == 2
    deleted = await post(client, "/receipt/delete", receipt=code, confirm="yes")
    assert deleted.status_code == 200 and "Your answers have been deleted" in deleted.text
    assert await Response.count() == 1 and await Answer.count() == 4  # only the other person's remain
    assert await ErasedReceipt.count() == 1
    event = (await AuditEvent.select().where(AuditEvent.action == "participant_erased").output(load_json=True))[0]
    assert event["detail"] == {"items": 4, "kept_for_safeguarding": 0} and event["actor_email"] == ""
    # The other person's answers are untouched and still theirs to see.
    assert "A skate park" in (await post(client, "/receipt", receipt=other)).text


async def test_a_used_code_is_told_the_answers_are_already_deleted(client, survey):
    code = await answered(client)
    await post(client, "/receipt/delete", receipt=code, confirm="yes")
    for url, extra in (("/receipt", {}), ("/receipt/delete", {}), ("/receipt/delete", {"confirm": "yes"})):
        again = await post(client, url, receipt=code, **extra)
        assert again.status_code == 404 and "already been deleted" in again.text, url
    assert await ErasedReceipt.count() == 1


@pytest.mark.parametrize("typed", ["ABCD-EFGH-JK", "short", "x" * 40, "'; DROP TABLE response; --"])
async def test_an_unknown_code_gets_a_clear_message_and_deletes_nothing(client, survey, typed):
    await answered(client)
    for url in ("/receipt", "/receipt/delete"):
        unknown = await post(client, url, receipt=typed, confirm="yes")
        assert unknown.status_code == 404 and "We could not find answers for that code" in unknown.text
    assert await Response.count() == 1 and await ErasedReceipt.count() == 0


async def test_a_blank_code_is_asked_for(client, survey):
    blank = await post(client, "/receipt", receipt="  ")
    assert blank.status_code == 400 and "Please type your receipt code." in blank.text


async def test_guesses_are_rate_limited(client, survey):
    for _ in range(RECEIPT_GUESSES_PER_MINUTE):
        assert (await post(client, "/receipt", receipt="ABCD-EFGH-JK")).status_code == 404
    assert (await post(client, "/receipt", receipt="ABCD-EFGH-JK")).status_code == 429
    assert (await post(client, "/receipt/delete", receipt="ABCD-EFGH-JK", confirm="yes")).status_code == 429


async def test_deleting_keeps_the_safeguarding_record_and_says_so_kindly(client, survey):
    code = await answered(client, say=DISCLOSURE, contact_wanted="yes", contact_details="07700 900123")
    assert await Disclosure.count() == 1
    shown = await post(client, "/receipt", receipt=code)
    assert "passed to a safeguarding lead" in shown.text and "07700" not in shown.text
    deleted = await post(client, "/receipt/delete", receipt=code, confirm="yes")
    assert "The safeguarding lead keeps their copy" in deleted.text
    assert await Response.count() == 0 and await Answer.count() == 0 and await ContactRequest.count() == 0
    disclosure = await Disclosure.objects().first()
    assert disclosure.text == DISCLOSURE  # the safeguarding record stays, under legal obligation


async def test_an_administrator_exports_everything_held_for_a_code(client, survey):
    code = await answered(client, say=DISCLOSURE, contact_wanted="yes", contact_details="07700 900123")
    admin = await make_user(Role.admin)
    client.cookies.update(await signed_in_cookie(admin))
    assert (await client.get("/admin/subject-access")).status_code == 200
    export = await post_form(client, "/admin/subject-access", {"receipt": code})
    assert export.status_code == 200 and export.headers["content-type"].startswith("application/json")
    assert "attachment" in export.headers["content-disposition"]
    held = json.loads(export.text)
    assert held["survey"] == "Feeling safe"
    assert {a["question_key"]: a["value"] for a in held["answers"]} == {
        "knows": "yes", "who": "teacher", "area": "north", "say": DISCLOSURE}
    assert held["contact_request"]["details"] == "07700 900123"
    assert held["response"]["consent_version"] and held["response"]["age_band"] == "13_15"
    assert [r["state"] for r in held["safeguarding_records"]] == ["new"]
    event = (await AuditEvent.select().where(AuditEvent.action == "subject_access_exported").output(load_json=True))[0]
    assert event["detail"] == {"found": True} and event["actor_id"] == admin
    assert code.replace("-", "") not in json.dumps(event, default=str)


async def test_subject_access_for_an_unknown_code_says_nothing_is_held_and_is_audited(client, survey):
    admin = await make_user(Role.admin)
    client.cookies.update(await signed_in_cookie(admin))
    missing = await post_form(client, "/admin/subject-access", {"receipt": "ABCD-EFGH-JK"})
    assert missing.status_code == 404 and "Nothing is held for that code" in missing.text
    assert await AuditEvent.count().where(AuditEvent.action == "subject_access_exported") == 1


@pytest.mark.parametrize("role", [Role.participation_lead, Role.safeguarding_lead, Role.analyst])
async def test_only_administrators_answer_subject_access(client, survey, role):
    code = await answered(client)
    client.cookies.update(await signed_in_cookie(await make_user(role)))
    refused = await post_form(client, "/admin/subject-access", {"receipt": code})
    assert refused.status_code == 403 and "07700" not in refused.text
