"""The job engine in real processes: `chorus worker` runs jobs queued before it started, two of them
run each job once, schedules are one record each however many workers, and a job that keeps
failing is retried with backoff and kept as failed. Real database on both engines, real SMTP."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from litestar_queues import QueueService

from app import jobs
from app.accounts.roles import Role
from app.database import current_engine
from app.settings import PROJECT_ROOT
from tests.jobs import due_now, eventually, job_rows, running_worker, smtp_settings
from tests.staff import make_user


def start_worker(env: dict[str, str], smtp_port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "worker"],
        cwd=PROJECT_ROOT, env={**env, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "CHORUS_JOB_WORKER": "separate"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def stop(process: subprocess.Popen) -> str:
    """SIGTERM, as a platform stops a worker; returns what it printed."""
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    return output


async def test_two_worker_processes_run_jobs_queued_before_they_started_once_each(db, smtp_server, subprocess_env):
    emails = [f"person{n}@example.org" for n in range(8)]
    for address in emails:
        await make_user(Role.analyst, email=address)
    for address in emails:  # queued while no worker runs: they wait in the database
        await jobs.enqueue(jobs.password_reset, address, "127.0.0.1")
    assert [row["status"] for row in await job_rows("accounts.password_reset")] == ["pending"] * 8
    workers = [start_worker(subprocess_env, smtp_server.port) for _ in range(2)]
    try:
        await eventually(lambda: _all("accounts.password_reset", "completed", 8), timeout=90, what="both workers finishing the jobs")
        # Each worker wrote the schedules at start-up; the key keeps one record per schedule.
        for scheduled in ("safeguarding.sweep_alerts", "safeguarding.concern_digest", "surveys.retention_purge", "insights.sweep_runs"):
            waiting = [row for row in await job_rows(scheduled) if row["status"] in ("pending", "scheduled", "running")]
            assert len(waiting) == 1 and waiting[0]["task_key"] == f"scheduled:{scheduled}"
    finally:
        outputs = [stop(worker) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    assert all("worker started" in output for output in outputs)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(emails)  # one each: none twice, none lost


async def _all(task_name: str, status: str, count: int) -> bool:
    rows = await job_rows(task_name)
    return len(rows) == count and all(row["status"] == status for row in rows)


async def test_a_job_that_keeps_failing_is_retried_with_backoff_then_kept_as_failed(db, smtp_server):
    await make_user(Role.safeguarding_lead, email="lead@example.org")
    settings = smtp_settings(smtp_server, smtp_port=1)  # nothing listens on port 1: every attempt fails
    async with running_worker(settings) as queue:
        await queue.enqueue(jobs.alert_urgent, await _urgent_disclosure(), retries=2)
        for attempt in (1, 2):
            await eventually(lambda a=attempt: _retry_waits(a), what=f"retry {attempt} waiting")
            (row,) = await job_rows("safeguarding.alert_urgent")
            assert row["scheduled_at"] > datetime.now(UTC) + timedelta(seconds=20)  # 30 s, then 60 s
            await due_now("safeguarding.alert_urgent")
        await eventually(lambda: _all("safeguarding.alert_urgent", "failed", 1), what="the final failure")
    (row,) = await job_rows("safeguarding.alert_urgent")
    assert row["retry_count"] == 2 and "not sent" in row["error"]
    async with QueueService(jobs.queue_config(settings)) as queue:  # still there for the sweep and for people to see
        assert (await queue.get_statistics()).failed == 1


async def _retry_waits(attempt: int) -> bool:
    rows = await job_rows("safeguarding.alert_urgent")
    return bool(rows) and rows[0]["status"] == "scheduled" and rows[0]["retry_count"] == attempt


async def _urgent_disclosure() -> int:
    from app import clock
    from app.safeguarding.tables import Disclosure

    now = clock.now()
    rows = await Disclosure.insert(Disclosure(
        source_kind="survey_answer", source_id=1, text="held words", level="urgent", received_at=now, state_changed_at=now,
    ))
    return rows[0]["id"]


async def test_records_of_jobs_that_ended_two_weeks_ago_are_deleted_and_nothing_else(db, smtp_server):
    # A reset job's record holds the email it was asked for: it must not be kept for ever.
    settings = smtp_settings(smtp_server)
    async with running_worker(settings) as queue:
        await queue.enqueue(jobs.password_reset, "nobody@example.org", "127.0.0.1")
        await eventually(lambda: _all("accounts.password_reset", "completed", 1), what="the reset job finishing")
    async with QueueService(jobs.queue_config(settings)) as queue:
        await queue.enqueue(jobs.password_reset, "later@example.org", "127.0.0.1")  # waiting: never pruned
        now = datetime.now(UTC)
        assert await jobs.prune_job_records(queue, now=now + jobs.JOB_RECORDS_KEPT - timedelta(hours=1)) == 0
        assert len(await job_rows("accounts.password_reset")) == 2
        assert await jobs.prune_job_records(queue, now=now + jobs.JOB_RECORDS_KEPT + timedelta(hours=1)) == 1
        assert [row["status"] for row in await job_rows("accounts.password_reset")] == ["pending"]
        assert await jobs.prune_job_records(queue, now=now + jobs.JOB_RECORDS_KEPT + timedelta(hours=2)) == 0  # again: nothing more
    remaining = await current_engine().run_ddl("SELECT * FROM queue_task")
    assert "later@example.org" in str(remaining) and "nobody@example.org" not in str(remaining)
