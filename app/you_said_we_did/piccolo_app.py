"""Piccolo app: "you said, we did" — findings published back to young people, and receipts that follow them."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="you_said_we_did",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["app.you_said_we_did.tables"], exclude_imported=True),
    migration_dependencies=["app.findings.piccolo_app", "app.accounts.piccolo_app", "surveys.questionnaires.piccolo_app"],
    commands=[],
)
