"""Invitations and password resets travel by real SMTP (aiosmtpd on loopback) as single-use,
expiring links; a used or expired link gets a clear page and a way to ask for a new one."""

import os
import re

import pytest

from app.accounts.roles import Role
from app.accounts.tables import EmailToken, OutboxMessage, StaffRole, StaffUser
from app.asgi import create_app
from app.audit.tables import AuditEvent
from app.settings import Settings
from tests.conftest import in_process_client
from tests.staff import PASSWORD, make_user, post_form, signed_in_cookie, wait_for_mail

NEW_PASSWORD = "seven purple otters singing"


@pytest.fixture
async def mail_client(db, smtp_server):
    """A client on an app that sends mail through the test SMTP server."""
    settings = Settings.from_env({**os.environ, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port), "CHORUS_JOB_WORKER": "web"})
    async with in_process_client(create_app(settings)) as client:
        yield client


def link_in(body: str, kind: str) -> str:
    match = re.search(rf"http://testserver\.local(/{kind}/[A-Za-z0-9_\-]+)", body)
    assert match, body
    return match.group(1)


async def invite(client, smtp_server, email="new.person@example.org", **fields):
    admin = await make_user(Role.admin)
    client.cookies.update(await signed_in_cookie(admin))
    data = {"email": email, "display_name": "New Person", "agency": "Police", "roles": "facilitator", **fields}
    response = await post_form(client, "/admin/users/new", data)
    return response, await wait_for_mail(smtp_server, email) if response.status_code == 302 else []


async def test_an_invitation_is_mailed_and_its_link_sets_the_password_once(mail_client, smtp_server):
    response, bodies = await invite(mail_client, smtp_server)
    assert response.status_code == 302
    user = await StaffUser.select().where(StaffUser.email == "new.person@example.org").first()
    assert user["password_hash"] is None and user["agency"] == "Police"
    assert [r["role"] for r in await StaffRole.select().where(StaffRole.user == user["id"])] == ["facilitator"]
    link = link_in(bodies[0], "invite")

    mail_client.cookies.clear()
    assert (await mail_client.get(link)).status_code == 200
    done = await post_form(mail_client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["location"] == "/login?welcome=1"
    signed_in = await post_form(mail_client, "/login", {"email": "new.person@example.org", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302

    reused = await post_form(mail_client, link, {"password": "another fine passphrase", "confirm": "another fine passphrase"})
    assert reused.status_code == 410 and "already been used" in reused.text
    assert (await mail_client.get(link)).status_code == 410


async def test_a_weak_password_keeps_the_invitation_usable(mail_client, smtp_server):
    _, bodies = await invite(mail_client, smtp_server)
    link = link_in(bodies[0], "invite")
    mail_client.cookies.clear()
    weak = await post_form(mail_client, link, {"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 400 and "too common" in weak.text
    mismatch = await post_form(mail_client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 400 and "not the same" in mismatch.text
    assert (await post_form(mail_client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})).status_code == 302


async def test_an_invitation_expires_after_seven_days(mail_client, smtp_server, frozen_clock):
    _, bodies = await invite(mail_client, smtp_server)
    link = link_in(bodies[0], "invite")
    frozen_clock.advance(days=7, seconds=1)
    response = await mail_client.get(link)
    assert response.status_code == 410 and "expired" in response.text and "new invitation" in response.text


async def test_resending_an_invitation_retires_the_first_link(mail_client, smtp_server):
    _, bodies = await invite(mail_client, smtp_server)
    first = link_in(bodies[0], "invite")
    user_id = (await StaffUser.select(StaffUser.id).where(StaffUser.email == "new.person@example.org").first())["id"]
    assert (await post_form(mail_client, f"/admin/users/{user_id}/resend-invite")).status_code == 302
    second = link_in((await wait_for_mail(smtp_server, "new.person@example.org", count=2))[1], "invite")
    assert (await mail_client.get(first)).status_code == 410
    assert (await mail_client.get(second)).status_code == 200


async def test_inviting_an_existing_email_or_an_oversized_field_stores_nothing(mail_client, smtp_server):
    await invite(mail_client, smtp_server, email="first@example.org")
    users_before, tokens_before = await StaffUser.count(), await EmailToken.count()
    duplicate = await post_form(mail_client, "/admin/users/new", {"email": "FIRST@example.org", "display_name": "Again", "agency": "Police", "roles": "analyst"})
    assert duplicate.status_code == 400 and "already an account" in duplicate.text
    huge = await post_form(mail_client, "/admin/users/new", {"email": "x@example.org", "display_name": "n" * 10_000, "agency": "Police"})
    assert huge.status_code == 400
    bad_role = await post_form(mail_client, "/admin/users/new", {"email": "y@example.org", "display_name": "Y", "agency": "Police", "roles": "superuser"})
    assert bad_role.status_code == 400
    unscoped = await post_form(mail_client, "/admin/users/new", {"email": "z@example.org", "display_name": "Z", "agency": "Police", "roles": "project_lead"})
    assert unscoped.status_code == 400 and "needs a project" in unscoped.text
    assert (await StaffUser.count(), await EmailToken.count()) == (users_before, tokens_before)


async def test_a_password_reset_is_mailed_works_once_and_ends_other_sessions(mail_client, smtp_server):
    user_id = await make_user(Role.analyst)
    other_device = await signed_in_cookie(user_id)
    page = await post_form(mail_client, "/password/forgot", {"email": "Analyst@Example.org "[:-1]})
    assert page.status_code == 200 and "If there is an account" in page.text
    link = link_in((await wait_for_mail(smtp_server, "analyst@example.org"))[0], "password/reset")
    assert (await post_form(mail_client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})).status_code == 302
    reused = await post_form(mail_client, link, {"password": "another fine passphrase", "confirm": "another fine passphrase"})
    assert reused.status_code == 410 and "Request a new link" in reused.text
    mail_client.cookies.update(other_device)
    assert (await mail_client.get("/staff", headers={"Accept": "application/json"})).status_code == 401
    mail_client.cookies.clear()
    assert (await post_form(mail_client, "/login", {"email": "analyst@example.org", "password": PASSWORD})).status_code == 400
    assert (await post_form(mail_client, "/login", {"email": "analyst@example.org", "password": NEW_PASSWORD})).status_code == 302


async def test_a_reset_link_expires_after_an_hour(mail_client, smtp_server, frozen_clock):
    await make_user(Role.analyst)
    await post_form(mail_client, "/password/forgot", {"email": "analyst@example.org"})
    link = link_in((await wait_for_mail(smtp_server, "analyst@example.org"))[0], "password/reset")
    frozen_clock.advance(hours=1)
    expired = await post_form(mail_client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert expired.status_code == 410 and "expired" in expired.text


async def test_a_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(mail_client, smtp_server):
    page = await post_form(mail_client, "/password/forgot", {"email": "stranger@example.org"})
    assert page.status_code == 200 and "If there is an account" in page.text
    assert smtp_server.messages == []


async def test_an_unknown_link_is_a_404_with_a_way_forward(mail_client):
    response = await mail_client.get("/password/reset/not-a-real-token")
    assert response.status_code == 404 and "Request a new link" in response.text


async def test_development_keeps_sent_mail_in_the_staff_only_outbox(client):
    admin = await make_user(Role.admin)
    client.cookies.update(await signed_in_cookie(admin))
    await post_form(client, "/admin/users/new", {"email": "dev@example.org", "display_name": "Dev", "agency": "VCFS", "roles": "analyst"})
    assert await OutboxMessage.count() == 1
    outbox = await client.get("/admin/outbox")
    assert outbox.status_code == 200 and "/invite/" in outbox.text
    facilitator = await make_user(Role.facilitator)
    client.cookies.update(await signed_in_cookie(facilitator))
    assert (await client.get("/admin/outbox", headers={"Accept": "application/json"})).status_code == 403


async def test_no_token_or_password_ever_reaches_the_audit_log(mail_client, smtp_server):
    _, bodies = await invite(mail_client, smtp_server)
    link = link_in(bodies[0], "invite")
    mail_client.cookies.clear()
    await post_form(mail_client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    await post_form(mail_client, "/login", {"email": "new.person@example.org", "password": "a wrong password here"})
    dump = str(await AuditEvent.select())
    token = link.rsplit("/", 1)[1]
    for secret in (token, NEW_PASSWORD, PASSWORD, "a wrong password here"):
        assert secret not in dump


async def test_two_requests_racing_with_one_link_cannot_both_set_a_password(mail_client, smtp_server):
    import asyncio

    from app.accounts import services

    _, bodies = await invite(mail_client, smtp_server)
    token = link_in(bodies[0], "invite").rsplit("/", 1)[1]
    results = await asyncio.gather(
        services.accept_invite(token, NEW_PASSWORD), services.accept_invite(token, "another fine passphrase"), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["TokenProblem", "int"]
    assert await AuditEvent.count().where(AuditEvent.action == "invite_accepted") == 1


@pytest.fixture
async def local_mail_client(db, smtp_server):
    """Development as `make run` starts it (no CHORUS_PUBLIC_URL), mailing through the test SMTP server."""
    environ = {k: v for k, v in os.environ.items() if k != "CHORUS_PUBLIC_URL"}
    settings = Settings.from_env({**environ, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port), "CHORUS_JOB_WORKER": "web"})
    async with in_process_client(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        yield client


async def test_a_reset_asked_for_under_another_host_is_refused_and_no_link_to_it_is_mailed(local_mail_client, smtp_server):
    await make_user(Role.analyst)
    await local_mail_client.get("/password/forgot")  # the CSRF cookie, from the real address
    token = local_mail_client.cookies["csrftoken"]
    form = {"email": "analyst@example.org", "_csrf_token": token}
    hijack = await local_mail_client.post("/password/forgot", data=form, headers={"Host": "evil.example", "Accept": "text/html"})
    assert hijack.status_code == 400
    sneaky = await local_mail_client.post("/password/forgot", data=form, headers={"X-Forwarded-Host": "evil.example", "Accept": "text/html"})
    assert sneaky.status_code == 200
    bodies = await wait_for_mail(smtp_server, "analyst@example.org")
    assert len(bodies) == 1 and "evil.example" not in bodies[0]
    assert re.search(r"^http://127\.0\.0\.1:8000/password/reset/[A-Za-z0-9_\-]+\r?$", bodies[0], re.MULTILINE)
    assert all("evil.example" not in m.as_string() for m in smtp_server.messages)


async def test_invitations_link_to_the_public_address_whatever_the_request_said(mail_client, smtp_server):
    admin = await make_user(Role.admin)
    mail_client.cookies.update(await signed_in_cookie(admin))
    response = await post_form(mail_client, "/admin/users/new", {
        "email": "new.person@example.org", "display_name": "New Person", "agency": "Police", "roles": "facilitator",
    })
    assert response.status_code == 302
    assert "/invite/" in link_in((await wait_for_mail(smtp_server, "new.person@example.org"))[0], "invite")
    refused = await mail_client.post("/admin/users/new", headers={"Host": "evil.example"}, data={"email": "x@example.org"})
    assert refused.status_code == 400 and await StaffUser.count() == 2


def without_csrf(page: str) -> str:
    return re.sub(r'name="_csrf_token" value="[^"]*"', 'name="_csrf_token"', page)


async def test_known_and_unknown_emails_get_byte_identical_answers(mail_client, smtp_server):
    await make_user(Role.analyst)
    known = await post_form(mail_client, "/password/forgot", {"email": "analyst@example.org"})
    unknown = await post_form(mail_client, "/password/forgot", {"email": "stranger@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.text) == without_csrf(unknown.text)
    varying = {"date", "set-cookie", "ratelimit-remaining", "ratelimit-reset"}
    assert {k: v for k, v in known.headers.items() if k not in varying} == {k: v for k, v in unknown.headers.items() if k not in varying}
    assert len(await wait_for_mail(smtp_server, "analyst@example.org")) == 1
    assert smtp_server.bodies_to("stranger@example.org") == []


async def test_an_empty_or_malformed_email_is_asked_for_again_on_the_form(mail_client, smtp_server):
    for email in ("", "   ", "not-an-email"):
        response = await post_form(mail_client, "/password/forgot", {"email": email})
        assert response.status_code == 400 and "Enter the email address you sign in with" in response.text
        assert 'aria-invalid="true"' in response.text and "Childline" not in response.text
    assert smtp_server.messages == [] and await EmailToken.count() == 0


async def test_the_reset_mail_is_sent_after_the_answer_not_before(db, smtp_server, subprocess_env):
    """A real server: while the mail server holds every message, the page still answers at once;
    the mail arrives when the mail server lets it through."""
    import threading

    import httpx

    from tests.browser_support import LiveServer

    await make_user(Role.analyst)
    smtp_server.hold = threading.Event()
    # The reset mail is a job, run here by the worker inside the web app (as `make run` has it).
    server = LiveServer({**subprocess_env, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port), "CHORUS_JOB_WORKER": "web"})
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
            await client.get("/password/forgot")
            answer = await client.post("/password/forgot", data={"email": "analyst@example.org", "_csrf_token": client.cookies["csrftoken"]})
            assert answer.status_code == 200 and "If there is an account" in answer.text
            assert smtp_server.messages == []
            smtp_server.hold.set()
            body = (await wait_for_mail(smtp_server, "analyst@example.org", timeout=20))[0]
    finally:
        smtp_server.hold.set()
        server.stop()
    assert f"{server.url}/password/reset/" in body
