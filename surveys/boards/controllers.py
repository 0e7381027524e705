"""Participant side of a board: join from a phone with no account, write, vote, watch it live.

Works without JavaScript: each change is a plain form that redirects back to the board, and the
page shows the state as of the request. The participant's token is a random value in an HttpOnly
cookie scoped to `/r/<code>` (only its hash is stored), which also identifies the websocket.

Language: `?lang=` (else the browser's Accept-Language) picks the interface's words. Every link, form
and redirect of a participant in another language carries `?lang=`, and so does the page's websocket
address (`data-live`), so refusals come back in the language of the page they were sent from.
"""

from __future__ import annotations

import uuid

from litestar import Controller, Request, WebSocket, get, post, websocket
from litestar.channels import ChannelsPlugin
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from app.accounts.auth import PUBLIC
from app.web.requests import AppSettings
from surveys.boards import actions, live, services
from surveys.boards.services import BoardRefused, Viewer
from surveys.participation.forms import read_form
from surveys.participation.i18n import DEFAULT_LANGUAGE, interface_language
from surveys.participation.layout import participant_context
from surveys.participation.text import N_, Message

COOKIE = "chorus_board"
JOIN_FIRST = N_("Join the board first: your phone is not joined to it.")
JOIN_FIRST_LIVE = N_("Join the board first: open the link and press Join.")
NO_BOARD = N_("There is no board with that code.")


def _language(connection: ASGIConnection) -> str:
    """`?lang=` when it is one we have words for, else the browser's choice among them (English by default)."""
    return interface_language(connection.query_params.get("lang", ""), connection.headers.get("accept-language", ""))


def _lang_query(connection: ASGIConnection) -> str:
    """What keeps the participant's language on the next page: `?lang=<code>`, or nothing for English by default."""
    language = _language(connection)
    return f"?lang={language}" if language != DEFAULT_LANGUAGE or connection.query_params.get("lang") else ""


def _context(connection: ASGIConnection, **extra) -> dict:
    return participant_context(_language(connection), lang_query=_lang_query(connection), **extra)


def not_found(language: str = DEFAULT_LANGUAGE) -> Template:
    return Template("boards/participant/not_found.html", status_code=404, context=participant_context(language))


def _one(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


async def page(request: Request, board: dict, participant_id: int | None, *, error: str = "", kept: dict | None = None,
               status: int = 200) -> Template:
    state = await services.state_for(Viewer(board["id"], participant_id=participant_id), board)
    return Template("boards/participant/board.html", status_code=status, context=_context(
        request, board=board, state=state, error=error, kept=kept or {}, new_ref=str(uuid.uuid4()),
        seconds_left=services.seconds_left(board), max_card=actions.MAX_CARD, phase_label=services.phase_label))


class BoardParticipantController(Controller):
    path = "/r"
    opt = PUBLIC
    include_in_schema = False

    async def _board(self, code: str) -> dict | None:
        return await services.board_by_code(code)

    @get("/{code:str}", name="board_participant")
    async def board_page(self, request: Request, code: FromPath[str]) -> Template:
        board = await self._board(code)
        if board is None:
            return not_found(_language(request))
        participant = await services.participant_for(board["id"], request.cookies.get(COOKIE))
        if participant is None and board["phase"] != "done":
            return Template("boards/participant/join.html", context=_context(request, board=board, error=""))
        return await page(request, board, participant)  # a finished board can be read without joining

    @post("/{code:str}/join", name="board_join")
    async def join(self, request: Request, settings: AppSettings, code: FromPath[str]) -> Template | Redirect:
        board = await self._board(code)
        if board is None:
            return not_found(_language(request))
        form = await read_form(request)
        try:
            token = await services.join(board["id"], _one(form, "display_name"))
        except BoardRefused as refused:
            return Template("boards/participant/join.html", status_code=400,
                            context=_context(request, board=board, error=refused.message))
        redirect = Redirect(f"/r/{board['code']}{_lang_query(request)}", status_code=303)
        redirect.cookies.append(Cookie(key=COOKIE, value=token, path=f"/r/{board['code']}", httponly=True, samesite="lax",
                                       secure=settings.is_production, max_age=int(services.BOARD_LIFETIME.total_seconds())))
        return redirect

    async def _act(self, request: Request, code: str, message: dict, kept: dict | None = None) -> Template | Redirect:
        board = await self._board(code)
        if board is None:
            return not_found(_language(request))
        participant = await services.participant_for(board["id"], request.cookies.get(COOKIE))
        if participant is None:
            return Template("boards/participant/join.html", status_code=403, context=_context(
                request, board=board, error=Message(JOIN_FIRST)))
        try:
            ack = await actions.apply(Viewer(board["id"], participant_id=participant), message)
        except BoardRefused as refused:
            return await page(request, board, participant, error=refused.message, kept=kept, status=400)
        anchor = "#help" if ack.get("held") else ""
        return Redirect(f"/r/{board['code']}{_lang_query(request)}{anchor}", status_code=303)

    @post("/{code:str}/cards", name="board_post_card")
    async def post_card(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        form = await read_form(request)
        message = {"action": "post", "ref": _one(form, "ref") or str(uuid.uuid4()), "column": _one(form, "column"),
                   "text": _one(form, "text")}
        return await self._act(request, code, message, kept={"column": message["column"], "text": message["text"]})

    @post("/{code:str}/votes", name="board_vote")
    async def vote(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        form = await read_form(request)
        action = "unvote" if _one(form, "take_back") else "vote"
        return await self._act(request, code, {"action": action, "ref": _one(form, "ref") or str(uuid.uuid4()),
                                               "card": _one(form, "card")})

    @websocket("/{code:str}/live", name="board_participant_live")
    async def live_socket(self, socket: WebSocket, channels: NamedDependency[ChannelsPlugin], code: FromPath[str]) -> None:
        """The participant's live board; refused (closed with a message) without a joined cookie."""
        board = await self._board(code)
        participant = await services.participant_for(board["id"], socket.cookies.get(COOKIE)) if board else None
        if participant is None:
            await socket.accept()
            message = Message(NO_BOARD if board is None else JOIN_FIRST_LIVE)
            await socket.send_text(live.error_frame(message, language=_language(socket)))
            await socket.close(code=4403, reason="not joined")
            return
        await socket.accept()
        await live.converse(socket, channels, Viewer(board["id"], participant_id=participant), _language(socket))
