"""Backups of the data, checked before they are trusted (restoring them: stores/restore.py).

PostgreSQL: ``pg_dump --format=custom`` of the store's schema, taken in an exported snapshot so
the manifest's counts describe exactly what was dumped, then listed with ``pg_restore --list``.
SQLite: the online backup API into one self-contained file, then ``PRAGMA integrity_check``.
Beside each backup, ``<file>.manifest.json`` holds its SHA-256; a restore refuses a file that no
longer matches it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from domain.application import Ledger
from stores import store_env
from stores.migrations import peek_version

FORMAT = "bangfu-backup/1"
PG_EVENTS = f"{Ledger.name.lower()}_events"  # the library's names for the events table
SQLITE_EVENTS = "stored_events"
Progress = Callable[[int, int], None]  # (done, total) pages; total 0 while unknown


class BackupError(Exception):
    """A backup or a restore refused, with the reason for the operator."""


@dataclass(frozen=True)
class Manifest:
    """What a data backup holds, written beside it as ``<file>.manifest.json``."""

    format: str
    store: str  # "postgresql" or "sqlite"
    schema: str | None  # the PostgreSQL schema dumped
    schema_version: int | None
    head_position: int
    events: int
    sha256: str
    size: int
    created_at: str

    @staticmethod
    def path(data: Path) -> Path:
        return data.with_name(data.name + ".manifest.json")

    @classmethod
    def read(cls, data: Path) -> Manifest:
        try:
            fields = json.loads(cls.path(data).read_text(encoding="utf-8"))
            manifest = cls(**fields)
        except (OSError, ValueError, TypeError):
            raise BackupError(
                f"{cls.path(data)} is missing or is not a Bangfu backup manifest; a backup is "
                "restored only with the manifest written beside it"
            ) from None
        if manifest.format != FORMAT:
            raise BackupError(f"{data}: backup format {manifest.format!r}, not {FORMAT!r}")
        return manifest


@dataclass(frozen=True)
class Postgres:
    """Where a PostgreSQL store is; its password goes to the tools in PGPASSWORD only."""

    host: str
    port: str
    user: str
    password: str
    dbname: str
    schema: str

    def args(self) -> list[str]:
        return ["-h", self.host, "-p", self.port, "-U", self.user, "-d", self.dbname]

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=self.dbname,
            autocommit=autocommit,
            connect_timeout=10,
        )

    def run(self, args: Sequence[str]) -> str:
        return run_tool(args, self.password)


def run_tool(args: Sequence[str], password: str = "") -> str:
    """Run a PostgreSQL client tool (the password in PGPASSWORD, never on its command line);
    BackupError in the tool's own words if it fails."""
    env = os.environ | ({"PGPASSWORD": password} if password else {})
    try:
        done = subprocess.run(list(args), env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{args[0]} is not installed: PostgreSQL backups need the PostgreSQL client "
            "tools, of the server's major version or newer"
        ) from None
    if done.returncode != 0:
        reason = " ".join(done.stderr.split()) or f"exit code {done.returncode}"
        raise BackupError(f"{args[0]} failed: {reason}")
    return done.stdout


def locate(database_url: str) -> Postgres | Path:
    """The PostgreSQL store, or the SQLite file, that the URL names."""
    env = store_env(database_url, create_tables=False)
    if "SQLITE_DBNAME" in env:
        return Path(env["SQLITE_DBNAME"])
    return Postgres(
        env["POSTGRES_HOST"],
        env["POSTGRES_PORT"],
        env["POSTGRES_USER"],
        env["POSTGRES_PASSWORD"],
        env["POSTGRES_DBNAME"],
        env.get("POSTGRES_SCHEMA") or "public",
    )


def backup_data(database_url: str, out: Path, progress: Progress) -> Manifest:
    """Back the store up to ``out`` (mode 600) and its manifest beside it; nothing overwritten."""
    for path in (out, Manifest.path(out)):
        if path.exists():
            raise BackupError(f"{path} exists; a backup never overwrites one (choose a new name)")
    store = locate(database_url)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)  # sealed personal data and wrapped keys: for the operator only
    try:
        if isinstance(store, Postgres):
            head, events = _dump_postgres(store, partial)
        else:
            head, events = _copy_sqlite(store, partial, progress)
        manifest = Manifest(
            FORMAT,
            "postgresql" if isinstance(store, Postgres) else "sqlite",
            store.schema if isinstance(store, Postgres) else None,
            peek_version(database_url),
            head,
            events,
            sha256(partial),
            partial.stat().st_size,
            datetime.now(UTC).isoformat(timespec="seconds"),
        )
        _durable(partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    text = json.dumps(asdict(manifest), indent=2) + "\n"
    Manifest.path(out).write_text(text, encoding="utf-8")
    _durable(Manifest.path(out))
    return manifest


def _dump_postgres(pg: Postgres, out: Path) -> tuple[int, int]:
    with pg.connect() as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction():  # the counts and the dump see the same snapshot
            row = conn.execute("SELECT pg_export_snapshot()").fetchone()
            assert row is not None
            head, events = pg_counts(conn, pg.schema)
            pg.run(
                [
                    "pg_dump",
                    "--format=custom",
                    f'--schema="{pg.schema}"',
                    f"--snapshot={row[0]}",
                    f"--file={out}",
                    *pg.args(),
                ]
            )
    if f"SCHEMA - {pg.schema} " not in pg.run(["pg_restore", "--list", str(out)]):
        raise BackupError(f"the dump holds no schema {pg.schema!r}; it cannot restore this store")
    return head, events


def pg_counts(conn: psycopg.Connection[Any], schema: str) -> tuple[int, int]:
    found = conn.execute("SELECT to_regclass(%s)", (f'"{schema}".{PG_EVENTS}',)).fetchone()
    if found is None or found[0] is None:
        return 0, 0
    row = conn.execute(
        sql.SQL("SELECT COALESCE(MAX(notification_id), 0), COUNT(*) FROM {}.{}").format(
            sql.Identifier(schema), sql.Identifier(PG_EVENTS)
        )
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _copy_sqlite(source: Path, out: Path, progress: Progress) -> tuple[int, int]:
    if not source.is_file():
        raise BackupError(f"there is no store at {source}")
    with (
        closing(sqlite3.connect(f"{source.absolute().as_uri()}?mode=ro", uri=True)) as live,
        closing(sqlite3.connect(out)) as copy,
    ):
        # in one step: a step-wise copy starts over whenever the service writes meanwhile
        live.backup(copy, pages=-1, progress=lambda _, left, total: progress(total - left, total))
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    return sqlite_checked(out)


def sqlite_checked(path: Path) -> tuple[int, int]:
    """The head position and event count of a sound SQLite file (BackupError otherwise)."""
    try:
        with closing(sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)) as db:
            verdict = db.execute("PRAGMA integrity_check").fetchall()
            if verdict != [("ok",)]:
                raise BackupError(f"{path} fails SQLite's integrity check: {verdict[0][0]}")
            if not db.execute(
                "SELECT 1 FROM sqlite_master WHERE name = ?", (SQLITE_EVENTS,)
            ).fetchone():
                return 0, 0
            row = db.execute(f"SELECT COALESCE(MAX(rowid), 0), COUNT(*) FROM {SQLITE_EVENTS}")
            head, events = row.fetchone()
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{path} is not a sound SQLite database: {e}") from None
    return int(head), int(events)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _durable(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
