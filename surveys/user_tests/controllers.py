"""User-testing pages: staff build and run studies (run mode on a tablet), see results and the
report; a participant fills the SUS on the facilitator's tablet in the participant layout.
Thin: every rule is in the services."""

from __future__ import annotations

import asyncio
from typing import Annotated

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.exceptions import NotFoundException, ServiceUnavailableException
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_303_SEE_OTHER, HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from analysis import usability
from app.accounts.auth import requires
from app.accounts.roles import Permission
from app.accounts.schemas import Form
from app.audit.services import AuditAction, record
from app.governance import services as governance
from app.governance.tables import Project
from app.insights import services as insights
from app.web.requests import AppSettings, RowId, actor_of, client_ip, signed_in_user
from surveys.participation import i18n
from surveys.participation.layout import participant_context
from surveys.user_tests import participants, results, running, studies
from surveys.user_tests.errors import StudyError
from surveys.user_tests.participants import AGE_BANDS, COHORT_LABELS
from surveys.user_tests.schemas import ConsentForm, ParticipantForm, StudyForm, SusForm, TaskEntryForm, TaskForm
from surveys.user_tests.sources import StudyObservationSource
from surveys.user_tests.tables import SubjectKind, SusResponse

SUS_LANGUAGES = ("en", "bn", "ur")
SUBJECT_LABELS = {SubjectKind.service.value: "A service", SubjectKind.page.value: "A page or website",
                  SubjectKind.leaflet.value: "A leaflet", SubjectKind.process.value: "A process"}


async def study_or_404(study_id: int) -> studies.StudyView:
    study = await studies.load_study(study_id)
    if study is None:
        raise NotFoundException("There is no such study.")
    return study


async def participant_or_404(study_id: int, participant_id: int) -> tuple[studies.StudyView, participants.ParticipantView]:
    study = await study_or_404(study_id)
    who = await participants.participant(study.id, participant_id)
    if who is None:
        raise NotFoundException("There is no such participant in this study.")
    return study, who


def wants_json(request: Request) -> bool:
    """Run mode's script saves as you go and asks for JSON; a plain form post gets a page."""
    return "application/json" in request.headers.get("accept", "")



async def _themes(request: Request, settings, run: dict | None) -> list[dict]:
    """The study's themes with their sizes suppressed as every other count is."""
    return await insights.visible_themes(run, threshold=settings.small_group_threshold,
                                         reveal_small_groups=signed_in_user(request).can(Permission.view_small_groups))

class UserTestsController(Controller):
    """Studies: list, create, edit, tasks, participants, run mode, results and report."""

    path = "/staff/user-tests"
    tags = ["user tests"]
    include_in_schema = False

    # --- studies ---------------------------------------------------------------------------------

    @get("/", name="user_tests", guards=requires(Permission.view_results))
    async def index(self, request: Request) -> Template:
        user = signed_in_user(request)
        project_ids = None if user.can(Permission.run_retrospectives) else [p.id for p in await governance.projects_for(user)]
        return Template("user_tests/list.html", context={
            "studies": await studies.list_studies(project_ids), "may_run": user.can(Permission.run_retrospectives)})

    @get("/new", name="user_test_new", guards=requires(Permission.run_retrospectives))
    async def new(self) -> Template:
        return await self._study_form(StudyForm(consent_text=DEFAULT_CONSENT))

    @post("/new", name="user_test_create", guards=requires(Permission.run_retrospectives))
    async def create(self, request: Request, data: Annotated[StudyForm, Form]) -> Template | Redirect:
        try:
            study_id = await studies.create_study(data.fields(), created_by=signed_in_user(request).id)
        except StudyError:
            return await self._study_form(data, errors=await studies.check_fields(data.fields()), status=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(f"/staff/user-tests/{study_id}", status_code=HTTP_303_SEE_OTHER)

    @get("/{study_id:int}", name="user_test", guards=requires(Permission.run_retrospectives))
    async def show(self, study_id: RowId, done: FromQuery[str] = "") -> Template:
        return await self._study_page(await study_or_404(study_id), done=done)

    @post("/{study_id:int}", name="user_test_save", guards=requires(Permission.run_retrospectives))
    async def save(self, study_id: RowId, data: Annotated[StudyForm, Form]) -> Template | Redirect:
        study = await study_or_404(study_id)
        try:
            await studies.update_study(study.id, data.fields())
        except StudyError:
            return await self._study_form(data, study=study, errors=await studies.check_fields(data.fields()),
                                          status=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(f"/staff/user-tests/{study_id}?done=saved", status_code=HTTP_303_SEE_OTHER)

    @get("/{study_id:int}/edit", name="user_test_edit", guards=requires(Permission.run_retrospectives))
    async def edit(self, study_id: RowId) -> Template:
        study = await study_or_404(study_id)
        return await self._study_form(StudyForm(
            title=study.title, subject_kind=study.subject_kind, subject=study.subject, project_id=str(study.project_id or ""),
            goals=study.goals, consent_text=study.consent_text, under_13="on" if study.under_13 else "",
            sus_wording=study.sus_wording), study=study)

    # --- tasks -----------------------------------------------------------------------------------

    @post("/{study_id:int}/tasks", name="user_test_task_add", guards=requires(Permission.run_retrospectives))
    async def add_task(self, study_id: RowId, data: Annotated[TaskForm, Form]) -> Template | Redirect:
        study = await study_or_404(study_id)
        try:
            await studies.add_task(study.id, data.fields())
        except StudyError as refused:
            return await self._study_page(study, task_error=str(refused), task_form=data, status=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(f"/staff/user-tests/{study_id}?done=task", status_code=HTTP_303_SEE_OTHER)

    @post("/{study_id:int}/tasks/{task_id:int}", name="user_test_task_edit", guards=requires(Permission.run_retrospectives))
    async def edit_task(self, study_id: RowId, task_id: RowId, data: Annotated[TaskForm, Form]) -> Template | Redirect:
        study = await study_or_404(study_id)
        if study.task(task_id) is None:
            raise NotFoundException("There is no such task in this study.")
        try:
            current = await studies.edit_task(study.id, task_id, data.fields())
        except StudyError as refused:
            return await self._study_page(study, error=str(refused), status=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(f"/staff/user-tests/{study_id}?done={'versioned' if current != task_id else 'task'}", status_code=HTTP_303_SEE_OTHER)

    # --- participants and run mode --------------------------------------------------------------

    @post("/{study_id:int}/participants", name="user_test_participant_add", guards=requires(Permission.run_retrospectives))
    async def add_participant(self, study_id: RowId, data: Annotated[ParticipantForm, Form]) -> Template | Redirect:
        study = await study_or_404(study_id)
        try:
            who = await participants.add_participant(study.id, age_band=data.age_band, cohort_group=data.cohort_group,
                                                     access_needs=data.access_needs)
        except StudyError as refused:
            return await self._study_page(study, participant_error=str(refused), status=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(f"/staff/user-tests/{study_id}/participants/{who.id}", status_code=HTTP_303_SEE_OTHER)

    @get("/{study_id:int}/participants/{participant_id:int}", name="user_test_run", guards=requires(Permission.run_retrospectives))
    async def run(self, study_id: RowId, participant_id: RowId, done: FromQuery[str] = "") -> Template:
        study, who = await participant_or_404(study_id, participant_id)
        return await self._run_page(study, who, done=done)

    @post("/{study_id:int}/participants/{participant_id:int}/consent", name="user_test_consent",
          guards=requires(Permission.run_retrospectives))
    async def consent(self, study_id: RowId, participant_id: RowId, data: Annotated[ConsentForm, Form]) -> Template | Redirect:
        study, who = await participant_or_404(study_id, participant_id)
        try:
            await participants.record_consent(study.id, who.id, agreed=bool(data.agreed), parent_carer=bool(data.parent_carer))
        except StudyError as refused:
            return await self._run_page(study, who, error=str(refused), status=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(f"/staff/user-tests/{study_id}/participants/{participant_id}?done=consent", status_code=HTTP_303_SEE_OTHER)

    @post("/{study_id:int}/participants/{participant_id:int}/withdraw", name="user_test_withdraw",
          guards=requires(Permission.run_retrospectives))
    async def withdraw(self, request: Request, study_id: RowId, participant_id: RowId) -> Template | Redirect:
        study, who = await participant_or_404(study_id, participant_id)
        try:
            await participants.withdraw(study.id, who.id, actor=actor_of(request), ip_address=client_ip(request))
        except StudyError as refused:
            return await self._run_page(study, who, error=str(refused), status=HTTP_409_CONFLICT)
        return Redirect(f"/staff/user-tests/{study_id}?done=withdrawn", status_code=HTTP_303_SEE_OTHER)

    @post("/{study_id:int}/participants/{participant_id:int}/tasks/{task_id:int}", name="user_test_record",
          guards=requires(Permission.run_retrospectives))
    async def record_task(self, request: Request, study_id: RowId, participant_id: RowId, task_id: RowId,
                          data: Annotated[TaskEntryForm, Form]) -> Template | Redirect | Response:
        study, who = await participant_or_404(study_id, participant_id)
        try:
            recorded = await running.record_task(study.id, who.id, task_id, data.entry())
        except StudyError as refused:
            if wants_json(request):
                return Response({"saved": False, "error": str(refused)}, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
            return await self._run_page(study, who, error=str(refused), entry=data, entry_task=task_id,
                                        status=HTTP_422_UNPROCESSABLE_ENTITY)
        if wants_json(request):
            return Response({"saved": True, "held": recorded.note_held, "noted": bool(data.note.strip())}, status_code=HTTP_200_OK)
        done = "held" if recorded.note_held else "saved"
        return Redirect(f"/staff/user-tests/{study_id}/participants/{participant_id}?done={done}#task-{task_id}",
                        status_code=HTTP_303_SEE_OTHER)

    # --- results and report ----------------------------------------------------------------------

    @get("/{study_id:int}/results", name="user_test_results", guards=requires(Permission.view_results))
    async def results_page(self, request: Request, settings: AppSettings, study_id: RowId, by: FromQuery[str] = "group",
                           done: FromQuery[str] = "") -> Template:
        study = await self._visible_study(request, study_id)
        summary = await self._summary(request, settings, study, by)
        run = await insights.latest_run(StudyObservationSource(study.id).key)
        return Template("user_tests/results.html", context={
            "study": study, "summary": summary, "breakdowns": results.BREAKDOWNS, "outcome_labels": results.OUTCOME_LABELS,
            "themes": await _themes(request, settings, run), "run": run, "done": done,
            "may_run": signed_in_user(request).can(Permission.run_retrospectives)})

    @get("/{study_id:int}/report.html", name="user_test_report_html", guards=requires(Permission.view_results))
    async def report_html(self, request: Request, settings: AppSettings, study_id: RowId) -> Response:
        study = await self._visible_study(request, study_id)
        document = await self._document(request, settings, study)
        await record(AuditAction.data_exported, actor=actor_of(request), target_type="study", target_id=study.id,
                     detail={"format": "html"}, ip_address=client_ip(request))
        return Response(document, media_type=MediaType.HTML,
                        headers={"Content-Disposition": f'attachment; filename="user-test-{study.id}.html"'})

    @get("/{study_id:int}/report.pdf", name="user_test_report_pdf", guards=requires(Permission.view_results))
    async def report_pdf(self, request: Request, settings: AppSettings, study_id: RowId) -> Response:
        from app.reports.exports import PdfUnavailable, pdf_of

        study = await self._visible_study(request, study_id)
        document = await self._document(request, settings, study)
        try:
            pdf = await asyncio.to_thread(pdf_of, document)
        except PdfUnavailable as missing:
            raise ServiceUnavailableException(str(missing)) from missing
        await record(AuditAction.data_exported, actor=actor_of(request), target_type="study", target_id=study.id,
                     detail={"format": "pdf"}, ip_address=client_ip(request))
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="user-test-{study.id}.pdf"'})

    @post("/{study_id:int}/insights", name="user_test_send_to_insights", guards=requires(Permission.run_retrospectives))
    async def send_to_insights(self, request: Request, study_id: RowId) -> Redirect:
        study = await study_or_404(study_id)
        try:
            await insights.start_run(StudyObservationSource(study.id), requested_by=signed_in_user(request).id)
        except insights.RunRefused:
            return Redirect(f"/staff/user-tests/{study_id}/results?done=running", status_code=HTTP_303_SEE_OTHER)
        await record(AuditAction.themes_started, actor=actor_of(request), target_type="study", target_id=study.id,
                     ip_address=client_ip(request))
        return Redirect(f"/staff/user-tests/{study_id}/results?done=sent", status_code=HTTP_303_SEE_OTHER)

    # --- helpers ---------------------------------------------------------------------------------

    async def _visible_study(self, request: Request, study_id: int) -> studies.StudyView:
        """Facilitators see every study; others (a project lead) only their projects' studies."""
        study = await study_or_404(study_id)
        user = signed_in_user(request)
        if not user.can(Permission.run_retrospectives) and study.project_id not in {p.id for p in await governance.projects_for(user)}:
            raise NotFoundException("There is no such study, or it is not one you can see.")
        return study

    @staticmethod
    async def _summary(request: Request, settings, study, by: str = "group") -> results.StudyResults:
        return await results.summarise(study, threshold=settings.small_group_threshold, breakdown=by,
                                       reveal_small_groups=signed_in_user(request).can(Permission.view_small_groups))

    async def _document(self, request: Request, settings, study) -> str:
        summary = await self._summary(request, settings, study)
        run = await insights.latest_run(StudyObservationSource(study.id).key)
        return request.app.template_engine.get_template("user_tests/document.html").render(
            study=study, summary=summary, themes=await _themes(request, settings, run), outcome_labels=results.OUTCOME_LABELS)

    @staticmethod
    async def _study_form(form: StudyForm, *, study=None, errors: dict | None = None, status: int = 200) -> Template:
        projects = await Project.select(Project.id, Project.reference, Project.focus).order_by(Project.position)
        return Template("user_tests/study_form.html", status_code=status, context={
            "form": form, "study": study, "errors": errors or {}, "projects": projects, "subject_labels": SUBJECT_LABELS})

    @staticmethod
    async def _study_page(study, *, done: str = "", error: str = "", task_error: str = "", task_form: TaskForm | None = None,
                          participant_error: str = "", status: int = 200) -> Template:
        return Template("user_tests/study.html", status_code=status, context={
            "study": study, "participants": await participants.participants(study.id), "done": done, "error": error,
            "task_error": task_error, "task_form": task_form or TaskForm(), "participant_error": participant_error,
            "age_bands": AGE_BANDS, "cohort_labels": COHORT_LABELS, "subject_labels": SUBJECT_LABELS,
            "reading_age_limit": studies.SCENARIO_READING_AGE})

    @staticmethod
    async def _run_page(study, who, *, done: str = "", error: str = "", entry: TaskEntryForm | None = None, entry_task: int | None = None,
                        status: int = 200) -> Template:
        sus = await SusResponse.select(SusResponse.score, SusResponse.answers).output(load_json=True).where(
            SusResponse.participant == who.id).first()
        return Template("user_tests/run.html", status_code=status, context={
            "study": study, "who": who, "entries": await running.task_entries(who.id), "done": done, "error": error,
            "entry": entry, "entry_task": entry_task, "outcome_labels": results.OUTCOME_LABELS, "sus": sus,
            "needs_parent": study.under_13 or who.age_band in participants.UNDER_13_BANDS})


DEFAULT_CONSENT = ("We are testing the page, not you: there are no wrong answers. We will write down what you do and say, "
                   "but never your name. You can stop or take a break at any time, and ask us to delete what we wrote.")


class SusController(Controller):
    """The SUS a participant fills in on the facilitator's tablet: the participant layout (quick exit,
    help), large targets, one statement per group, the study's wording, read-aloud friendly."""

    path = "/staff/user-tests/{study_id:int}/participants/{participant_id:int}/sus"
    tags = ["user tests"]
    include_in_schema = False

    @get("/", name="user_test_sus", guards=requires(Permission.run_retrospectives))
    async def form(self, study_id: RowId, participant_id: RowId, lang: FromQuery[str] = "en") -> Template:
        study, who = await participant_or_404(study_id, participant_id)
        saved = await SusResponse.select(SusResponse.answers).output(load_json=True).where(SusResponse.participant == who.id).first()
        return self._page(study, who, lang, answers=[str(a or "") for a in saved["answers"]] if saved else [""] * 10)

    @post("/", name="user_test_sus_save", guards=requires(Permission.run_retrospectives))
    async def save(self, study_id: RowId, participant_id: RowId, data: Annotated[SusForm, Form]) -> Template | Redirect:
        study, who = await participant_or_404(study_id, participant_id)
        lang = data.lang if data.lang in SUS_LANGUAGES else "en"
        try:
            score = await running.save_sus(study.id, who.id, running.read_sus(data.values()))
        except StudyError as refused:
            return self._page(study, who, lang, answers=data.values(), error=refused.message, status=HTTP_422_UNPROCESSABLE_ENTITY)
        return self._page(study, who, lang, answers=data.values(), finished=True, complete=score is not None)

    @staticmethod
    def _page(study, who, lang: str, *, answers: list[str], error: str = "", finished: bool = False, complete: bool = False,
              status: int = 200) -> Template:
        lang = lang if lang in SUS_LANGUAGES else "en"
        children = study.sus_wording == "children"
        return Template("user_tests/participant/sus.html", status_code=status, context=participant_context(
            lang, study=study, who=who, answers=answers, error=error, finished=finished, complete=complete,
            statements=usability.SUS_CHILDREN if children else usability.SUS_STANDARD,
            agreement=usability.SUS_AGREEMENT_CHILDREN if children else usability.SUS_AGREEMENT,
            languages=[(code, i18n.language(code).name) for code in SUS_LANGUAGES]))
