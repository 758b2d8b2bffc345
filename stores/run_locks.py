"""A lock held while one long job runs (a view's rebuild), refused at once to a second taker.

Whoever holds it, in this process or another, the second taker gets ``RunLockHeldError`` instead
of waiting: two rebuilds of one view would build the same generation's tables over each other.
The lock dies with its holder, so a killed job leaves nothing to clean up and the next one
resumes: on PostgreSQL a session advisory lock on a connection kept for the job (named with the
schema), on SQLite an ``flock`` on a file beside the database (a store in memory: a lock of
this process).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from stores.sql import SqlDatabase

_IN_MEMORY: dict[str, threading.Lock] = {}
_IN_MEMORY_GUARD = threading.Lock()


class RunLockHeldError(RuntimeError):
    """Another process (or thread) holds the lock of this job now."""


@contextmanager
def run_lock(db: SqlDatabase, name: str) -> Iterator[None]:
    """Hold the lock ``name`` of this store for the block, or raise RunLockHeldError at once."""
    datastore = db.ledger.factory.datastore  # type: ignore[attr-defined]
    if isinstance(datastore, PostgresDatastore):
        with _advisory(datastore, f"bangfu: {name}|{datastore.schema}"):
            yield
        return
    assert isinstance(datastore, SQLiteDatastore)
    path = datastore.pool.db_name
    if datastore.pool.is_sqlite_memory_mode:
        with _in_memory(f"{path}|{name}"):
            yield
        return
    with _flock(Path(path.removeprefix("file:").split("?", 1)[0]), name):
        yield


@contextmanager
def _advisory(datastore: PostgresDatastore, key: str) -> Iterator[None]:
    with datastore.get_connection() as conn:
        row = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s)) AS taken", (key,)).fetchone()
        conn.commit()
        if not (row and row["taken"]):
            raise RunLockHeldError(key.split("|", 1)[0].removeprefix("bangfu: "))
        try:
            yield
        finally:  # a session lock outlives the block unless released: the pool keeps the session
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))
            conn.commit()


@contextmanager
def _flock(database: Path, name: str) -> Iterator[None]:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)
    lock_file = database.with_name(f"{database.name}.{safe}.lock")
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLockHeldError(name) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _in_memory(key: str) -> Iterator[None]:
    with _IN_MEMORY_GUARD:
        lock = _IN_MEMORY.setdefault(key, threading.Lock())
    if not lock.acquire(blocking=False):
        raise RunLockHeldError(key.split("|", 1)[1])
    try:
        yield
    finally:
        lock.release()
