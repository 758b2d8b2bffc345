"""The lock a migration runs under, and the store as the migration sees it.

One transaction holds the lock (PostgreSQL: an advisory lock for the schema; SQLite: BEGIN
IMMEDIATE, the write lock); every SqlDatabase made on the ledger-shaped object it yields runs its
SQL in that same transaction. So the tables' own makers (the vault's, the views' ...) serve as
migrations unchanged, two processes migrating at once take turns, and a migration is applied
with its row in schema_version, or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from domain.application import Ledger
from stores.sql import SqlDatabase

_LOCK = "bangfu: migrate the schema"  # the advisory lock's name (with the schema's)


@contextmanager
def locked(db: SqlDatabase) -> Iterator[SqlDatabase]:
    """One transaction that holds the migration lock, and the store as seen through it: every
    SqlDatabase made on the ledger it yields (``locked.ledger``) runs its SQL in that
    transaction, so the tables' own makers (the vault's, the views' ...) serve as migrations."""
    datastore = getattr(db.ledger.factory, "datastore", None)
    if isinstance(datastore, PostgresDatastore):
        with datastore.transaction(commit=True) as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{_LOCK}|{datastore.schema}",)
            )
            yield _through(db.ledger, _PinnedPostgres.holding(datastore, cursor))
        return
    assert isinstance(datastore, SQLiteDatastore)
    with datastore.get_connection(commit=True) as connection:
        held = connection.cursor()
        held.execute("BEGIN IMMEDIATE")  # the write lock now, or wait for it
        try:
            yield _through(db.ledger, _PinnedSQLite.holding(datastore, held))
        except BaseException:
            connection.rollback()
            raise
        connection.commit()


class _Pinned:
    """A datastore whose every transaction is one open transaction (its pool stays the real
    datastore's, never closed by this one)."""

    _cursor: Any

    @classmethod
    def holding(cls, real: object, cursor: Any) -> Any:
        pinned = cls.__new__(cls)
        pinned.__dict__.update(vars(real))
        pinned._cursor = cursor
        return pinned

    @contextmanager
    def transaction(self, *, commit: bool = False) -> Iterator[Any]:
        yield self._cursor

    def close(self) -> None:
        pass


class _PinnedPostgres(_Pinned, PostgresDatastore):
    pass


class _PinnedSQLite(_Pinned, SQLiteDatastore):
    pass


class _Factory:
    def __init__(self, datastore: object) -> None:
        self.datastore = datastore


class _LockedLedger:
    """The parts of a Ledger that the tables' makers read: its recorder (for table names) and
    its factory's datastore (here the pinned one)."""

    def __init__(self, ledger: Ledger, datastore: object) -> None:
        self.recorder = ledger.recorder
        self.factory = _Factory(datastore)


def _through(ledger: Ledger, pinned: object) -> SqlDatabase:
    return SqlDatabase(cast(Ledger, _LockedLedger(ledger, pinned)))
