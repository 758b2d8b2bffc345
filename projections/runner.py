"""Keeps views current: batches of events applied with their log position, atomically."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence

from eventsourcing.domain import AggregateEvent

from domain.application import Ledger
from projections.failures import FailureRecords
from projections.rebuild import rebuild, sweep
from projections.sql_batches import rowcount
from projections.view import (
    Batch,
    Signal,
    View,
    ViewBehindError,
    ViewFailedError,
    ViewState,
)
from stores.log import LogReader
from stores.sql import SqlDatabase, drop_broken_connections, transient

log = logging.getLogger("bangfu.projections")

__all__ = ["Batch", "Projector", "View", "ViewBehindError", "ViewFailedError", "ViewState"]


class Projector(FailureRecords):
    """Runs views over the notification log; safe to crash, restart, or run twice at once.

    Each view goes on its own: one that cannot apply an event stops just before it, records
    the failure in ``view_failures``, and is tried again every ``retry_seconds`` (and at once
    after a restart), while the other views keep going."""

    def __init__(
        self,
        ledger: Ledger,
        views: Sequence[View],
        batch_size: int = 2000,
        retry_seconds: float = 60.0,
    ) -> None:
        self.ledger, self.views, self.batch_size = ledger, list(views), batch_size
        self.retry_seconds = retry_seconds
        self.db = views[0].db if views else SqlDatabase(ledger)
        self.state_table = self.db.table("view_state")
        self.failure_table = self.db.table("view_failures")
        self.wake: Signal = threading.Event()
        self.after_run: list[Callable[[], object]] = []  # e.g. the checkpoint scheduler
        self._tried: dict[str, float] = {}  # view -> when this process last tried its failure
        self._pages: dict[tuple[int, int], list[tuple[int, AggregateEvent]]] | None = None
        self.hurry: Signal = threading.Event()  # a reader waits: no gathering
        self.setup()

    def setup(self) -> None:
        """Create the state and failure tables and, for each view, its first generation; drop
        the tables of generations that no reader uses and no rebuild can resume."""
        with self.db.transaction() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.state_table} ("
                "view TEXT PRIMARY KEY, generation INTEGER NOT NULL, "
                "position BIGINT NOT NULL)"
            )
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.failure_table} ("
                "view TEXT PRIMARY KEY, position BIGINT NOT NULL, topic TEXT NOT NULL, "
                "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, "
                "error TEXT NOT NULL, failed_at TEXT NOT NULL, tried_at TEXT NOT NULL)"
            )
        for view in self.views:
            if self.state(view.name) is None:
                with self.db.transaction() as cursor:
                    view.create(cursor, 1)
                    cursor.execute(
                        self.db.sql(
                            f"INSERT INTO {self.state_table} VALUES (%s, 1, 0) "
                            "ON CONFLICT (view) DO NOTHING"
                        ),
                        (view.name,),
                    )
        sweep(self)

    def state(self, key: str) -> ViewState | None:
        row = self.db.one(
            f"SELECT view, generation, position FROM {self.state_table} WHERE view = %s", (key,)
        )
        return ViewState(row["view"], row["generation"], row["position"]) if row else None

    def view(self, name: str) -> View:
        for view in self.views:
            if view.name == name:
                return view
        raise KeyError(f"no view is named {name!r}; views: {', '.join(v.name for v in self.views)}")

    def read(self, after: int, limit: int) -> list[tuple[int, AggregateEvent]]:
        """A page of the log, decoded once a round for all the views at the same position."""
        pages = self._pages if self._pages is not None else {}
        if (after, limit) not in pages:
            pages[after, limit] = LogReader(self.ledger).decoded(after, limit)
        return pages[after, limit]

    def states(self) -> dict[str, ViewState]:
        """Every view's state, in one query (a round of the projector starts with it)."""
        rows = self.db.query(f"SELECT view, generation, position FROM {self.state_table}")
        return {r["view"]: ViewState(r["view"], r["generation"], r["position"]) for r in rows}

    def step(self, view: View, key: str | None = None, state: ViewState | None = None) -> int:
        """Apply the next batch of the log to one view; returns how many events it applied.

        When the batch fails, its events are applied one at a time, each committed with its
        position, up to the one the view cannot apply: that one is recorded (for the view
        itself, not for a rebuild) and ViewFailedError raised, the view staying just before it.
        """
        key = key or view.name
        state = state or self.state(key)
        assert state is not None, key
        started = time.perf_counter()
        batch = self.read(state.position, self.batch_size)
        if not batch:
            return 0
        try:
            self._commit(view, key, state, batch)
            return _logged(key, len(batch), batch[-1][0], started)
        except _MovedError:
            raise
        except Exception as error:
            if transient(error):
                raise
        position = state.position
        for applied, (at, event) in enumerate(batch):
            try:
                self._commit(view, key, ViewState(key, state.generation, position), [(at, event)])
            except _MovedError:
                if applied:
                    return _logged(key, applied, position, started)
                raise
            except Exception as error:
                if transient(error):
                    raise
                if applied:
                    _logged(key, applied, position, started)
                failure = self._failed(view, key, at, event, error)
                raise ViewFailedError(position, failure, at) from error
            position = at
        return _logged(key, len(batch), position, started)

    def _commit(self, view: View, key: str, state: ViewState, batch: Batch) -> None:
        """Apply a batch and move the position in one transaction, by compare-and-set: if
        another projector moved it first, no row matches and the batch is not applied."""
        end = batch[-1][0]
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(
                    f"UPDATE {self.state_table} SET position = %s "
                    "WHERE view = %s AND position = %s AND generation = %s"
                ),
                (end, key, state.position, state.generation),
            )
            if rowcount(cursor) != 1:
                raise _MovedError()
            if relevant := view.relevant(batch):
                view.apply(cursor, state.generation, relevant)
            cursor.execute(
                self.db.sql(f"DELETE FROM {self.failure_table} WHERE view = %s AND position <= %s"),
                (key, end),
            )

    def catch_up(
        self, view: View, key: str | None = None, progress: Callable[[int], None] = lambda n: None
    ) -> int:
        """Apply batches until the view has read the whole log."""
        total = 0
        while True:
            try:
                applied = self.step(view, key)
            except _MovedError:
                continue  # another projector advanced it; read the state again
            if not applied:
                return total
            total += applied
            progress(applied)

    def run_once(self) -> int:
        """Bring every view up to the log's head, a batch of each in turn. A view that cannot
        apply an event waits there until it is due for another try; an error of the database
        stops only the view that met it this round, and is raised once the others are done."""
        failed, now = self.failures(), time.monotonic()
        busy = [
            view
            for view in self.views
            if view.name not in failed
            or now - self._tried.get(view.name, -math.inf) >= self.retry_seconds
        ]
        total, trouble, self._pages, states = 0, None, {}, self.states()
        while busy:
            for view in list(busy):
                try:
                    applied = self.step(view, state=states.pop(view.name, None))
                except _MovedError:
                    continue
                except ViewFailedError:
                    busy.remove(view)
                    continue
                except Exception as error:
                    trouble = trouble or error
                    busy.remove(view)
                    continue
                total += applied
                if applied < self.batch_size:  # at the head of the log when it was read
                    busy.remove(view)
        self._pages = None
        if trouble is not None:
            raise trouble
        return total

    def run_forever(
        self, stop: threading.Event, poll_seconds: float = 0.5, gather_seconds: float = 0.05
    ) -> None:
        """Keep every view current until ``stop`` is set; errors are logged and retried. Woken
        by a write, it first lets more writes gather (unless a reader waits), so that the
        views take many in one batch."""
        while not stop.is_set():
            try:
                self.run_once()
                for job in self.after_run:
                    job()
            except Exception as error:  # keep serving reads even if one batch fails
                log.exception("projection batch failed; retrying")
                if transient(error) and drop_broken_connections(self.ledger):
                    stop.wait(0.2)  # a restarted database: every pooled connection was dead
                else:
                    stop.wait(2)
            if self.wake.wait(poll_seconds) and not stop.is_set():
                self.hurry.wait(gather_seconds)
            for signal in (self.wake, self.hurry):
                signal.clear()

    def rebuild(
        self,
        name: str,
        progress: Callable[[int], None] = lambda n: None,
        *,
        restart: bool = False,
        starting: Callable[[int], None] = lambda position: None,
    ) -> int:
        """A new generation from the whole log, switched to at once; a rebuild stopped
        half-way resumes unless ``restart`` (projections/rebuild.py)."""
        return rebuild(self, name, progress, restart=restart, starting=starting)

    def wait_for(self, name: str, position: int, timeout: float) -> ViewState:
        """Block until the view has read up to ``position``, or raise ViewBehindError; at once
        ViewFailedError if the view stopped short of it at an event it cannot apply."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state(name)
            assert state is not None
            if state.position >= position:
                return state
            failure = self.failure(name)
            if failure is not None:
                raise ViewFailedError(state.position, failure, position)
            if time.monotonic() >= deadline:
                raise ViewBehindError(name, state.position, position)
            self.hurry.set()
            self.wake.set()
            time.sleep(0.02)


def _logged(key: str, events: int, position: int, started: float) -> int:
    """Log an applied batch (one line: its view or rebuild, size, end and time); returns its
    size."""
    ms = round((time.perf_counter() - started) * 1000, 1)
    log.info(
        "%s: %d events applied up to position %d in %.1f ms",
        key,
        events,
        position,
        ms,
        extra={"view": key, "events": events, "position": position, "ms": ms},
    )
    return events


class _MovedError(Exception):
    """Another projector changed the view's state between our read and our write."""
