"""Piccolo app: findings sent to project leads and boards, their answers and actions (issue 12, item 2)."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="findings",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["app.findings.tables"], exclude_imported=True),
    migration_dependencies=["app.accounts.piccolo_app", "app.governance.piccolo_app"],
    commands=[],
)
