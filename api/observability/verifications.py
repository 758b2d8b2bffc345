"""When the chain last verified: one row beside the checkpoints, written by `bangfu verify`
when it finds no fault, read by /metrics (``bangfu_chain_verified_age_seconds``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.application import Ledger
from stores.sql import SqlDatabase

STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"  # as checkpoints write taken_at


@dataclass(frozen=True)
class Verified:
    """The last verification that found the whole log intact, up to ``position``."""

    position: int
    at: datetime


class Verifications:
    """The table ``<prefix>_verifications``: one row per kind of check (only "chain" now)."""

    def __init__(self, ledger: Ledger) -> None:
        self.db = SqlDatabase(ledger)
        recorder: Any = ledger.recorder
        prefix = recorder.chain_table_name.removesuffix("_chain")
        self.table = self.db.table(f"{prefix}_verifications")
        try:
            with self.db.transaction() as cursor:
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {self.table} (what TEXT PRIMARY KEY, "
                    "position BIGINT NOT NULL, verified_at TEXT NOT NULL)"
                )
        except IntegrityError:  # PostgreSQL: another process created it at the same moment
            pass

    def record(self, position: int, at: datetime | None = None) -> None:
        """The chain verified without fault up to ``position`` (now, unless ``at``)."""
        stamp = (at or datetime.now(UTC)).astimezone(UTC).strftime(STAMP)
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(
                    f"INSERT INTO {self.table} VALUES ('chain', %s, %s) ON CONFLICT (what) "
                    "DO UPDATE SET position = excluded.position, verified_at = excluded.verified_at"
                ),
                (position, stamp),
            )

    def last(self) -> Verified | None:
        row = self.db.one(f"SELECT position, verified_at FROM {self.table} WHERE what = 'chain'")
        if row is None:
            return None
        return Verified(int(row["position"]), parse_stamp(row["verified_at"]))


def parse_stamp(stamp: str) -> datetime:
    """A UTC time as checkpoints and verifications store it."""
    return datetime.strptime(stamp, STAMP).replace(tzinfo=UTC)
