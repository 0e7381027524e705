"""Piccolo app: theme runs over free text, their themes, members and people's decisions."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="insights",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["app.insights.tables"], exclude_imported=True),
    migration_dependencies=["app.accounts.piccolo_app", "surveys.questionnaires.piccolo_app"],
    commands=[],
)
