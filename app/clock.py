"""The one place Chorus reads the time, so tests can move it (the clock is the edge of the world)."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
