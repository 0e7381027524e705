"""Piccolo's configuration: the engine comes from DATABASE_URL, the apps are Chorus's domains."""

from piccolo.conf.apps import AppRegistry

from app.database import engine_for
from app.settings import get_settings

DB = engine_for(get_settings())

APP_REGISTRY = AppRegistry(
    apps=[
        "app.governance.piccolo_app",
        "app.accounts.piccolo_app",
        "app.audit.piccolo_app",
        "surveys.piccolo_app",
        "surveys.boards.piccolo_app",
        "app.safeguarding.piccolo_app",
        "app.insights.piccolo_app",
        "app.reports.piccolo_app",
        "app.integrations.piccolo_app",
        "app.findings.piccolo_app",
        "app.you_said_we_did.piccolo_app",
    ]
)
