"""Piccolo app: disclosures held for the safeguarding lead and their triage."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="safeguarding",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["app.safeguarding.tables"], exclude_imported=True),
    migration_dependencies=["app.accounts.piccolo_app", "surveys.questionnaires.piccolo_app"],
    commands=[],
)
