"""SQL beside the events: the read models, the chain, checkpoints and keys live in the same
PostgreSQL schema or SQLite file, and this runs SQL written once on either."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, cast

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from domain.application import Ledger


class Cursor(Protocol):
    """The part of a DB-API cursor that views use (psycopg and sqlite3 both fit)."""

    rowcount: int

    def execute(self, statement: Any, params: Any = ...) -> Any: ...
    def executemany(self, statement: Any, params: Any) -> Any: ...
    def fetchall(self) -> Any: ...
    def fetchone(self) -> Any: ...


class SqlDatabase:
    """Runs SQL written once with %s placeholders on PostgreSQL or SQLite."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger  # keeps the ledger, and so its connection pool, alive
        datastore = getattr(ledger.factory, "datastore", None)
        if isinstance(datastore, PostgresDatastore):
            self.is_postgres = True
            self._schema = f'"{datastore.schema}".'
        elif isinstance(datastore, SQLiteDatastore):
            self.is_postgres = False
            self._schema = ""
        else:  # pragma: no cover - the in-memory store has no tables
            raise TypeError("read models need PostgreSQL or SQLite")
        self._datastore: PostgresDatastore | SQLiteDatastore = datastore

    def table(self, name: str) -> str:
        return f"{self._schema}{name}"

    def sql(self, statement: str) -> str:
        """Qualify {table} names and adapt placeholders to the database."""
        return statement if self.is_postgres else statement.replace("%s", "?")

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[Cursor]:
        with self._datastore.transaction(commit=commit) as cursor:
            # SQLite's wrapper hides rowcount; the plain sqlite3 cursor has it, as psycopg's does
            yield cast(Cursor, getattr(cursor, "sqlite_cursor", cursor))

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.transaction(commit=False) as cursor:
            cursor.execute(self.sql(statement), tuple(params))
            return [dict(row) for row in cursor.fetchall()]

    def one(self, statement: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self.query(statement, params)
        return rows[0] if rows else None
