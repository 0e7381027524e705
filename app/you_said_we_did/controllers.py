"""“You said, we did”: the participation lead's publish form (staff layout), the public pages
(participant layout: quick exit, signposting, no account) and a receipt's follow/unfollow."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_400_BAD_REQUEST, HTTP_422_UNPROCESSABLE_ENTITY

from app.accounts.auth import PUBLIC, requires
from app.accounts.roles import Permission
from app.accounts.schemas import Form
from app.findings import services as findings
from app.web.requests import RowId, actor_of, client_ip, signed_in_user
from app.you_said_we_did import services
from app.you_said_we_did.schemas import FollowForm, PublishForm, TranslationForm
from app.you_said_we_did.services import TARGET_READING_AGE, PublishRefused
from surveys.participation import i18n, receipts
from surveys.participation.layout import participant_context
from surveys.participation.receipt_controllers import receipt_rate_limit

FollowBody = Annotated[FollowForm, Body(media_type=RequestEncodingType.URL_ENCODED)]


class PublishController(Controller):
    path = "/findings/{finding_id:int}/publish"
    include_in_schema = False
    guards = requires(Permission.route_findings)

    @get("/", name="finding_publish")
    async def form(self, request: Request, finding_id: RowId, done: FromQuery[str] = "") -> Template:
        return await self._page(request, finding_id, done=done)

    @post("/", name="finding_publish_save")
    async def publish(self, request: Request, finding_id: RowId, data: Annotated[PublishForm, Form]) -> Template | Redirect:
        try:
            await services.publish(finding_id, data.said, data.did, data.quote_ids(), actor=actor_of(request), ip_address=client_ip(request))
        except LookupError:
            raise NotFoundException("There is no such finding.") from None
        except PublishRefused as refused:
            return await self._page(request, finding_id, error=str(refused), form=data, status=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(f"/findings/{finding_id}/publish?done=published", status_code=HTTP_303_SEE_OTHER)

    @post("/translation", name="finding_publish_translation")
    async def translation(self, request: Request, finding_id: RowId, data: Annotated[TranslationForm, Form]) -> Template | Redirect:
        try:
            await services.translate(finding_id, data.language, data.said, data.did, actor=actor_of(request), ip_address=client_ip(request))
        except PublishRefused as refused:
            return await self._page(request, finding_id, translation_error=str(refused), status=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(f"/findings/{finding_id}/publish?done=translated", status_code=HTTP_303_SEE_OTHER)

    @post("/withdraw", name="finding_publish_withdraw")
    async def withdraw(self, request: Request, finding_id: RowId) -> Template | Redirect:
        try:
            await services.withdraw(finding_id, actor=actor_of(request), ip_address=client_ip(request))
        except PublishRefused as refused:
            return await self._page(request, finding_id, error=str(refused), status=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(f"/findings/{finding_id}/publish?done=withdrawn", status_code=HTTP_303_SEE_OTHER)

    async def _page(self, request: Request, finding_id: int, *, done: str = "", error: str = "", translation_error: str = "",
                    form: PublishForm | None = None, status: int = 200) -> Template:
        view = await findings.finding_view(signed_in_user(request), finding_id)
        if view is None:
            raise NotFoundException("There is no such finding.")
        publication = await services.publication_of(finding_id)
        said = form.said if form else (publication["said"] if publication else view.row["summary"])
        did = form.did if form else (publication["did"] if publication else "")
        chosen = set(form.quote_ids()) if form else set(publication["quote_ids"] if publication else [])
        return Template("you_said_we_did/publish.html", status_code=status, context={
            "view": view, "publication": publication, "said": said, "did": did, "chosen": chosen, "done": done,
            "error": error, "translation_error": translation_error, "readability": services.readability(said, did),
            "target": TARGET_READING_AGE, "languages": [code for code in i18n.interface_languages() if code != i18n.DEFAULT_LANGUAGE],
            "language_name": lambda code: i18n.language(code).name,
        })


def _language(request: Request, lang: str) -> str:
    return i18n.interface_language(lang, request.headers.get("accept-language", ""))


class YouSaidWeDidController(Controller):
    """The public pages: the partnership's, and one per survey (linked from its thank-you page)."""

    path = "/you-said-we-did"
    include_in_schema = False
    opt = PUBLIC

    @get("/", name="you_said_we_did")
    async def partnership(self, request: Request, lang: FromQuery[str] = "") -> Template:
        language = _language(request, lang)
        return Template("you_said_we_did/public.html", context=participant_context(
            language, entries=await services.entries(language), survey=None, page_path="/you-said-we-did"))

    @get("/{code:str}", name="you_said_we_did_survey")
    async def survey(self, request: Request, code: str, lang: FromQuery[str] = "") -> Template:
        language = _language(request, lang)
        survey = await services.survey_by_code(code[:40])
        if survey is None:
            raise NotFoundException("There is no survey with that code.")
        return Template("you_said_we_did/public.html", context=participant_context(
            language, entries=await services.entries(language, survey_id=survey["id"]), survey=survey,
            page_path=f"/you-said-we-did/{survey['public_code']}"))


class ReceiptFollowController(Controller):
    """A receipt holder leaves an email to hear when what happened changes, or takes it away."""

    path = "/receipt"
    include_in_schema = False
    opt = PUBLIC

    @post("/follow", name="receipt_follow", middleware=[receipt_rate_limit.middleware])
    async def follow(self, request: Request, data: FollowBody) -> Template:
        return await self._act(request, data, following=True)

    @post("/unfollow", name="receipt_unfollow", middleware=[receipt_rate_limit.middleware])
    async def unfollow(self, request: Request, data: FollowBody) -> Template:
        return await self._act(request, data, following=False)

    async def _act(self, request: Request, data: FollowForm, *, following: bool) -> Template:
        from surveys.participation.receipt_controllers import _language as receipt_language
        from surveys.participation.receipt_controllers import _not_found

        own = await receipts.own_answers(data.receipt)
        if own.found is not receipts.Found.held:
            return _not_found(request, data.receipt, own.found)
        hashed = receipts.receipt_hash(data.receipt)
        error = ""
        if following:
            try:
                await services.follow(hashed, data.email)
            except services.NotAnEmail:
                error = services.NOT_AN_EMAIL
        else:
            await services.unfollow(hashed)
        language = receipt_language(request)
        status = HTTP_400_BAD_REQUEST if error else 200
        return Template("participation/receipt_answers.html", status_code=status, context=participant_context(
            language, own=own, receipt=data.receipt.strip(), happened=await services.what_happened(hashed, language),
            follow_error=error, follow_done="following" if following and not error else ("stopped" if not following else "")))


