"""Household keys (AES-GCM) wrapped under a master key; destroying one erases that household.

The master key comes from configuration (BANGFU_MASTER_KEY, base64 of 32 bytes) or a key file
created on first use. Household keys live in their own table, never in events, so erasing one
leaves every event, chain link and signed checkpoint as it was.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from stores.sql import SqlDatabase


class MasterKeyError(ValueError):
    """The configured master key cannot open this store's sealed personal data."""


_CHECK_MESSAGE = b"bangfu master key check"


def load_master_key(key: str | None, key_file: Path | None, *, create: bool = True) -> bytes:
    """The master key from configuration, else from the key file (made, mode 600, if absent
    and ``create``)."""
    if key:
        raw = base64.b64decode(key)
    elif key_file is None:
        raise MasterKeyError("no master key is configured (BANGFU_MASTER_KEY or a key file)")
    elif key_file.exists():
        raw = base64.b64decode(key_file.read_text().strip())
    elif not create:
        raise MasterKeyError(
            f"this store holds sealed personal data, but there is no master key: "
            f"{key_file} does not exist and BANGFU_MASTER_KEY is not set. Point "
            "BANGFU_MASTER_KEY_FILE (or BANGFU_DATA_DIR) at the key this store was made with."
        )
    else:
        raw = secrets.token_bytes(32)
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(base64.b64encode(raw).decode())
    if len(raw) != 32:
        raise ValueError("the master key must be 32 bytes (base64-encoded)")
    return raw


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
        if not self._has_birth_times():  # a store made before keys had a birth time
            with db.transaction() as cursor:
                cursor.execute(f"ALTER TABLE {self.table} ADD COLUMN created_at TEXT")

    def _has_birth_times(self) -> bool:
        try:
            self.db.query(f"SELECT created_at FROM {self.table} WHERE 1 = 0")
        except Exception:  # the column is missing (each store words it differently)
            return False
        return True

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
                    "BANGFU_DATA_DIR), or every household's data would read as unreadable"
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
    def _index_key(self) -> bytes:
        return hmac.new(self._master_bytes, b"bangfu person index", hashlib.sha256).digest()

    def person_ref(self, id_number: str) -> str:
        return hmac.new(self._index_key, id_number.encode(), hashlib.sha256).hexdigest()

    def _unwrap(self, case_id: UUID, wrapped: str | None) -> bytes | None:
        if wrapped is None:
            return None  # erased
        blob = base64.b64decode(wrapped)
        return self._master.decrypt(blob[:12], blob[12:], str(case_id).encode())

    def _household_key(self, case_id: UUID, create: bool) -> bytes | None:
        row = self.db.one(f"SELECT wrapped FROM {self.table} WHERE case_id = %s", (str(case_id),))
        if row is not None:
            return self._unwrap(case_id, row["wrapped"])
        if not create:
            return None
        key, nonce = AESGCM.generate_key(bit_length=256), os.urandom(12)
        wrapped = base64.b64encode(nonce + self._master.encrypt(nonce, key, str(case_id).encode()))
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(
                    f"INSERT INTO {self.table} (case_id, wrapped, created_at) "
                    "VALUES (%s, %s, %s) ON CONFLICT (case_id) DO NOTHING"
                ),
                (str(case_id), wrapped.decode(), datetime.now(UTC).isoformat()),
            )
        return self._household_key(case_id, create=False)

    def seal(self, case_id: UUID, data: dict[str, Any]) -> str:
        key = self._household_key(case_id, create=True)
        if key is None:
            raise ValueError(f"the personal data of case {case_id} was erased")
        nonce = os.urandom(12)
        plain = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
        return base64.b64encode(
            nonce + AESGCM(key).encrypt(nonce, plain, str(case_id).encode())
        ).decode()

    def open(self, case_id: UUID, sealed: str) -> dict[str, Any] | None:
        return self._open(case_id, self._household_key(case_id, create=False), sealed)

    def open_many(self, sealed: dict[UUID, str]) -> dict[UUID, dict[str, Any] | None]:
        ids = [str(case_id) for case_id in sealed]
        marks = ", ".join(["%s"] * len(ids))
        rows = (
            self.db.query(
                f"SELECT case_id, wrapped FROM {self.table} WHERE case_id IN ({marks})", ids
            )
            if ids
            else []
        )
        wrapped = {r["case_id"]: r["wrapped"] for r in rows}
        return {
            case_id: self._open(case_id, self._unwrap(case_id, wrapped.get(str(case_id))), blob)
            for case_id, blob in sealed.items()
        }

    @staticmethod
    def _open(case_id: UUID, key: bytes | None, sealed: str) -> dict[str, Any] | None:
        if key is None:
            return None
        blob = base64.b64decode(sealed)
        try:
            opened: dict[str, Any] = json.loads(
                AESGCM(key).decrypt(blob[:12], blob[12:], str(case_id).encode())
            )
        except InvalidTag:
            return None
        return opened

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

    def erase(self, case_id: UUID, actor: str) -> bool:
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(
                    f"UPDATE {self.table} SET wrapped = NULL, erased_at = %s, erased_by = %s "
                    "WHERE case_id = %s AND wrapped IS NOT NULL"
                ),
                (datetime.now(UTC).isoformat(), actor, str(case_id)),
            )
        return (
            self.db.one(f"SELECT erased_by FROM {self.table} WHERE case_id = %s", (str(case_id),))
            is not None
        )
