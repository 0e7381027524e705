"""Piccolo app: lived-experience surveys, their questions, translations and responses.

Still named `surveys`: existing databases have its migrations recorded under that name.
"""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="surveys",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["surveys.questionnaires.tables"], exclude_imported=True),
    migration_dependencies=["app.governance.piccolo_app", "app.accounts.piccolo_app"],
    commands=[],
)
