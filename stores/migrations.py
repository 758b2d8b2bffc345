"""Schema versions of the tables Bangfu keeps beside its events, and the migrations between them.

The events table and the library's other tables are eventsourcing's and never change; every other
table is Bangfu's: the hash chain, the scope chain, checkpoints of both versions, household keys,
web sessions, and the read models with their state and failure tables. Their shape has one version
for the whole store, kept in ``schema_version`` (a row per migration applied: version, name,
applied_at, and the release of Bangfu that applied it).

A migration is a small idempotent function of the store's SqlDatabase, run with its row in one
transaction under a lock (an advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite), so that two
processes migrating at once take turns and a crash leaves every migration applied or not at all.
A read model that changes shape needs no ALTER: it gets a new generation (a rebuild).

A store of the previous release (events, no ``schema_version``) is checked, then stamped at the
baseline and migrated on; a store whose version is above this code's is refused untouched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import psycopg

from stores import store_env
from stores.migration_lock import locked
from stores.sql import SqlDatabase

SCHEMA_TABLE = "schema_version"


class StoreSchemaError(Exception):
    """The store's schema cannot be served by this Bangfu as it is (one line for the user)."""


class SchemaBehindError(StoreSchemaError):
    def __init__(self, found: int, wanted: int) -> None:
        super().__init__(
            f"the store's schema is version {found}, this Bangfu needs {wanted}: "
            "run `bangfu migrate` (or start with BANGFU_MIGRATE_ON_START=true)"
        )
        self.found, self.wanted = found, wanted


class SchemaNewerError(StoreSchemaError):
    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"this store was written by a newer Bangfu (schema {found} > {known}); upgrade Bangfu"
        )
        self.found, self.known = found, known


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[SqlDatabase], None]


def key_birth_times(db: SqlDatabase) -> None:
    """Household keys made before keys had a birth time get the column (empty for them)."""
    table = db.table("household_keys")
    with db.transaction() as cursor:
        if db.is_postgres:
            cursor.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS created_at TEXT")
            return
        cursor.execute("SELECT name FROM pragma_table_info('household_keys')")
        if "created_at" not in {row["name"] for row in cursor.fetchall()}:
            cursor.execute(f"ALTER TABLE {table} ADD COLUMN created_at TEXT")


def current_version(db: SqlDatabase) -> int:
    """The newest migration applied to the store (0: none, a new or a previous release's)."""
    if not _table_exists(db, SCHEMA_TABLE):
        return 0
    row = db.one(f"SELECT MAX(version) AS v FROM {db.table(SCHEMA_TABLE)}")
    return int(row["v"]) if row and row["v"] is not None else 0


LATEST = 4
"""The schema version this code serves: the last of schema.SCHEMA's migrations (which calls
the makers of tables in layers above this one, so it is listed there)."""


def check_version(found: int, latest: int = LATEST) -> None:
    """Refuse a store older (SchemaBehindError) or newer (SchemaNewerError) than the code."""
    if found > latest:
        raise SchemaNewerError(found, latest)
    if found < latest:
        raise SchemaBehindError(found, latest)


def check_current(db: SqlDatabase) -> None:
    check_version(current_version(db))


class Schema:
    """The ordered migrations of the tables beside the events (schema.py lists Bangfu's: the
    baseline calls the makers of tables in layers above this one)."""

    def __init__(self, migrations: tuple[Migration, ...]) -> None:
        assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
        self.migrations = migrations
        self.latest = migrations[-1].version
        assert self.latest == LATEST, "LATEST names the last migration"

    def check_current(self, db: SqlDatabase) -> None:
        check_version(current_version(db), self.latest)

    def migrate(
        self, db: SqlDatabase, progress: Callable[[Migration], None] = lambda m: None
    ) -> list[Migration]:
        """Apply every migration the store lacks, in order, each in a transaction of its own
        under the lock; ``progress`` is told of each once committed. Returns those applied here
        (none when another process applied them first). Refuses a newer store untouched."""
        found, latest = current_version(db), self.latest
        if found > latest:
            raise SchemaNewerError(found, latest)
        applied: list[Migration] = []
        while found < latest:
            with locked(db) as through:
                done = _applied_versions(through)
                if max(done, default=0) > latest:
                    raise SchemaNewerError(max(done), latest)
                pending = [m for m in self.migrations if m.version not in done]
                if not pending:
                    break
                step = pending[0]
                step.apply(through)
                _record(through, step)
            applied.append(step)
            progress(step)
            found = step.version
        return applied


def peek_version(database_url: str) -> int:
    """The store's schema version read without opening it as a ledger (nothing is written, no
    file is made): 0 when it has none yet."""
    env = store_env(database_url, create_tables=False)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        file = Path(env["SQLITE_DBNAME"])
        if not file.exists():
            return 0
        uri = f"{file.as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=30)) as conn:
            listed = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (SCHEMA_TABLE,)
            ).fetchone()
            if listed is None:
                return 0
            return int(
                conn.execute(f"SELECT COALESCE(MAX(version), 0) FROM {SCHEMA_TABLE}").fetchone()[0]
            )
    schema = env.get("POSTGRES_SCHEMA", "public")
    with psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        dbname=env["POSTGRES_DBNAME"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]),
    ) as conn:
        table = f'"{schema}".{SCHEMA_TABLE}'
        found = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()
        if not found or not found[0]:
            return 0
        row = conn.execute(f"SELECT COALESCE(MAX(version), 0) FROM {table}").fetchone()
        return int(row[0]) if row else 0


def release() -> str:
    """This code's release, as recorded beside each migration it applies."""
    try:
        return version("bangfu")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree not installed
        return "unknown"


# --- checks and bookkeeping ----------------------------------------------------------------


class StoreNotBangfuError(StoreSchemaError):
    """Events are there, but not the hash chain that Bangfu writes with every one of them."""


def check_chain(db: SqlDatabase) -> None:
    """A store with events must be Bangfu's: every event has its link in the hash chain."""
    recorder: Any = db.ledger.recorder
    events, chain = recorder.events_table_name, recorder.chain_table_name
    if not _table_exists(db, events):
        return
    id_column = "notification_id" if db.is_postgres else "rowid"
    last = db.one(f"SELECT MAX({id_column}) AS n FROM {db.table(events)}")
    if last is None or last["n"] is None:
        return
    linked = db.one(f"SELECT MAX(position) AS n FROM {db.table(chain)}")
    if linked is None or linked["n"] is None or int(linked["n"]) < int(last["n"]):
        raise StoreNotBangfuError(
            f"the store holds events up to position {last['n']} that its hash chain does not "
            "cover: it was not written by Bangfu, or its chain is damaged (run `bangfu verify`)"
        )


def _table_exists(db: SqlDatabase, name: str) -> bool:
    if db.is_postgres:
        row = db.one("SELECT to_regclass(%s) IS NOT NULL AS found", (db.table(name),))
        return bool(row and row["found"])
    return (
        db.one("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = %s", (name,))
        is not None
    )


def _applied_versions(db: SqlDatabase) -> set[int]:
    with db.transaction() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {db.table(SCHEMA_TABLE)} (version INTEGER PRIMARY KEY, "
            "name TEXT NOT NULL, applied_at TEXT NOT NULL, release TEXT NOT NULL)"
        )
        cursor.execute(f"SELECT version FROM {db.table(SCHEMA_TABLE)}")
        return {int(row["version"]) for row in cursor.fetchall()}


def _record(db: SqlDatabase, step: Migration) -> None:
    with db.transaction() as cursor:
        cursor.execute(
            db.sql(f"INSERT INTO {db.table(SCHEMA_TABLE)} VALUES (%s, %s, %s, %s)"),
            (step.version, step.name, datetime.now(UTC).isoformat(), release()),
        )


__all__ = [
    "LATEST",
    "Migration",
    "Schema",
    "SchemaBehindError",
    "SchemaNewerError",
    "StoreNotBangfuError",
    "StoreSchemaError",
    "check_chain",
    "check_current",
    "check_version",
    "current_version",
    "key_birth_times",
    "peek_version",
]
