"""The audit log: every audited action leaves an entry, entries hold no secrets, and nothing in
the app or the database lets an entry be changed or removed."""

import csv
import io
import re

import pytest

from app.accounts.roles import Role
from app.audit.services import AuditAction, record
from app.audit.tables import AuditEvent, AuditLogIsAppendOnly
from app.database import current_engine
from tests.staff import PASSWORD, make_user, post_form, signed_in_cookie, totp_now

pytestmark = pytest.mark.usefixtures("db")


async def actions() -> list[str]:
    return [r["action"] for r in await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id)]


async def test_each_audited_action_leaves_an_entry(client):
    admin = await make_user(Role.admin)
    # sign-in with password then TOTP
    await post_form(client, "/login", {"email": "admin@example.org", "password": PASSWORD})
    await post_form(client, "/login/mfa", {"code": await totp_now(admin)})
    await post_form(client, "/login", {"email": "admin@example.org", "password": "a wrong password here"})
    client.cookies.update(await signed_in_cookie(admin))
    # invite, role change, deactivation, audit export
    await post_form(client, "/admin/users/new", {"email": "p@example.org", "display_name": "P", "agency": "Police", "roles": "analyst"})
    person = (await AuditEvent.select(AuditEvent.target_id).where(AuditEvent.action == "user_invited").first())["target_id"]
    await post_form(client, f"/admin/users/{person}", {"display_name": "P", "agency": "Police", "roles": "facilitator", "active": "on"})
    await post_form(client, f"/admin/users/{person}", {"display_name": "P", "agency": "Police", "roles": "facilitator"})
    await client.get("/admin/audit/export.csv")
    await post_form(client, "/account/recovery-codes")
    await post_form(client, "/logout")
    logged = await actions()
    for expected in (
        "password_accepted", "login_succeeded", "login_failed", "user_invited", "role_granted", "role_revoked",
        "user_deactivated", "audit_exported", "recovery_codes_regenerated", "logout",
    ):
        assert expected in logged, expected
    first_sign_in = logged.index("password_accepted")
    assert logged[first_sign_in:first_sign_in + 2] == ["password_accepted", "login_succeeded"]
    completed = [r["detail"] for r in await AuditEvent.select(AuditEvent.detail).where(AuditEvent.action == "login_succeeded").output(load_json=True)]
    assert completed == [{"second_factor": "totp"}]


async def test_a_right_password_then_a_wrong_code_is_not_recorded_as_a_sign_in(client):
    admin = await make_user(Role.admin)
    await post_form(client, "/login", {"email": "admin@example.org", "password": PASSWORD})
    await post_form(client, "/login/mfa", {"code": "000000" if await totp_now(admin) != "000000" else "111111"})
    assert (await actions())[-2:] == ["password_accepted", "mfa_failed"] and "login_succeeded" not in await actions()
    await post_form(client, "/login/mfa", {"code": await totp_now(admin)})
    assert (await actions())[-3:] == ["password_accepted", "mfa_failed", "login_succeeded"]


async def test_without_a_second_factor_the_password_completes_the_sign_in(client):
    await make_user(Role.analyst)
    await post_form(client, "/login", {"email": "analyst@example.org", "password": PASSWORD})
    assert (await actions())[-2:] == ["password_accepted", "login_succeeded"]


async def test_the_app_has_no_way_to_change_or_remove_an_entry():
    await record(AuditAction.logout)
    with pytest.raises(AuditLogIsAppendOnly):
        await AuditEvent.update({AuditEvent.action: "nothing_happened"}).where(AuditEvent.id > 0)
    with pytest.raises(AuditLogIsAppendOnly):
        await AuditEvent.delete().where(AuditEvent.id > 0)
    entry = await AuditEvent.objects().first()
    entry.action = "nothing_happened"
    with pytest.raises(AuditLogIsAppendOnly):
        await entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        await entry.remove()
    assert await actions() == ["logout"]


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'nothing_happened'", "DELETE FROM audit_event"])
async def test_the_database_itself_refuses_to_change_or_remove_an_entry(statement):
    await record(AuditAction.logout)
    with pytest.raises(Exception, match="append-only"):
        await current_engine().run_ddl(statement)
    assert await actions() == ["logout"]


@pytest.mark.parametrize("key", ["password", "reset_token", "totp_secret", "free_text", "answer"])
async def test_secrets_and_free_text_are_refused_as_audit_detail(key):
    with pytest.raises(ValueError):
        await record(AuditAction.user_updated, detail={key: "x"})
    assert await AuditEvent.count() == 0


async def test_administrators_filter_the_log_and_export_it_as_safe_csv(client, frozen_clock):
    admin = await make_user(Role.admin)
    analyst = await make_user(Role.analyst)
    await record(AuditAction.login_failed, detail={"reason": "=HYPERLINK(\"http://evil\")"})
    frozen_clock.advance(days=2)
    await post_form(client, "/login", {"email": "analyst@example.org", "password": PASSWORD})
    client.cookies.clear()
    client.cookies.update(await signed_in_cookie(admin))

    page = await client.get("/admin/audit", params={"person": "analyst@", "action": "login_succeeded"})
    assert page.status_code == 200, page.text
    assert "1 entry" in page.text, re.findall(r"<caption[^>]*>[^<]*<", page.text)
    assert "analyst@example.org" in page.text
    before = await client.get("/admin/audit", params={"date_to": "2026-11-26", "action": "login_failed"})
    assert "1 entry" in before.text
    after = await client.get("/admin/audit", params={"date_from": "2026-11-27", "action": "login_failed"})
    assert "0 entries" in after.text

    export = await client.get("/admin/audit/export.csv")
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [r["action"] for r in rows][:1] == ["login_succeeded"]
    failure = next(r for r in rows if r["action"] == "login_failed")
    assert failure["detail"].startswith("{") and not failure["detail"].startswith("=")
    assert (await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id, ascending=False).first())["action"] == "audit_exported"
    del analyst


async def test_a_formula_in_a_cell_is_neutralised():
    from app.audit.services import to_csv

    text = to_csv([{"occurred_at": "", "actor_email": "=cmd|' /C calc'!A0", "action": "@SUM(1)", "target_type": "+1", "target_id": "-1", "detail": {}, "ip_address": ""}])
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[1].startswith("'=") and row[2].startswith("'@") and row[3] == "'+1" and row[4] == "'-1"


async def test_malformed_audit_filters_are_a_400(client):
    admin = await make_user(Role.admin)
    client.cookies.update(await signed_in_cookie(admin))
    assert (await client.get("/admin/audit", params={"date_from": "yesterday"})).status_code == 400
    assert (await client.get("/admin/audit", params={"page": "many"})).status_code == 400
    unknown = await client.get("/admin/audit", params={"action": "<script>alert(1)</script>"})
    assert unknown.status_code == 200 and "<script>alert(1)</script>" not in unknown.text
