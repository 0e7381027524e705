"""Facilitator side of boards (`run_retrospectives`): make a board, run it (phases, review, groups,
votes, focus, actions) with or without JavaScript, show it on the big screen, export the summary,
send the cards to insights. Every change goes through `actions.apply`, as the websocket's do."""

from __future__ import annotations

import asyncio
import json
import uuid

from litestar import Controller, Request, Response, WebSocket, get, post, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, ServiceUnavailableException
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from app.accounts.auth import requires
from app.accounts.roles import Permission
from app.governance.tables import Project
from app.web.links import public_link
from app.web.requests import AppSettings, RowId, signed_in_user
from surveys.boards import actions, exports, live, services, suggestions
from surveys.boards.columns import ColumnsError, template_choices
from surveys.boards.services import PHASES, BoardRefused, Viewer
from surveys.participation.forms import read_form
from surveys.participation.i18n import gettext_for
from surveys.participation.qr import qr_svg_inline

ENGLISH = gettext_for("en")
"""Board partials are shared with participants' pages, whose words are translated; staff read them in English."""


def _one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0]


async def _projects() -> list[dict]:
    return await Project.select(Project.id, Project.reference, Project.focus.as_alias("title")).order_by(Project.reference)


async def _board(board_id: int) -> dict:
    board = await services.get_board(board_id)
    if board is None:
        raise NotFoundException("There is no such board.")
    return board


def join_qr(settings, board: dict, scale: int = 5) -> str:
    """The join link as an inline SVG QR code, drawn as the survey share page draws its own."""
    return qr_svg_inline(public_link(settings, f"/r/{board['code']}"), f"QR code to join {board['title']}", scale=scale)


class BoardStaffController(Controller):
    path = "/staff/boards"
    tags = ["boards"]
    include_in_schema = False
    guards = requires(Permission.run_retrospectives)

    async def _index(self, *, error: str = "", kept: dict | None = None, status: int = 200) -> Template:
        return Template("boards/staff/index.html", status_code=status, context={"_": ENGLISH,
            "boards": await services.list_boards(), "templates": template_choices(), "projects": await _projects(),
            "phases": PHASES, "error": error, "kept": kept or {}})

    @get("/", name="boards_index")
    async def index(self) -> Template:
        return await self._index()

    @post("/new", name="boards_create")
    async def create(self, request: Request) -> Template | Redirect:
        form = await read_form(request)
        kept = {name: _one(form, name) for name in ("title", "template", "custom_columns", "project", "anonymous", "review",
                                                    "votes_per_person", *[f"minutes_{phase}" for phase in PHASES])}
        try:
            votes = kept["votes_per_person"] or "3"
            if not votes.isdigit():
                raise BoardRefused("Votes per person must be a whole number.")
            minutes = {}
            for phase in PHASES:
                value = kept[f"minutes_{phase}"].strip()
                if value and not value.isdigit():
                    raise BoardRefused("A phase timer is a whole number of minutes (or blank for none).")
                if value:
                    minutes[phase] = int(value)
            project = int(kept["project"]) if kept["project"].isdigit() else None
            board = await services.create_board(
                title=kept["title"], created_by=signed_in_user(request).id, template=kept["template"] or "rose_thorn_bud",
                custom_columns=kept["custom_columns"], project_id=project, anonymous=kept["anonymous"] != "named",
                review=kept["review"] == "on", votes_per_person=int(votes), phase_minutes=minutes)
        except (BoardRefused, ColumnsError) as refused:
            return await self._index(error=str(refused), kept=kept, status=400)
        return Redirect(f"/staff/boards/{board['id']}", status_code=303)

    async def _page(self, request: Request, settings, board: dict, *, error: str = "", proposal: list | None = None,
                    status: int = 200) -> Template:
        state = await services.state_for(Viewer(board["id"], staff_id=signed_in_user(request).id), board)
        return Template("boards/staff/board.html", status_code=status, context={"_": ENGLISH,
            "board": board, "state": state, "error": error, "proposal": proposal, "proposal_json": json.dumps(proposal or []),
            "qr_svg": join_qr(settings, board), "link": public_link(settings, f"/r/{board['code']}"), "phases": PHASES,
            "phase_label": services.phase_label, "seconds_left": services.seconds_left(board), "projects": await _projects(),
            "new_ref": str(uuid.uuid4()), "cards_by_id": {card["id"]: card for card in state["cards"]}})

    @get("/{board_id:int}", name="boards_facilitate")
    async def facilitate(self, request: Request, settings: AppSettings, board_id: RowId) -> Template:
        return await self._page(request, settings, await _board(board_id))

    @post("/{board_id:int}/act", name="boards_act")
    async def act(self, request: Request, settings: AppSettings, board_id: RowId) -> Template | Redirect:
        """One facilitator action from a plain form (the same actions the websocket takes)."""
        board = await _board(board_id)
        form = await read_form(request)
        message = {name: values[0] for name, values in form.items() if values and name != "_csrf_token"}
        message.setdefault("ref", str(uuid.uuid4()))
        if message.get("action") == "accept_groups":
            try:
                message["groups"] = json.loads(message.get("groups") or "[]")
            except ValueError:
                message["groups"] = None
        try:
            if message.get("action") not in actions.FACILITATOR_ACTIONS:
                raise BoardRefused("Choose what to do from the buttons on this page.")
            await actions.apply(Viewer(board_id, staff_id=signed_in_user(request).id), message)
        except BoardRefused as refused:
            return await self._page(request, settings, await _board(board_id), error=str(refused), status=400)
        return Redirect(f"/staff/boards/{board['id']}", status_code=303)

    @post("/{board_id:int}/suggest", name="boards_suggest")
    async def suggest(self, request: Request, settings: AppSettings, board_id: RowId) -> Template:
        """Proposed groups, shown to the facilitator only; nothing changes until they accept."""
        board = await _board(board_id)
        try:
            proposal = await suggestions.suggest(board_id)
        except BoardRefused as refused:
            return await self._page(request, settings, board, error=str(refused), status=400)
        return await self._page(request, settings, board, proposal=proposal)

    @get("/{board_id:int}/present", name="boards_present")
    async def present(self, request: Request, settings: AppSettings, board_id: RowId) -> Template:
        board = await _board(board_id)
        state = await services.state_for(Viewer(board_id, staff_id=signed_in_user(request).id), board)
        return Template("boards/staff/present.html", context={"_": ENGLISH,
            "board": board, "state": state, "qr_svg": join_qr(settings, board, scale=8), "phase_label": services.phase_label,
            "link": public_link(settings, f"/r/{board['code']}"), "seconds_left": services.seconds_left(board),
            "presence": await live.presence_count(board_id)})

    @get("/{board_id:int}/summary", name="boards_summary")
    async def summary(self, request: Request, settings: AppSettings, board_id: RowId, sent: FromQuery[str] = "") -> Template:
        from app.insights import services as insights
        from surveys.boards.sources import BoardCardsSource

        board = await _board(board_id)
        run = await insights.latest_run(BoardCardsSource(board["project"]).key) if board["project"] else None
        return Template("boards/staff/summary.html", context={"_": ENGLISH, "summary": await exports.summary_of(board), "board": board,
                                                              "phase_label": services.phase_label, "sent": sent[:20],
                                                              "run": run, "themes": await insights.visible_themes(
                                                                  run, threshold=settings.small_group_threshold,
                                                                  reveal_small_groups=signed_in_user(request).can(Permission.view_small_groups))})

    @get("/{board_id:int}/export.csv", name="boards_export_csv")
    async def export_csv(self, board_id: RowId) -> Response:
        board = await _board(board_id)
        return Response(exports.csv_of(await exports.summary_of(board)), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="board-{board_id}.csv"'})

    @get("/{board_id:int}/export.md", name="boards_export_markdown")
    async def export_markdown(self, board_id: RowId) -> Response:
        board = await _board(board_id)
        return Response(exports.markdown_of(await exports.summary_of(board)), media_type="text/markdown; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="board-{board_id}.md"'})

    @get("/{board_id:int}/export.pdf", name="boards_export_pdf")
    async def export_pdf(self, request: Request, board_id: RowId) -> Response:
        from app.reports.exports import PdfUnavailable, pdf_of

        board = await _board(board_id)
        document = request.app.template_engine.get_template("boards/staff/document.html").render(
            summary=await exports.summary_of(board), board=board, phase_label=services.phase_label)
        try:
            pdf = await asyncio.to_thread(pdf_of, document)
        except PdfUnavailable as missing:
            raise ServiceUnavailableException(str(missing)) from missing
        return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="board-{board_id}.pdf"'})

    @post("/{board_id:int}/insights", name="boards_send_to_insights")
    async def send_to_insights(self, request: Request, settings: AppSettings, board_id: RowId) -> Template | Redirect:
        """Theme the cards of every board of this board's project with the project's other board cards."""
        from app.insights import services as insights
        from surveys.boards.sources import BoardCardsSource

        board = await _board(board_id)
        if board["project"] is None:
            return await self._page(request, settings, board, error="Link the board to a project first: its cards join that project's themes.",
                                    status=400)
        try:
            run_id = await insights.start_run(BoardCardsSource(board["project"]), requested_by=signed_in_user(request).id)
        except insights.RunRefused as refused:
            return await self._page(request, settings, board, error=str(refused), status=409)
        return Redirect(f"/staff/boards/{board_id}/summary?sent={run_id}", status_code=303)


class BoardLiveController(Controller):
    """The facilitator's and presenter's websocket (the protocol is in surveys/boards/live.py)."""

    path = "/boards"
    include_in_schema = False
    guards = requires(Permission.run_retrospectives)

    @websocket("/{board_id:int}/live", name="boards_staff_live")
    async def live_socket(self, socket: WebSocket, channels: NamedDependency[ChannelsPlugin], board_id: RowId) -> None:
        await _board(board_id)
        await socket.accept()
        await live.converse(socket, channels, Viewer(board_id, staff_id=signed_in_user(socket).id))
