from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import SmallInt
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-28T02:57:15:264810"
VERSION = "1.38.0"
DESCRIPTION = "survey series and waves"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="surveys", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Survey",
        tablename="survey",
        column_name="series",
        db_column_name="series",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 100,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Survey",
        tablename="survey",
        column_name="wave",
        db_column_name="wave",
        column_class_name="SmallInt",
        column_class=SmallInt,
        params={
            "default": 1,
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
