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
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from projections.db import ViewDatabase


def load_master_key(key: str | None, key_file: Path) -> bytes:
    """The master key from configuration, else from the key file (made, mode 600, if absent)."""
    if key:
        raw = base64.b64decode(key)
    elif key_file.exists():
        raw = base64.b64decode(key_file.read_text().strip())
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

    def __init__(self, db: ViewDatabase, master_key: Callable[[], bytes]) -> None:
        self.db = db
        self._load_master = master_key  # read on first use, so opening a store writes no file
        self.table = db.table("household_keys")
        with db.transaction() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (case_id TEXT PRIMARY KEY, "
                "wrapped TEXT, erased_at TEXT, erased_by TEXT)"
            )

    @cached_property
    def _master(self) -> AESGCM:
        return AESGCM(self._load_master())

    @cached_property
    def _index_key(self) -> bytes:
        return hmac.new(self._load_master(), b"bangfu person index", hashlib.sha256).digest()

    def person_ref(self, id_number: str) -> str:
        return hmac.new(self._index_key, id_number.encode(), hashlib.sha256).hexdigest()

    def _household_key(self, case_id: UUID, create: bool) -> bytes | None:
        row = self.db.one(f"SELECT wrapped FROM {self.table} WHERE case_id = %s", (str(case_id),))
        if row is not None:
            if row["wrapped"] is None:
                return None
            blob = base64.b64decode(row["wrapped"])
            return self._master.decrypt(blob[:12], blob[12:], str(case_id).encode())
        if not create:
            return None
        key, nonce = AESGCM.generate_key(bit_length=256), os.urandom(12)
        wrapped = base64.b64encode(nonce + self._master.encrypt(nonce, key, str(case_id).encode()))
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(
                    f"INSERT INTO {self.table} (case_id, wrapped) "
                    "VALUES (%s, %s) ON CONFLICT (case_id) DO NOTHING"
                ),
                (str(case_id), wrapped.decode()),
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
        key = self._household_key(case_id, create=False)
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
