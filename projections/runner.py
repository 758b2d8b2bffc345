"""Keeps views current: events applied in batches, each with its log position, atomically."""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from eventsourcing.domain import AggregateEvent

from domain.application import Ledger
from projections.db import Cursor, ViewDatabase

log = logging.getLogger("bangfu.projections")
Batch = Sequence[tuple[int, AggregateEvent]]


class ViewBehindError(Exception):
    """The view has not reached the asked-for log position in time."""

    def __init__(self, view: str, position: int, wanted: int) -> None:
        super().__init__(
            f"the {view} view is at log position {position}, not yet at {wanted}; try again shortly"
        )
        self.view, self.position, self.wanted = view, position, wanted


class View(ABC):
    """A read model: its tables (one set per generation) and how a batch of events changes them."""

    name: ClassVar[str]
    tables: ClassVar[dict[str, str]]  # base name -> column definitions
    indexes: ClassVar[list[tuple[str, str]]] = []  # (table base name, columns)

    def __init__(self, db: ViewDatabase) -> None:
        self.db = db

    def table(self, base: str, generation: int) -> str:
        return self.db.table(f"{base}_g{generation}")

    def create(self, cursor: Cursor, generation: int) -> None:
        for base, columns in self.tables.items():
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {self.table(base, generation)} ({columns})")
        for n, (base, columns) in enumerate(self.indexes):
            index = f"{base}_g{generation}_i{n}"
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {index} ON {self.table(base, generation)} ({columns})"
            )

    def generation(self) -> int:
        """The generation of tables that readers use now."""
        row = self.db.one(
            f"SELECT generation FROM {self.db.table('view_state')} WHERE view = %s", (self.name,)
        )
        if row is None:
            raise ViewBehindError(self.name, 0, 1)
        return int(row["generation"])

    def rows_by_key(
        self, cursor: Cursor, table: str, key: str, ids: set[str]
    ) -> dict[str, dict[str, Any]]:
        """The rows whose ``key`` is one of ``ids``, keyed by it (read in chunks of 500)."""
        rows: dict[str, dict[str, Any]] = {}
        id_list = sorted(ids)
        for start in range(0, len(id_list), 500):
            chunk = id_list[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                self.db.sql(f"SELECT * FROM {table} WHERE {key} IN ({marks})"), tuple(chunk)
            )
            rows.update({r[key]: dict(r) for r in cursor.fetchall()})
        return rows

    def drop(self, cursor: Cursor, generation: int) -> None:
        for base in self.tables:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table(base, generation)}")

    @abstractmethod
    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        """Apply events in log order; called inside the batch's transaction."""


@dataclass(frozen=True)
class ViewState:
    """Which generation of a view's tables is current, and how far it has read the log."""

    view: str
    generation: int
    position: int


class Projector:
    """Runs views over the notification log; safe to crash, restart, or run twice at once."""

    def __init__(self, ledger: Ledger, views: Sequence[View], batch_size: int = 2000) -> None:
        self.ledger, self.views, self.batch_size = ledger, list(views), batch_size
        self.db = views[0].db if views else ViewDatabase(ledger)
        self.state_table = self.db.table("view_state")
        self.wake = threading.Event()
        self.after_run: list[Callable[[], object]] = []  # e.g. the checkpoint scheduler
        self.setup()

    def setup(self) -> None:
        """Create the state table and, for each view, its first generation."""
        with self.db.transaction() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.state_table} ("
                "view TEXT PRIMARY KEY, generation INTEGER NOT NULL, "
                "position BIGINT NOT NULL)"
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
        notifications = self.ledger.recorder.select_notifications(
            after, limit, inclusive_of_start=False
        )
        mapper = self.ledger.mapper
        return [(n.id, cast(AggregateEvent, mapper.to_domain_event(n))) for n in notifications]

    def step(self, view: View, key: str | None = None) -> int:
        """Apply the next batch of the log to one view; returns how many events it applied."""
        key = key or view.name
        state = self.state(key)
        assert state is not None, key
        batch = self.read(state.position, self.batch_size)
        if not batch:
            return 0
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(
                    f"UPDATE {self.state_table} SET position = %s "
                    "WHERE view = %s AND position = %s AND generation = %s"
                ),
                (batch[-1][0], key, state.position, state.generation),
            )
            cursor.execute(
                self.db.sql(f"SELECT position FROM {self.state_table} WHERE view = %s"), (key,)
            )
            row = cursor.fetchone()
            if row is None or row["position"] != batch[-1][0]:
                raise _MovedError()
            view.apply(cursor, state.generation, batch)
        return len(batch)

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
        """Bring every view up to the log's head, a batch of each in turn."""
        total, busy = 0, list(self.views)
        while busy:
            for view in list(busy):
                try:
                    applied = self.step(view)
                except _MovedError:
                    continue
                total += applied
                if not applied:
                    busy.remove(view)
        return total

    def run_forever(self, stop: threading.Event, poll_seconds: float = 0.5) -> None:
        """Keep every view current until ``stop`` is set; errors are logged and retried."""
        while not stop.is_set():
            try:
                self.run_once()
                for job in self.after_run:
                    job()
            except Exception:  # keep serving reads even if one batch fails
                log.exception("projection batch failed; retrying")
                stop.wait(2)
            self.wake.wait(poll_seconds)
            self.wake.clear()

    # --- rebuilding a view beside the one in use ---------------------------------------------
    def rebuild(self, name: str, progress: Callable[[int], None] = lambda n: None) -> int:
        """Build a new generation from the whole log, then switch to it in one transaction."""
        view = self.view(name)
        current = self.state(name)
        assert current is not None
        new_generation = current.generation + 1
        key = f"{name}@rebuild"
        with self.db.transaction() as cursor:
            view.drop(cursor, new_generation)
            view.create(cursor, new_generation)
            cursor.execute(self.db.sql(f"DELETE FROM {self.state_table} WHERE view = %s"), (key,))
            cursor.execute(
                self.db.sql(f"INSERT INTO {self.state_table} VALUES (%s, %s, 0)"),
                (key, new_generation),
            )
        applied = self.catch_up(view, key, progress)
        rebuilt = self.state(key)
        assert rebuilt is not None
        tail = self.read(rebuilt.position, 1_000_000)  # what arrived since the last batch
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(
                    f"UPDATE {self.state_table} SET generation = %s, position = %s WHERE view = %s"
                ),
                (new_generation, tail[-1][0] if tail else rebuilt.position, name),
            )
            if tail:
                view.apply(cursor, new_generation, tail)
            cursor.execute(self.db.sql(f"DELETE FROM {self.state_table} WHERE view = %s"), (key,))
            view.drop(cursor, current.generation - 1)  # keep the previous one for its readers
        if self.db.is_postgres:  # fresh statistics, so the planner uses the new indexes well
            with self.db.transaction() as cursor:
                for base in view.tables:
                    cursor.execute(f"ANALYZE {view.table(base, new_generation)}")
        return applied + len(tail)

    def wait_for(self, name: str, position: int, timeout: float) -> ViewState:
        """Block until the view has read up to ``position``, or raise ViewBehindError."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state(name)
            assert state is not None
            if state.position >= position:
                return state
            if time.monotonic() >= deadline:
                raise ViewBehindError(name, state.position, position)
            self.wake.set()
            time.sleep(0.02)


class _MovedError(Exception):
    """Another projector changed the view's state between our read and our write."""
