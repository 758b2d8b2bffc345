"""Restoring a data backup (stores/backup.py) without bringing erased personal data back.

The backup is checked first (its SHA-256 against its manifest, then by its store's own tools),
and a store that holds events is replaced only when asked. The restored data is put in place
with every erasure of the erasure record (stores/erasure_record.py) destroying its household's
key again: in a staging file for SQLite, inside a rollback for PostgreSQL (the old schema is set
aside and put back if anything fails).
"""

from __future__ import annotations

import secrets
import shutil
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

from psycopg import sql

from domain.access import SYSTEM
from domain.application import Ledger
from domain.errors import CaseNotFoundError
from domain.text import NAME_MAX
from stores import describe, store_env
from stores.backup import (
    BackupError,
    Manifest,
    Postgres,
    Progress,
    locate,
    pg_counts,
    run_tool,
    sha256,
    sqlite_checked,
)
from stores.erasure_record import Erasure
from stores.migrations import LATEST
from stores.sql import SqlDatabase
from stores.vault import MasterKeyError, Vault


def check_backup(data: Path) -> Manifest:
    """The manifest of a backup that is whole: its SHA-256 matches and its store can read it."""
    if not data.is_file():
        raise BackupError(f"{data}: there is no such backup file")
    manifest = Manifest.read(data)
    if sha256(data) != manifest.sha256:
        raise BackupError(
            f"{data} does not match the SHA-256 in its manifest: it was changed or damaged, "
            "so it is not restored (备份文件已损坏)"
        )
    if manifest.store == "sqlite":
        sqlite_checked(data)
    else:
        run_tool(["pg_restore", "--list", str(data)])
    return manifest


def check_target(database_url: str, manifest: Manifest, *, force: bool) -> None:
    """Refuse a store of another kind or schema, or one holding events unless ``force``."""
    store = locate(database_url)
    kind = "postgresql" if isinstance(store, Postgres) else "sqlite"
    if kind != manifest.store:
        raise BackupError(f"the backup is of a {manifest.store} store, not {kind}")
    if (manifest.schema_version or 0) > LATEST:
        raise BackupError(
            f"the backup's schema is version {manifest.schema_version}, newer than this "
            f"Bangfu's ({LATEST}): restore it with the release that wrote it"
        )
    if isinstance(store, Postgres) and store.schema != manifest.schema:
        raise BackupError(
            f"the backup holds schema {manifest.schema!r}: restore it into that schema "
            f"(BANGFU_DATABASE_URL ending ?schema={manifest.schema})"
        )
    if force:
        return  # even a store too damaged to count its events is replaced
    if isinstance(store, Postgres):
        with store.connect() as conn:
            events = pg_counts(conn, store.schema)[1]
    else:
        events = sqlite_checked(store)[1] if store.is_file() and store.stat().st_size else 0
    if events:
        raise BackupError(
            f"{describe(database_url)} holds {events} events; restoring would replace them all. "
            "Nothing was changed. Back it up first, then restore with --force (恢复会覆盖现有数据)"
        )


def restore_data(
    database_url: str, data: Path, erasures: Sequence[Erasure], progress: Progress
) -> int:
    """Put the backup in place of the store and destroy every recorded erasure's key again;
    the number of keys the backup still held. Call ``check_backup`` and ``check_target`` first."""
    store = locate(database_url)
    if isinstance(store, Postgres):
        return _restore_postgres(database_url, store, data, erasures)
    staging = store.with_name(store.name + ".restoring")  # erased before the store sees it
    _remove_sqlite(staging)
    try:
        shutil.copyfile(data, staging)
        destroyed = destroy_keys(f"sqlite:///{staging}", erasures)
        with closing(sqlite3.connect(staging)) as restored, closing(sqlite3.connect(store)) as db:
            restored.backup(db, pages=4096, progress=lambda _, left, n: progress(n - left, n))
    finally:
        _remove_sqlite(staging)
    return destroyed


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _restore_postgres(
    database_url: str, pg: Postgres, data: Path, erasures: Sequence[Erasure]
) -> int:
    """Set the schema aside, restore the dump in one transaction, destroy the erased keys; put
    the old schema back if any of that fails, else drop it."""
    aside = sql.Identifier(f"{pg.schema[:40]}_before_restore_{secrets.token_hex(4)}")
    schema = sql.Identifier(pg.schema)
    with pg.connect(autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (pg.schema,))
        existed = found.fetchone() is not None
        if existed:
            conn.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(schema, aside))
    try:
        pg.run(
            [
                "pg_restore",
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-acl",
                *pg.args(),
                str(data),
            ]
        )
        destroyed = destroy_keys(database_url, erasures)
    except BaseException:
        with pg.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(schema))
            if existed:
                conn.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(aside, schema))
        raise
    if existed:
        with pg.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(aside))
    return destroyed


def _no_master_key(create: bool) -> bytes:
    raise MasterKeyError("destroying a household key needs no master key")


def destroy_keys(database_url: str, erasures: Sequence[Erasure]) -> int:
    """Destroy again the key of every erasure (no master key needed); how many were live."""
    ledger = Ledger(env=store_env(database_url, create_tables=False))
    try:
        vault = Vault(SqlDatabase(ledger), _no_master_key)
        live = 0
        for start in range(0, len(erasures), 500):
            ids = [str(e.case_id) for e in erasures[start : start + 500]]
            row = vault.db.one(
                f"SELECT COUNT(*) AS n FROM {vault.table} WHERE wrapped IS NOT NULL "
                f"AND case_id IN ({', '.join(['%s'] * len(ids))})",
                ids,
            )
            live += int(row["n"]) if row else 0
        for erasure in erasures:
            vault.erase(erasure.case_id, erasure.erased_by, erased_at=erasure.erased_at)
        return live
    finally:
        ledger.close()


def note_erasures(ledger: Ledger, erasures: Sequence[Erasure]) -> int:
    """Record in the ledger each erasure its events do not show (made after the backup was
    taken), so its case reads as erased everywhere; how many were recorded."""
    noted = 0
    for erasure in {e.case_id: e for e in erasures}.values():
        try:
            case = ledger.case(SYSTEM, erasure.case_id)
        except CaseNotFoundError:
            continue  # filed after the backup: the restored store never knew it
        if not case.personal_data_erased:
            reason = (
                f"恢复备份后重新执行删除 re-applied after a restore: erased {erasure.erased_at} "
                f"by {erasure.erased_by}"
            )
            ledger.erase_personal_data(SYSTEM, erasure.case_id, reason[:NAME_MAX])
            noted += 1
    return noted
