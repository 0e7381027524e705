"""Participant pages: joining, answering, saving for later, sending. No accounts, no JavaScript needed.

The draft's secret token is in the page address (not a cookie), so nothing about a participant is
left in the browser's storage; kiosk mode goes back to the start after each person.
"""

from __future__ import annotations

from dataclasses import replace

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND

from app.accounts.auth import PUBLIC
from app.web.requests import AppSettings
from app.web.templating import NEUTRAL_SITE
from surveys.participation import codes, consent, i18n
from surveys.participation.contact import CONTACT_LIMIT, ContactAnswer, take_contact
from surveys.participation.forms import read_form
from surveys.participation.layout import participant_context
from surveys.participation.text import N_, Message, TamperedForm
from surveys.questionnaires import definitions, drafts, finding, submitting
from surveys.questionnaires.definition import (
    REQUIRED_MESSAGE,
    PageResult,
    SurveyDef,
    form_values,
    read_page,
)
from surveys.questionnaires.tables import ResponseMode, SurveyStatus, UnderThirteenRoute

# Participant pages are small forms: anything bigger than this is not one of ours.
MAX_PARTICIPANT_BODY = 256 * 1024
PROBLEM_STATUS = {"not_found": 404, "closed": 410, "not_open_yet": 403, "full": 410, "tampered": 400, "gone": 404, "sent": 200}


def problem(reason: str, language: str = "en", survey: SurveyDef | None = None) -> Template:
    return Template(
        "questionnaires/participant/problem.html",
        context=participant_context(language, reason=reason, survey=survey),
        status_code=PROBLEM_STATUS.get(reason, 400),
    )


async def _open_survey(code: str) -> dict:
    survey = await finding.survey_by_public_code(code)
    if survey is None:
        raise _Problem("not_found")
    try:
        await finding.check_open(survey)
    except finding.SurveyUnavailable as unavailable:
        raise _Problem(unavailable.reason, survey) from None
    return survey


class _Problem(Exception):
    def __init__(self, reason: str, survey: dict | None = None):
        super().__init__(reason)
        self.reason = reason
        self.survey = survey


async def _localised(survey: dict, language: str, draft: drafts.DraftState | None = None) -> tuple[SurveyDef, bool]:
    """The survey in `language`; for a draft of an under-13 on the shorter route, the shorter survey."""
    definition, missing = await definitions.participant_definition(survey, language)
    if draft is not None and consent.takes_shorter_survey(survey, draft.consent.age_band):
        definition = definition.for_under_13s()
    return definition, missing


async def _welcome_page(request: Request, survey: dict, language: str, *, kiosk: bool, sent: bool = False,
                        form: dict | None = None, error: Message | None = None, status: int = 200) -> Template:
    definition, missing = await _localised(survey, language)
    languages = [i18n.language(c) for c in definition.languages]
    form = form or {}
    return Template("questionnaires/participant/welcome.html", status_code=status, context=participant_context(
        language, survey=definition, code=survey["public_code"], languages=languages, missing=missing,
        kiosk=kiosk, sent=sent, local_contact=definition.local_contact,
        notice=consent.notice(survey["retention_months"]), notice_version=consent.NOTICE_VERSION,
        asks_age=consent.asks_age(survey["audience"]), age_bands=consent.AGE_BANDS,
        parent_statement=consent.PARENT_STATEMENT if survey["under_13_route"] == UnderThirteenRoute.parent_statement else "",
        chosen_age=form.get("age_band", [""])[0], parent_ticked=form.get("parent_statement", [""])[0] == "1",
        easy_read_ticked=form.get("easy_read", [""])[0] == "1", error=error))


def _pick_language(request: Request, survey: dict, chosen: str) -> str:
    offered = list(survey["languages"] or ["en"])
    if chosen in offered:
        return chosen
    return i18n.from_accept_language(request.headers.get("accept-language", ""), offered)


class JoinController(Controller):
    path = "/join"
    include_in_schema = False
    opt = PUBLIC

    @get("/", name="join")
    async def join(self, code: FromQuery[str | None] = None) -> Template | Redirect:
        if code is None:
            return Template("questionnaires/participant/join.html", context=participant_context("en", code="", error=""))
        if not code.strip():
            return Template("questionnaires/participant/join.html", status_code=HTTP_400_BAD_REQUEST,
                            context=participant_context("en", code="", error=N_("Please type the code, then press Join.")))
        found = await finding.survey_by_join_code(code)
        if found and found["status"] in (SurveyStatus.published, SurveyStatus.closed):
            # The survey's own page says whether it is open, closed or full: the same words as its link.
            return Redirect(f"/s/{found['public_code']}", status_code=303)
        error = N_("We could not find a survey with that code. Check it and try again.")
        return Template("questionnaires/participant/join.html", context=participant_context("en", code=code[:20], error=error),
                        status_code=HTTP_404_NOT_FOUND)


class ParticipantController(Controller):
    path = "/s/{code:str}"
    include_in_schema = False
    opt = PUBLIC
    request_max_body_size = MAX_PARTICIPANT_BODY

    async def _welcome(self, request: Request, code: str, lang: str, kiosk: bool, sent: bool = False) -> Template:
        try:
            survey = await _open_survey(code)
        except _Problem as p:
            return problem(p.reason)
        return await _welcome_page(request, survey, _pick_language(request, survey, lang), kiosk=kiosk, sent=sent)

    @get("/", name="survey_start")
    async def welcome(self, request: Request, code: FromPath[str], lang: FromQuery[str] = "") -> Template:
        return await self._welcome(request, code, lang, kiosk=False)

    @get("/kiosk", name="survey_kiosk")
    async def kiosk(self, request: Request, code: FromPath[str], lang: FromQuery[str] = "", sent: FromQuery[bool] = False) -> Template:
        return await self._welcome(request, code, lang, kiosk=True, sent=sent)

    @post("/start", name="survey_begin")
    async def begin(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        try:
            survey = await _open_survey(code)
            form = await read_form(request)
        except _Problem as p:
            return problem(p.reason)
        except TamperedForm:
            return problem("tampered")
        language = form.get("lang", [""])[0]
        if language not in (survey["languages"] or ["en"]):
            language = _pick_language(request, survey, "")
        mode = ResponseMode.kiosk if form.get("mode", [""])[0] == "kiosk" else ResponseMode.online
        try:
            agreement = consent.read_agreement(form, survey)
        except consent.NotAgreed as not_agreed:
            return await _welcome_page(request, survey, language, kiosk=mode == ResponseMode.kiosk, form=form,
                                       error=Message(not_agreed.message), status=HTTP_400_BAD_REQUEST)
        easy_read = form.get("easy_read", [""])[0] == "1" or survey["easy_read"]
        token = await drafts.start_draft(survey, language=language, mode=mode, easy_read=easy_read, agreement=agreement)
        return Redirect(f"/s/{survey['public_code']}/d/{token}", status_code=303)

    @get("/d/{token:str}", name="survey_page")
    async def page(self, request: Request, code: FromPath[str], token: FromPath[str],
                   page: FromQuery[str] = "", last: FromQuery[str] = "") -> Template:
        try:
            survey = await _open_survey(code)
        except _Problem as p:
            return problem(p.reason)
        draft = await drafts.load_draft(survey["id"], token)
        if draft is None:
            # Back after sending finds the draft gone: say the answers arrived (never what they were).
            if await submitting.was_submitted(token):
                return problem("sent", _pick_language(request, survey, ""))
            return problem("gone", survey=None)
        definition, missing = await _localised(survey, draft.language, draft)
        pages = _pages(definition, draft)
        # A page number we did not link to (typed, cut short, out of range) shows where they are up to.
        number = int(page) if page.isascii() and page.isdigit() and len(page) < 4 else 0
        if not 1 <= number <= len(pages) or number > draft.furthest_page:
            number = min(draft.furthest_page, len(pages))
        return _render_page(survey, definition, missing, draft, token, pages, number, PageResult(), status=200,
                            last_page_notice=last == "1" and number == len(pages))

    @post("/d/{token:str}", name="survey_answer")
    async def answer(self, request: Request, settings: AppSettings, code: FromPath[str], token: FromPath[str]) -> Template | Redirect:
        survey = await finding.survey_by_public_code(code)
        if survey is None:
            return problem("not_found")
        # A retry of a send that already worked (double tap, refresh, dropped connection).
        earlier = await submitting.find_submission(token, settings.secret_key)
        if earlier is not None:
            return await _thanks(survey, earlier, request)
        try:
            await finding.check_open(survey)
        except finding.SurveyUnavailable as unavailable:
            return problem(unavailable.reason)
        draft = await drafts.load_draft(survey["id"], token)
        if draft is None:
            # A double tap whose twin has just sent the answers (and deleted the draft) meanwhile.
            if (earlier := await submitting.find_submission(token, settings.secret_key)) is not None:
                return await _thanks(survey, earlier, request)
            return problem("gone")
        definition, missing = await _localised(survey, draft.language, draft)
        pages = _pages(definition, draft)
        try:
            form = await read_form(request)
            contact = take_contact(form, survey)
            number = int(form.get("page", ["0"])[0])
            action = form.get("action", ["next"])[0]
            if not 1 <= number <= min(len(pages), draft.furthest_page) or action not in ("next", "back", "save", "submit"):
                raise TamperedForm("page or action out of range")
            current = pages[number - 1]
            candidates = _paging(definition, draft).with_revealable(current)
            result = read_page(form, candidates, require=False)
            answers = {k: v for k, v in draft.answers.items() if k not in result.cleared}
            answers.update(result.answers)
            visible = {q.key for q in definition.visible_questions(answers)}
            if set(result.answers) - visible:
                raise TamperedForm("an answer to a question that is not shown")
        except TamperedForm:
            return problem("tampered", draft.language, definition)
        if action in ("next", "submit"):
            for question in candidates:
                if question.required and question.key in visible and question.key not in answers and question.key not in result.errors:
                    result.errors[question.key] = Message(REQUIRED_MESSAGE)
        if not result.ok or (contact is not None and contact.error is not None):
            shown = replace(draft, answers=definition.keep_visible(answers))
            return _render_page(survey, definition, missing, shown, token, _pages(definition, shown), number, result,
                                status=HTTP_400_BAD_REQUEST, contact=contact)
        draft.answers = definition.keep_visible(answers)
        if contact is not None:
            draft.contact_details = contact.to_store
        pages = _pages(definition, draft)
        # What the participant has seen: the page as sent, and what the page's script revealed.
        seen = {q.key for q in current.questions} | set(form.get("_seen", []))
        if action in ("next", "submit") and number <= len(pages) and not {q.key for q in pages[number - 1].questions} <= seen:
            # Without the script, an answer here revealed another question on this page: show it first.
            first_new = next(q.key for q in pages[number - 1].questions if q.key not in seen)
            await drafts.save_draft(draft, furthest_page=number)
            return Redirect(f"/s/{survey['public_code']}/d/{token}?page={number}#{first_new}", status_code=303)
        if action == "back":
            await drafts.save_draft(draft)
            return Redirect(f"/s/{survey['public_code']}/d/{token}?page={max(number - 1, 1)}", status_code=303)
        if action == "save":
            await drafts.save_draft(draft, furthest_page=number)
            resume_code = await drafts.issue_resume_code(draft)
            return Template("questionnaires/participant/saved.html", context=participant_context(
                draft.language, survey=definition, code=survey["public_code"], resume_code=codes.grouped(resume_code),
                local_contact=definition.local_contact))
        if number < len(pages):
            await drafts.save_draft(draft, furthest_page=number + 1)
            return Redirect(f"/s/{survey['public_code']}/d/{token}?page={number + 1}", status_code=303)
        if action == "next":
            # "Next" on what turned out to be the last page never sends: it asks first.
            await drafts.save_draft(draft, furthest_page=number)
            return Redirect(f"/s/{survey['public_code']}/d/{token}?page={number}&last=1", status_code=303)
        missing_required = definition.missing_required(draft.answers)
        if missing_required:
            await drafts.save_draft(draft)
            first = next(p.number for p in pages if any(q in p.questions for q in missing_required))
            return Redirect(f"/s/{survey['public_code']}/d/{token}?page={first}", status_code=303)
        try:
            submitted = await submitting.submit_draft(definition, token, draft, secret_key=settings.secret_key)
        except finding.SurveyUnavailable as unavailable:  # the cap was reached while this phone answered
            return problem(unavailable.reason, draft.language, definition)
        return await _thanks(survey, submitted, request, draft.mode, draft.language)

    @get("/d/{token:str}/exit", name="survey_quick_exit")
    async def quick_exit(self, code: FromPath[str], token: FromPath[str]) -> Redirect:
        """Quick exit from a page with unsent answers: delete them, then leave for the neutral site,
        so that Back on this phone shows nothing of what was typed."""
        survey = await finding.survey_by_public_code(code)
        if survey is not None:
            await drafts.discard_draft(survey["id"], token)
        return Redirect(NEUTRAL_SITE, status_code=303)

    @get("/resume", name="survey_resume")
    async def resume_form(self, request: Request, code: FromPath[str], lang: FromQuery[str] = "") -> Template:
        try:
            survey = await _open_survey(code)
        except _Problem as p:
            return problem(p.reason)
        language = _pick_language(request, survey, lang)
        definition, _ = await _localised(survey, language)
        return Template("questionnaires/participant/resume.html", context=participant_context(
            language, survey=definition, code=survey["public_code"], error="", local_contact=definition.local_contact))

    @post("/resume", name="survey_resume_post")
    async def resume(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        try:
            survey = await _open_survey(code)
            form = await read_form(request)
        except _Problem as p:
            return problem(p.reason)
        except TamperedForm:
            return problem("tampered")
        token = await drafts.resume(survey["id"], form.get("resume_code", [""])[0][:40])
        if token is None:
            language = _pick_language(request, survey, "")
            definition, _ = await _localised(survey, language)
            return Template("questionnaires/participant/resume.html", status_code=HTTP_404_NOT_FOUND, context=participant_context(
                language, survey=definition, code=survey["public_code"], local_contact=definition.local_contact,
                error=N_("That code did not work. Codes last 14 days. Check it, or start again.")))
        return Redirect(f"/s/{survey['public_code']}/d/{token}", status_code=303)


def _paging(definition: SurveyDef, draft: drafts.DraftState) -> SurveyDef:
    """Easy read asks one question at a time, whatever the survey's own setting."""
    if draft.easy_read and not definition.one_question_per_page:
        return replace(definition, one_question_per_page=True)
    return definition


def _pages(definition: SurveyDef, draft: drafts.DraftState):
    return _paging(definition, draft).pages(draft.answers)


def _render_page(survey, definition, missing, draft, token, pages, number, result: PageResult, *, status: int,
                 last_page_notice: bool = False, contact: ContactAnswer | None = None) -> Template:
    current = pages[number - 1]
    shown = {q.key for q in current.questions}
    paging = _paging(definition, draft)
    questions = paging.with_revealable(current)
    outlook = paging.outlook(draft.answers, questions)
    values = {}
    for question in questions:
        values.update(form_values(question, draft.answers.get(question.key)))
    if result.errors:
        values.update(result.raw)  # show what was sent, to be put right
    return Template(
        "questionnaires/participant/page.html",
        status_code=status,
        context=participant_context(
            draft.language, survey=definition, code=survey["public_code"], token=token, page=current,
            questions=questions, shown=shown, on_page={q.key for q in questions}, total=len(pages), values=values, errors=result.errors, missing=missing, easy_read=draft.easy_read,
            kiosk=draft.mode == ResponseMode.kiosk, local_contact=definition.local_contact,
            quick_exit_url=f"/s/{survey['public_code']}/d/{token}/exit",
            outlook=outlook, sends=number == len(pages) and not outlook.could_grow, last_page_notice=last_page_notice,
            # The optional contact question sits on the last page, after the survey's own questions.
            ask_contact=survey["ask_contact"] and number == len(pages),
            contact=contact or ContactAnswer("yes" if draft.contact_details else "", draft.contact_details),
            contact_limit=CONTACT_LIMIT,
        ),
    )


async def _thanks(survey: dict, submitted: submitting.Submitted, request: Request, mode: str | None = None, language: str = "") -> Template | Redirect:
    language = language or _pick_language(request, survey, "")
    if (mode or submitted.mode) == ResponseMode.kiosk:
        # The next person must find no trace: back to the start, no receipt on screen.
        return Redirect(f"/s/{survey['public_code']}/kiosk?sent=1&lang={language}", status_code=303)
    definition, _ = await _localised(survey, language)
    return Template("questionnaires/participant/thanks.html", context=participant_context(
        language, survey=definition, receipt=codes.grouped(submitted.receipt), flagged=submitted.flagged,
        contact_left=submitted.contact_left,
        repeated=submitted.repeated, local_contact=definition.local_contact, code=survey["public_code"]))

