"""SQL beside the events: the read models, the chain, checkpoints and keys live in the same
PostgreSQL schema or SQLite file, and this runs SQL written once on either."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, Protocol, cast

import psycopg
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


# SQLite's BUSY, LOCKED, NOMEM, INTERRUPT, IOERR, FULL, CANTOPEN and PROTOCOL result codes
_SQLITE_TRANSIENT = {5, 6, 7, 9, 10, 13, 14, 15}


def transient(error: BaseException) -> bool:
    """Whether the error is the database's (unreachable, busy, out of space), not the event's:
    such a batch is tried again as a whole instead of being recorded as a view's failure."""
    for e in (error, error.__cause__):  # eventsourcing wraps the driver's error
        if isinstance(e, psycopg.errors.ProgramLimitExceeded):
            return False  # e.g. a value too large for an index: the event's
        if isinstance(e, psycopg.OperationalError | psycopg.InterfaceError):
            return True  # psycopg_pool's PoolTimeout too
        if isinstance(e, sqlite3.OperationalError | sqlite3.InterfaceError):
            return getattr(e, "sqlite_errorcode", 5) & 0xFF in _SQLITE_TRANSIENT
    return False


def drop_broken_connections(ledger: Ledger) -> bool:
    """After a database restart, drop every dead connection of the ledger's pool at once
    (instead of meeting them one failed request at a time); False on SQLite, which has none."""
    pool = getattr(getattr(ledger.factory, "datastore", None), "pool", None)
    if pool is None:
        return False
    with suppress(Exception):  # the database is still down: the next try will tell
        pool.check()
    return True
