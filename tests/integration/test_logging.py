"""No secret token reaches a log line: the real `chorus run` in a child process, its whole output
read back after a participant's pages, a reset link and an invitation link have been used."""

import re

import httpx

from app.accounts import services as accounts
from app.accounts.roles import Role
from app.accounts.tables import Agency, OutboxMessage
from app.audit.services import Actor
from app.settings import get_settings
from app.web.log_redaction import mask_tokens
from tests.browser_support import LiveServer
from tests.staff import make_user
from tests.surveys import make_survey, send, start


async def emailed_path(kind: str) -> str:
    body = (await OutboxMessage.select(OutboxMessage.body).order_by(OutboxMessage.id, ascending=False).first())["body"]
    return re.search(rf"https?://[^/\s]+(/{kind}/[A-Za-z0-9_\-]+)", body).group(1)


async def test_tokens_never_reach_the_log_of_the_real_server(db, subprocess_env):
    await make_survey(code="feel")
    await make_user(Role.analyst)
    await accounts.request_password_reset(get_settings(), "analyst@example.org")
    reset = await emailed_path("password/reset")
    await accounts.invite(get_settings(), actor=Actor(None, "test"), email="new@example.org", display_name="New",
                          agency=Agency.other, grants=[accounts.RoleGrant(Role.analyst)])
    invitation = await emailed_path("invite")

    server = LiveServer(subprocess_env, chorus=True)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
            first = await start(client, "feel")
            assert (await client.get(first)).status_code == 200
            assert (await send(client, first, 1, knows="no")).status_code == 303
            assert (await client.get(first.split("?")[0] + "/exit")).status_code in (302, 303)
            assert (await client.get(reset)).status_code == 200
            assert (await client.get(invitation)).status_code == 200
            assert (await client.get("/invite/not-a-real-token-at-all")).status_code == 404
    finally:
        server.stop()
    log = server.output()

    draft_token = first.split("?")[0].rsplit("/", 1)[1]
    for token in (draft_token, reset.rsplit("/", 1)[1], invitation.rsplit("/", 1)[1], "not-a-real-token-at-all"):
        assert token not in log, f"{token} is in the server's log:\n{log}"
    # The lines are there, with the token masked: uvicorn's access log and Chorus's own.
    assert '"GET /s/feel/d/[hidden] HTTP/1.1" 200' in log and '"GET /s/feel/d/[hidden]/exit HTTP/1.1" 30' in log
    assert '"GET /password/reset/[hidden] HTTP/1.1" 200' in log and '"GET /invite/[hidden] HTTP/1.1" 404' in log


def test_chorus_and_litestar_log_lines_and_tracebacks_are_masked_too():
    """What the server test cannot provoke on purpose: an error logged with the path and a traceback."""
    import io
    import logging

    from app.web import log_redaction

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    logger = logging.getLogger("chorus.errors")
    for name in ("chorus", "litestar"):
        logging.getLogger(name).addHandler(handler)
    try:
        log_redaction.install()
        try:
            raise LookupError("no draft at /s/feel/d/s3cretDraft")
        except LookupError as error:
            logger.error("unhandled error on %s %s", "POST", "/invite/s3cretInvite", exc_info=error)
        logging.getLogger("litestar").warning("slow request %(path)s", {"path": "/password/reset/s3cretReset"})
    finally:
        for name in ("chorus", "litestar"):
            logging.getLogger(name).removeHandler(handler)
    written = stream.getvalue()
    assert "unhandled error on POST /invite/[hidden]" in written and "/s/feel/d/[hidden]" in written
    assert "litestar slow request /password/reset/[hidden]" in written
    assert "s3cret" not in written


def test_only_the_token_segment_is_masked():
    assert mask_tokens("GET /s/feel/d/AbC-12_x/exit?page=2 200") == "GET /s/feel/d/[hidden]/exit?page=2 200"
    assert mask_tokens("/password/reset/tok3n and /invite/t0ken.") == "/password/reset/[hidden] and /invite/[hidden]"
    assert mask_tokens("/s/feel/resume /staff/surveys/3/build /password/forgot") == "/s/feel/resume /staff/surveys/3/build /password/forgot"
