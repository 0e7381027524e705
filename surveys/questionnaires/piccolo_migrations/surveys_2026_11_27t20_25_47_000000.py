"""Surveys made before `survey.version` existed get one, so their definitions are cached too.

A migration of its own: Piccolo runs a migration's raw steps before its new columns."""

import secrets

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T20:25:47:000000"
VERSION = "1.38.0"
DESCRIPTION = "give surveys made before survey.version one"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="surveys", description=DESCRIPTION)

    async def give_existing_surveys_a_version():
        engine = engine_finder()
        for row in await engine.run_ddl("SELECT id FROM survey WHERE version = ''"):
            await engine.run_ddl(f"UPDATE survey SET version = '{secrets.token_hex(8)}' WHERE id = {int(row['id'])}")

    manager.add_raw(give_existing_surveys_a_version)
    return manager
