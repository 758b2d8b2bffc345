"""What the supervision read models share: the centre tree as a closure table, the events they
ignore, rows written or added up in bulk, one consistent read of several queries, and pages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.domain import AggregateEvent

from domain.errors import InvalidInputError
from domain.payments import Payment
from projections.view import OUTSIDE_CASES_AND_FUNDS, View
from stores.sql import Cursor

CLOSURE = "ancestor_id TEXT NOT NULL, centre_id TEXT NOT NULL, PRIMARY KEY (ancestor_id, centre_id)"

# the person index, users and write bookkeeping: what no supervision report reads
BOOKKEEPING = tuple(e for e in OUTSIDE_CASES_AND_FUNDS if e not in (Payment.Made, Payment.Reversed))


def closure_rows(event: AggregateEvent) -> list[tuple[str, str]]:
    """(ancestor, centre) for a new centre: itself and each of its ancestors."""
    centre = str(event.originator_id)
    return [(str(a), centre) for a in event.__dict__["ancestors"]] + [(centre, centre)]


def in_subtree(column: str, closure_table: str) -> str:
    """A condition (one parameter: the subtree's root) that ``column`` names a centre in it."""
    return f"{column} IN (SELECT centre_id FROM {closure_table} WHERE ancestor_id = %s)"


def insert_tree(view: View, cursor: Cursor, table: str, rows: list[tuple[str, str]]) -> None:
    """Add new centres' (ancestor, centre) rows to a view's closure table ``table``."""
    if rows:
        cursor.executemany(
            view.db.sql(f"INSERT INTO {table} VALUES (%s, %s) ON CONFLICT DO NOTHING"), rows
        )


def upsert(
    view: View, cursor: Cursor, table: str, key: str, rows: Sequence[dict[str, Any]]
) -> None:
    """Write rows (dicts with the same keys); one whose ``key`` columns match is replaced."""
    if not rows:
        return
    columns = list(rows[0])
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns)
    cursor.executemany(
        view.db.sql(
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))}) "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
        ),
        [tuple(r[c] for c in columns) for r in rows],
    )


def add_up(
    view: View,
    cursor: Cursor,
    table: str,
    keys: Sequence[str],
    sums: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Add rows (the ``keys`` columns, then the ``sums``) into running sums: where the keys
    match a row already there, its sums grow by these."""
    rows = [tuple(row) for row in rows]
    if not rows:
        return
    columns = [*keys, *sums]
    cursor.executemany(
        view.db.sql(
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
            + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
        ),
        rows,
    )


def limit_to(limit: int | None) -> tuple[str, list[int]]:
    """A LIMIT clause and its parameter; nothing for no limit."""
    return ("", []) if limit is None else (" LIMIT %s", [limit])


class Reader:
    """Queries of one report, all on one snapshot of one generation of a view's tables."""

    def __init__(self, view: View, cursor: Cursor, generation: int) -> None:
        self.view, self.cursor, self.generation = view, cursor, generation

    def table(self, base: str) -> str:
        return self.view.table(base, self.generation)

    def rows(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        self.cursor.execute(self.view.db.sql(statement), tuple(params))
        return [dict(r) for r in self.cursor.fetchall()]

    def one(self, statement: str, params: Sequence[Any] = ()) -> dict[str, Any]:
        rows = self.rows(statement, params)
        assert len(rows) == 1, statement
        return rows[0]


@contextmanager
def reading(view: View) -> Iterator[Reader]:
    """A read-only transaction that sees one state of the view (REPEATABLE READ on PostgreSQL,
    a WAL snapshot on SQLite), so the figures of one report agree with each other."""
    with view.db.transaction(commit=False) as cursor:
        if view.db.is_postgres:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield Reader(view, cursor, view.generation(cursor))


@dataclass(frozen=True)
class Page:
    """A page of a report's items, how many there are in all, and where the next page starts."""

    items: list[dict[str, Any]]
    total: int
    next: str | None
    counts: dict[str, int] = field(default_factory=dict)  # how many of each kind, if kinds


def cursor_parts(after: str | None, kinds: Sequence[str], what: str) -> tuple[str, int] | None:
    """A cursor "kind:position" read back (InvalidInputError when it is not one of ours)."""
    if after is None:
        return None
    kind, _, position = after.rpartition(":")
    if kind not in kinds or not position.isdigit() or len(position) > 19:
        raise InvalidInputError(f"{after!r} is not a cursor of {what}; pass a page's `next`")
    return kind, int(position)
