"""Survey benchmark: storing responses (with screening), loading them, summarising with suppression,
and every export, on a throwaway database (SQLite by default; DATABASE_URL for PostgreSQL).

Run: make bench-surveys   (figures go to docs/benchmarks.md by hand, with the machine they ran on)
"""

from __future__ import annotations

import asyncio
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="chorus-bench-"))
os.environ.setdefault("CHORUS_VAR_DIR", str(WORK))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK / 'bench.db'}")
os.environ.setdefault("NLTK_DATA", str(ROOT.parent / "shared" / "nltk_data"))
STORED = int(os.environ.get("BENCH_RESPONSES", "2000"))


def measure(label: str, fn, *args):
    """Time one run; then a second run under tracemalloc for its peak (tracing slows it down)."""
    started = time.perf_counter()
    result = fn(*args)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    fn(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"| {label} | {seconds:.2f} s | {peak / 2**20:.1f} MiB |", flush=True)
    return result


async def main() -> None:
    from piccolo.engine.postgres import PostgresEngine

    from app.database import current_engine, migrate
    from surveys.questionnaires import definitions, exports, responses, results
    from surveys.questionnaires.demo import load_demo_survey

    await migrate()
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)  # as the app's lifespan does
    print(f"database: {os.environ['DATABASE_URL'].split(':')[0]}; Python {sys.version.split()[0]}")
    print("| step | time | peak Python memory |\n|---|---|---|")
    started = time.perf_counter()
    survey_id, added = await load_demo_survey(responses=STORED)
    seconds = time.perf_counter() - started
    print(f"| store {added} demo responses (screening + sentiment + one transaction each) | {seconds:.1f} s ({added / seconds:.0f}/s) | – |")
    definition = await definitions.load_definition(survey_id)
    started = time.perf_counter()
    stored = await responses.load_responses(definition)
    print(f"| load {len(stored)} responses with their answers | {time.perf_counter() - started:.2f} s | – |")
    public = results.Viewer()
    for factor in (1, 5, 25):
        many = [replace(r, id=i) for i, r in enumerate(stored * factor)]
        measure(f"summarise {len(many):,} responses (suppressed, with a cross-tab)", lambda rs: results.summarise(
            definition, rs, threshold=5, viewer=public, crosstab_by="area", crosstab_of="safe_area"), many)
    many = stored * 5
    analyst = results.Viewer(reveal_small_groups=True)
    for fmt in ("csv", "xlsx", "json", "sav"):
        body = measure(f"export {len(many):,} responses as {fmt}", exports.EXPORTERS[fmt], definition, many, analyst)
        print(f"|   ({fmt}: {len(body) / 2**20:.1f} MiB) | | |")
    print(f"peak resident memory of the whole run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
