"""The designated safeguarding lead's pages: the queue of held disclosures and each one's triage."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from app.accounts.auth import requires
from app.accounts.roles import Permission
from app.accounts.schemas import Form
from app.safeguarding import contact, services
from app.safeguarding.schemas import RevealForm, TriageForm
from app.safeguarding.services import STATE_LABELS, QueueView, TriageConflict, TriageRefused
from app.web.requests import RowId, client_ip, signed_in_user

GUARD = requires(Permission.triage_safeguarding)


class SafeguardingController(Controller):
    path = "/safeguarding"
    tags = ["safeguarding"]
    include_in_schema = False

    @get("/", name="safeguarding_queue", guards=GUARD)
    async def queue(self, request: Request, view: FromQuery[str] = "open") -> Template:
        chosen = QueueView(view) if view in QueueView._value2member_map_ else QueueView.open
        items = await services.queue(chosen, signed_in_user(request), ip_address=client_ip(request))
        return Template("safeguarding/queue.html", context={"items": items, "view": chosen, "views": list(QueueView)})

    @get("/disclosures/{disclosure_id:int}", name="disclosure", guards=GUARD)
    async def disclosure(self, request: Request, disclosure_id: RowId, done: FromQuery[str] = "") -> Template:
        return await self._page(request, disclosure_id, done=done)

    @post("/disclosures/{disclosure_id:int}/triage", name="disclosure_triage", guards=GUARD)
    async def triage(self, request: Request, disclosure_id: RowId, data: Annotated[TriageForm, Form]) -> Template | Redirect:
        try:
            await services.triage(disclosure_id, data.to_state, data.note, seen_version=data.version, viewer=signed_in_user(request),
                                  ip_address=client_ip(request))
        except TriageConflict as conflict:
            return await self._page(request, disclosure_id, error=str(conflict), note=data.note, status=HTTP_409_CONFLICT)
        except TriageRefused as refused:
            return await self._page(request, disclosure_id, error=str(refused), note=data.note, chosen=data.to_state,
                                    status=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(f"/safeguarding/disclosures/{disclosure_id}?done={data.to_state}", status_code=HTTP_303_SEE_OTHER)

    @post("/disclosures/{disclosure_id:int}/contact", name="disclosure_contact", guards=GUARD)
    async def reveal_contact(self, request: Request, disclosure_id: RowId, data: Annotated[RevealForm, Form]) -> Template:
        """Contact details are shown once, on this response only, after a reason is recorded (never in a link)."""
        try:
            details = await contact.reveal_contact(disclosure_id, signed_in_user(request), data.reason, ip_address=client_ip(request))
        except contact.RevealRefused as refused:
            return await self._page(request, disclosure_id, contact_error=str(refused), reason=data.reason,
                                    status=HTTP_422_UNPROCESSABLE_ENTITY)
        return await self._page(request, disclosure_id, contact_details=details)

    async def _page(self, request: Request, disclosure_id: int, *, error: str = "", note: str = "", chosen: str = "",
                    done: str = "", contact_error: str = "", reason: str = "", contact_details: str = "", status: int = 200) -> Template:
        found = await services.disclosure(disclosure_id, signed_in_user(request), ip_address=client_ip(request))
        if found is None:
            raise NotFoundException("There is no such disclosure.")
        held, steps = found
        done_label = next((label for state, label in STATE_LABELS.items() if state.value == done), "")
        return Template("safeguarding/disclosure.html", status_code=status, context={
            "item": held, "steps": steps, "error": error, "note": note, "chosen": chosen, "done": done_label, "labels": STATE_LABELS,
            "has_contact": await contact.has_contact_details(disclosure_id), "contact_error": contact_error, "reason": reason,
            "contact_details": contact_details,
        })
