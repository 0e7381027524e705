"""Participant side of a board: join from a phone with no account, write, vote, watch it live.

Works without JavaScript: each change is a plain form that redirects back to the board, and the
page shows the state as of the request. The participant's token is a random value in an HttpOnly
cookie scoped to `/r/<code>` (only its hash is stored), which also identifies the websocket.
"""

from __future__ import annotations

import uuid

from litestar import Controller, Request, WebSocket, get, post, websocket
from litestar.channels import ChannelsPlugin
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from app.accounts.auth import PUBLIC
from app.web.requests import AppSettings
from surveys.boards import actions, live, services
from surveys.boards.services import BoardRefused, Viewer
from surveys.controllers import participant_context
from surveys.forms import read_form
from surveys.i18n import interface_languages

COOKIE = "chorus_board"


def _language(request: Request) -> str:
    lang = request.query_params.get("lang", "en")
    return lang if lang in interface_languages() else "en"


def not_found(language: str = "en") -> Template:
    return Template("boards/participant/not_found.html", status_code=404, context=participant_context(language))


def _one(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


async def page(request: Request, board: dict, participant_id: int, *, error: str = "", kept: dict | None = None,
               status: int = 200) -> Template:
    state = await services.state_for(Viewer(board["id"], participant_id=participant_id), board)
    return Template("boards/participant/board.html", status_code=status, context=participant_context(
        _language(request), board=board, state=state, error=error, kept=kept or {}, new_ref=str(uuid.uuid4()),
        seconds_left=services.seconds_left(board), max_card=actions.MAX_CARD, phase_label=services.phase_label))


class BoardParticipantController(Controller):
    path = "/r"
    opt = PUBLIC
    include_in_schema = False

    async def _board(self, code: str) -> dict | None:
        return await services.board_by_code(code)

    @get("/{code:str}", name="board_participant")
    async def board_page(self, request: Request, code: str) -> Template:
        board = await self._board(code)
        if board is None:
            return not_found(_language(request))
        participant = await services.participant_for(board["id"], request.cookies.get(COOKIE))
        if participant is None:
            return Template("boards/participant/join.html", context=participant_context(_language(request), board=board, error=""))
        return await page(request, board, participant)

    @post("/{code:str}/join", name="board_join")
    async def join(self, request: Request, settings: AppSettings, code: str) -> Template | Redirect:
        board = await self._board(code)
        if board is None:
            return not_found()
        form = await read_form(request)
        try:
            token = await services.join(board["id"], _one(form, "display_name"))
        except BoardRefused as refused:
            return Template("boards/participant/join.html", status_code=400,
                            context=participant_context(_language(request), board=board, error=str(refused)))
        redirect = Redirect(f"/r/{board['code']}", status_code=303)
        redirect.cookies.append(Cookie(key=COOKIE, value=token, path=f"/r/{board['code']}", httponly=True, samesite="lax",
                                       secure=settings.is_production, max_age=int(services.BOARD_LIFETIME.total_seconds())))
        return redirect

    async def _act(self, request: Request, code: str, message: dict, kept: dict | None = None) -> Template | Redirect:
        board = await self._board(code)
        if board is None:
            return not_found()
        participant = await services.participant_for(board["id"], request.cookies.get(COOKIE))
        if participant is None:
            return Template("boards/participant/join.html", status_code=403, context=participant_context(
                _language(request), board=board, error="Join the board first: your phone is not joined to it."))
        try:
            ack = await actions.apply(Viewer(board["id"], participant_id=participant), message)
        except BoardRefused as refused:
            return await page(request, board, participant, error=str(refused), kept=kept, status=400)
        anchor = "#help" if ack.get("held") else ""
        return Redirect(f"/r/{board['code']}{anchor}", status_code=303)

    @post("/{code:str}/cards", name="board_post_card")
    async def post_card(self, request: Request, code: str) -> Template | Redirect:
        form = await read_form(request)
        message = {"action": "post", "ref": _one(form, "ref") or str(uuid.uuid4()), "column": _one(form, "column"),
                   "text": _one(form, "text")}
        return await self._act(request, code, message, kept={"column": message["column"], "text": message["text"]})

    @post("/{code:str}/votes", name="board_vote")
    async def vote(self, request: Request, code: str) -> Template | Redirect:
        form = await read_form(request)
        action = "unvote" if _one(form, "take_back") else "vote"
        return await self._act(request, code, {"action": action, "ref": _one(form, "ref") or str(uuid.uuid4()),
                                               "card": _one(form, "card")})

    @websocket("/{code:str}/live", name="board_participant_live")
    async def live_socket(self, socket: WebSocket, channels: NamedDependency[ChannelsPlugin], code: str) -> None:
        """The participant's live board; refused (closed with a message) without a joined cookie."""
        board = await self._board(code)
        participant = await services.participant_for(board["id"], socket.cookies.get(COOKIE)) if board else None
        if participant is None:
            await socket.accept()
            message = "There is no board with that code." if board is None else "Join the board first: open the link and press Join."
            await socket.send_text(live.error_frame(message))
            await socket.close(code=4403, reason="not joined")
            return
        await socket.accept()
        await live.converse(socket, channels, Viewer(board["id"], participant_id=participant))
