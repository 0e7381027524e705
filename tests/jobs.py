"""Helpers for tests of background jobs: a real worker of the job engine on the test's loop,
a real SMTP server that refuses the first messages, and a bounded wait for a condition."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace

from litestar_queues import QueueService, Worker

from app import jobs
from app.database import current_engine
from app.settings import Settings
from tests.staff import CapturingSMTP


def smtp_settings(smtp: CapturingSMTP, **changes) -> Settings:
    return replace(Settings.from_env({**os.environ, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port)}), **changes)


@asynccontextmanager
async def running_worker(settings: Settings) -> AsyncIterator[QueueService]:
    """One worker of the engine, as `chorus worker` runs it, until the block ends."""
    jobs.use_settings(settings)
    config = jobs.queue_config(replace(settings, job_worker="separate"))
    async with QueueService(config) as service:
        worker = Worker(service, config.worker)
        running = asyncio.create_task(worker.start())
        try:
            yield service
        finally:
            await worker.stop()
            await running


async def eventually(condition: Callable[[], Awaitable[bool]], timeout: float = 30, what: str = "condition") -> None:
    """Wait until `condition()` holds (a bound, not a measurement: it fails only on a hang)."""
    for _ in range(int(timeout * 10)):
        if await condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout}s")


async def job_rows(task_name: str) -> list[dict]:
    return await current_engine().run_ddl(
        f"SELECT status, retry_count, scheduled_at, error, task_key FROM queue_task WHERE task_name = '{task_name}' ORDER BY created_at"
    )


async def due_now(task_name: str) -> int:
    """Make the task's retries waiting for their backoff due now: tests move time instead of waiting."""
    rows = await current_engine().run_ddl(
        f"SELECT id FROM queue_task WHERE task_name = '{task_name}' AND status = 'scheduled'"
    )
    for row in rows:
        await current_engine().run_ddl(
            f"UPDATE queue_task SET scheduled_at = created_at WHERE id = '{row['id']}'"
        )
    return len(rows)


class RefusingSMTP(CapturingSMTP):
    """A real SMTP server that answers "451 try again later" to the first `refuse` messages."""

    def __init__(self, refuse: int):
        super().__init__()
        self.refuse = refuse
        self.refused: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse > 0:
            self.refuse -= 1
            self.refused.extend(envelope.rcpt_tos)
            return "451 4.3.0 Mail server busy, try again later"
        return await super().handle_DATA(server, session, envelope)
