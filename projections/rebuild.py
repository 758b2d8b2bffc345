"""Rebuilding a view beside the one in use: a new generation of its tables is built from the
whole log while readers keep reading the old one, then readers switch in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from projections.view import Batch, View, ViewFailedError, ViewState

if TYPE_CHECKING:
    from projections.runner import Projector


def rebuild(
    projector: Projector, name: str, progress: Callable[[int], None] = lambda n: None
) -> int:
    """Build a new generation from the whole log, then switch to it in one transaction.

    A view stopped at an event it cannot apply is tried again this way: if the rebuild
    meets the event too, it raises ViewFailedError and the view in use stays as it was;
    if it succeeds, the failure is cleared."""
    view = projector.view(name)
    current = projector.state(name)
    assert current is not None
    new_generation = current.generation + 1
    key = f"{name}@rebuild"
    with projector.db.transaction() as cursor:
        view.drop(cursor, new_generation)
        view.create(cursor, new_generation)
        cursor.execute(
            projector.db.sql(f"DELETE FROM {projector.state_table} WHERE view = %s"), (key,)
        )
        cursor.execute(
            projector.db.sql(f"INSERT INTO {projector.state_table} VALUES (%s, %s, 0)"),
            (key, new_generation),
        )
    try:
        applied = projector.catch_up(view, key, progress)
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
            cursor.execute(
                projector.db.sql(f"DELETE FROM {projector.state_table} WHERE view = %s"), (key,)
            )
        raise
    projector._tried.pop(name, None)
    if projector.db.is_postgres:  # fresh statistics, so the planner uses the new indexes well
        with projector.db.transaction() as cursor:
            for base in view.tables:
                cursor.execute(f"ANALYZE {view.table(base, new_generation)}")
    return applied + len(tail)


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
        cursor.execute(
            projector.db.sql(f"DELETE FROM {projector.state_table} WHERE view = %s"),
            (rebuilt.view,),
        )
        cursor.execute(
            projector.db.sql(f"DELETE FROM {projector.failure_table} WHERE view = %s"), (name,)
        )
        view.drop(cursor, current.generation - 1)  # keep the previous one for its readers
