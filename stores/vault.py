"""Household keys (AES-GCM) wrapped under a master key; destroying one erases that household.

The master key comes from configuration (BANGFU_MASTER_KEY, base64 of 32 bytes) or a key file
created on first use. Household keys live in their own table, never in events, so erasing one
leaves every event, chain link and signed checkpoint as it was.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from stores.erasure_record import Erasure, ErasureRecord
from stores.master_key import ROTATED, MasterKeyError, load_master_key, unwrap, wrap
from stores.sealed_data import open_data, seal_data
from stores.sql import SqlDatabase

__all__ = ["MasterKeyError", "Vault", "load_master_key"]


_CHECK_MESSAGE = b"bangfu master key check"
_INDEX_AAD = b"bangfu person index"


class Vault:
    """The PersonalDataVault on the store's own database."""

    def __init__(self, db: SqlDatabase, master_key: Callable[[bool], bytes]) -> None:
        self.db = db
        self._load_master = master_key  # read on first use, so opening a store writes no file
        self.table = db.table("household_keys")
        self.meta = db.table("vault_meta")
        with db.transaction() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (case_id TEXT PRIMARY KEY, "
                "wrapped TEXT, erased_at TEXT, erased_by TEXT, created_at TEXT)"
            )
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.meta} (name TEXT PRIMARY KEY, value TEXT)"
            )
        # a store made before keys had a birth time gets the column from stores/migrations.py

    def check_master_key(self) -> None:
        """Refuse a master key that cannot open what this store has sealed (MasterKeyError)."""
        row = self.db.one(f"SELECT value FROM {self.meta} WHERE name = %s", ("key_check",))
        sealed = self.db.one(
            f"SELECT case_id, wrapped FROM {self.table} WHERE wrapped IS NOT NULL LIMIT 1"
        )
        if row is None and sealed is None:
            return  # nothing sealed yet: the key is made or read on first use
        master = self._load_master(False)
        if row is not None:
            if not hmac.compare_digest(row["value"], self._check_value(master)):
                raise MasterKeyError(
                    "the configured master key is not the one this store's personal data was "
                    "sealed with; start with the store's own key (BANGFU_MASTER_KEY_FILE or "
                    "BANGFU_DATA_DIR), or every household's data would read as unreadable. If "
                    "`bangfu keys rotate-master` was interrupted, run it again to finish."
                )
            return
        assert sealed is not None
        blob = base64.b64decode(sealed["wrapped"])
        try:
            AESGCM(master).decrypt(blob[:12], blob[12:], str(sealed["case_id"]).encode())
        except InvalidTag:
            raise MasterKeyError(
                "the configured master key cannot open this store's sealed personal data"
            ) from None
        self._write_check(master)

    @staticmethod
    def _check_value(master: bytes) -> str:
        return hmac.new(master, _CHECK_MESSAGE, hashlib.sha256).hexdigest()

    def _write_check(self, master: bytes) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(
                    f"INSERT INTO {self.meta} (name, value) VALUES (%s, %s) "
                    "ON CONFLICT (name) DO NOTHING"
                ),
                ("key_check", self._check_value(master)),
            )

    @cached_property
    def _master_bytes(self) -> bytes:
        master = self._load_master(True)
        self._write_check(master)
        return master

    @cached_property
    def _master(self) -> AESGCM:
        return AESGCM(self._master_bytes)

    @cached_property
    def _check(self) -> str:
        return self._check_value(self._master_bytes)

    @cached_property
    def _index_key(self) -> bytes:
        """The key of person refs: a secret kept wrapped under the master key, so that rotating
        the master key changes no ref. A store made before it was kept gets, once, the key that
        used to be derived from its master key."""
        row = self.db.one(f"SELECT value FROM {self.meta} WHERE name = %s", ("index_key",))
        if row is not None:
            return unwrap(self._master, _INDEX_AAD, row["value"])
        derived = hmac.new(self._master_bytes, _INDEX_AAD, hashlib.sha256).digest()
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(
                    f"INSERT INTO {self.meta} (name, value) VALUES (%s, %s) "
                    "ON CONFLICT (name) DO NOTHING"
                ),
                ("index_key", wrap(self._master, _INDEX_AAD, derived)),
            )
        return derived

    def rotate_master(self, new_master: bytes) -> tuple[int, int]:
        """Re-wrap every household key, the person-index secret and the key check under
        ``new_master``, in one transaction (writers of keys wait for it on PostgreSQL); returns
        how many keys were re-wrapped and how many stay erased."""
        self.check_master_key()
        index_key, new = self._index_key, AESGCM(new_master)
        with self.db.transaction() as cursor:
            if self.db.is_postgres:
                cursor.execute(f"LOCK TABLE {self.table} IN EXCLUSIVE MODE")
            cursor.execute(f"SELECT case_id, wrapped FROM {self.table}")
            rows = [(str(r["case_id"]), r["wrapped"]) for r in cursor.fetchall()]
            rewrapped = [
                (wrap(new, c.encode(), unwrap(self._master, c.encode(), w)), c)
                for c, w in rows
                if w is not None
            ]
            cursor.executemany(
                self.db.sql(f"UPDATE {self.table} SET wrapped = %s WHERE case_id = %s"), rewrapped
            )
            cursor.executemany(
                self.db.sql(
                    f"INSERT INTO {self.meta} (name, value) VALUES (%s, %s) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value"
                ),
                [
                    ("key_check", self._check_value(new_master)),
                    ("index_key", wrap(new, _INDEX_AAD, index_key)),
                ],
            )
        return len(rewrapped), len(rows) - len(rewrapped)

    def person_ref(self, id_number: str) -> str:
        return hmac.new(self._index_key, id_number.encode(), hashlib.sha256).hexdigest()

    def _unwrap(self, case_id: UUID, wrapped: str | None) -> bytes | None:
        if wrapped is None:
            return None  # erased
        return unwrap(self._master, str(case_id).encode(), wrapped)

    def _household_key(self, case_id: UUID, create: bool) -> bytes | None:
        row = self.db.one(f"SELECT wrapped FROM {self.table} WHERE case_id = %s", (str(case_id),))
        if row is not None:
            return self._unwrap(case_id, row["wrapped"])
        if not create:
            return None
        key = AESGCM.generate_key(bit_length=256)
        wrapped = wrap(self._master, str(case_id).encode(), key)
        with self.db.transaction() as cursor:  # only while the store's key check is this key's
            cursor.execute(
                self.db.sql(
                    f"INSERT INTO {self.table} (case_id, wrapped, created_at) "
                    f"SELECT %s, %s, %s WHERE EXISTS (SELECT 1 FROM {self.meta} "
                    "WHERE name = 'key_check' AND value = %s) ON CONFLICT (case_id) DO NOTHING"
                ),
                (str(case_id), wrapped, datetime.now(UTC).isoformat(), self._check),
            )
        found = self._household_key(case_id, create=False)
        if found is None:  # neither this insert nor a concurrent one: the key check changed
            raise MasterKeyError(ROTATED)
        return found

    def seal(self, case_id: UUID, data: dict[str, Any]) -> str:
        key = self._household_key(case_id, create=True)
        if key is None:
            raise ValueError(f"the personal data of case {case_id} was erased")
        return seal_data(AESGCM(key), case_id, data)

    def seal_many(self, items: Sequence[tuple[UUID, dict[str, Any]]]) -> list[str]:
        """Like ``seal`` for each item, with the households' keys read at once; a missing key
        is made as ``seal`` makes it."""
        wrapped = self._wrapped_keys(case_id for case_id, _ in items)
        keys: dict[UUID, AESGCM] = {}
        sealed = []
        for case_id, data in items:
            if case_id not in keys and str(case_id) not in wrapped:
                sealed.append(self.seal(case_id, data))  # makes the household's key
                continue
            if case_id not in keys:
                key = self._unwrap(case_id, wrapped[str(case_id)])
                if key is None:
                    raise ValueError(f"the personal data of case {case_id} was erased")
                keys[case_id] = AESGCM(key)
            sealed.append(seal_data(keys[case_id], case_id, data))
        return sealed

    def open(self, case_id: UUID, sealed: str) -> dict[str, Any] | None:
        return open_data(case_id, self._household_key(case_id, create=False), sealed)

    def open_many(self, sealed: dict[UUID, str]) -> dict[UUID, dict[str, Any] | None]:
        wrapped = self._wrapped_keys(sealed)
        return {
            case_id: open_data(case_id, self._unwrap(case_id, wrapped.get(str(case_id))), blob)
            for case_id, blob in sealed.items()
        }

    def _wrapped_keys(self, case_ids: Iterable[UUID]) -> dict[str, str | None]:
        """The stored (wrapped) keys of these households, in queries of 500 ids (SQLite's
        limit on parameters; PostgreSQL takes them as one array, one statement prepared once
        for any number); an erased one's is None, one never made is missing."""
        ids = sorted({str(case_id) for case_id in case_ids})
        wrapped: dict[str, str | None] = {}
        if self.db.is_postgres:
            rows = self.db.query(
                f"SELECT case_id, wrapped FROM {self.table} WHERE case_id = ANY(%s)", [ids]
            )
            return {str(r["case_id"]): r["wrapped"] for r in rows}
        for n in range(0, len(ids), 500):
            part = ids[n : n + 500]
            marks = ", ".join(["%s"] * len(part))
            rows = self.db.query(
                f"SELECT case_id, wrapped FROM {self.table} WHERE case_id IN ({marks})", part
            )
            wrapped |= {str(r["case_id"]): r["wrapped"] for r in rows}
        return wrapped

    def discard(self, case_id: UUID) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(f"DELETE FROM {self.table} WHERE case_id = %s AND erased_at IS NULL"),
                (str(case_id),),
            )

    def sweep_orphans(self, events_table: str, older_than: timedelta = timedelta(hours=1)) -> int:
        """Remove keys made for registrations that were never recorded (a crash between sealing
        and saving); a key younger than ``older_than`` may belong to a write in flight."""
        cutoff = (datetime.now(UTC) - older_than).isoformat()
        # PostgreSQL keeps originator ids as uuid, eventsourcing's SQLite as 32 hex digits
        same = "CAST(k.case_id AS uuid)" if self.db.is_postgres else "REPLACE(k.case_id, '-', '')"
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(
                    f"DELETE FROM {self.table} WHERE case_id IN (SELECT k.case_id FROM "
                    f"{self.table} k WHERE k.erased_at IS NULL AND k.created_at < %s AND "
                    f"NOT EXISTS (SELECT 1 FROM {self.db.table(events_table)} e "
                    f"WHERE e.originator_id = {same}))"
                ),
                (cutoff,),
            )
            return int(cursor.rowcount or 0)

    erasure_record: ErasureRecord | None = None  # set by open_ledger; kept with the keys

    def erase(self, case_id: UUID, actor: str, *, erased_at: str | None = None) -> bool:
        """Destroy the household's key, writing the erasure record first (so no key is gone
        without a line there for `bangfu restore`); ``erased_at``: re-apply an erasure that the
        record already holds, at its own time, without writing it again."""
        when = erased_at or datetime.now(UTC).isoformat()
        live = self.db.one(
            f"SELECT case_id FROM {self.table} WHERE case_id = %s AND wrapped IS NOT NULL",
            (str(case_id),),
        )
        if live is not None and erased_at is None and self.erasure_record is not None:
            self.erasure_record.append([Erasure(case_id, when, actor)])
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(
                    f"UPDATE {self.table} SET wrapped = NULL, erased_at = %s, erased_by = %s "
                    "WHERE case_id = %s AND wrapped IS NOT NULL"
                ),
                (when, actor, str(case_id)),
            )
        return (
            self.db.one(f"SELECT erased_by FROM {self.table} WHERE case_id = %s", (str(case_id),))
            is not None
        )
