"""A vault for loading households in bulk: each new household's key is kept until ``flush``
writes the batch in one statement (the real vault writes each in a transaction of its own).
Flush before saving the events that use the keys: a crash in between leaves keys without a
household, which the vault sweeps (stores/vault.py, sweep_orphans)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from stores.master_key import wrap
from stores.sql import SqlDatabase
from stores.vault import Vault


class BulkVault(Vault):
    def __init__(self, db: SqlDatabase, master_key: Callable[[bool], bytes]) -> None:
        super().__init__(db, master_key)
        self.pending: list[tuple[str, str, str]] = []

    @classmethod
    def beside(cls, vault: Vault) -> BulkVault:
        """One on the same database and master key as ``vault``."""
        return cls(vault.db, vault._load_master)

    def _household_key(self, case_id: UUID, create: bool) -> bytes | None:
        key = AESGCM.generate_key(bit_length=256)
        wrapped = wrap(self._master, str(case_id).encode(), key)
        self.pending.append((str(case_id), wrapped, datetime.now(UTC).isoformat()))
        return key

    def flush(self) -> None:
        with self.db.transaction() as cursor:
            cursor.executemany(
                self.db.sql(
                    f"INSERT INTO {self.table} (case_id, wrapped, created_at) VALUES (%s, %s, %s)"
                ),
                self.pending,
            )
        self.pending = []
