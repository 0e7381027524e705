"""Staff pages for surveys: the builder, sharing, translations, paper entry, results and exports."""

from __future__ import annotations

import secrets
from functools import partial
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from analysis import readability
from app.accounts.auth import CurrentUser, requires
from app.accounts.roles import Permission, Role
from app.accounts.schemas import Form
from app.audit.services import AuditAction, record
from app.governance.tables import Outcome, Project
from app.web.links import public_link
from app.web.requests import AppSettings, RowId, actor_of, client_ip, signed_in_user
from surveys.participation import charts, codes, i18n
from surveys.participation.forms import read_form
from surveys.participation.layout import participant_context
from surveys.participation.qr import qr_svg_file, qr_svg_inline
from surveys.participation.text import Message
from surveys.questionnaires import bank, building, definitions, drafts, exports, finding, results, submitting
from surveys.questionnaires import responses as survey_responses
from surveys.questionnaires import translations as survey_translations
from surveys.questionnaires.definition import (
    AUDIENCE_LABELS,
    FACES,
    KIND_LABELS,
    OPTION_KINDS,
    Condition,
    PageResult,
    QuestionDef,
    SurveyDef,
    read_page,
)
from surveys.questionnaires.schemas import QuestionForm, SectionForm, SurveyForm, parse_condition
from surveys.questionnaires.tables import Audience, QuestionKind, ResponseMode, SurveyStatus

# The reading age each audience's questions should not go above (plain English guidance).
TARGET_READING_AGE = {
    Audience.children: 9,
    Audience.young_people: 11,
    Audience.young_adults: 12,
    Audience.parents_carers: 11,
    Audience.staff: 14,
}
UNSCOPED_RESULT_ROLES = {Role.participation_lead, Role.facilitator, Role.analyst}


def _user(request: Request) -> CurrentUser:
    return signed_in_user(request)


async def _survey(survey_id: int) -> dict:
    survey = await finding.get_survey(survey_id)
    if survey is None:
        raise NotFoundException("There is no such survey.")
    return survey


async def may_see_results(user: CurrentUser, survey: dict) -> bool:
    """Project leads and board members see only surveys of their own projects and boards."""
    if user.roles & UNSCOPED_RESULT_ROLES:
        return True
    if not survey["project"]:
        return False
    if Role.project_lead in user.roles and survey["project"] in user.project_ids:
        return True
    if Role.board_member in user.roles:
        project = await Project.select(Project.reports_to).where(Project.id == survey["project"]).first()
        return bool(project and project["reports_to"] in user.board_ids)
    return False


async def _visible_survey(request: Request, survey_id: int) -> dict:
    survey = await _survey(survey_id)
    if not await may_see_results(_user(request), survey):
        raise NotFoundException("There is no such survey.")
    return survey


def viewer_for(user: CurrentUser) -> results.Viewer:
    return results.Viewer(
        reveal_small_groups=user.can(Permission.view_small_groups),
        raw_text=user.can(Permission.view_raw_free_text),
    )


def plain_language(question: QuestionDef, audience: str) -> dict:
    """Reading age of the question against its audience's target, and jargon in it, its hint or answers."""
    target = TARGET_READING_AGE[Audience(audience)]
    reading_age = readability.assess(question.text).reading_age
    wording = " ".join([question.text, question.hint] + [o.label for o in question.options if question.kind is not QuestionKind.rating])
    return {"reading_age": reading_age, "target": target, "too_hard": reading_age > target, "jargon": readability.find_jargon(wording)}


def _survey_link(settings, survey: dict) -> str:
    return public_link(settings, f"/s/{survey['public_code']}")


async def _outcomes() -> list[dict]:
    return await Outcome.select(Outcome.number, Outcome.statement).order_by(Outcome.number)


async def _projects() -> list[dict]:
    return await Project.select(Project.id, Project.reference, Project.focus).order_by(Project.position)


def _condition_choices(definition: SurveyDef, before: QuestionDef | None = None, section_id: int | None = None) -> list[dict]:
    """Every earlier choice question with its answers, for the skip-logic checkboxes."""
    choices = []
    for section in definition.sections:
        if section_id is not None and section.id == section_id and before is None:
            break
        for q in section.questions:
            if before is not None and q.key == before.key:
                return choices
            if q.kind in OPTION_KINDS and q.kind is not QuestionKind.ranking:
                choices.append({"key": q.key, "text": q.text,
                                "options": [{"value": f"{q.key}={o.value}", "label": o.label} for o in q.options]})
    return choices


def describe_condition(definition: SurveyDef, condition: Condition | None) -> str:
    """Skip logic in the builder's own words: the question and answers as written, never their keys."""
    if condition is None:
        return ""
    question = next((q for q in definition.questions if q.key == condition.question), None)
    if question is None:
        return f"{condition.question} is {' or '.join(sorted(condition.values))}"
    labels = [o.label for o in question.options if o.value in condition.values]
    labels += sorted(condition.values - {o.value for o in question.options})
    return f"“{question.text}” is " + " or ".join(f"“{label}”" for label in labels)


class SurveyBuilderController(Controller):
    path = "/staff/surveys"
    tags = ["surveys"]
    include_in_schema = False
    guards = requires(Permission.build_surveys)

    async def _form_page(self, template: str, status: int = 200, **context) -> Template:
        return Template(template, status_code=status, context={
            "audiences": AUDIENCE_LABELS, "languages": [i18n.language(c) for c in i18n.SURVEY_LANGUAGES],
            "projects": await _projects(), **context})

    @get("/new", name="survey_new")
    async def new(self) -> Template:
        return await self._form_page("questionnaires/staff/survey_form.html", survey=None, error="")

    @post("/new", name="survey_create")
    async def create(self, request: Request, data: Annotated[SurveyForm, Form]) -> Template | Redirect:
        try:
            survey_id = await building.create_survey(data.to_fields(), created_by=_user(request).id)
        except building.BuildError as error:
            return await self._form_page("questionnaires/staff/survey_form.html", 400, survey=None, error=str(error), form=data)
        return Redirect(f"/staff/surveys/{survey_id}/build")

    @get("/{survey_id:int}/settings", name="survey_settings")
    async def settings_form(self, survey_id: RowId) -> Template:
        return await self._form_page("questionnaires/staff/survey_form.html", survey=await _survey(survey_id), error="")

    @post("/{survey_id:int}/settings", name="survey_settings_save")
    async def save_settings(self, survey_id: RowId, data: Annotated[SurveyForm, Form]) -> Template | Redirect:
        survey = await _survey(survey_id)
        try:
            await building.update_survey(survey_id, data.to_fields())
        except building.BuildError as error:
            return await self._form_page("questionnaires/staff/survey_form.html", 400, survey=survey, error=str(error), form=data)
        return Redirect(f"/staff/surveys/{survey_id}/build?saved=1")

    @get("/{survey_id:int}/build", name="survey_builder")
    async def builder(self, survey_id: RowId, saved: FromQuery[bool] = False, error: FromQuery[str] = "") -> Template:
        return await self._builder(survey_id, notice="Saved." if saved else "", error=error[:300])

    async def _builder(self, survey_id: int, *, notice: str = "", error: str = "", status: int = 200) -> Template:
        survey = await _survey(survey_id)
        definition = await definitions.load_definition(survey_id)
        return Template("questionnaires/staff/builder.html", status_code=status, context={
            "survey": survey, "definition": definition, "kinds": KIND_LABELS, "audiences": AUDIENCE_LABELS,
            "checks": {q.key: plain_language(q, survey["audience"]) for q in definition.questions}, "outcomes": await _outcomes(),
            "bank": await bank.bank_questions(), "condition_choices": _condition_choices(definition),
            "notice": notice, "error": error, "editable": survey["status"] == SurveyStatus.draft,
            "describe": partial(describe_condition, definition), "responses": await finding.response_count(survey_id),
            "languages": [i18n.language(c) for c in survey["languages"] if c != "en"],
        })

    async def _build_action(self, survey_id: int, action) -> Template | Redirect:
        try:
            await action()
        except building.BuildError as error:
            return await self._builder(survey_id, error=str(error), status=400)
        return Redirect(f"/staff/surveys/{survey_id}/build?saved=1")

    @post("/{survey_id:int}/sections", name="survey_add_section")
    async def add_section(self, survey_id: RowId, data: Annotated[SectionForm, Form]) -> Template | Redirect:
        async def action():
            await building.add_section(survey_id, title=data.title.strip(), intro=data.intro.strip(), show_if=parse_condition(data.show_if))
        return await self._build_action(survey_id, action)

    @get("/{survey_id:int}/sections/{section_id:int}", name="survey_section")
    async def section_form(self, survey_id: RowId, section_id: RowId) -> Template:
        return await self._section_page(survey_id, section_id)

    async def _section_page(self, survey_id: int, section_id: int, *, error: str = "", status: int = 200) -> Template:
        survey = await _survey(survey_id)
        definition = await definitions.load_definition(survey_id)
        section = next((s for s in definition.sections if s.id == section_id), None)
        if section is None:
            raise NotFoundException("There is no such section.")
        return Template("questionnaires/staff/section_form.html", status_code=status, context={
            "survey": survey, "section": section, "error": error, "editable": survey["status"] == SurveyStatus.draft,
            "condition_choices": _condition_choices(definition, section_id=section_id)})

    @post("/{survey_id:int}/sections/{section_id:int}", name="survey_section_save")
    async def save_section(self, survey_id: RowId, section_id: RowId, data: Annotated[SectionForm, Form]) -> Template | Redirect:
        definition = await definitions.load_definition(survey_id)
        if not any(s.id == section_id for s in definition.sections):
            raise NotFoundException("There is no such section.")
        try:
            await building.update_section(section_id, title=data.title.strip(), intro=data.intro.strip(), show_if=parse_condition(data.show_if))
        except building.BuildError as error:
            return await self._section_page(survey_id, section_id, error=str(error), status=400)
        return Redirect(f"/staff/surveys/{survey_id}/build?saved=1#section-{section_id}")

    @post("/{survey_id:int}/questions", name="survey_add_question")
    async def add_question(self, survey_id: RowId, data: Annotated[QuestionForm, Form]) -> Template | Redirect:
        async def action():
            await building.add_question(survey_id, data.section, data.to_fields())
        return await self._build_action(survey_id, action)

    @get("/{survey_id:int}/questions/{question_id:int}", name="survey_question")
    async def question_form(self, survey_id: RowId, question_id: RowId) -> Template:
        return await self._question_page(survey_id, question_id)

    async def _question_page(self, survey_id: int, question_id: int, *, error: str = "", status: int = 200) -> Template:
        survey = await _survey(survey_id)
        definition = await definitions.load_definition(survey_id)
        question = next((q for q in definition.questions if q.id == question_id), None)
        if question is None:
            raise NotFoundException("There is no such question.")
        return Template("questionnaires/staff/question_form.html", status_code=status, context={
            "survey": survey, "question": question, "kinds": KIND_LABELS, "outcomes": await _outcomes(),
            "condition_choices": _condition_choices(definition, before=question), "error": error, "check": plain_language(question, survey["audience"]),
            "sections": definition.sections, "editable": survey["status"] == SurveyStatus.draft,
        })

    @post("/{survey_id:int}/questions/{question_id:int}", name="survey_question_save")
    async def save_question(self, survey_id: RowId, question_id: RowId, data: Annotated[QuestionForm, Form]) -> Template | Redirect:
        definition = await definitions.load_definition(survey_id)
        question = next((q for q in definition.questions if q.id == question_id), None)
        if question is None:
            raise NotFoundException("There is no such question.")
        try:
            await building.update_question(question_id, data.to_fields(question.options))
        except building.BuildError as error:
            return await self._question_page(survey_id, question_id, error=str(error), status=400)
        return Redirect(f"/staff/surveys/{survey_id}/build?saved=1#question-{question_id}")

    @post("/{survey_id:int}/questions/{question_id:int}/{action:str}", name="survey_question_action")
    async def question_action(self, survey_id: RowId, question_id: RowId, action: FromPath[str]) -> Template | Redirect:
        await self._own_question(survey_id, question_id)
        actions = {
            "up": lambda: building.move_question(question_id, -1),
            "down": lambda: building.move_question(question_id, +1),
            "duplicate": lambda: building.duplicate_question(question_id),
            "delete": lambda: building.delete_question(question_id),
            "bank": lambda: bank.save_to_bank(question_id),
        }
        if action not in actions:
            raise NotFoundException("Unknown action.")
        return await self._build_action(survey_id, actions[action])

    async def _own_question(self, survey_id: int, question_id: int) -> None:
        definition = await definitions.load_definition(survey_id)
        if not any(q.id == question_id for q in definition.questions):
            raise NotFoundException("There is no such question.")

    @post("/{survey_id:int}/bank", name="survey_add_from_bank")
    async def add_from_bank(self, request: Request, survey_id: RowId) -> Template | Redirect:
        form = await read_form(request)
        try:
            bank_id, section_id = int(form.get("bank_question", ["0"])[0]), int(form.get("section", ["0"])[0])
        except ValueError:
            return await self._builder(survey_id, error="Choose a question from the bank.", status=400)
        return await self._build_action(survey_id, lambda: bank.add_from_bank(survey_id, section_id, bank_id))

    @post("/{survey_id:int}/status", name="survey_status")
    async def change_status(self, request: Request, survey_id: RowId) -> Template | Redirect:
        form = await read_form(request)
        action = form.get("action", [""])[0]
        return await self._build_action(survey_id, lambda: building.change_status(survey_id, action))

    @post("/{survey_id:int}/duplicate", name="survey_duplicate")
    async def duplicate(self, request: Request, survey_id: RowId) -> Redirect:
        await _survey(survey_id)
        new_id = await building.duplicate_survey(survey_id, created_by=_user(request).id)
        return Redirect(f"/staff/surveys/{new_id}/build?saved=1")

    @get("/{survey_id:int}/preview", name="survey_preview")
    async def preview(self, survey_id: RowId, lang: FromQuery[str] = "en", easy_read: FromQuery[bool] = False) -> Template:
        survey = await _survey(survey_id)
        language = lang if lang in survey["languages"] else "en"
        definition, missing = definitions.localise(
            await definitions.load_definition(survey_id), language, await definitions.translations_for(survey_id, language))
        return Template("questionnaires/staff/preview.html", context=participant_context(
            language, survey=definition, survey_id=survey_id, missing=missing, easy_read=easy_read,
            local_contact=definition.local_contact, languages=[i18n.language(c) for c in survey["languages"]]))

    @get("/{survey_id:int}/translations/{language:str}", name="survey_translations")
    async def translations(self, survey_id: RowId, language: FromPath[str], saved: FromQuery[bool] = False) -> Template:
        return await self._translations_page(survey_id, language, notice="Saved." if saved else "")

    async def _translations_page(self, survey_id: int, language: str, *, notice: str = "", error: str = "", status: int = 200, typed=None) -> Template:
        survey = await _survey(survey_id)
        if language not in survey["languages"] or language == "en":
            raise NotFoundException("This survey is not offered in that language; add it in the survey's settings.")
        definition = await definitions.load_definition(survey_id)
        current = typed if typed is not None else await definitions.translations_for(survey_id, language)
        keys = survey_translations.text_keys(definition)
        return Template("questionnaires/staff/translations.html", status_code=status, context={
            "survey": survey, "language": i18n.language(language), "keys": keys, "current": current,
            "done": sum(1 for k, _, _ in keys if current.get(k)), "notice": notice, "error": error})

    @post("/{survey_id:int}/translations/{language:str}", name="survey_translations_save")
    async def save_translations(self, request: Request, survey_id: RowId, language: FromPath[str]) -> Template | Redirect:
        survey = await _survey(survey_id)
        if language not in survey["languages"] or language == "en":
            raise NotFoundException("This survey is not offered in that language.")
        form = await read_form(request)
        texts = {k[2:]: v[0] for k, v in form.items() if k.startswith("t:")}
        if any(len(v) > 4000 for v in texts.values()):
            return await self._translations_page(survey_id, language, error="Keep each text under 4,000 characters.", status=400, typed=texts)
        try:
            await survey_translations.save_translations(survey_id, language, texts)
        except building.BuildError as error:
            return await self._translations_page(survey_id, language, error=str(error), status=400, typed=texts)
        return Redirect(f"/staff/surveys/{survey_id}/translations/{language}?saved=1")

    @get("/{survey_id:int}/share", name="survey_share")
    async def share(self, settings: AppSettings, survey_id: RowId) -> Template:
        survey = await _survey(survey_id)
        link = _survey_link(settings, survey)
        return Template("questionnaires/staff/share.html", context={
            "survey": survey, "link": link, "kiosk_link": link + "/kiosk", "join_code": survey["join_code"],
            "join_link": public_link(settings, "/join"),
            "qr_svg": qr_svg_inline(link, f"QR code for {survey['title']}"),
        })

    @get("/{survey_id:int}/qr.svg", name="survey_qr")
    async def qr(self, settings: AppSettings, survey_id: RowId) -> Response:
        survey = await _survey(survey_id)
        link = _survey_link(settings, survey)
        return Response(qr_svg_file(link, survey["title"]), media_type="image/svg+xml",
                        headers={"Content-Disposition": f'attachment; filename="survey-{survey_id}-qr.svg"'})

    @get("/{survey_id:int}/paper", name="survey_paper")
    async def paper_form(self, survey_id: RowId, saved: FromQuery[str] = "") -> Template:
        return await self._paper_page(survey_id, PageResult(), notice=f"Response saved (receipt {saved[:20]})." if saved else "")

    async def _paper_page(self, survey_id: int, result: PageResult, *, notice: str = "", status: int = 200, mode: str = "paper") -> Template:
        survey = await _survey(survey_id)
        definition = await definitions.load_definition(survey_id)
        return Template("questionnaires/staff/paper.html", status_code=status, context={
            **participant_context("en"), "survey": survey, "definition": definition, "values": result.raw,
            "errors": result.errors, "notice": notice, "submission_id": secrets.token_urlsafe(16), "mode": mode, "faces": FACES,
            "describe": partial(describe_condition, definition)})

    @post("/{survey_id:int}/paper", name="survey_paper_save")
    async def save_paper(self, request: Request, settings: AppSettings, survey_id: RowId) -> Template | Redirect:
        survey = await _survey(survey_id)
        if survey["status"] != SurveyStatus.published:
            return await self._paper_page(survey_id, PageResult(), notice="Only a published survey takes responses.", status=400)
        definition = await definitions.load_definition(survey_id)
        form = await read_form(request)
        mode_value = form.pop("mode", ["paper"])[0]
        submission_id = form.pop("submission_id", [""])[0]
        if mode_value not in (ResponseMode.paper, ResponseMode.assisted) or not 16 <= len(submission_id) <= 40:
            # Only a form our page did not send lacks these: say so on the page, store nothing.
            return await self._paper_page(survey_id, PageResult(), status=400, notice=(
                "That form was not sent the way this page sends it, so nothing was saved. Type the response in again."))
        result = read_page(form, definition.questions, require=False)
        visible = {q.key for q in definition.visible_questions(result.answers)}
        for key in set(result.answers) - visible:
            result.errors[key] = Message("The answers to earlier questions skip this one: leave it blank.")
        if not result.ok:
            return await self._paper_page(survey_id, result, status=400, mode=mode_value)
        submitted = await submitting.store_paper_response(
            definition, result.answers, mode=ResponseMode(mode_value), entered_by=_user(request).id,
            secret_key=settings.secret_key, submission_id=submission_id)
        return Redirect(f"/staff/surveys/{survey_id}/paper?saved={codes.grouped(submitted.receipt)}")


class SurveyResultsController(Controller):
    path = "/staff/surveys"
    tags = ["surveys"]
    guards = requires(Permission.view_results)

    @get("/", name="surveys", include_in_schema=False)
    async def index(self, request: Request, settings: AppSettings, archived: FromQuery[bool] = False) -> Template:
        user = _user(request)
        rows = [s for s in await finding.list_surveys(include_archived=archived) if await may_see_results(user, s)]
        # The count each results page shows: "fewer than 5" there is "fewer than 5" here.
        rows = [{**s, "responses": results.response_count(s["responses"], threshold=settings.small_group_threshold,
                                                          viewer=viewer_for(user))} for s in rows]
        return Template("questionnaires/staff/list.html", context={"surveys": rows, "audiences": AUDIENCE_LABELS, "archived": archived})

    async def _results(self, request: Request, settings, survey_id: int, by: str = "", of: str = ""):
        survey = await _visible_survey(request, survey_id)
        definition = await definitions.load_definition(survey_id)
        responses = await survey_responses.load_responses(definition)
        summary = results.summarise(
            definition, responses, threshold=settings.small_group_threshold, viewer=viewer_for(_user(request)),
            unfinished_pages=await drafts.abandoned_drafts(survey_id), crosstab_by=by or None, crosstab_of=of or None)
        return survey, definition, summary

    @get("/{survey_id:int}", name="survey_results", include_in_schema=False)
    async def results_page(self, request: Request, settings: AppSettings, survey_id: RowId,
                           by: FromQuery[str] = "", of: FromQuery[str] = "") -> Template:
        survey, definition, summary = await self._results(request, settings, survey_id, by[:40], of[:40])
        return Template("questionnaires/staff/results.html", context={
            "survey": survey, "definition": definition, "results": summary, "charts": charts,
            "crosstab_choices": results.crosstab_candidates(definition), "by": by, "of": of,
            "audiences": AUDIENCE_LABELS, "user": _user(request),
        })

    @get("/{survey_id:int}/results.json", name="survey_results_json", summary="A survey's results, small groups suppressed")
    async def results_json(self, request: Request, settings: AppSettings, survey_id: RowId,
                           by: FromQuery[str] = "", of: FromQuery[str] = "") -> dict:
        """Aggregated results: the same numbers, hidden the same way, as the results page."""
        _, _, summary = await self._results(request, settings, survey_id, by[:40], of[:40])
        return results.to_json(summary)

    @get("/{survey_id:int}/results.csv", name="survey_results_csv", include_in_schema=False)
    async def results_csv(self, request: Request, settings: AppSettings, survey_id: RowId) -> Response:
        survey, _, summary = await self._results(request, settings, survey_id)
        await record(AuditAction.data_exported, actor=actor_of(request), target_type="survey", target_id=survey_id,
                     detail={"format": "results-csv", "rows": len(summary.questions)}, ip_address=client_ip(request))
        return Response(exports.results_csv(summary), media_type=exports.FORMATS["csv"],
                        headers={"Content-Disposition": f'attachment; filename="survey-{survey_id}-results.csv"'})


class SurveyExportController(Controller):
    path = "/staff/surveys/{survey_id:int}/export"
    tags = ["surveys"]
    include_in_schema = False
    guards = requires(Permission.export_data)

    @get("/{fmt:str}", name="survey_export")
    async def export(self, request: Request, survey_id: RowId, fmt: FromPath[str]) -> Response:
        """One row per response. Row-level data shows every group, so it needs view_small_groups too."""
        user = _user(request)
        if fmt not in exports.EXPORTERS:
            raise NotFoundException("Exports are csv, xlsx, json or sav.")
        if not user.can(Permission.view_small_groups):
            raise PermissionDeniedException("Row-level exports show small groups; your role may download the results CSV instead.")
        survey = await _visible_survey(request, survey_id)
        definition = await definitions.load_definition(survey_id)
        responses = await survey_responses.load_responses(definition)
        viewer = viewer_for(user)
        body = exports.EXPORTERS[fmt](definition, responses, viewer)
        await record(AuditAction.data_exported, actor=actor_of(request), target_type="survey", target_id=survey_id,
                     detail={"format": fmt, "rows": len(responses), "unredacted": viewer.raw_text}, ip_address=client_ip(request))
        slug = "".join(ch if ch.isalnum() else "-" for ch in survey["title"].lower())[:40].strip("-") or "survey"
        return Response(body, media_type=exports.FORMATS[fmt],
                        headers={"Content-Disposition": f'attachment; filename="{slug}-{survey_id}.{fmt}"'})


class QuestionBankController(Controller):
    path = "/staff/question-bank"
    tags = ["surveys"]
    include_in_schema = False
    guards = requires(Permission.build_surveys)

    @get("/", name="question_bank")
    async def index(self) -> Template:
        return Template("questionnaires/staff/bank.html", context={"bank": await bank.bank_questions(), "kinds": KIND_LABELS})
