"""Client threads that pay one fund with Idempotency-Keys, and re-send what was not answered.

Shared by bench/kill_under_load.py and bench/chaos.py. Each request keeps its reference, body
and key however often it is sent; a client sends one request at a time on its own keep-alive
connection, re-sends it (the SAME key and body) after a cut-off or a 5xx, and gives up on it
only after ``MAX_SENDS`` sends. All traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from bench.write_path import HOST, HotFund, payment_body

MAX_SENDS = 100  # bound on the sends of one request (each 5xx or cut-off answer is one)
MAX_PAUSE = 0.5  # seconds: the longest pause between failed tries (a database restart)


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


class Payments:
    """Makes each client's new payment requests to the hot fund, and keeps them all."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.hot: HotFund | None = None  # set once the fund is made
        self.all: list[Request] = []
        self._serial = itertools.count()

    def new(self, client: int) -> Request:
        assert self.hot is not None, "the hot fund is not prepared yet"
        n = next(self._serial)
        reference = f"{self.prefix}-{client}-{n}"
        case_id = self.hot.case_ids[n % len(self.hot.case_ids)]
        made = Request(
            reference,
            f"{self.prefix.lower()}-{uuid.uuid4()}",
            payment_body(self.hot, case_id, reference),
        )
        self.all.append(made)  # list.append is atomic: the clients share the list
        return made


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

    def since(self, earlier: Tally) -> Tally:
        """What was added after ``earlier`` (a copy of this tally taken before)."""
        return Tally(*(getattr(self, f) - getattr(earlier, f) for f in self.__dataclass_fields__))

    def copy(self) -> Tally:
        return replace(self)


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
    a time, until ``stop``, the deadline, or (without new ones) an empty queue. After a
    failed try (a cut-off, a refused connection, a 5xx) it pauses, longer after each failure
    in a row (up to ``MAX_PAUSE``), so that a database restart does not use up the sends."""
    failures = 0
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
            if request.acked_id is None and request.refused is None:
                failures += 1
                stop.wait(min(MAX_PAUSE, 0.02 * 1.5 ** (failures - 1)))
            else:
                failures = 0
    finally:
        sender.close()


class Clients:
    """One thread a queue, each driving its own sender; new payments only with ``payments``."""

    def __init__(
        self,
        port: int,
        token: str,
        queues: list[list[Request]],
        payments: Payments | None,
        seconds: float,
    ) -> None:
        self.stop, self.tally, self.lock = threading.Event(), Tally(), threading.Lock()
        self.deadline = time.monotonic() + seconds
        self.senders = [Sender(port, token) for _ in queues]
        self.threads = [
            threading.Thread(
                target=drive,
                args=(
                    sender,
                    queue,
                    self.stop,
                    None if payments is None else partial(payments.new, i),
                    self.deadline,
                    self.tally,
                    self.lock,
                ),
                name=f"client-{i}",
            )
            for i, (sender, queue) in enumerate(zip(self.senders, queues, strict=True))
        ]
        for thread in self.threads:
            thread.start()

    def snapshot(self) -> Tally:
        """A copy of the tally so far."""
        with self.lock:
            return self.tally.copy()

    def finish(self, notes: list[str], stop: bool = True) -> Tally:
        """Stop the clients (or, unless ``stop``, wait for them to empty their queues); any
        answer that should not happen goes to ``notes``."""
        if stop:
            self.stop.set()
        for thread in self.threads:
            thread.join(timeout=max(0.0, self.deadline - time.monotonic()) + 60)
            if thread.is_alive():
                raise RuntimeError(f"{thread.name} did not stop")
        for sender in self.senders:
            notes.extend(sender.odd)
        return self.tally
