"""The load generator of bench/mixed_load.py: asyncio HTTP/1.1 on keep-alive connections.

Two ways to drive the server:

* ``open_loop``: a FIXED offered rate. Request n is due at ``start + n / rate`` whatever happened
  to the earlier ones (an open loop: a slow answer does not slow the offered load), sent on an idle
  keep-alive connection, a new one opened when none is idle. Its latency is counted from the moment
  it was due, so a request that waited for the client is not flattered (no coordinated omission).
* ``closed_loop``: ``clients`` connections, each sending its next request when the last is
  answered: the rate the server sustains (saturation).

The client is this process (uvloop when installed): its CPU is measured by the caller.
All traffic goes to 127.0.0.1; every loop is bounded in time and count.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

HOST = "127.0.0.1"
TIMEOUT = 30.0  # seconds: an answer slower than this counts as an error
MAX_CONNECTIONS = 256  # per port: an open loop that needs more is refused, counted as errors
STAGGER = 0.025  # seconds between the closed loop's clients' first requests


@dataclass(frozen=True)
class Call:
    """One request to send: its kind (a row of the report), and what identifies a payment."""

    kind: str
    method: str
    path: str
    token: str
    body: bytes | None = None
    key: str | None = None  # Idempotency-Key
    fund: str | None = None  # a payment's fund, for the exactly-once check
    reference: str | None = None

    def wire(self) -> bytes:
        head = [
            f"{self.method} {self.path} HTTP/1.1",
            f"Host: {HOST}",
            f"Authorization: Bearer {self.token}",
        ]
        if self.key:
            head.append(f"Idempotency-Key: {self.key}")
        if self.body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(self.body)}"]
        return ("\r\n".join(head) + "\r\n\r\n").encode() + (self.body or b"")


@dataclass
class Tally:
    """Answers by kind: latencies (ms), statuses, problems, and the 201 payments' ids."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    problems: Counter[str] = field(default_factory=Counter)
    acked: list[tuple[str, str, str]] = field(default_factory=list)  # (payment id, fund, ref)
    unanswered_payments: int = 0  # sent, then cut off (timeout, broken connection): unknown
    sent: int = 0
    seconds: float = 0.0  # from the first request sent to the last answer
    sending_seconds: float = 0.0  # from the first request sent to the last
    connections: int = 0
    stale_retries: int = 0  # reused connections the server had closed (keep-alive), sent again
    origin: float = 0.0  # perf_counter when the load began: ``answers`` count from it
    answers: list[tuple[float, float, float]] = field(default_factory=list)  # (due, done, ms)

    def record(self, call: Call, status: str, due: float, body: bytes) -> None:
        done = time.perf_counter()
        ms = (done - due) * 1000
        self.answers.append((due - self.origin, done - self.origin, ms))
        self.latencies[call.kind].append(ms)
        self.statuses[call.kind][status] += 1
        if status == "201" and call.fund is not None:
            self.acked.append((_field(body, b'"id"'), call.fund, call.reference or ""))
        elif not status.startswith("2"):
            problem = _field(body, b'"type"') or "-"
            self.problems[f"{call.kind}: {status} {problem}"] += 1

    @property
    def answered(self) -> int:
        return sum(sum(c.values()) for c in self.statuses.values())

    def errors(self, kind: str | None = None) -> int:
        kinds = [kind] if kind else list(self.statuses)
        return sum(n for k in kinds for s, n in self.statuses[k].items() if not s.startswith("2"))


def _field(body: bytes, name: bytes) -> str:
    """A top-level string field of a JSON answer, found without parsing all of it."""
    at = body.find(name)
    if at < 0:
        return ""
    start = body.find(b'"', body.find(b":", at) + 1)
    return body[start + 1 : body.find(b'"', start + 1)].decode(errors="replace")


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * p / 100) - 1)]


class Connection:
    """One keep-alive connection to one port."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.answering = False  # the head of an answer to the last call has arrived

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(HOST, port)
        return cls(reader, writer)

    async def send(self, call: Call) -> tuple[str, bytes]:
        self.answering = False
        self.writer.write(call.wire())
        head = await self.reader.readuntil(b"\r\n\r\n")
        self.answering = True
        lines = head.decode("latin-1").split("\r\n")
        status = lines[0].split(" ", 2)[1]
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])
        }
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                body += (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readuntil(b"\r\n")
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        return status, body

    def close(self) -> None:
        self.writer.close()


class Pool:
    """Idle keep-alive connections per port, opened as needed (up to MAX_CONNECTIONS)."""

    def __init__(self, ports: list[int], tally: Tally) -> None:
        self.ports, self.tally = ports, tally
        self.idle: dict[int, list[Connection]] = {p: [] for p in ports}
        self.opened: Counter[int] = Counter()
        self.turn = 0

    async def call(self, call: Call, due: float) -> None:
        """Send ``call`` on some port's idle connection; its latency counts from ``due``.

        A reused connection that the server closed while it sat idle (uvicorn ends keep-alive
        connections after 5 s) answers nothing at all, or is reset when the call crossed the
        close: like any HTTP client, the call is sent again once on a new connection (safe:
        payments carry an Idempotency-Key) and counted in ``stale_retries``. A connection that
        breaks after sending part of an answer is an error."""
        self.turn += 1
        port = self.ports[self.turn % len(self.ports)]
        idle = self.idle[port]
        conn: Connection | None = idle.pop() if idle else None
        reused = conn is not None
        try:
            try:
                if conn is None:
                    conn = await self._open(port)
                status, body = await asyncio.wait_for(conn.send(call), TIMEOUT)
            except (asyncio.IncompleteReadError, ConnectionResetError) as e:
                partial = e.partial if isinstance(e, asyncio.IncompleteReadError) else b""
                if not (reused and not partial and not conn.answering):  # type: ignore[union-attr]
                    raise
                self.tally.stale_retries += 1
                conn.close()  # type: ignore[union-attr]
                self.opened[port] -= 1
                conn = None
                conn = await self._open(port)
                status, body = await asyncio.wait_for(conn.send(call), TIMEOUT)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as e:
            if conn is not None:
                conn.close()
                self.tally.unanswered_payments += call.fund is not None
            if conn is not None or str(e) != "too many connections":
                self.opened[port] -= 1
            self.tally.record(call, f"socket {type(e).__name__}: {e}"[:80], due, b"")
            return
        self.tally.record(call, status, due, body)
        idle.append(conn)

    async def _open(self, port: int) -> Connection:
        if self.opened[port] >= MAX_CONNECTIONS:
            raise OSError("too many connections")
        self.opened[port] += 1
        self.tally.connections += 1
        return await Connection.open(port)

    def close(self) -> None:
        for conns in self.idle.values():
            for conn in conns:
                conn.close()


async def open_loop(
    ports: list[int],
    rate: float,
    seconds: float,
    make: Callable[[int], Call],
    tally: Tally | None = None,
) -> Tally:
    """``rate`` requests a second for ``seconds``, each due at its time (see the module);
    into ``tally`` when given (another thread may watch it)."""
    tally, total = tally or Tally(), max(1, round(rate * seconds))
    pool, tasks = Pool(ports, tally), []
    started = tally.origin = time.perf_counter()
    for n in range(total):
        due = started + n / rate
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.create_task(pool.call(make(n), due)))
        tally.sent += 1
        if len(tasks) >= 4096:  # bound the list: keep only those not done yet
            tasks = [t for t in tasks if not t.done()]
    tally.sending_seconds = time.perf_counter() - started
    await asyncio.gather(*tasks)
    tally.seconds = time.perf_counter() - started
    pool.close()
    return tally


async def closed_loop(
    ports: list[int], clients: int, seconds: float, make: Callable[[int], Call]
) -> Tally:
    """``clients`` connections, one request at a time each, for ``seconds``."""
    tally, serial = Tally(), iter(range(10**9))
    pool = Pool(ports, tally)
    deadline = time.perf_counter() + seconds

    async def client(n: int) -> None:
        # one after another, as clients arrive over time: 16 connections opened at once would
        # all be taken by whichever `serve` worker woke first (asyncio accepts every connection
        # waiting on a listening socket it shares with the other workers), none by the other
        await asyncio.sleep(n * STAGGER)
        while time.perf_counter() < deadline:
            tally.sent += 1
            await pool.call(make(next(serial)), time.perf_counter())

    started = tally.origin = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    tally.seconds = time.perf_counter() - started
    pool.close()
    return tally


def run(coroutine: object) -> Tally:
    """Run a load coroutine on uvloop when it is installed, else on asyncio's own loop."""
    try:
        import uvloop

        return uvloop.run(coroutine)  # type: ignore[arg-type]
    except ImportError:
        return asyncio.run(coroutine)  # type: ignore[arg-type]
