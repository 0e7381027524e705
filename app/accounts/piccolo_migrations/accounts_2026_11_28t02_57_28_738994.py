from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-28T02:57:28:738994"
VERSION = "1.38.0"
DESCRIPTION = "project lead position: lead or deputy"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="accounts", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="StaffRole",
        tablename="staff_role",
        column_name="position",
        db_column_name="position",
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
            "choices": Enum(
                "ProjectPosition", {"lead": "lead", "deputy": "deputy"}
            ),
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
