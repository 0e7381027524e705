"""Receipt codes: a participant sees and deletes their own answers (`/receipt`, no account, the
participant layout); an administrator exports everything held for a code (subject access).

Every post to /receipt counts as a guess and is rate-limited per address, in a store of its own
(so sign-in attempts and receipt guesses do not share one allowance).
"""

from __future__ import annotations

import json
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import Body
from litestar.response import Template
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND

from app.accounts.auth import PUBLIC, requires
from app.accounts.roles import Permission
from app.audit.services import AuditAction, record
from app.web.requests import actor_of, client_ip
from surveys.participation import i18n, receipts
from surveys.participation.layout import participant_context
from surveys.participation.text import N_, Message

RECEIPT_GUESSES_PER_MINUTE = 10
receipt_rate_limit = RateLimitConfig(rate_limit=("minute", RECEIPT_GUESSES_PER_MINUTE), store="receipt_guesses")

UNKNOWN = N_("We could not find answers for that code. Check it and try again. Answers are also deleted when the survey's time to keep them ends.")
ALREADY_ERASED = N_("The answers for that code have already been deleted.")
NO_CODE = N_("Please type your receipt code.")


class ReceiptForm(msgspec.Struct):
    receipt: Annotated[str, msgspec.Meta(max_length=40)] = ""
    confirm: Annotated[str, msgspec.Meta(max_length=10)] = ""


ReceiptBody = Annotated[ReceiptForm, Body(media_type=RequestEncodingType.URL_ENCODED)]


def _language(request: Request) -> str:
    return i18n.from_accept_language(request.headers.get("accept-language", ""), i18n.interface_languages())


def _page(request: Request, name: str, *, status: int = 200, **context) -> Template:
    return Template(f"participation/receipt_{name}.html", status_code=status,
                    context=participant_context(_language(request), **context))


def _not_found(request: Request, receipt: str, found: receipts.Found) -> Template:
    if not receipt.strip():
        return _page(request, "form", status=HTTP_400_BAD_REQUEST, receipt="", error=Message(NO_CODE))
    error = ALREADY_ERASED if found is receipts.Found.erased else UNKNOWN
    return _page(request, "form", status=HTTP_404_NOT_FOUND, receipt=receipt[:20], error=Message(error))


class ReceiptController(Controller):
    path = "/receipt"
    include_in_schema = False
    opt = PUBLIC

    @get("/", name="receipt")
    async def form(self, request: Request) -> Template:
        return _page(request, "form", receipt="", error=None)

    @post("/", name="receipt_answers", middleware=[receipt_rate_limit.middleware])
    async def answers(self, request: Request, data: ReceiptBody) -> Template:
        from app.you_said_we_did.services import what_happened

        own = await receipts.own_answers(data.receipt)
        if own.found is not receipts.Found.held:
            return _not_found(request, data.receipt, own.found)
        happened = await what_happened(receipts.receipt_hash(data.receipt), _language(request))
        return _page(request, "answers", own=own, receipt=data.receipt.strip(), happened=happened)

    @post("/delete", name="receipt_delete", middleware=[receipt_rate_limit.middleware])
    async def delete(self, request: Request, data: ReceiptBody) -> Template:
        if data.confirm != "yes":
            own = await receipts.own_answers(data.receipt)
            if own.found is not receipts.Found.held:
                return _not_found(request, data.receipt, own.found)
            return _page(request, "confirm", own=own, receipt=data.receipt.strip())
        erasure = await receipts.erase(data.receipt)
        if erasure.found is not receipts.Found.held:
            return _not_found(request, data.receipt, erasure.found)
        await record(AuditAction.participant_erased, target_type="response",
                     detail={"items": erasure.answers, "kept_for_safeguarding": erasure.held_for_safeguarding})
        return _page(request, "deleted", erasure=erasure)


class SubjectAccessController(Controller):
    """An administrator answers a subject access request: everything held for a receipt code, as JSON."""

    path = "/admin/subject-access"
    include_in_schema = False
    guards = requires(Permission.answer_subject_access)

    @get("/", name="subject_access")
    async def form(self) -> Template:
        return Template("admin/subject_access.html", context={"receipt": "", "error": ""})

    @post("/", name="subject_access_export")
    async def export(self, request: Request, data: ReceiptBody) -> Template | Response:
        held = await receipts.subject_access(data.receipt)
        await record(AuditAction.subject_access_exported, actor=actor_of(request), target_type="receipt",
                     detail={"found": held is not None}, ip_address=client_ip(request))
        if held is None:
            return Template("admin/subject_access.html", status_code=HTTP_404_NOT_FOUND, context={
                "receipt": data.receipt[:20],
                "error": "Nothing is held for that code: it was mistyped, the participant deleted their answers, "
                         "or they were deleted when the survey's retention period ended."})
        return Response(json.dumps(held, indent=2, ensure_ascii=False), media_type="application/json", status_code=200,
                        headers={"Content-Disposition": 'attachment; filename="subject-access.json"'})
