"""Consent and age on the first page, the under-13 routes, the optional contact request on the
last page, and the safeguarding lead's reveal of it (issue 10, items 6 and 7)."""

import pytest

from app.accounts import auth
from app.accounts.roles import Role
from app.audit.tables import AuditEvent
from app.safeguarding import contact as safeguarding_contact
from app.safeguarding.tables import Disclosure, DisclosureState, TriageStep
from surveys.participation import consent
from surveys.questionnaires import building
from surveys.questionnaires.building import BuildError
from surveys.questionnaires.tables import Answer, ContactRequest, Draft, Question, Response
from tests.staff import make_user, signed_in_cookie
from tests.surveys import csrf, make_survey, receipt_in, send, start

DISCLOSURE = "my stepdad hits me when he is drunk and I am scared to go home"
DETAILS = "07700 900123 after 4pm"


async def press_start(client, code="feel", **fields):
    await client.get(f"/s/{code}")
    return await client.post(f"/s/{code}/start", data={"_csrf_token": csrf(client), "lang": "en", **fields})


# --- consent and age ----------------------------------------------------------------------------


async def test_the_first_page_says_what_happens_and_asks_the_age_first(client, db):
    await make_survey(code="feel", retention_months=6)
    page = await client.get("/s/feel")
    assert "What happens to your answers" in page.text
    assert "We keep your answers for 6 months. Then we delete them." in page.text
    assert "How old are you?" in page.text and "A parent or carer knows I am doing this" in page.text
    assert f'name="consent_version" value="{consent.NOTICE_VERSION}"' in page.text
    assert page.text.index("How old are you?") < page.text.index('id="start"')


async def test_consent_is_stored_with_the_notice_version_on_the_draft_and_then_the_response(client, db):
    await make_survey(code="feel")
    first = await start(client, "feel", age_band="16_17")
    draft = await Draft.objects().first()
    assert (draft.consent_version, draft.age_band, draft.parent_statement) == (consent.NOTICE_VERSION, "16_17", False)
    assert draft.consented_at is not None
    await send(client, first, 1, knows="no")
    await send(client, first, 2, action="submit")
    response = await Response.objects().first()
    assert (response.consent_version, response.age_band, response.parent_statement) == (consent.NOTICE_VERSION, "16_17", False)
    assert response.consented_at is not None


@pytest.mark.parametrize(("fields", "message"), [
    ({"consent_version": consent.NOTICE_VERSION}, "Please choose how old you are."),
    ({"consent_version": consent.NOTICE_VERSION, "age_band": "9"}, "Please choose how old you are."),
    ({"consent_version": "1999-01-01", "age_band": "13_15"}, "We changed what this page says"),
    ({"age_band": "13_15"}, "We changed what this page says"),
    ({"consent_version": consent.NOTICE_VERSION, "age_band": "under_13"}, "If you are under 13, ask a parent or carer first"),
])
async def test_a_start_form_that_cannot_begin_is_explained_and_starts_nothing(client, db, fields, message):
    await make_survey(code="feel")
    refused = await press_start(client, **fields)
    assert refused.status_code == 400 and message in refused.text
    assert 'role="alert"' in refused.text
    assert await Draft.count() == 0


async def test_an_under_13_with_a_parent_or_carers_knowledge_answers_the_whole_survey(client, db):
    await make_survey(code="feel")
    first = await start(client, "feel", age_band="under_13", parent_statement="1")
    assert "Would you know who to talk to?" in (await client.get(first)).text
    await send(client, first, 1, knows="no")
    await send(client, first, 2, action="submit", area="north")
    response = await Response.objects().first()
    assert response.age_band == "under_13" and response.parent_statement


async def test_under_13s_on_the_shorter_route_get_only_the_questions_marked_for_them(client, db):
    survey_id = await make_survey(code="feel", publish=False, under_13_route="shorter")
    with pytest.raises(BuildError, match="Ask under-13s"):
        await building.change_status(survey_id, "publish")
    await Question.update({Question.for_under_13: True}).where(Question.key.is_in(["knows", "area"]))
    await building.change_status(survey_id, "publish")
    assert "A parent or carer knows" not in (await client.get("/s/feel")).text

    younger = await start(client, "feel", age_band="under_13")
    await send(client, younger, 1, knows="yes")  # "Who?" is not in the shorter survey, so nothing is revealed
    page = await client.get(younger.split("?")[0] + "?page=2")
    assert "Where do you live?" in page.text and "Anything else?" not in page.text
    done = await send(client, younger, 2, action="submit", area="south")
    assert "Your receipt code" in done.text
    assert {r["question.key"] for r in await Answer.select(Answer.question.key)} == {"knows", "area"}
    # An answer to a question left out of the shorter survey is refused whole.
    again = await start(client, "feel", age_band="under_13")
    await send(client, again, 1, knows="no")
    assert (await send(client, again, 2, action="submit", area="north", say="hello")).status_code == 400


# --- contact requests ---------------------------------------------------------------------------


async def test_the_contact_question_is_on_the_last_page_only_when_the_survey_asks(client, db):
    await make_survey(code="feel", ask_contact=True)
    await make_survey(code="quiet")
    first = await start(client, "feel")
    assert "Would you like someone to contact you?" not in (await client.get(first)).text
    await send(client, first, 1, knows="no")
    assert "Would you like someone to contact you?" in (await client.get(first.split("?")[0] + "?page=2")).text
    other = await start(client, "quiet")
    await send(client, other, 1, knows="no")
    assert "Would you like someone to contact you?" not in (await client.get(other.split("?")[0] + "?page=2")).text
    # Sent anyway to a survey that does not ask: something our pages could not send, refused whole.
    tampered = await send(client, other, 2, action="submit", contact_wanted="yes", contact_details=DETAILS)
    assert tampered.status_code == 400
    assert await Response.count() == 0 and await ContactRequest.count() == 0


@pytest.mark.parametrize(("fields", "message"), [
    ({"contact_wanted": "yes", "contact_details": "  "}, "Tell us how to reach you, or choose No."),
    ({"contact_wanted": "yes", "contact_details": "x" * 301}, "Please keep this under 300 characters (you wrote 301)."),
])
async def test_a_contact_request_that_cannot_be_kept_is_explained_and_nothing_is_sent(client, db, fields, message):
    await make_survey(code="feel", ask_contact=True)
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    refused = await send(client, first, 2, action="submit", **fields)
    assert refused.status_code == 400 and message in refused.text and 'id="contact-error"' in refused.text
    assert await Response.count() == 0 and await ContactRequest.count() == 0


async def test_contact_out_of_range_is_refused_whole(client, db):
    await make_survey(code="feel", ask_contact=True)
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    assert (await send(client, first, 2, action="submit", contact_wanted="maybe")).status_code == 400
    assert await Response.count() == 0


async def test_choosing_no_keeps_nothing_even_if_details_were_typed(client, db):
    await make_survey(code="feel", ask_contact=True)
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    done = await send(client, first, 2, action="submit", contact_wanted="no", contact_details=DETAILS)
    assert "Your receipt code" in done.text
    assert await ContactRequest.count() == 0


async def sent_with_contact(client, text=DISCLOSURE):
    await make_survey(code="feel", ask_contact=True)
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    done = await send(client, first, 2, action="submit", say=text, contact_wanted="yes", contact_details=DETAILS)
    assert done.status_code == 200, done.text
    return done


async def test_contact_details_are_kept_apart_and_shown_to_nobody_but_the_lead(client, db):
    done = await sent_with_contact(client)
    assert "You told us how to reach you" in done.text
    assert (await ContactRequest.objects().first()).details == DETAILS
    stored = [r["value"] for r in await Answer.select(Answer.value)]
    assert not any(DETAILS in str(value) for value in stored)
    survey_id = (await Response.objects().first()).survey
    analyst = await make_user(Role.analyst)
    participation = await make_user(Role.participation_lead)
    for user_id in (analyst, participation):
        client.cookies.update(await signed_in_cookie(user_id))
        for url in (f"/staff/surveys/{survey_id}", f"/staff/surveys/{survey_id}/results.json",
                    f"/staff/surveys/{survey_id}/results.csv", f"/staff/surveys/{survey_id}/export/json",
                    f"/staff/surveys/{survey_id}/export/csv"):
            page = await client.get(url)
            assert page.status_code == 200, url
            assert "07700" not in page.text, url
    # Nor on the participant's own receipt page.
    client.cookies.clear()
    await client.get("/receipt")
    own = await client.post("/receipt", data={"_csrf_token": csrf(client), "receipt": receipt_in(done.text)})
    assert own.status_code == 200 and "07700" not in own.text


# --- the safeguarding lead's reveal -------------------------------------------------------------


async def current(user_id: int) -> auth.CurrentUser:
    return await auth.resolve_session((await signed_in_cookie(user_id))[auth.SESSION_COOKIE])


async def test_the_lead_sees_contact_details_with_a_reason_and_the_reveal_is_audited(client, db):
    await sent_with_contact(client)
    disclosure = await Disclosure.objects().first()
    assert disclosure is not None, "the disclosure was not flagged"
    lead = await current(await make_user(Role.safeguarding_lead))
    assert await safeguarding_contact.has_contact_details(disclosure.id)
    details = await safeguarding_contact.reveal_contact(disclosure.id, lead, "Risk of harm at home: calling today")
    assert details == DETAILS
    events = await AuditEvent.select().where(AuditEvent.action == "contact_revealed").output(load_json=True)
    assert len(events) == 1 and events[0]["target_id"] == str(disclosure.id) and events[0]["actor_email"] == lead.email
    assert "07700" not in str(events[0]) and "calling today" not in str(events[0])
    step = await TriageStep.objects().where(TriageStep.disclosure == disclosure.id).first()
    assert "Risk of harm at home: calling today" in step.note and step.from_state == step.to_state == DisclosureState.new


@pytest.mark.parametrize("role", [Role.facilitator, Role.participation_lead, Role.analyst, Role.admin])
async def test_no_other_role_may_reveal(client, db, role):
    await sent_with_contact(client)
    disclosure = await Disclosure.objects().first()
    other = await current(await make_user(role))
    with pytest.raises(safeguarding_contact.NotAllowed):
        await safeguarding_contact.reveal_contact(disclosure.id, other, "curious")
    with pytest.raises(safeguarding_contact.NotAllowed):
        await safeguarding_contact.reveal_contact(disclosure.id, None, "curious")
    assert await AuditEvent.count().where(AuditEvent.action == "contact_revealed") == 0


async def test_a_lead_without_the_second_factor_may_not_reveal(client, db):
    await sent_with_contact(client)
    disclosure = await Disclosure.objects().first()
    lead_id = await make_user(Role.safeguarding_lead)
    half_signed_in = await auth.resolve_session(await auth.start_session(lead_id, mfa_passed=False))
    with pytest.raises(safeguarding_contact.NotAllowed):
        await safeguarding_contact.reveal_contact(disclosure.id, half_signed_in, "reason")


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
async def test_a_reveal_needs_a_reason(client, db, reason):
    await sent_with_contact(client)
    disclosure = await Disclosure.objects().first()
    lead = await current(await make_user(Role.safeguarding_lead))
    with pytest.raises(safeguarding_contact.ReasonRequired):
        await safeguarding_contact.reveal_contact(disclosure.id, lead, reason)
    assert await AuditEvent.count().where(AuditEvent.action == "contact_revealed") == 0
    assert await TriageStep.count() == 0


async def test_no_details_without_a_contact_request_a_false_alarm_or_an_unknown_disclosure(client, db):
    await make_survey(code="feel")
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    await send(client, first, 2, action="submit", say=DISCLOSURE)
    disclosure = await Disclosure.objects().first()
    lead = await current(await make_user(Role.safeguarding_lead))
    for disclosure_id in (disclosure.id, disclosure.id + 1000):
        assert not await safeguarding_contact.has_contact_details(disclosure_id)
        with pytest.raises(safeguarding_contact.NoContactDetails):
            await safeguarding_contact.reveal_contact(disclosure_id, lead, "a reason")
    assert await AuditEvent.count().where(AuditEvent.action == "contact_revealed") == 0


async def test_a_false_alarm_keeps_contact_details_hidden(client, db):
    await sent_with_contact(client)
    disclosure = await Disclosure.objects().first()
    await Disclosure.update({Disclosure.state: DisclosureState.false_alarm}).where(Disclosure.id == disclosure.id)
    lead = await current(await make_user(Role.safeguarding_lead))
    with pytest.raises(safeguarding_contact.NoContactDetails, match="false alarm"):
        await safeguarding_contact.reveal_contact(disclosure.id, lead, "a reason")
