"""Signed checkpoints: Ed25519 over (position, head link, time), on demand or on a schedule.

A checkpoint of version 2 (every new one) signs the scope chain's link (supervision/scope_chain.py),
which commits to every event's digest and scope facts; version 1 checkpoints, signed over the
event chain's link before the scope chain existed, stay in their own table and stay verifiable.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.application import Ledger
from stores.sql import SqlDatabase
from supervision.key_history import KeyHistory, RetiredKeyError, now
from supervision.scope_chain import ScopeChain
from supervision.signing import Signer, SigningKey


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at a moment, signed."""

    position: int
    link: str
    taken_at: str
    key_id: str
    signature: str
    version: int = 2

    def message(self) -> bytes:
        return signed_message(self.position, self.link, self.taken_at, self.version)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def signed_message(position: int, link: str, taken_at: str, version: int = 2) -> bytes:
    """Exactly the bytes a checkpoint's signature covers: version 2 signs the scope chain's link,
    version 1 (older checkpoints) the event chain's."""
    if version == 1:
        return f"bangfu-checkpoint|{position}|{link}|{taken_at}".encode()
    return f"bangfu-checkpoint|{version}|{position}|{link}|{taken_at}".encode()


class Checkpoints:
    """Reads and writes the checkpoints table beside the events and the chain."""

    def __init__(self, ledger: Ledger) -> None:
        self.db = SqlDatabase(ledger)
        recorder: Any = ledger.recorder
        self.chain = self.db.table(recorder.chain_table_name)
        prefix = recorder.chain_table_name.replace("_chain", "")
        self.tables = {  # by version; version 1 is read only
            1: self.db.table(f"{prefix}_checkpoints"),
            2: self.db.table(f"{prefix}_checkpoints_v2"),
        }
        self.table = self.tables[2]
        self.scope_chain = ScopeChain(ledger, self.db)
        for table in self.tables.values():
            try:
                with self.db.transaction() as cursor:
                    cursor.execute(
                        f"CREATE TABLE IF NOT EXISTS {table} (position BIGINT NOT NULL, "
                        "link TEXT NOT NULL, taken_at TEXT NOT NULL, key_id TEXT NOT NULL, "
                        "signature TEXT NOT NULL, PRIMARY KEY (position, key_id))"
                    )
            except IntegrityError:  # PostgreSQL: another process created it at the same moment
                pass
        self.keys = KeyHistory(self.db)

    def head(self) -> tuple[int, str] | None:
        row = self.db.one(f"SELECT position, link FROM {self.chain} ORDER BY position DESC LIMIT 1")
        return (int(row["position"]), str(row["link"])) if row else None

    def take(self, signer: Signer) -> Checkpoint | None:
        """Sign the chain's head now; None when the log is empty or the head is signed already."""
        head = self.head()
        if head is None:
            return None
        last = self.latest()
        if last is not None and last.position == head[0] and last.key_id == signer.key_id:
            return last
        return self.sign_at(signer, head[0])

    def sign_at(self, signer: Signer, position: int) -> Checkpoint:
        """Sign the scope chain's link at ``position`` (read earlier as the head, say), extending
        that chain first, or return this key's checkpoint there if it has one; ValueError if the
        chain has no such position, ChainBrokenError if an event on the way was altered,
        RetiredKeyError if the signer's key was retired and its file holds no newer one."""
        row = self.db.one(f"SELECT link FROM {self.chain} WHERE position = %s", (position,))
        if row is None:
            raise ValueError(f"the chain has no link at position {position}")
        key = self.usable_key(signer)
        found = self._stored(position, key.key_id)
        if found is not None:
            return found
        return self._sign(key, position, self.scope_chain.extend(position))

    def usable_key(self, signer: Signer) -> SigningKey:
        """The signer's key, added to the key history on first use. A key retired meanwhile (by
        `bangfu keys rotate-signing` in another process) makes the signer read its file again."""
        key = signer.key
        known = self.keys.get(key.key_id)
        if known is not None and known.retired_at is not None:
            key = signer.reload()
            known = self.keys.get(key.key_id)
            if known is not None and known.retired_at is not None:
                raise RetiredKeyError(
                    f"the signing key {key.key_id} in {signer.key_file} was retired at "
                    f"{known.retired_at}; if `bangfu keys rotate-signing` was interrupted, run "
                    "it again to install the new key 签名密钥已停用"
                )
        if known is None:
            self.keys.record(key, self.first_use(key.key_id) or now())
        return key

    def first_use(self, wanted: str) -> str | None:
        """When a key signed its first checkpoint (None if it never signed one)."""
        union = " UNION ALL ".join(
            f"SELECT MIN(taken_at) AS t FROM {table} WHERE key_id = %s"
            for table in self.tables.values()
        )
        times = [r["t"] for r in self.db.query(union, [wanted] * len(self.tables)) if r["t"]]
        return min(times) if times else None

    def _sign(self, key: SigningKey, position: int, link: str) -> Checkpoint:
        taken_at = now()
        checkpoint = Checkpoint(
            position,
            link,
            taken_at,
            key.key_id,
            key.sign(signed_message(position, link, taken_at)),
        )
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(
                    f"INSERT INTO {self.table} VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
                ),
                (
                    checkpoint.position,
                    checkpoint.link,
                    checkpoint.taken_at,
                    checkpoint.key_id,
                    checkpoint.signature,
                ),
            )
            inserted = cursor.rowcount == 1
        # Another process (the scheduler, an export) signed this position with this key between
        # sign_at's look and this insert: the checkpoint that counts is the one stored.
        return checkpoint if inserted else self._stored(position, key.key_id) or checkpoint

    def _stored(self, position: int, key_id: str) -> Checkpoint | None:
        found = self.db.one(
            f"SELECT * FROM {self.table} WHERE position = %s AND key_id = %s", (position, key_id)
        )
        if found is None:
            return None
        return Checkpoint(
            int(found["position"]), found["link"], found["taken_at"], found["key_id"],
            found["signature"],
        )  # fmt: skip

    def all(self) -> list[Checkpoint]:
        """Every checkpoint of both versions, by position (version 1 first at a position)."""
        found = [
            Checkpoint(
                int(r["position"]), r["link"], r["taken_at"], r["key_id"], r["signature"], version
            )
            for version, table in self.tables.items()
            for r in self.db.query(f"SELECT * FROM {table} ORDER BY position")
        ]
        return sorted(found, key=lambda c: (c.position, c.version))

    def latest(self) -> Checkpoint | None:
        """The newest checkpoint of version 2."""
        found = [c for c in self.all() if c.version == 2]
        return found[-1] if found else None


class Scheduler:
    """Takes a checkpoint every N events or every so many seconds, whichever comes first."""

    def __init__(
        self, checkpoints: Checkpoints, signer: Signer, every_events: int, every_seconds: float
    ) -> None:
        self.checkpoints, self.signer = checkpoints, signer
        self.every_events, self.every_seconds = every_events, every_seconds
        self._last_time = time.monotonic()

    def tick(self) -> Checkpoint | None:
        head = self.checkpoints.head()
        if head is None:
            return None
        last = self.checkpoints.latest()
        due = (
            last is None
            or head[0] - last.position >= self.every_events
            or (
                head[0] > last.position and time.monotonic() - self._last_time >= self.every_seconds
            )
        )
        if not due:
            return None
        self._last_time = time.monotonic()
        return self.checkpoints.take(self.signer)
