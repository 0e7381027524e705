"""Piccolo app: live retrospective boards, their cards, groups, votes, actions and event log."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="boards",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["surveys.boards.tables"], exclude_imported=True),
    migration_dependencies=["app.governance.piccolo_app", "app.accounts.piccolo_app"],
    commands=[],
)
