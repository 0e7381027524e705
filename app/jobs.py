"""Background jobs: the engine's configuration, the registry of tasks, and `enqueue`.

The engine is litestar-queues over SQLSpec: jobs are rows in Chorus's own database (tables
`queue_task`, `queue_maintenance`, `queue_task_reservation`, made by the engine's packaged
migration, which `chorus database upgrade` runs), so they survive a restart on SQLite and on
PostgreSQL. A worker claims a job with one conditional UPDATE, so with several workers each job
runs once; a schedule is one keyed row (`scheduled:<task>`), so it fires once per period however
many workers there are. Failing jobs are retried with backoff and end `failed`, never deleted.

Where the worker runs (CHORUS_JOB_WORKER): `web` runs one inside each web worker's lifespan
(`make run`, tests); `separate` runs none there, and `chorus worker` (the Procfile's `worker:`
line) runs them instead.

Tasks are thin: each calls a domain service, which reads time from app.clock and keeps its own
record of what was done (e.g. `app.safeguarding.alerts`), so a job retried or run again does no
harm.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from litestar_queues import (
    QueueConfig,
    QueueMaintenanceConfig,
    QueueMaintenanceService,
    QueuePlugin,
    QueueService,
    RetryBackoff,
    WorkerConfig,
    task,
)
from litestar_queues.backends.sqlspec import SQLSpecBackendConfig
from litestar_queues.task import get_default_service

from app.settings import Settings, get_settings

logger = logging.getLogger("chorus.jobs")

TABLES = ("queue_task", "queue_maintenance", "queue_task_reservation", "ddl_migrations")
"""The engine's own tables (and SQLSpec's record of its migration), beside Piccolo's."""

MAIL_BACKOFF = RetryBackoff(initial_delay=30, multiplier=2, max_delay=600)
"""A mail server that is down is tried again after 30 s, 1, 2, 4 … minutes, at most every 10."""
MAIL_RETRIES = 8
JOB_RECORDS_KEPT = timedelta(days=14)
"""Finished and failed jobs' records (their arguments include e.g. an email asking for a reset link) are
deleted this long after they ended: long enough to look into a failure, not kept for ever. What a job
did is recorded by its domain (alert deliveries, the audit log), not by the engine's rows."""


def sqlspec_config(settings: Settings):
    """The SQLSpec adapter for DATABASE_URL: aiosqlite on the same file, or asyncpg on the same database."""
    if settings.database_engine == "sqlite":
        from sqlspec.adapters.aiosqlite import AiosqliteConfig

        # The same generous busy timeout as Piccolo's engine: web workers write to this file too.
        return AiosqliteConfig(connection_config={"database": str(settings.sqlite_path), "timeout": 15})
    from sqlspec.adapters.asyncpg import AsyncpgConfig

    return AsyncpgConfig(connection_config={"dsn": settings.database_url, "min_size": 1, "max_size": 3})


def queue_config(settings: Settings) -> QueueConfig:
    return QueueConfig(
        # Interval polling on both engines (no LISTEN/NOTIFY table): a new job waits at most
        # poll_backoff_max seconds, well inside the minute an urgent alert has.
        queue_backend=SQLSpecBackendConfig(sqlspec_config=sqlspec_config(settings), worker_wakeups=None),
        execution_backend="local",
        worker=WorkerConfig(
            placement="asgi" if settings.job_worker == "web" else "external",
            poll_interval=0.5,
            poll_backoff_max=2.0,
            max_concurrency=2,
            # A job left running by a worker that died is handed to another after five minutes.
            stale_after=300,
            requeue_on_shutdown=True,
        ),
        task_modules=("app.jobs",),
        # Only the retention phase: stale running jobs are the worker's own `stale_after`.
        maintenance=QueueMaintenanceConfig(terminal_retention=JOB_RECORDS_KEPT.total_seconds()),
    )


_app_settings: list[Settings] = []


def plugin(settings: Settings) -> QueuePlugin:
    """The Litestar plugin: opens the engine in the app's lifespan and, for `web`, runs a worker there.
    Jobs run with the settings of the app that built it (tests build apps with their own SMTP server)."""
    use_settings(settings)
    return QueuePlugin(config=queue_config(settings))


def use_settings(settings: Settings) -> None:
    _app_settings[:] = [settings]


def job_settings() -> Settings:
    """The settings jobs run with: the app's, or the environment's in `chorus worker`."""
    return _app_settings[0] if _app_settings else get_settings()


async def migrate(settings: Settings | None = None) -> None:
    """Create or upgrade the engine's tables with its packaged migration (idempotent)."""
    config = queue_config(settings or get_settings())
    config.queue_backend.configure_migrations(config)
    sqlspec = config.queue_backend.sqlspec_config
    try:
        await sqlspec.migrate_up(echo=False)
    finally:
        await sqlspec.close_pool()


@asynccontextmanager
async def service(settings: Settings | None = None) -> AsyncIterator[QueueService]:
    """The running app's engine, or one opened for this block (the CLI, scripts, tests)."""
    running = get_default_service()
    if running is not None:
        yield running
        return
    async with QueueService(queue_config(settings or get_settings())) as opened:
        yield opened


async def enqueue(job: Any, *args: Any, key: str | None = None, **kwargs: Any) -> None:
    """Put a job in the database for a worker. Call it after the caller's transaction commits: on
    SQLite the engine writes on its own connection, which would wait for a transaction this
    worker still holds. With `key`, a job already waiting or running under it is not added twice."""
    async with service() as queue:
        await queue.enqueue(job, *args, key=key, **kwargs)


# --- the registry of tasks --------------------------------------------------------------------


@task("accounts.password_reset", retries=3, retry_backoff=MAIL_BACKOFF, timeout=120)
async def password_reset(email: str, ip_address: str = "") -> None:
    """Look the account up, issue a reset link and mail it (after the response, whatever the email)."""
    from app.accounts.services import request_password_reset

    await request_password_reset(job_settings(), email, ip_address=ip_address)


@task("safeguarding.alert_urgent", retries=MAIL_RETRIES, retry_backoff=MAIL_BACKOFF, timeout=300, unique_by="arguments")
async def alert_urgent(disclosure_id: int) -> None:
    """Email every active safeguarding lead not yet told about this urgent disclosure; raises (so
    the engine retries) while any could not be sent."""
    from app.safeguarding import alerts

    await alerts.send_urgent_alerts(job_settings(), disclosure_id)


@task("safeguarding.sweep_alerts", interval=timedelta(minutes=1), timeout=120)
async def sweep_alerts() -> None:
    """Once a minute: queue an alert for any urgent disclosure whose alerts were never queued (a
    crash between the commit and the enqueue) or whose retries ran out."""
    from app.safeguarding import alerts

    await alerts.sweep(job_settings())


@task("safeguarding.concern_digest", cron="0 8 * * *", timezone="Europe/London", retries=MAIL_RETRIES,
      retry_backoff=MAIL_BACKOFF, timeout=300)
async def concern_digest() -> None:
    """Each morning: each active lead gets the day's counts of open `concern` disclosures, once."""
    from app.safeguarding import alerts

    await alerts.send_concern_digest(job_settings())


@task("surveys.retention_purge", cron="30 2 * * *", timezone="Europe/London", timeout=1800)
async def retention_purge() -> None:
    """Each night: raw answers past their survey's retention period, and expired drafts, are deleted
    (counts logged, never content); running it twice deletes nothing more."""
    from surveys.participation.retention import purge_expired

    await purge_expired()


async def prune_job_records(queue: QueueService, *, now: datetime | None = None) -> int:
    """Delete records of jobs that ended more than JOB_RECORDS_KEPT ago (the engine's own bounded
    retention pass, fenced so that only one worker runs it); returns how many went."""
    from app import clock

    moment = now or clock.now()
    summary = await QueueMaintenanceService(queue, queue.config.maintenance, utcnow=lambda: moment).run(["terminal"])
    deleted = sum(phase.changed for phase in summary.phases)
    logger.info("job records pruned: %d ended more than %d days ago (%s)", deleted, JOB_RECORDS_KEPT.days, summary.outcome)
    return deleted


@task("jobs.prune_records", cron="0 3 * * *", timezone="Europe/London", timeout=600)
async def prune_records() -> None:
    """Each night: the engine's records of jobs that ended more than two weeks ago are deleted."""
    async with service() as queue:
        await prune_job_records(queue)


@task("reports.reminders", cron="0 7 * * *", timezone="Europe/London", retries=MAIL_RETRIES,
      retry_backoff=MAIL_BACKOFF, timeout=600)
async def report_reminders() -> None:
    """Each morning: drafts for the new reporting period, a reminder to the lead and deputy of a highlight
    report due within a week, and one note when it is overdue (each recorded on the report: sent once)."""
    from app.reports.services import send_reminders

    await send_reminders(job_settings())


@task("insights.theme_run", timeout=1800)
async def theme_run(run_id: int) -> None:
    """Find themes for one run, writing progress as it goes (app.insights.services.execute_run)."""
    from app.insights.services import execute_run

    await execute_run(run_id)


@task("insights.sweep_runs", interval=timedelta(minutes=1), timeout=120)
async def sweep_theme_runs() -> None:
    """Once a minute: fail theme runs whose worker died, so none stays "running"."""
    from app.insights.services import sweep_silent_runs

    await sweep_silent_runs()


@task("you_said_we_did.tell_followers", interval=timedelta(minutes=15), retries=MAIL_RETRIES, retry_backoff=MAIL_BACKOFF, timeout=600)
async def tell_followers() -> None:
    """Every quarter of an hour: participants who left an email with their receipt code hear, once, about
    each "you said, we did" from their themes that is new or changed (recorded per follower)."""
    from app.you_said_we_did.services import tell_followers as tell

    await tell(job_settings())


@task("findings.notify", retries=MAIL_RETRIES, retry_backoff=MAIL_BACKOFF, timeout=300, unique_by="arguments")
async def finding_sent(finding_id: int) -> None:
    """Email a sent finding's lead and deputy (or board members) once each; raises (so the engine
    retries) while any could not be sent."""
    from app.findings.services import notify_recipients

    await notify_recipients(job_settings(), finding_id)


@task("findings.sweep_notices", interval=timedelta(minutes=10), timeout=120)
async def sweep_finding_notices() -> None:
    """Every ten minutes: queue the email again for a sent finding whose recipients were never told."""
    from app.findings.services import sweep_unnotified

    await sweep_unnotified()
