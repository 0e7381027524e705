"""Insights benchmark: N answers themed as a background job while the site keeps serving pages.

It makes a throwaway SQLite database, runs `chorus database upgrade`, writes a survey with N
answers to one free-text question (public short texts from ../shared/bench, inserted directly:
screening is not what is measured here), starts the real app with its job worker inside
(CHORUS_JOB_WORKER=web, as `make run`), measures page latency before the job, starts a theme run
through the page's own form, and while the run works keeps requesting a participant page and a
staff page, one after the other. It prints the run's time (from the run's row) and the latencies.
Then (issue 11, incremental re-runs) it adds --new-share more answers (the next texts of the same
file), re-runs through the same form — the incremental path — and runs once more on the same
answers with "Start from scratch" ticked, printing both times and the path each run recorded.

Run: .venv/bin/python scripts/bench_insights.py [--answers 10000] [--new-share 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TEXTS = ROOT.parent / "shared" / "bench" / "short-text-clustering-8" / "csv" / "stackoverflow.csv"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_texts(start: int, stop: int) -> list[str]:
    with TEXTS.open(encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)][start:stop]


async def add_answers(survey_id: int, question_id: int, texts: list[str], first: int) -> None:
    """Answers inserted directly (screening is not what is measured), numbered from `first`."""
    from datetime import UTC, datetime, timedelta

    from surveys.questionnaires.tables import Answer, Response

    now = datetime.now(UTC)
    for start in range(0, len(texts), 500):
        rows = await Response.insert(*(
            Response(survey=survey_id, submission_key=f"b{first + n}", receipt_hash=f"b{first + n}",
                     started_at=now - timedelta(minutes=n), submitted_at=now - timedelta(minutes=n))
            for n in range(start, min(start + 500, len(texts)))))
        await Answer.insert(*(
            Answer(response=row["id"], question=question_id, value=json.dumps(texts[start + i]), sentiment_label="neutral")
            for i, row in enumerate(rows)))


async def prepare(answers: int) -> tuple[int, str, str]:
    """A published survey with `answers` free-text answers, and a participation lead's session token."""
    from app.accounts import auth
    from app.accounts.roles import Role
    from app.accounts.services import RoleGrant, create_user_with_password
    from app.accounts.tables import Agency
    from surveys.questionnaires import building, definitions
    from surveys.questionnaires.building import QuestionFields
    from surveys.questionnaires.tables import Audience, QuestionKind

    texts = bench_texts(0, answers)
    survey_id = await building.create_survey({"title": "Benchmark", "audience": Audience.young_people, "languages": ["en"]},
                                             created_by=None, public_code="bench")
    definition = await definitions.load_definition(survey_id)
    question_id = await building.add_question(survey_id, definition.sections[0].id,
                                              QuestionFields(QuestionKind.long_text, "What would make things better?", key="say"))
    await building.change_status(survey_id, "publish")
    await add_answers(survey_id, question_id, texts, 0)
    lead = await create_user_with_password(email="lead@example.org", display_name="Lead", agency=Agency.other,
                                           password=secrets.token_urlsafe(20), grants=[RoleGrant(Role.participation_lead)])
    return survey_id, question_id, await auth.start_session(lead, mfa_passed=True)


def latencies(client: httpx.Client, paths: list[str], seconds: float | None = None, until=None) -> list[float]:
    out = []
    started = time.perf_counter()
    while True:
        for path in paths:
            before = time.perf_counter()
            response = client.get(path)
            out.append(time.perf_counter() - before)
            assert response.status_code == 200, (path, response.status_code)
        if seconds is not None and time.perf_counter() - started >= seconds:
            return out
        if until is not None and until():
            return out
        time.sleep(0.1)


def describe(label: str, values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    return f"| {label} | {len(values)} | {1000 * statistics.median(values):.0f} ms | {1000 * p95:.0f} ms | {1000 * values[-1]:.0f} ms |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--new-share", type=float, default=0.1, help="new answers for the re-runs, as a share of --answers (0: none)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="chorus-insights-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{work / 'chorus.db'}", "CHORUS_VAR_DIR": str(work), "CHORUS_ENV": "development",
           "NLTK_DATA": os.environ.get("NLTK_DATA", str(ROOT.parent / "shared" / "nltk_data")), "CHORUS_JOB_WORKER": "web",
           "SECRET_KEY": secrets.token_urlsafe(40)}
    subprocess.run([str(BIN / "chorus"), "database", "upgrade"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    os.environ.update(env)
    survey_id, question_id, token = asyncio.run(prepare(args.answers))
    port = free_port()
    env["CHORUS_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    log = (work / "server.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.asgi:create_app", "--factory", "--host", "127.0.0.1",
                               "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env, stdout=log, stderr=log,
                              start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(base + "/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        with httpx.Client(base_url=base, cookies={"chorus_session": token}, timeout=60) as client:
            pages = ["/s/bench", f"/staff/insights/surveys/{survey_id}?question=say"]
            latencies(client, pages, seconds=3)  # warm up
            before = latencies(client, pages, seconds=15)

            def start(**fields) -> int:
                form = client.get(f"/staff/insights/surveys/{survey_id}?question=say").text
                csrf_token = re.search(r'name="_csrf_token" value="([^"]+)"', form).group(1)
                started = client.post(f"/staff/insights/surveys/{survey_id}/runs", data={"question": "say", "_csrf_token": csrf_token, **fields})
                assert started.status_code == 303, started.text[:500]
                return int(started.headers["location"].rsplit("/", 1)[1])

            def finished(run_id: int) -> bool:
                return client.get(f"/staff/insights/runs/{run_id}/status.json").json()["state"] in ("done", "failed")

            run_id = start()
            clock = time.perf_counter()
            during = latencies(client, [*pages, f"/staff/insights/runs/{run_id}"], until=lambda: finished(run_id))
            wall = time.perf_counter() - clock
            status = client.get(f"/staff/insights/runs/{run_id}/status.json").json()
            reruns = []
            if args.new_share > 0:
                new = round(args.new_share * args.answers)
                asyncio.run(add_answers(survey_id, question_id, bench_texts(args.answers, args.answers + new), args.answers))
                for fields in ({}, {"full": "on"}):  # the incremental re-run, then from scratch on the same answers
                    rerun_id = start(**fields)
                    while not finished(rerun_id):
                        time.sleep(0.5)
                    reruns.append(rerun_id)
        import sqlite3

        database = sqlite3.connect(work / "chorus.db")

        def run_row(run_id: int) -> tuple:
            return database.execute(
                "SELECT started_at, finished_at, answer_count, (SELECT COUNT(*) FROM insight_theme WHERE run = ?), parameters, state "
                "FROM theme_run WHERE id = ?", (run_id, run_id)).fetchone()

        def seconds(row: tuple) -> float:
            from datetime import datetime

            return (datetime.fromisoformat(row[1]) - datetime.fromisoformat(row[0])).total_seconds()

        row = run_row(run_id)
        print(f"{args.answers} answers; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; git "
              f"{subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True, text=True).stdout.strip()}")
        print(f"run {run_id}: {status['state']} ({status['outcome']}); {row[2]} answers in {row[3]} themes; {seconds(row):.1f} s "
              f"started to finished; queued to finished as seen by the page {wall:.1f} s")
        print("| pages | requests | p50 | p95 | max |\n|---|---|---|---|---|")
        print(describe("before the job (participant page, insights page)", before))
        print(describe("during the job (the same + the run's page)", during))
        for rerun_id in reruns:
            row = run_row(rerun_id)
            path = {k: v for k, v in json.loads(row[4]).items() if k in ("path", "reason", "from_run", "new_answers", "kept_answers")}
            print(f"re-run {rerun_id}: {row[5]}; {row[2]} answers in {row[3]} themes; {seconds(row):.1f} s started to finished; {path}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
