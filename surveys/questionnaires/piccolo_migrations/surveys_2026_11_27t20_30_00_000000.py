"""Answers keep analysis.sentiment's label (issue 9, medium 7). Additive: a nullable column.

Answers stored before this have no label; `services.load_responses` gives them the same library's
label from their stored text when it reads them (no NLTK data is needed to run this migration)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-27T20:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Answers keep the sentiment library's label"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="surveys", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Answer",
        tablename="answer",
        column_name="sentiment_label",
        db_column_name="sentiment_label",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 10,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
