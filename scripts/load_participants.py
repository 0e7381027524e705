"""Load run: N phones complete the demo survey at once, over real HTTP, against the real server.

It makes a throwaway database (a SQLite file, or a new database on the PostgreSQL server that
DATABASE_URL names), runs `chorus database upgrade` and `chorus demo load` on it, starts
`chorus run` on a loopback port (as `make run` does), and drives N concurrent participants through
/s/demo with httpx: welcome, Start, page 1, its post, page 2, Send — the six requests a phone
makes, with the CSRF cookie and form field as a browser sends them. Then it checks the database:
every acknowledged receipt is stored exactly once. In the same run it serves a bare Litestar
handler that inserts one row (scripts/bare_insert_app.py, same engine, same workers) and drives it
with the same number of requests per participant, as the ceiling.

Run: make bench-surveys, or
     .venv/bin/python scripts/load_participants.py [--participants 20,100,300] [--rounds 2] [--workers N]
     DATABASE_URL=postgresql://user@host:port/any_db .venv/bin/python scripts/load_participants.py
Bounded: each request times out after --request-timeout s and each load after --deadline s.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')
NOTICE_VERSION = re.compile(r'name="consent_version" value="([^"]+)"')
RECEIPT = re.compile(r'<p class="code"[^>]*><strong>([A-Z0-9-]+)</strong>')
ONE_THING = [
    "more youth clubs that are open later and free",
    "Better lights in the park by the station, it's really dark after 5",
    "the buses are a bit late and the stop is dark",
    "adults that listen and don't judge",
    "",
]


@dataclass
class Outcome:
    acknowledged: int = 0
    receipts: list[str] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    send_seconds: list[float] = field(default_factory=list)
    requests: int = 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(receipt.replace("-", "").encode()).hexdigest()


class Unexpected(Exception):
    pass


def expect(response: httpx.Response, status: int) -> httpx.Response:
    if response.status_code != status:
        hint = "database is locked" if b"database is locked" in response.content else ""
        raise Unexpected(f"HTTP {response.status_code} at {response.request.method} {response.request.url.path.split('/d/')[0]}/…{' ' + hint if hint else ''}")
    return response


def csrf(response: httpx.Response) -> str:
    found = CSRF_FIELD.search(response.text)
    if not found:
        raise Unexpected(f"no CSRF field at {response.request.url.path}")
    return found.group(1)


async def participant(client: httpx.AsyncClient, n: int, outcome: Outcome) -> None:
    """One phone: the six requests of the demo survey, as a browser with the page script sends them."""
    welcome = expect(await client.get("/s/demo"), 200)
    # As a phone does: the notice's version from the page, and an age band (the demo is for young people).
    notice = NOTICE_VERSION.search(welcome.text).group(1)
    started = expect(await client.post("/s/demo/start", data={
        "_csrf_token": csrf(welcome), "lang": "en", "consent_version": notice, "age_band": "16_17"}), 303)
    page_url = started.headers["location"]
    page_one = expect(await client.get(page_url), 200)
    moved = expect(await client.post(page_url, data={
        "_csrf_token": csrf(page_one), "page": "1", "action": "next", "age_band": ["11_12", "13_15", "16_17"][n % 3], "area": "north",
    }), 303)
    page_two = expect(await client.get(moved.headers["location"]), 200)
    sent_at = time.perf_counter()
    thanks = expect(await client.post(page_url, data={
        "_csrf_token": csrf(page_two), "page": "2", "action": "submit", "safe_area": str(1 + n % 5), "safe_online": "3",
        "least_safe": ["street", "parks"], "knows_who": "yes", "who_to": ["friend"], "_seen": "who_to", "trust": str(n % 11),
        "safer_ranking__rank__lighting": "1", "safer_ranking__rank__youth_clubs": "2", "one_thing": ONE_THING[n % len(ONE_THING)],
    }), 200)
    outcome.send_seconds.append(time.perf_counter() - sent_at)
    receipt = RECEIPT.search(thanks.text)
    if not receipt:
        raise Unexpected("thank-you page without a receipt")
    outcome.receipts.append(receipt.group(1))
    outcome.acknowledged += 1


async def bare_participant(client: httpx.AsyncClient, n: int, outcome: Outcome) -> None:
    """The ceiling: as many requests as a phone makes, each inserting one row, nothing else."""
    for step in range(6):
        started = time.perf_counter()
        expect(await client.post("/row"), 201)
        if step == 5:
            outcome.send_seconds.append(time.perf_counter() - started)
    outcome.acknowledged += 1


async def drive(base_url: str, participants: int, rounds: int, one, *, request_timeout: float, deadline: float) -> tuple[Outcome, float]:
    """`participants` concurrent phones, each completing `rounds` times; errors counted by kind."""
    outcome = Outcome()
    # Each phone has its own connection, kept across its responses. One SSL context for all (never
    # used on plain HTTP, but httpx builds one per transport, which costs the client's CPU), and no
    # shared pool (httpcore scans a pool's connections on every request).
    shared_ssl_context = ssl.create_default_context()

    async def phone(n: int) -> None:
        async with httpx.AsyncHTTPTransport(verify=shared_ssl_context) as transport:
            for r in range(rounds):
                # A fresh client per response: its own cookie jar, as a new visitor. Not closed: that
                # would close the phone's connection, which its next response reuses.
                client = httpx.AsyncClient(base_url=base_url, timeout=request_timeout, transport=transport, trust_env=False)
                try:
                    await one(client, n * rounds + r, outcome)
                except Unexpected as error:
                    outcome.errors[str(error)] += 1
                except httpx.HTTPError as error:
                    outcome.errors[type(error).__name__] += 1

    started = time.perf_counter()
    tasks = [asyncio.create_task(phone(n)) for n in range(participants)]
    done, pending = await asyncio.wait(tasks, timeout=deadline)
    for task in pending:
        task.cancel()
    if pending:
        outcome.errors[f"unfinished at the {deadline:.0f} s deadline"] += len(pending)
    elapsed = time.perf_counter() - started
    return outcome, elapsed


class Database:
    """The throwaway database, read directly (not through the app) for the after-run check."""

    def __init__(self, base_url: str | None, work: Path):
        self.postgres = bool(base_url and base_url.startswith("postgres"))
        if self.postgres:
            parts = urlsplit(base_url)
            self.name = f"chorus_load_{secrets.token_hex(4)}"
            self.admin_url = base_url
            self.url = urlunsplit(parts._replace(path="/" + self.name))
        else:
            self.path = work / "load.db"
            self.url = f"sqlite:///{self.path}"

    async def _pg(self, sql: str, *args, admin: bool = False):
        import asyncpg

        connection = await asyncpg.connect(self.admin_url if admin else self.url)
        try:
            return await connection.fetch(sql, *args)
        finally:
            await connection.close()

    def create(self) -> None:
        if self.postgres:
            asyncio.run(self._pg(f'CREATE DATABASE "{self.name}"', admin=True))

    def drop(self) -> None:
        if self.postgres:
            asyncio.run(self._pg(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', admin=True))

    def query(self, sql: str, *args) -> list[tuple]:
        if self.postgres:
            return [tuple(r) for r in asyncio.run(self._pg(sql.replace("?", "$1"), *args))]
        with sqlite3.connect(self.path, timeout=60) as connection:
            return connection.execute(sql, args).fetchall()

    def stored_receipts(self) -> Counter:
        return Counter(r[0] for r in self.query("SELECT receipt_hash FROM response"))

    def bare_rows(self) -> int:
        return self.query("SELECT COUNT(*) FROM bare_row")[0][0]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process, its threads and its child processes (workers)."""
    total, ticks = 0.0, os.sysconf("SC_CLK_TCK")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += cpu_seconds(int(child))
    except (OSError, IndexError, ValueError):
        pass
    return total


def serve(command: list[str], env: dict, port: int, log: Path) -> subprocess.Popen:
    # The server's log goes to a file: a pipe nobody reads until the end fills up and blocks it.
    # Its own process group: with several workers `chorus run` starts uvicorn as a child, stopped with it.
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"), start_new_session=True)
    server.log = log
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit(f"server did not start: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code < 600:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)
    raise SystemExit("server did not answer within 60 s")


def wait_for_models(port: int, in_a_row: int = 10) -> None:
    """Load starts once the server's free-text models are fitted (as an event's doors open after the
    server has started): /health says "ready" from every worker, i.e. many times in a row."""
    ready = 0
    for _ in range(1200):
        ready = ready + 1 if httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json().get("models") == "ready" else 0
        if ready >= in_a_row:
            return
        time.sleep(0.25)
    raise SystemExit("the server's models were not ready within 5 minutes")


def stop(server: subprocess.Popen) -> str:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    return server.log.read_text(errors="replace")


def row(engine: str, target: str, n: int, rounds: int, outcome: Outcome, seconds: float, stored: str, load: tuple, cpu: float) -> dict:
    sends = sorted(outcome.send_seconds)
    p95 = sends[min(len(sends) - 1, int(0.95 * len(sends)))] if sends else float("nan")
    result = {
        "engine": engine, "target": target, "participants": n, "expected": n * rounds, "acknowledged": outcome.acknowledged,
        "errors": sum(outcome.errors.values()), "error_kinds": dict(outcome.errors), "seconds": round(seconds, 2),
        "responses_per_second": round(outcome.acknowledged / seconds, 2), "send_p50": round(statistics.median(sends), 3) if sends else None,
        "send_p95": round(p95, 3), "stored": stored, "load_average": load,
        "server_cpu_ms_per_response": round(1000 * cpu / outcome.acknowledged, 1) if outcome.acknowledged else None,
    }
    print(f"| {engine} | {target} | {n} | {outcome.acknowledged}/{n * rounds} | {result['errors']} | "
          f"{result['responses_per_second']:.1f} | {result['send_p50']} s | {result['send_p95']} s | "
          f"{result['server_cpu_ms_per_response']} ms | {stored} | "
          f"{' '.join(f'{x:.2f}' for x in load)} |", flush=True)
    for kind, count in outcome.errors.most_common():
        print(f"|   error: {count} × {kind} | | | | | | | | | | |", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", default="20,100,300", help="comma-separated N (concurrent phones)")
    parser.add_argument("--rounds", type=int, default=2, help="responses each phone sends, one after the other")
    parser.add_argument("--workers", type=int, default=0, help="server workers (default: as `make run`, chorus run's default)")
    parser.add_argument("--request-timeout", type=float, default=60.0)
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds allowed for each load")
    parser.add_argument("--skip-bare", action="store_true", help="do not measure the bare-handler ceiling")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    sizes = [int(n) for n in args.participants.split(",")]

    work = Path(tempfile.mkdtemp(prefix="chorus-load-"))
    database = Database(os.environ.get("DATABASE_URL"), work)
    engine = "PostgreSQL" if database.postgres else "SQLite"
    env = {**os.environ, "DATABASE_URL": database.url, "CHORUS_VAR_DIR": str(work), "CHORUS_ENV": "development",
           "NLTK_DATA": os.environ.get("NLTK_DATA", str(ROOT.parent / "shared" / "nltk_data")),
           "SECRET_KEY": secrets.token_urlsafe(40), "PYTHONPATH": str(ROOT)}
    database.create()
    results = []
    try:
        for step in (["database", "upgrade"], ["demo", "load"]):
            subprocess.run([str(BIN / "chorus"), *step], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-c", "import asyncio; from scripts.bare_insert_app import BareRow; "
                        "asyncio.run(BareRow.create_table(if_not_exists=True).run())"], cwd=ROOT, env=env, check=True)
        workers = ["--web-concurrency", str(args.workers)] if args.workers else []
        print(f"engine: {engine}; server workers: {args.workers or 'default (1)'}; {args.rounds} responses per phone; "
              f"{os.cpu_count()} CPUs; git {subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True, text=True).stdout.strip()}")
        print("| engine | target | N | acknowledged | errors | responses/s | send p50 | send p95 | server CPU per response "
              "| stored (checked in the database) | load average 1/5/15 min |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for target in ("chorus", "bare") if not args.skip_bare else ("chorus",):
            port = free_port()
            if target == "chorus":
                command = [str(BIN / "chorus"), "run", "--host", "127.0.0.1", "--port", str(port), *workers]
            else:
                command = [sys.executable, "-m", "uvicorn", "scripts.bare_insert_app:app", "--host", "127.0.0.1",
                           "--port", str(port), "--workers", str(args.workers or 1), "--no-access-log", "--log-level", "warning"]
            server = serve(command, env, port, work / f"{target}-server.log")
            try:
                if target == "chorus":
                    wait_for_models(port)
                for n in sizes:
                    before = database.stored_receipts() if target == "chorus" else database.bare_rows()
                    load = os.getloadavg()
                    cpu_before = cpu_seconds(server.pid)
                    one = participant if target == "chorus" else bare_participant
                    outcome, seconds = asyncio.run(drive(f"http://127.0.0.1:{port}", n, args.rounds, one,
                                                         request_timeout=args.request_timeout, deadline=args.deadline))
                    if target == "chorus":
                        after = database.stored_receipts()
                        new = after - before
                        missing = [r for r in outcome.receipts if after[receipt_hash(r)] != 1]
                        duplicates = sum(1 for count in after.values() if count > 1)
                        stored = f"{sum(new.values())} stored, {len(missing)} acknowledged missing, {duplicates} duplicates"
                    else:
                        stored = f"{database.bare_rows() - before} rows"
                    cpu = cpu_seconds(server.pid) - cpu_before
                    results.append(row(engine, target, n, args.rounds, outcome, seconds, stored, load, cpu))
            finally:
                log = stop(server)
                tracebacks = log.count("Traceback")
                if tracebacks:
                    print(f"server log ({target}): {tracebacks} tracebacks; last lines:\n{log[-1500:]}", flush=True)
    finally:
        database.drop()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
