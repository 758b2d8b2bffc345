"""How a batch meets the database: whether an error is the database's (unreachable, busy, out
of space), so that the batch is tried again, or the event's, so that the view stops at it; a
statement's row count; many rows inserted at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import psycopg

from stores.sql import Cursor, SqlDatabase


def rowcount(cursor: Cursor) -> int:
    """How many rows the last statement changed (eventsourcing may wrap sqlite3's cursor)."""
    return int(cast(Any, getattr(cursor, "sqlite_cursor", cursor)).rowcount)


def insert_rows(
    db: SqlDatabase, cursor: Cursor, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert many rows into ``table``: by COPY on PostgreSQL (more than twice as fast as
    an INSERT a row), by executemany on SQLite."""
    if not rows:
        return
    if not db.is_postgres:
        marks = ", ".join(["?"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        return
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with cast(psycopg.Cursor[Any], cursor).copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
