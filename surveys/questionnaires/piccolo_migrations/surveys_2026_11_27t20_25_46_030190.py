from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-27T20:25:46:030190"
VERSION = "1.38.0"
DESCRIPTION = "survey.version: a new random value on every change participants could see (keys cached definitions)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="surveys", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Survey",
        tablename="survey",
        column_name="version",
        db_column_name="version",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 16,
            "default": "",
            "null": False,
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
