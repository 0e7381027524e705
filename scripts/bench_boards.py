"""Live-board benchmark: N phones on one board over real websockets, against the real server.

Like scripts/load_participants.py it makes a throwaway database (a SQLite file, or a new database on
the PostgreSQL server DATABASE_URL names), migrates it, creates a facilitator and a board in it,
starts `chorus run` on a loopback port (`--workers 2` on PostgreSQL crosses workers over
LISTEN/NOTIFY) and then drives it:

1. N participants join over HTTP (the join form, as a phone without an account) and open the
   board's websocket; the facilitator opens the staff websocket.
2. Write phase, `--write-seconds` long: every participant posts `--posts` cards at random moments.
   Measured: the poster's own echo (post → ack) and post → the broadcast event's arrival at EVERY
   client (the ack names the event's seq).
3. In the middle of it `--cut` clients lose their connection (the socket is aborted, as a phone
   that walks out of Wi-Fi) for `--cut-seconds`; while cut they keep writing into a local queue,
   as the page's script does. Then they reconnect, take the state frame (the resync: measured from
   reconnecting), resend what they queued and replay one card already acknowledged (same ref).
4. The facilitator reveals the cards: phase change → arrival at every client.
5. Checks: every acknowledged card is on the revealed board exactly once; every connected client
   saw every event once, in seq order (a client that was cut: every event after its resync).

Run: make bench-boards, or
     .venv/bin/python scripts/bench_boards.py [--clients 200] [--posts 2] [--workers N] [--json out.json]
     DATABASE_URL=postgresql://user@host:port/any_db .venv/bin/python scripts/bench_boards.py --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.load_participants import (  # noqa: E402 - the same throwaway database and server handling
    BIN,
    CSRF_FIELD,
    ROOT,
    Database,
    cpu_seconds,
    free_port,
    serve,
    stop,
    wait_for_models,
)

CARD_TEXTS = [
    "the youth club staying open late on fridays", "buses after 9pm don't come", "people actually listened to us today",
    "more things to do in the park in summer", "the police stop and search thing makes people scared",
    "having young people on the board", "mentors who have been through it", "lighting by the station is bad",
    "free food at the sessions", "a proper space for girls", "the surveys are too long", "the games night was good",
]

SETUP = """
import asyncio, json, sys
from app.accounts import auth, services as accounts
from app.accounts.roles import Role
from app.accounts.tables import Agency
from surveys.boards import services as boards

async def main():
    user_id = await accounts.create_user_with_password(
        email="bench-facilitator@example.org", display_name="Bench facilitator", agency=Agency.other,
        password=auth_password, grants=[accounts.RoleGrant(Role.facilitator)])
    cookie = await auth.start_session(user_id, mfa_passed=True)
    board = await boards.create_board(title="Benchmark board", template="rose_thorn_bud", created_by=user_id,
                                      votes_per_person=3)
    print(json.dumps({"cookie_name": auth.SESSION_COOKIE, "cookie": cookie, "board_id": board["id"], "code": board["code"]}))

auth_password = "bench-" + "x" * 20
asyncio.run(main())
"""


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"


@dataclass
class Client:
    """One phone (or the facilitator's screen): its socket, what it received and when."""

    number: int
    url: str
    headers: dict
    socket: ClientConnection | None = None
    arrivals: dict[int, float] = field(default_factory=dict)  # seq → first arrival
    duplicates: int = 0
    out_of_order: int = 0
    last_seq: int = 0
    state_seq: int | None = None
    state: dict | None = None
    states: asyncio.Queue = field(default_factory=asyncio.Queue)
    acks: dict[str, asyncio.Future] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    presence: int = 0
    reader: asyncio.Task | None = None
    cut_at: float | None = None
    down: bool = False
    awaiting_state: bool = True
    early: list[int] = field(default_factory=list)

    async def open(self) -> None:
        # Until the state frame arrives, events may come first (the server subscribes, then reads the
        # state): their order is judged against the state's seq, not the seq seen before a cut.
        self.awaiting_state = True
        self.socket = await connect(self.url, additional_headers=self.headers, open_timeout=60, max_queue=None,
                                    ping_interval=None, compression=None)
        self.reader = asyncio.create_task(self.read(self.socket))

    async def read(self, socket: ClientConnection) -> None:
        try:
            async for raw in socket:
                now = time.perf_counter()
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "event":
                    seq = frame["seq"]
                    if seq in self.arrivals:
                        self.duplicates += 1
                        continue
                    if self.awaiting_state:
                        self.early.append(seq)
                    elif seq != self.last_seq + 1:
                        self.out_of_order += 1
                    self.arrivals[seq] = now
                    if not self.awaiting_state:
                        self.last_seq = max(self.last_seq, seq)
                elif kind == "state":
                    self.state_seq, self.state = frame["seq"], frame["state"]
                    last = max(self.last_seq, frame["seq"])
                    for early in self.early:  # events that came before the state: in order after it, or out of order
                        if early > last + 1:
                            self.out_of_order += 1
                        last = max(last, early)
                    self.last_seq, self.awaiting_state, self.early = last, False, []
                    self.states.put_nowait(now)
                elif kind == "ack":
                    future = self.acks.get(frame.get("ref"))
                    if future and not future.done():
                        future.set_result((now, frame))
                elif kind == "error":
                    future = self.acks.get(frame.get("ref"))
                    self.errors.append(frame.get("message", "?"))
                    if future and not future.done():
                        future.set_result((now, frame))
                elif kind == "presence":
                    self.presence = frame["count"]
        except ConnectionClosed:
            pass

    async def send(self, action: dict) -> tuple[float, float, dict]:
        """Send one action; returns (sent, acknowledged, ack frame)."""
        future = asyncio.get_running_loop().create_future()
        self.acks[action["ref"]] = future
        sent = time.perf_counter()
        await self.socket.send(json.dumps(action))
        acknowledged, frame = await asyncio.wait_for(future, timeout=60)
        return sent, acknowledged, frame

    def cut(self) -> None:
        """Drop the connection as a phone leaving Wi-Fi does: no closing handshake."""
        self.cut_at = time.perf_counter()
        self.down = True
        self.socket.transport.abort()

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)


@dataclass
class Post:
    client: int
    ref: str
    text: str
    sent: float = 0.0
    acked: float | None = None
    seq: int | None = None
    card_id: int | None = None
    queued_while_cut: bool = False


async def join(base_url: str, code: str, n: int) -> dict:
    """A phone joins: the board page (CSRF cookie), then the join form; returns its cookies."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60, trust_env=False) as client:
        page = await client.get(f"/r/{code}")
        page.raise_for_status()
        token = CSRF_FIELD.search(page.text)
        data = {"display_name": ""}
        if token:
            data["_csrf_token"] = token.group(1)
        joined = await client.post(f"/r/{code}/join", data=data)
        if joined.status_code not in (200, 302, 303):
            raise SystemExit(f"join refused: HTTP {joined.status_code}: {joined.text[:300]}")
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in client.cookies.items())}


async def run(base_url: str, ws_url: str, setup: dict, args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    code = setup["code"]
    joined = []
    for start in range(0, args.clients, 25):  # join in batches, as a room's phones trickle in
        joined += await asyncio.gather(*(join(base_url, code, n) for n in range(start, min(args.clients, start + 25))))
    clients = [Client(n, f"{ws_url}/r/{code}/live", headers) for n, headers in enumerate(joined)]
    facilitator = Client(-1, f"{ws_url}/boards/{setup['board_id']}/live", {"Cookie": f"{setup['cookie_name']}={setup['cookie']}"})
    opened = time.perf_counter()
    for start in range(0, len(clients), 25):
        await asyncio.gather(*(c.open() for c in clients[start:start + 25]))
    await facilitator.open()
    await asyncio.wait_for(asyncio.gather(*(c.states.get() for c in [*clients, facilitator])), timeout=120)
    connect_seconds = time.perf_counter() - opened

    posts: list[Post] = []
    cut = set(rng.sample(range(len(clients)), min(args.cut, len(clients))))
    cut_start = args.write_seconds * 0.25
    resync_seconds: list[float] = []
    replays: list[tuple[Post, dict]] = []
    write_started = time.perf_counter()

    async def send_post(client: Client, post: Post) -> None:
        post.sent, acknowledged, frame = await client.send({"action": "post", "ref": post.ref, "column": args.column, "text": post.text})
        if frame.get("type") == "ack":
            post.acked, post.seq = acknowledged, frame.get("seq")
            post.card_id = (frame.get("card") or {}).get("id")

    queues: dict[int, list[Post]] = {n: [] for n in cut}

    async def one_phone(client: Client) -> None:
        moments = sorted(rng.uniform(0, args.write_seconds) for _ in range(args.posts))
        if client.number in cut:  # at least one card written while the connection is down
            moments = sorted([*moments, cut_start + rng.uniform(1, args.cut_seconds - 1)])
        for moment in moments:
            await asyncio.sleep(max(0.0, write_started + moment - time.perf_counter()))
            post = Post(client.number, str(uuid.uuid4()), rng.choice(CARD_TEXTS))
            posts.append(post)
            if client.down:  # as the page's script does: keep it, send it on reconnecting
                post.queued_while_cut = True
                queues[client.number].append(post)
            else:
                await send_post(client, post)

    async def drop_and_return(client: Client) -> None:
        await asyncio.sleep(max(0.0, write_started + cut_start - time.perf_counter()))
        client.cut()
        await asyncio.sleep(args.cut_seconds)
        await asyncio.gather(client.reader, return_exceptions=True)
        before = client.states.qsize()
        started = time.perf_counter()
        await client.open()
        while client.states.qsize() <= before:
            await asyncio.sleep(0.005)
        resync_seconds.append(time.perf_counter() - started)
        queue = queues[client.number]
        while queue:
            await send_post(client, queue.pop(0))
        client.down = False
        acknowledged = [p for p in posts if p.client == client.number and p.acked and not p.queued_while_cut]
        if acknowledged:  # a replayed frame: the same ref again must not make a second card
            again = acknowledged[0]
            _, _, frame = await client.send({"action": "post", "ref": again.ref, "column": args.column, "text": again.text})
            replays.append((again, frame))

    cpu_before = cpu_seconds(args.server_pid)
    await asyncio.gather(*(one_phone(c) for c in clients), *(drop_and_return(clients[n]) for n in cut))
    write_seconds = time.perf_counter() - write_started
    write_cpu = cpu_seconds(args.server_pid) - cpu_before
    await asyncio.sleep(2)  # let the last broadcasts land

    reveal_sent, _, reveal_ack = await facilitator.send({"action": "phase", "ref": str(uuid.uuid4()), "phase": "reveal"})
    reveal_seq = reveal_ack.get("seq")
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline and any(reveal_seq not in c.arrivals for c in clients):
        await asyncio.sleep(0.05)
    facilitator.states = asyncio.Queue()
    await facilitator.socket.send(json.dumps({"action": "resync"}))
    await asyncio.wait_for(facilitator.states.get(), timeout=30)
    revealed = facilitator.state or {}

    # --- figures -----------------------------------------------------------------------------------
    acked = [p for p in posts if p.acked is not None]
    echo = [p.acked - p.sent for p in acked if not p.queued_while_cut]
    arrival = []
    missing = 0
    for post in acked:
        for client in clients:
            if client.number in cut and client.cut_at is not None and post.seq <= (client.state_seq or 0) and post.seq not in client.arrivals:
                continue  # came while this phone was cut: it has it through the resync's state frame
            at = client.arrivals.get(post.seq)
            if at is None:
                missing += 1
            elif not post.queued_while_cut:
                arrival.append(at - post.sent)
    phase = [c.arrivals[reveal_seq] - reveal_sent for c in clients if reveal_seq in c.arrivals]
    cards = revealed.get("cards", [])
    replay_ok = all(frame.get("type") == "ack" and frame.get("seq") == post.seq for post, frame in replays)
    result = {
        "clients": args.clients, "posts_sent": len(posts), "posts_acknowledged": len(acked),
        "refused": sorted({m for c in clients for m in c.errors}),
        "connect_seconds": round(connect_seconds, 2), "write_seconds": round(write_seconds, 2),
        "server_cpu_seconds_during_write": round(write_cpu, 2),
        "echo_p50": percentile(echo, 0.5), "echo_p95": percentile(echo, 0.95), "echo_max": max(echo, default=None),
        "arrival_p50": percentile(arrival, 0.5), "arrival_p95": percentile(arrival, 0.95),
        "arrival_p99": percentile(arrival, 0.99), "arrival_max": max(arrival, default=None), "arrivals_measured": len(arrival),
        "phase_p50": percentile(phase, 0.5), "phase_p95": percentile(phase, 0.95), "phase_max": max(phase, default=None),
        "phase_reached": len(phase),
        "cut_clients": len(cut), "cut_seconds": args.cut_seconds, "resync_p95": percentile(resync_seconds, 0.95),
        "resync_max": max(resync_seconds, default=None),
        "queued_while_cut": sum(p.queued_while_cut for p in posts),
        "queued_acknowledged": sum(p.queued_while_cut and p.acked is not None for p in posts),
        "replays": len(replays), "replays_answered_with_same_seq": replay_ok,
        "events_missing": missing, "events_duplicated": sum(c.duplicates for c in clients),
        "events_out_of_order": sum(c.out_of_order for c in clients),
        "cards_on_revealed_board": len(cards), "cards_expected": len(acked),
        "presence_seen_by_facilitator": facilitator.presence,
    }
    await asyncio.gather(*(c.close() for c in [*clients, facilitator]))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--posts", type=int, default=2, help="cards each phone writes during the write phase")
    parser.add_argument("--write-seconds", type=float, default=45.0)
    parser.add_argument("--cut", type=int, default=30, help="phones whose connection drops mid-write")
    parser.add_argument("--cut-seconds", type=float, default=30.0)
    parser.add_argument("--column", default="rose")
    parser.add_argument("--workers", type=int, default=0, help="server workers (default: as `make run`)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="chorus-boards-"))
    database = Database(os.environ.get("DATABASE_URL"), work)
    engine = "PostgreSQL LISTEN/NOTIFY" if database.postgres else "SQLite, memory channels"
    env = {**os.environ, "DATABASE_URL": database.url, "CHORUS_VAR_DIR": str(work), "CHORUS_ENV": "development",
           "NLTK_DATA": os.environ.get("NLTK_DATA", str(ROOT.parent / "shared" / "nltk_data")),
           "SECRET_KEY": secrets.token_urlsafe(40), "PYTHONPATH": str(ROOT)}
    database.create()
    server = None
    try:
        subprocess.run([str(BIN / "chorus"), "database", "upgrade"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        made = subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        setup = json.loads(made.stdout.strip().splitlines()[-1])
        port = free_port()
        workers = ["--web-concurrency", str(args.workers)] if args.workers else []
        server = serve([str(BIN / "chorus"), "run", "--host", "127.0.0.1", "--port", str(port), *workers],
                       env, port, work / "server.log")
        wait_for_models(port)
        args.server_pid = server.pid
        load = os.getloadavg()
        git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        print(f"engine: {engine}; server workers: {args.workers or 'default (1)'}; {args.clients} clients × {args.posts} cards "
              f"over {args.write_seconds:.0f} s; {args.cut} cut for {args.cut_seconds:.0f} s; {os.cpu_count()} CPUs; "
              f"load {' '.join(f'{x:.2f}' for x in load)}; git {git}", flush=True)
        result = asyncio.run(run(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", setup, args))
        result.update(engine=engine, workers=args.workers or 1, load_average_before=load, git=git)
        print(f"post → own echo: p50 {ms(result['echo_p50'])}, p95 {ms(result['echo_p95'])}, max {ms(result['echo_max'])}")
        print(f"post → every client ({result['arrivals_measured']} arrivals): p50 {ms(result['arrival_p50'])}, "
              f"p95 {ms(result['arrival_p95'])}, p99 {ms(result['arrival_p99'])}, max {ms(result['arrival_max'])}")
        print(f"phase change → every client ({result['phase_reached']}/{args.clients}): p50 {ms(result['phase_p50'])}, "
              f"p95 {ms(result['phase_p95'])}, max {ms(result['phase_max'])}")
        print(f"{result['cut_clients']} cut for {args.cut_seconds:.0f} s: resync p95 {ms(result['resync_p95'])}, "
              f"max {ms(result['resync_max'])}; {result['queued_acknowledged']}/{result['queued_while_cut']} queued cards stored; "
              f"{result['replays']} replayed refs answered with the same seq: {result['replays_answered_with_same_seq']}")
        print(f"cards: {result['posts_acknowledged']}/{result['posts_sent']} acknowledged, {result['cards_on_revealed_board']} on "
              f"the revealed board; events missing {result['events_missing']}, duplicated {result['events_duplicated']}, "
              f"out of order {result['events_out_of_order']}; refused: {result['refused'] or 'none'}")
        print(f"server CPU during the write phase: {result['server_cpu_seconds_during_write']} s over {result['write_seconds']} s")
        if args.json:
            args.json.write_text(json.dumps(result, indent=2))
    finally:
        if server is not None:
            log = stop(server)
            errors = [line for line in log.splitlines() if "Traceback" in line or " ERROR " in line]
            if errors:
                print(f"server log: {len(errors)} error lines; see {work / 'server.log'}")
        database.drop()


if __name__ == "__main__":
    main()
