"""Kill `bangfu serve` with SIGKILL under load, again and again: nothing acknowledged is lost
or paid twice.

Run as ``python -m bench.kill_under_load [--kills 27] [--clients 8] [--store postgres]``. On one
fresh PostgreSQL database of its own (dropped afterwards), it prepares one hot fund with money
and a few hundred households over HTTP, then, ``--kills`` times:

1. starts a real ``bangfu serve`` process with default settings (on PostgreSQL its projector
   runs in a child process, as in production: after each SIGKILL that child must end by
   itself within 10 s, or the run fails);
2. drives ``--clients`` threads, each on its own keep-alive connection, that first re-send the
   requests of theirs that were not acknowledged before (the SAME Idempotency-Key and body) and
   then POST new payments to that ONE fund, each with its own reference and Idempotency-Key;
3. after a random 0.3-2 s sends SIGKILL to the uvicorn process itself (``bangfu serve`` runs
   uvicorn in its own process: the pid is the server, not a shell), and records every answer:
   201 (acknowledged, with its id, ``replayed`` or not) or cut off.

A last server then answers every request still unacknowledged, and the run checks, with the
server up: every 201's payment is found by ``GET /payments/{id}``, in the audit trail (a view)
and in the fund's movements (read from the log); no reference was paid twice (trail and
movements); a request answered ``replayed`` got the id of the payment its reference made; the
fund's disbursed total is the acknowledged count x ¥10.00. With the server stopped: ``bangfu
verify`` walks the hash chain, and every view, as the killed servers left it and the last one
advanced it, equals the same view rebuilt from the whole log (``Projector.rebuild``).

The helpers come from bench/write_path.py. All traffic goes to 127.0.0.1 and every loop is
bounded in time and count.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import itertools
import json
import os
import platform
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table

from bench import write_path as wp
from bench.write_path import (
    AMOUNT,
    AMOUNT_FEN,
    HOST,
    RECEIVED,
    Client,
    HotFund,
    Phase,
    busy_processes,
    check_exactly_once,
    cli,
    create_schema,
    drop_database,
    fen,
    fresh_database,
    git_state,
    load_average,
    payment_body,
    payments_in_trail,
    prepare,
    served,
    wait_for_views,
)
from domain.funds import Fund
from projections import Views
from stores import open_ledger

DB_NAME = "bangfu_bench_kill_under_load"
OUT = Path(__file__).with_name("RESULTS-kill.md")
ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("api", "cli", "domain", "projections", "stores", "supervision")
MAX_SENDS = 100  # bound on the sends of one request (each 5xx or cut-off answer is one)
console = Console()


@contextmanager
def own_database(name: str, admin_dsn: str) -> Iterator[None]:
    """write_path's helpers (fresh_database, create_schema, bangfu_env, served, cli) name their
    server and database by module globals; point them at ``name`` on the server of
    ``admin_dsn`` meanwhile, so that this run and a write_path run at the same time do not
    drop each other's database."""
    saved = wp.ADMIN_DSN, wp.DB_NAME, wp.DB_URL
    wp.ADMIN_DSN, wp.DB_NAME = admin_dsn, name
    wp.DB_URL = f"{admin_dsn.split('?')[0].rsplit('/', 1)[0]}/{name}"
    try:
        yield
    finally:
        wp.ADMIN_DSN, wp.DB_NAME, wp.DB_URL = saved


def store_url() -> str:
    return f"{wp.DB_URL}?schema=bangfu"


def code_version() -> str:
    """A digest of Bangfu's source: each restart runs what is on disk at that moment."""
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


# --- requests and the clients that send them -----------------------------------------------------
@dataclass
class Request:
    """One payment request: its body and key never change, however often it is sent."""

    reference: str
    key: str
    body: dict[str, Any]
    sends: int = 0  # times written to a connection (a refused connection is not a send)
    cut_off: int = 0  # sends that got no answer: the server died, or the connection broke
    statuses: Counter[str] = field(default_factory=Counter)  # answers other than 201
    acked_id: str | None = None
    replayed: bool = False
    refused: str | None = None  # a 4xx answer, final: retrying it could not help

    @property
    def done(self) -> bool:
        return self.acked_id is not None or self.refused is not None


class Sender:
    """One client thread's keep-alive connection to one server."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.conn: http.client.HTTPConnection | None = None
        self.odd: list[str] = []  # answers that should not happen

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def send(self, request: Request) -> None:
        """Send once; the request records the answer (or that there was none)."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            try:
                self.conn.connect()
            except OSError:  # the server is gone: nothing was sent
                self.close()
                return
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "Idempotency-Key": request.key,
        }
        request.sends += 1
        try:
            self.conn.request("POST", "/payments", json.dumps(request.body), headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            request.cut_off += 1
            self.close()
            return
        if response.status == 201:
            answer = json.loads(raw)
            request.acked_id, request.replayed = str(answer["id"]), bool(answer.get("replayed"))
            if request.replayed and request.sends == 1:
                self.odd.append(f"{request.reference}: replayed on its first send")
            return
        try:
            problem = json.loads(raw).get("type", "-")
        except ValueError:
            problem = "-"
        request.statuses[f"{response.status} {problem}"] += 1
        if response.status < 500:
            request.refused = f"{response.status} {problem}"


@dataclass
class Tally:
    """What the clients did in one round."""

    sends: int = 0
    acked: int = 0
    replayed: int = 0
    cut_off: int = 0
    other: int = 0  # answers other than 201

    def add(self, before: tuple[int, int, int], request: Request) -> None:
        """What one send of ``request`` changed; ``before``: its sends, cut-offs, answers."""
        sends, cut_off, others = before
        self.sends += request.sends - sends
        self.cut_off += request.cut_off - cut_off
        self.other += request.statuses.total() - others
        if request.acked_id is not None:
            self.acked += 1
            self.replayed += request.replayed


def drive(
    sender: Sender,
    queue: list[Request],
    stop: threading.Event,
    new_request: Callable[[], Request] | None,
    deadline: float,
    tally: Tally,
    lock: threading.Lock,
) -> None:
    """Send this client's unacknowledged requests, then new ones (if ``new_request``), one at
    a time, until ``stop``, the deadline, or (without new ones) an empty queue."""
    try:
        while not stop.is_set() and time.monotonic() < deadline:
            if not queue:
                if new_request is None:
                    return
                queue.append(new_request())
            request = queue[0]
            before = (request.sends, request.cut_off, request.statuses.total())
            sender.send(request)
            with lock:
                tally.add(before, request)
            if request.done or request.sends >= MAX_SENDS:
                queue.pop(0)  # a request sent MAX_SENDS times unanswered is reported as such
            elif request.acked_id is None:
                time.sleep(0.02)  # a cut-off, a refused connection or a 5xx: a moment's pause
    finally:
        sender.close()


# --- one round: a server, load, a kill ---------------------------------------------------------
@dataclass
class Round:
    number: int
    startup_seconds: float = 0.0  # from starting `bangfu serve` to its first 200 on /health
    kill_after: float | None = None  # None: the last round, not killed
    killed: bool = False  # the process was gone (a zombie) right after SIGKILL
    orphans: list[int] = field(default_factory=list)  # its children still running 10 s later
    tally: Tally = field(default_factory=Tally)
    tracebacks: int = 0
    error_lines: list[str] = field(default_factory=list)


def dead(pid: int, within: float = 5.0) -> bool:
    """The process exited (a zombie not yet reaped, or gone) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return True
        if stat[stat.rindex(")") + 2] in "ZX":
            return True
        time.sleep(0.01)
    return False


def child_pids(pid: int) -> list[int]:
    """The processes ``pid`` started (the projector's process, multiprocessing's helper)."""
    try:
        return [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except OSError:
        return []


def start_server(stack: ExitStack, data_dir: Path, notes: list[str]) -> tuple[int, int]:
    """``served`` (bench/write_path.py), tried three times: other people may be editing the
    code this run restarts, and a half-edited module stops the server from starting."""
    for attempt in range(3):
        try:
            port, pid = stack.enter_context(served(data_dir))
        except RuntimeError as e:
            log = (data_dir / "serve.log").read_text(errors="replace").strip().splitlines()
            notes.append(f"bangfu serve did not start ({e}): {log[-1] if log else ''}")
            if attempt == 2:
                raise
            time.sleep(30)
            continue
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if not any(part.endswith(b"bangfu") for part in cmdline) or b"serve" not in cmdline:
            raise RuntimeError(f"pid {pid} is not `bangfu serve`: {cmdline!r}")
        return port, pid
    raise AssertionError("unreachable")


def run_round(
    rnd: Round,
    data_dir: Path,
    token: str,
    queues: list[list[Request]],
    new_request: Callable[[int], Request] | None,
    rng: random.Random,
    kill_range: tuple[float, float],
    notes: list[str],
    when_up: Callable[[int], None] = lambda port: None,
    when_drained: Callable[[int], None] = lambda port: None,
) -> None:
    """One server: the clients re-send what is unacknowledged, then (unless this is the last
    round, ``new_request`` None) send new payments until the server is killed. ``when_up``
    runs before the clients start, ``when_drained`` in the last round after they finished,
    each with the server's port."""
    with ExitStack() as stack:
        started = time.perf_counter()
        port, pid = start_server(stack, data_dir, notes)
        rnd.startup_seconds = time.perf_counter() - started
        when_up(port)
        stop, lock = threading.Event(), threading.Lock()
        senders = [Sender(port, token) for _ in queues]
        last = new_request is None
        deadline = time.monotonic() + (300 if last else 120)
        makers = [
            None if new_request is None else partial(new_request, i) for i in range(len(queues))
        ]
        threads = [
            threading.Thread(
                target=drive,
                args=(sender, queue, stop, make, deadline, rnd.tally, lock),
                name=f"client-{i}",
            )
            for i, (sender, queue, make) in enumerate(zip(senders, queues, makers, strict=True))
        ]
        for thread in threads:
            thread.start()
        if not last:
            rnd.kill_after = rng.uniform(*kill_range)
            time.sleep(rnd.kill_after)
            children = child_pids(pid)
            os.kill(pid, signal.SIGKILL)  # the uvicorn process itself
            rnd.killed = dead(pid)
            rnd.orphans = [c for c in children if not dead(c, within=10.0)]
            for orphan in rnd.orphans:  # a child that outlives its server fails the run
                os.kill(orphan, signal.SIGKILL)
            stop.set()
        for thread in threads:
            thread.join(timeout=deadline - time.monotonic() + 60)
            if thread.is_alive():
                raise RuntimeError(f"{thread.name} did not stop")
        for sender in senders:
            notes.extend(sender.odd)
        if last:
            when_drained(port)
    log = (data_dir / "serve.log").read_text(errors="replace")
    rnd.tracebacks = log.count("Traceback")
    rnd.error_lines = [line for line in log.splitlines() if line.startswith("ERROR")]


# --- the checks ------------------------------------------------------------------------------
@dataclass
class Figures:
    requests: int = 0
    sends: int = 0
    acknowledged: int = 0
    cut_off: int = 0  # sends that got no answer
    retried: int = 0  # requests sent more than once
    replayed: int = 0  # 201 answers marked replayed: committed before a kill, answer lost
    paid_on_retry: int = 0  # retried, and paid by a later send (the first never committed)
    other_answers: Counter[str] = field(default_factory=Counter)  # answers other than 201
    refused: int = 0  # requests refused for good (4xx)
    unanswered: int = 0  # requests never acknowledged nor refused
    lost: int = 0  # acknowledged payments not found (GET, trail or movements)
    lost_detail: Counter[str] = field(default_factory=Counter)
    wrong_replay: int = 0  # answered 'replayed' with an id that is not its reference's payment
    doubled_trail: int = 0  # extra payments of a reference, in the audit trail
    doubled_movements: int = 0  # extra disbursements of a reference, in the fund's movements
    unacknowledged_paid: int = 0  # payments stored for requests never acknowledged
    strangers: int = 0  # payments of the fund with a reference no request used
    disbursed_ok: bool = False
    disbursed: str = ""
    verify_ok: bool = False
    verify_text: str = ""
    views_equal: bool = False
    views_detail: list[str] = field(default_factory=list)
    applied_after_stop: int = 0  # events the views had not applied when the last server stopped
    exactly_once_lines: list[str] = field(default_factory=list)  # write_path's own check

    @property
    def doubled(self) -> int:
        return max(self.doubled_trail, self.doubled_movements)

    @property
    def passed(self) -> bool:
        return (
            self.lost == 0
            and self.doubled == 0
            and self.wrong_replay == 0
            and self.unacknowledged_paid == 0
            and self.strangers == 0
            and self.refused == 0
            and self.unanswered == 0
            and self.disbursed_ok
            and self.verify_ok
            and self.views_equal
            and all(line.startswith("ok") for line in self.exactly_once_lines)
        )


def count_requests(requests: list[Request], figures: Figures) -> None:
    figures.requests = len(requests)
    for r in requests:
        figures.sends += r.sends
        figures.cut_off += r.cut_off
        figures.other_answers.update(r.statuses)
        retried = r.sends > 1
        figures.retried += retried
        if r.acked_id is not None:
            figures.acknowledged += 1
            figures.replayed += r.replayed
            figures.paid_on_retry += retried and not r.replayed
        elif r.refused is not None:
            figures.refused += 1
        else:
            figures.unanswered += 1


def check_payments(
    admin: Client, auditor: Client, hot: HotFund, requests: list[Request], figures: Figures
) -> None:
    """With the last server up: every acknowledged payment exists, once."""
    wait_for_views(auditor)
    trail = payments_in_trail(auditor, hot)  # payment id -> reference
    trail_refs = Counter(trail.values())
    moved = admin.ok("GET", f"/funds/{hot.fund_id}/movements")
    paid_refs = Counter(m["reference"] for m in moved if m["type"] == Fund.Disbursed.__name__)
    acked = [r for r in requests if r.acked_id is not None]
    for r in acked:
        status, answer = admin.call("GET", f"/payments/{r.acked_id}")
        found = (
            status == 200
            and answer["reference"] == r.reference
            and answer["fund_id"] == hot.fund_id
        )
        missing = [
            what
            for what, ok in (
                ("GET /payments/{id}", found),
                ("audit trail", trail.get(str(r.acked_id)) == r.reference),
                ("fund movements", paid_refs[r.reference] > 0),
            )
            if not ok
        ]
        figures.lost += bool(missing)
        figures.lost_detail.update(missing)
        figures.wrong_replay += r.replayed and trail.get(str(r.acked_id)) != r.reference
    figures.doubled_trail = sum(n - 1 for n in trail_refs.values())
    figures.doubled_movements = sum(n - 1 for n in paid_refs.values())
    ours = {r.reference for r in requests}
    acked_refs = {r.reference for r in acked}
    figures.unacknowledged_paid = len((trail_refs.keys() | paid_refs.keys()) & ours - acked_refs)
    figures.strangers = len((trail_refs.keys() | paid_refs.keys()) - ours)
    fund = admin.ok("GET", f"/funds/{hot.fund_id}")
    disbursed = fen(fund["disbursed"])
    figures.disbursed = (
        f"¥{fund['disbursed']} = {len(acked):,} x ¥{AMOUNT} "
        f"({len(trail):,} payments in the trail, {sum(paid_refs.values()):,} in the movements); "
        f"balance ¥{fund['balance']}"
    )
    figures.disbursed_ok = (
        disbursed == AMOUNT_FEN * len(acked) == AMOUNT_FEN * len(trail)
        and fen(fund["balance"]) == fen(RECEIVED) - disbursed
        and (not moved or fen(moved[-1]["balance_after"]) == fen(fund["balance"]))
    )
    phase = Phase("all rounds", 0, ids=[str(r.acked_id) for r in acked])
    phase.in_flight_at_stop = figures.requests - len(acked)
    figures.exactly_once_lines = check_exactly_once(admin, auditor, hot, [phase]).lines


def verify_chain(data_dir: Path, figures: Figures) -> None:
    """``bangfu verify`` (with no server running): the hash chain and signed checkpoints."""
    done = wp.run_bangfu(data_dir, "verify", timeout=600)
    figures.verify_ok = done.returncode == 0
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    figures.verify_text = " ".join(lines[-2:]) if lines else done.stderr.strip()[-300:]


def view_contents(views: Views) -> dict[str, dict[str, list[tuple[str, ...]]]]:
    """Every row of every table of each view's current generation, in a stable order (as
    tests/integration/test_projections.py compares them)."""
    out = {}
    for view in views.projector.views:
        g = view.generation()
        out[view.name] = {
            base: sorted(
                tuple(str(v) for v in row.values())
                for row in view.db.query(f"SELECT * FROM {view.table(base, g)}")
            )
            for base in view.tables
        }
    return out


def compare_views(data_dir: Path, figures: Figures) -> None:
    """With no server running: the views as the servers left them (brought to the head of
    the log) against the same views rebuilt from the whole log."""
    ledger = open_ledger(store_url(), master_key_file=data_dir / "master.key")
    try:
        views = Views(ledger)
        figures.applied_after_stop = views.projector.run_once()
        incremental = view_contents(views)
        for view in views.projector.views:
            views.projector.rebuild(view.name)
        rebuilt = view_contents(views)
    finally:
        ledger.close()
    figures.views_equal = incremental == rebuilt
    for name, tables in incremental.items():
        for base, rows in tables.items():
            again = rebuilt[name][base]
            if rows == again:
                figures.views_detail.append(f"{name}.{base}: {len(rows):,} rows, equal")
                continue
            only_inc, only_reb = Counter(rows) - Counter(again), Counter(again) - Counter(rows)
            figures.views_detail.append(
                f"{name}.{base}: {len(rows):,} rows built as events came, {len(again):,} "
                f"rebuilt; {only_inc.total()} only in the first, e.g. "
                f"{list(only_inc)[:2]}; {only_reb.total()} only in the rebuild, e.g. "
                f"{list(only_reb)[:2]}"
            )


def add_user(data_dir: Path, role: str) -> str:
    """``bangfu user add bench-ROLE --role ROLE``: the user's token."""
    return cli(data_dir, "user", "add", f"bench-{role}", "--role", role)


# --- the run ---------------------------------------------------------------------------------
@dataclass
class Result:
    kills: int
    clients: int
    cases: int
    seed: int
    kill_range: tuple[float, float]
    rounds: list[Round] = field(default_factory=list)
    figures: Figures = field(default_factory=Figures)
    notes: list[str] = field(default_factory=list)  # anything odd seen on the way
    setup_seconds: float = 0.0
    code_versions: list[str] = field(default_factory=list)  # one a server start

    @property
    def passed(self) -> bool:
        killed = all(r.killed for r in self.rounds if r.kill_after is not None)
        orphans = any(r.orphans for r in self.rounds)
        return self.figures.passed and killed and not orphans and not self.notes_of_concern

    @property
    def notes_of_concern(self) -> list[str]:
        return [n for n in self.notes if "replayed on its first send" in n]


def run(
    kills: int,
    clients: int,
    cases: int = 300,
    seed: int | None = None,
    kill_range: tuple[float, float] = (0.3, 2.0),
    database: str = DB_NAME,
    admin_dsn: str = wp.ADMIN_DSN,
    keep: bool = False,
    say: Callable[[str], None] = console.print,
) -> Result:
    """The whole run on a fresh database of its own, dropped afterwards unless ``keep``."""
    seed = random.randrange(2**32) if seed is None else seed
    result = Result(kills, clients, cases, seed, kill_range)
    rng = random.Random(seed)
    data_dir = Path(tempfile.mkdtemp(prefix="bangfu-bench-kill-"))
    with own_database(database, admin_dsn):
        fresh_database()
        try:
            create_schema("bangfu")
            tokens = {"admin": add_user(data_dir, "admin")}  # alone: it creates the tables
            with ThreadPoolExecutor(2) as pool:  # the others at once: each CLI start is slow
                others = ("finance", "auditor")
                tokens |= zip(others, pool.map(partial(add_user, data_dir), others), strict=True)
            hots: list[HotFund] = []  # made by the first server, before its clients start

            def set_up(port: int) -> None:
                admin = Client(port, tokens["admin"])
                started = time.perf_counter()
                hots.append(prepare(admin, cases))
                result.setup_seconds = time.perf_counter() - started
                admin.close()
                say(f"prepared one fund and {cases} households in {result.setup_seconds:.1f} s")

            def check(port: int) -> None:
                say("checking every acknowledged payment, with the last server")
                count_requests(requests, result.figures)
                admin, auditor = Client(port, tokens["admin"]), Client(port, tokens["auditor"])
                check_payments(admin, auditor, hots[0], requests, result.figures)
                wait_for_views(auditor)  # the checks' own reads are events too
                admin.close()
                auditor.close()

            requests: list[Request] = []
            queues: list[list[Request]] = [[] for _ in range(clients)]
            serial = itertools.count()

            def new_request(client: int) -> Request:
                n = next(serial)
                reference = f"K-{client}-{n}"
                case_id = hots[0].case_ids[n % len(hots[0].case_ids)]
                body = payment_body(hots[0], case_id, reference)
                made = Request(reference, f"kill-{uuid.uuid4()}", body)
                requests.append(made)  # list.append is atomic: the clients share the list
                return made

            for number in range(kills + 1):
                last = number == kills
                rnd = Round(number + 1)
                result.code_versions.append(code_version())
                run_round(
                    rnd,
                    data_dir,
                    tokens["finance"],
                    queues,
                    None if last else new_request,
                    rng,
                    kill_range,
                    result.notes,
                    set_up if number == 0 else lambda port: None,
                    check,
                )
                result.rounds.append(rnd)
                t = rnd.tally
                what = "last server, not killed" if last else f"killed after {rnd.kill_after:.2f} s"
                say(
                    f"round {rnd.number}: up in {rnd.startup_seconds:.1f} s, {what}: "
                    f"{t.sends} sends, {t.acked} acknowledged ({t.replayed} replayed), "
                    f"{t.cut_off} cut off, {sum(map(len, queues))} waiting"
                )
            say("bangfu verify, and the views against a rebuild, with no server")
            with ThreadPoolExecutor(1) as pool:  # the two only read the log: at the same time
                verified = pool.submit(verify_chain, data_dir, result.figures)
                compare_views(data_dir, result.figures)
                verified.result()
        finally:
            if not keep:
                drop_database()
                shutil.rmtree(data_dir, ignore_errors=True)
    return result


# --- the report ----------------------------------------------------------------------------------
def figure_rows(result: Result) -> list[tuple[str, str]]:
    f = result.figures
    killed = sum(r.killed for r in result.rounds if r.kill_after is not None)
    others = "; ".join(f"{n} x {k}" for k, n in sorted(f.other_answers.items())) or "none"
    lost = f"{f.lost}" + (
        " (" + ", ".join(f"{n} not in {k}" for k, n in sorted(f.lost_detail.items())) + ")"
        if f.lost
        else ""
    )
    return [
        ("kills (SIGKILL to the uvicorn process)", f"{killed} of {result.kills} confirmed dead"),
        (
            "children outliving a killed server by 10 s (the projector's process)",
            str(sum(len(r.orphans) for r in result.rounds)),
        ),
        ("requests (each its own reference and Idempotency-Key)", f"{f.requests:,}"),
        ("sends (first sends and re-sends)", f"{f.sends:,}"),
        ("acknowledged (201)", f"{f.acknowledged:,}"),
        ("sends cut off (no answer)", f"{f.cut_off:,}"),
        ("answers other than 201", others),
        ("retried (requests sent more than once)", f"{f.retried:,}"),
        ("  of which replayed (committed before the kill, answer lost)", f"{f.replayed:,}"),
        ("  of which paid on a re-send (never committed before)", f"{f.paid_on_retry:,}"),
        ("never acknowledged / refused for good", f"{f.unanswered} / {f.refused}"),
        ("lost (acknowledged, not found)", lost),
        (
            "doubled (a reference paid twice: trail / movements)",
            f"{f.doubled_trail} / {f.doubled_movements}",
        ),
        ("replayed with another payment's id", f"{f.wrong_replay}"),
        ("paid without ever being acknowledged", f"{f.unacknowledged_paid}"),
        ("disbursed total", f"{'ok' if f.disbursed_ok else 'WRONG'}: {f.disbursed}"),
        ("bangfu verify", f"{'passed' if f.verify_ok else 'FAILED'}: {f.verify_text}"),
        (
            "views == rebuild",
            f"{'yes' if f.views_equal else 'NO'} ({f.applied_after_stop} events applied "
            "after the last server stopped)",
        ),
    ]


def command(result: Result) -> str:
    text = (
        f"python -m bench.kill_under_load --kills {result.kills} --clients {result.clients} "
        "--store postgres"
    )
    if result.cases != 300:
        text += f" --cases {result.cases}"
    return text


def report(result: Result, started: datetime, machine: dict[str, str]) -> None:
    table = Table(title="Killed under load: nothing acknowledged lost or doubled")
    table.add_column("what")
    table.add_column("figure")
    for row in figure_rows(result):
        table.add_row(*row)
    console.print(table)
    for line in result.figures.exactly_once_lines + result.figures.views_detail:
        console.print(f"  {line}", markup=False)
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    ups = [r.startup_seconds for r in result.rounds]
    delays = [r.kill_after for r in result.rounds if r.kill_after is not None]
    tracebacks = sum(r.tracebacks for r in result.rounds)
    errors = [line for r in result.rounds for line in r.error_lines]
    machine = {
        "outcome": "PASSED" if result.passed else "FAILED",
        "kill delays": f"uniform {result.kill_range[0]:g}-{result.kill_range[1]:g} s, "
        f"seed {result.seed} (drawn {min(delays):.2f}-{max(delays):.2f} s)"
        if delays
        else "none",
        "server restarts": f"{len(ups)}, each up (first 200 on /health) in "
        f"{min(ups):.1f}-{max(ups):.1f} s, mean {sum(ups) / len(ups):.1f} s",
        "server logs": f"{tracebacks} tracebacks, {len(errors)} ERROR lines"
        + (f" (first: {errors[0][:120]})" if errors else ""),
        "code": f"git {git_state()}; {len(set(result.code_versions))} version(s) of the source "
        "served over the restarts",
        "setup over HTTP": f"3 centres, 1 fund, 1 receipt, {result.cases} households in "
        f"{result.setup_seconds:.1f} s",
    } | machine
    for key, value in machine.items():
        console.print(f"{key}: {value}", markup=False)
    lines = [
        f"# Killed under load: SIGKILL to `bangfu serve`, {result.kills} times (postgres)",
        "",
        f"Run on {started:%Y-%m-%d %H:%M} UTC with `{command(result)}`.",
        "",
        "One hot fund, a real `bangfu serve` process with default settings (in-process "
        f"projector) started {result.kills + 1} times on one fresh PostgreSQL database. Each "
        f"time {result.clients} client threads (keep-alive, one request at a time each) first "
        "re-send their unacknowledged requests (same Idempotency-Key, same body) and then POST "
        "new payments of ¥10.00 to the one fund, each with its own reference and key, until "
        "the server process is sent SIGKILL after a random delay; the last server is not "
        "killed and answers what is left. Then, with a server up: every 201's payment must "
        "be found by `GET /payments/{id}`, in the audit trail and in the fund's movements "
        "(read from the log), with no reference paid twice; with no server: `bangfu verify` "
        "and each view against `Projector.rebuild` of it (every row of every table).",
        "",
        "| what | figure |",
        "|---|---|",
    ]
    lines += [f"| {what} | {value} |" for what, value in figure_rows(result)]
    lines += [
        "",
        "## Rounds",
        "",
        "| round | up in s | killed after s | sends | 201 | replayed | cut off | other answers |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in result.rounds:
        t = r.tally
        after = "-" if r.kill_after is None else f"{r.kill_after:.2f}"
        lines.append(
            f"| {r.number} | {r.startup_seconds:.1f} | {after} | {t.sends} | {t.acked} | "
            f"{t.replayed} | {t.cut_off} | {t.other} |"
        )
    lines += ["", "## Checks", ""]
    lines += [
        f"- write_path's exactly-once check: {line}" for line in result.figures.exactly_once_lines
    ]
    lines += [f"- views: {line}" for line in result.figures.views_detail]
    lines += [f"- note: {note}" for note in result.notes]
    lines += ["", "## Machine", ""] + [f"- {k}: {v}" for k, v in machine.items()]
    OUT.write_text("\n".join(lines) + "\n")
    console.print(f"written to {OUT}")


def postgres_settings() -> str:
    names = ("server_version", "fsync", "synchronous_commit", "commit_delay", "max_connections")
    with psycopg.connect(wp.ADMIN_DSN, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name = ANY(%s) ORDER BY name",
            (list(names),),
        ).fetchall()
    return ", ".join(f"{name}={value}" for name, value in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--kills", type=int, default=27)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--store", choices=["postgres"], default="postgres")
    parser.add_argument("--cases", type=int, default=300, help="households at the street")
    parser.add_argument("--seed", type=int, default=None, help="for the kill delays")
    parser.add_argument("--keep", action="store_true", help="keep the database and data dir")
    args = parser.parse_args()
    if not 1 <= args.kills <= 500 or not 1 <= args.clients <= 64 or not 1 <= args.cases <= 5000:
        parser.error("--kills is 1..500, --clients 1..64, --cases 1..5000")
    started = datetime.now(UTC)
    machine = {
        "machine": f"{os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}",
        "versions": ", ".join(
            f"{p} {version(p)}" for p in ("eventsourcing", "psycopg", "uvicorn", "fastapi")
        ),
        "PostgreSQL": postgres_settings(),
        "load average (1/5/15 min) before": load_average(),
        "busy processes before (share of one core over 1 s)": "; ".join(busy_processes()) or "none",
    }
    result = run(args.kills, args.clients, args.cases, args.seed, keep=args.keep)
    machine["load average (1/5/15 min) after"] = load_average()
    machine["busy processes after"] = "; ".join(busy_processes()) or "none"
    machine["wall time"] = f"{(datetime.now(UTC) - started).total_seconds():.0f} s"
    report(result, started, machine)
    if not result.passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
