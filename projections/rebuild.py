"""Rebuilding a view beside the one in use: a new generation of its tables is built from the
whole log while readers keep reading the old one, then readers switch in one transaction.

The rebuild's position is committed with every batch (state key ``<view>@rebuild``), so a
rebuild that was killed resumes where it stopped; tables of a generation that no reader uses and
no rebuild can resume (orphans) are dropped when a rebuild starts afresh and when a projector
starts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from projections.view import Batch, View, ViewFailedError, ViewState
from projections.view_errors import RebuildRunningError
from stores.run_locks import RunLockHeldError, run_lock
from stores.sql import Cursor, SqlDatabase

if TYPE_CHECKING:
    from projections.runner import Projector


def rebuild(
    projector: Projector,
    name: str,
    progress: Callable[[int], None] = lambda n: None,
    *,
    restart: bool = False,
    starting: Callable[[int], None] = lambda position: None,
) -> int:
    """Build a new generation from the whole log, then switch to it in one transaction.

    A rebuild that was stopped half-way resumes at its saved position (``starting`` is told
    where it starts: 0 for a fresh start), unless ``restart``. A view stopped at an event it
    cannot apply is tried again this way: if the rebuild meets the event too, it raises
    ViewFailedError and the view in use stays as it was; if it succeeds, the failure is
    cleared.

    One rebuild of a view runs at a time, across processes: a second one raises
    RebuildRunningError at once (stores/run_locks.py)."""
    view = projector.view(name)
    try:
        with run_lock(projector.db, f"rebuild {name}"):
            return _rebuild(projector, view, progress, restart, starting)
    except RunLockHeldError:
        raise RebuildRunningError(name) from None


def _rebuild(
    projector: Projector,
    view: View,
    progress: Callable[[int], None],
    restart: bool,
    starting: Callable[[int], None],
) -> int:
    name = view.name
    key = rebuild_key(name)
    found = generations(view, table_names(projector.db))  # listed before the states are read
    current, saved = projector.state(name), projector.state(key)
    assert current is not None
    new_generation = current.generation + 1
    if restart or not _resumable(view, saved, new_generation, found):
        with projector.db.transaction() as cursor:
            _drop(cursor, view, set(found) - {current.generation, current.generation - 1})
            view.create(cursor, new_generation, building=True)
            _delete_state(projector, cursor, key)
            cursor.execute(
                projector.db.sql(f"INSERT INTO {projector.state_table} VALUES (%s, %s, 0)"),
                (key, new_generation),
            )
        saved = ViewState(key, new_generation, 0)
    assert saved is not None
    starting(saved.position)
    try:
        applied = projector.catch_up(view, key, progress)
        with projector.db.transaction() as cursor:
            view.create(cursor, new_generation)  # the indexes left out while it was filled
        for attempt in range(3):
            rebuilt = projector.state(key)
            assert rebuilt is not None
            tail = projector.read(rebuilt.position, 1_000_000)  # what arrived since the last batch
            try:
                _switch(projector, view, current, rebuilt, tail)
                break
            except Exception:
                if not tail or attempt == 2:
                    raise
                # find the event in the tail it cannot apply (ViewFailedError), if any
                applied += projector.catch_up(view, key, progress)
    except ViewFailedError:
        with projector.db.transaction() as cursor:
            view.drop(cursor, new_generation)
            _delete_state(projector, cursor, key)
        raise
    projector._tried.pop(name, None)
    if projector.db.is_postgres:  # fresh statistics, so the planner uses the new indexes well
        with projector.db.transaction() as cursor:
            for base in view.tables:
                cursor.execute(f"ANALYZE {view.table(base, new_generation)}")
    return applied + len(tail)


def rebuild_key(name: str) -> str:
    """The state key of a view's rebuild in progress."""
    return f"{name}@rebuild"


def table_names(db: SqlDatabase) -> list[str]:
    """The names of the tables beside the events (in the schema of the state table)."""
    if db.is_postgres:
        rows = db.query(
            "SELECT relname AS name FROM pg_class WHERE relkind = 'r' AND relnamespace = "
            "(SELECT relnamespace FROM pg_class WHERE oid = to_regclass(%s))",
            (db.table("view_state"),),
        )
    else:
        rows = db.query("SELECT name FROM sqlite_master WHERE type = 'table'")
    return [row["name"] for row in rows]


def generations(view: View, names: Iterable[str]) -> dict[int, set[str]]:
    """The generations of the view that have tables among ``names``, each with its tables'
    base names."""
    pattern = re.compile(
        f"^({'|'.join(re.escape(base) for base in view.tables)})_g([0-9]+)$", re.IGNORECASE
    )
    found: dict[int, set[str]] = {}
    for name in names:
        if match := pattern.match(name):
            found.setdefault(int(match[2]), set()).add(match[1].lower())
    return found


def sweep(projector: Projector) -> None:
    """Drop every view's orphan generations (neither the one in use, nor the one before it
    that readers may still be on, nor a rebuild's that can be resumed), and forget a rebuild
    that can no longer be resumed."""
    names = table_names(projector.db)
    states = projector.states()  # read after the tables: a table seen has its state seen
    orphans: list[tuple[View, set[int]]] = []
    forgotten: list[str] = []
    for view in projector.views:
        current, saved = states.get(view.name), states.get(rebuild_key(view.name))
        if current is None:
            continue
        keep = {current.generation, current.generation - 1}
        if saved is not None and saved.generation == current.generation + 1:
            keep.add(saved.generation)
        elif saved is not None:
            forgotten.append(saved.view)
        if found := set(generations(view, names)) - keep:
            orphans.append((view, found))
    if not orphans and not forgotten:
        return
    with projector.db.transaction() as cursor:
        for key in forgotten:
            _delete_state(projector, cursor, key)
        for view, found in orphans:
            _drop(cursor, view, found)


def _resumable(
    view: View, saved: ViewState | None, new_generation: int, found: dict[int, set[str]]
) -> bool:
    """Whether a rebuild of this generation was stopped half-way with all its tables made."""
    return (
        saved is not None
        and saved.generation == new_generation
        and found.get(new_generation, set()) == {base.lower() for base in view.tables}
    )


def _drop(cursor: Cursor, view: View, orphans: Iterable[int]) -> None:
    for generation in sorted(orphans):
        view.drop(cursor, generation)


def _delete_state(projector: Projector, cursor: Cursor, key: str) -> None:
    cursor.execute(projector.db.sql(f"DELETE FROM {projector.state_table} WHERE view = %s"), (key,))


def _switch(
    projector: Projector, view: View, current: ViewState, rebuilt: ViewState, tail: Batch
) -> None:
    """Readers move to the rebuilt generation, with the tail applied, in one transaction;
    a failure of the view is cleared."""
    name = view.name
    with projector.db.transaction() as cursor:
        cursor.execute(
            projector.db.sql(
                f"UPDATE {projector.state_table} SET generation = %s, position = %s WHERE view = %s"
            ),
            (rebuilt.generation, tail[-1][0] if tail else rebuilt.position, name),
        )
        if relevant := view.relevant(tail):
            view.apply(cursor, rebuilt.generation, relevant)
        _delete_state(projector, cursor, rebuilt.view)
        cursor.execute(
            projector.db.sql(f"DELETE FROM {projector.failure_table} WHERE view = %s"), (name,)
        )
        view.drop(cursor, current.generation - 1)  # keep the previous one for its readers
