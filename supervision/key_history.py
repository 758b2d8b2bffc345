"""The public key history: every key that signed checkpoints, and which key succeeded which.

One row per Ed25519 key (the `signing_keys` table beside the checkpoints): its PEM, fingerprint,
when it was first used and when it was retired. A retired key's row also names its successor and
holds the successor's signature over ``bangfu-key-succession|{fingerprint}|{retired_at}|
{successor's fingerprint}``. Whoever trusts the current key (the key file, a pinned PEM) thereby
trusts each earlier key, link by link, while a key slipped into the table behind Bangfu's back
is trusted by nobody.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError

from domain.errors import ConflictError
from stores.sql import SqlDatabase
from supervision.signing import SigningKey, canonical_pem, fingerprint, key_id, signature_valid

_PEM_BLOCK = re.compile(r"-----BEGIN PUBLIC KEY-----.*?-----END PUBLIC KEY-----", re.S)


class RetiredKeyError(ConflictError):
    """The signing key was retired and its key file still holds it."""


class PublicHalf(Protocol):
    """What the history needs of a key: its public half's names."""

    @property
    def public_key_pem(self) -> str: ...
    @property
    def key_id(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...


@dataclass(frozen=True)
class PublicKey:
    """A row of the key history."""

    key_id: str
    public_key_pem: str
    fingerprint: str
    activated_at: str | None
    retired_at: str | None = None
    succeeded_by: str | None = None
    succession: str | None = None  # the successor's signature (hex) over succession_message

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def now() -> str:
    """The time as checkpoints and the key history write it (UTC, microseconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def succession_message(old_fingerprint: str, retired_at: str, new_fingerprint: str) -> bytes:
    """Exactly the bytes a successor key signs to vouch for the key it retired."""
    return f"bangfu-key-succession|{old_fingerprint}|{retired_at}|{new_fingerprint}".encode()


def keys_in(text: str) -> dict[str, str]:
    """Every Ed25519 public key in PEM text (one key or several, one after another), by key id;
    ValueError if it holds none or a block is not one."""
    found = {}
    for block in _PEM_BLOCK.findall(text) or [text]:
        pem = canonical_pem(block)
        found[key_id(pem)] = pem
    return found


def trusted(anchors: Mapping[str, str], history: Iterable[PublicKey]) -> dict[str, str]:
    """The anchors (key id: PEM) and every key of the history a trusted key succeeded, by key
    id: a chain of succession signatures leads back from a trusted key to each."""
    trust = {key_id(canonical_pem(pem)): canonical_pem(pem) for pem in anchors.values()}
    waiting = [k for k in history if k.succeeded_by and k.retired_at and k.succession]
    grew = True
    while grew:
        grew = False
        for k in waiting:
            successor = trust.get(k.succeeded_by or "")
            try:
                pem = canonical_pem(k.public_key_pem)
            except ValueError:
                continue
            if successor is None or key_id(pem) in trust:
                continue
            said = succession_message(fingerprint(pem), k.retired_at or "", fingerprint(successor))
            if signature_valid(successor, said, k.succession or ""):
                trust[key_id(pem)] = pem
                grew = True
    return trust


class KeyHistory:
    """Reads and writes the `signing_keys` table."""

    COLUMNS = (
        "key_id, public_key_pem, fingerprint, activated_at, retired_at, succeeded_by, succession"
    )

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db
        self.table = db.table("signing_keys")
        try:
            with db.transaction() as cursor:
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {self.table} (key_id TEXT PRIMARY KEY, "
                    "public_key_pem TEXT NOT NULL, fingerprint TEXT NOT NULL, activated_at TEXT, "
                    "retired_at TEXT, succeeded_by TEXT, succession TEXT)"
                )
        except IntegrityError:  # PostgreSQL: another process created it at the same moment
            pass

    def all(self) -> list[PublicKey]:
        """Every key, oldest first."""
        rows = self.db.query(f"SELECT {self.COLUMNS} FROM {self.table}")
        keys = [PublicKey(**r) for r in rows]
        return sorted(keys, key=lambda k: (k.retired_at is None, k.retired_at or "", k.key_id))

    def get(self, wanted: str) -> PublicKey | None:
        row = self.db.one(f"SELECT {self.COLUMNS} FROM {self.table} WHERE key_id = %s", (wanted,))
        return PublicKey(**row) if row else None

    def record(self, key: PublicHalf, activated_at: str) -> None:
        """Add a key (no change if it is there already)."""
        with self.db.transaction() as cursor:
            self._insert(cursor, key, activated_at)

    def rotate(self, old: PublicHalf, old_since: str | None, new: SigningKey) -> str:
        """In one transaction: record both keys (the old one in use since ``old_since``, else
        now), retire the old one now and have the new one sign for it; returns the time."""
        at = now()
        message = succession_message(old.fingerprint, at, new.fingerprint)
        with self.db.transaction() as cursor:
            self._insert(cursor, old, old_since or at)
            self._insert(cursor, new, at)
            cursor.execute(
                self.db.sql(
                    f"UPDATE {self.table} SET retired_at = %s, succeeded_by = %s, "
                    "succession = %s WHERE key_id = %s AND retired_at IS NULL"
                ),
                (at, new.key_id, new.sign(message), old.key_id),
            )
        return at

    def _insert(self, cursor: Any, key: PublicHalf, activated_at: str) -> None:
        cursor.execute(
            self.db.sql(
                f"INSERT INTO {self.table} (key_id, public_key_pem, fingerprint, activated_at) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (key_id) DO NOTHING"
            ),
            (key.key_id, key.public_key_pem, key.fingerprint, activated_at),
        )

    def listing(self, current: PublicHalf) -> list[PublicKey]:
        """The history with the current key last (added, not yet activated, if it has never
        signed)."""
        keys = self.all()
        if all(k.key_id != current.key_id for k in keys):
            pem = current.public_key_pem
            keys.append(PublicKey(current.key_id, pem, current.fingerprint, None))
        return keys
