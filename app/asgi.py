"""The application factory: one readable place where Chorus is wired together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.logging import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from analysis import resources as nltk_resources
from app import free_text, jobs
from app.accounts.admin import UserAdminController
from app.accounts.auth import PUBLIC, SessionMiddleware
from app.accounts.controllers import AccountController, SignInController
from app.audit.controllers import AuditController, OutboxController
from app.cli import ChorusCLIPlugin
from app.database import close_pool, start_pool
from app.findings.controllers import FindingsController, InboxController
from app.governance.controllers import BoardsController, PartnershipController, ProjectsController
from app.insights import live
from app.insights.controllers import InsightsController
from app.integrations.admin import IntegrationAdminController
from app.integrations.auth import SECURITY_SCHEME, SECURITY_SCHEME_NAME
from app.integrations.controllers import api_router
from app.reports.controllers import BoardReportsController, HighlightReportsController
from app.safeguarding.controllers import SafeguardingController
from app.settings import PROJECT_ROOT, Settings, get_settings
from app.web import log_redaction, templating
from app.web.controllers import HomeController, health
from app.web.errors import bad_form_handler, http_exception_handler, server_error_handler
from app.web.security import security_headers
from app.you_said_we_did.controllers import PublishController, ReceiptFollowController, YouSaidWeDidController
from surveys.boards.controllers import BoardParticipantController
from surveys.boards.staff_controllers import BoardLiveController, BoardStaffController
from surveys.controllers import JoinController, ParticipantController
from surveys.definition import TamperedForm
from surveys.indicator_controllers import OutcomeIndicatorController
from surveys.receipt_controllers import ReceiptController, SubjectAccessController
from surveys.staff_controllers import (
    QuestionBankController,
    SurveyBuilderController,
    SurveyExportController,
    SurveyResultsController,
)

TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "app" / "static"


@asynccontextmanager
async def database_pool(app: Litestar) -> AsyncIterator[None]:
    """Open the connection pool (PostgreSQL, or SQLite's open connections) for the life of the worker."""
    await start_pool()
    try:
        yield
    finally:
        await close_pool()


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the Chorus ASGI app from settings (read from the environment by default)."""
    settings = settings or get_settings()
    nltk_resources.use_paths(settings.nltk_data)
    app = Litestar(
        route_handlers=[
            HomeController,
            PartnershipController,
            ProjectsController,
            BoardsController,
            HighlightReportsController,
            BoardReportsController,
            SignInController,
            AccountController,
            UserAdminController,
            AuditController,
            OutboxController,
            JoinController,
            ParticipantController,
            ReceiptController,
            SubjectAccessController,
            SurveyBuilderController,
            SurveyResultsController,
            SurveyExportController,
            QuestionBankController,
            OutcomeIndicatorController,
            SafeguardingController,
            InsightsController,
            IntegrationAdminController,
            api_router,
            FindingsController,
            PublishController,
            YouSaidWeDidController,
            ReceiptFollowController,
            InboxController,
            BoardParticipantController,
            BoardStaffController,
            BoardLiveController,
            health,
            create_static_files_router(path="/static", directories=[STATIC_DIR], name="static", opt=PUBLIC),
        ],
        # Requests naming another host are refused (400) before any handler runs. /health is exempt:
        # load balancers probe it by the worker's own address, and it reveals nothing.
        allowed_hosts=AllowedHostsConfig(allowed_hosts=settings.allowed_hosts, exclude=["^/health$"], www_redirect=False),
        # The job engine: opened in the lifespan, with a worker there when CHORUS_JOB_WORKER=web.
        # Live progress of theme runs (memory on SQLite, LISTEN/NOTIFY on PostgreSQL: app.insights.live).
        plugins=[ChorusCLIPlugin(), jobs.plugin(settings), live.channels_plugin(settings)],
        dependencies={"settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False)},
        # Never on /api/: the data API takes bearer tokens only, so a staff cookie cannot call it.
        middleware=[DefineMiddleware(SessionMiddleware, exclude=["^/static/", "^/health$", "^/schema", "^/api/"])],
        lifespan=[database_pool],
        on_startup=[free_text.warm_up],
        template_config=TemplateConfig(directory=TEMPLATES_DIR, engine=JinjaTemplateEngine, engine_callback=templating.configure),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.is_production,
            cookie_samesite="lax",
        ),
        openapi_config=OpenAPIConfig(
            title="Chorus",
            version="0.1.0",
            path="/schema",
            # Machine-readable only: the HTML viewers load scripts from CDNs, which Chorus never does.
            render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"]), YamlRenderPlugin()],
            # The data API's bearer tokens (app/integrations); its router names the scheme on every route.
            components=Components(security_schemes={SECURITY_SCHEME_NAME: SECURITY_SCHEME}),
        ),
        exception_handlers={HTTPException: http_exception_handler, TamperedForm: bad_form_handler, Exception: server_error_handler},
        before_send=[security_headers(settings.is_production)],
        logging_config=LoggingConfig(log_exceptions="never"),
        debug=False,
    )
    # After uvicorn (before the app loads) and Litestar (above) have set up their handlers.
    log_redaction.install()
    return app
