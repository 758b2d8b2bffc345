"""The scope chain: a second hash chain that commits, for every event, to the few facts that decide
which audit packages it belongs in (its kind, aggregate, date, the ids it names, its amount).

An audit package lists these facts for every event it leaves out, and the chain binds them to the
signed checkpoint: a verifier can then recompute which events a scope holds and see that none
is missing, without being shown the content of the others (docs/audit-package.md).

scope digest(e) = SHA-256( "bangfu-scope|" canonical facts | event digest )
scope link(n)   = SHA-256( scope link(n-1) | position | scope digest(n) ), from an all-zero genesis

The event chain (stores/chain.py) is written with every event. This one is extended by whoever
signs a checkpoint, up to the position signed, from the events themselves: it recomputes each
event's digest and refuses to extend over an event that differs from the event chain's record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.application import Ledger
from domain.catalogue import CATALOGUE, kind
from stores.chain import GENESIS, digest, link
from stores.sql import SqlDatabase

Facts = dict[str, Any]
FACT_FIELDS = frozenset({"ancestors", "centre_path", "amount_fen"})
"""Fields kept as facts besides every field named ``*_id`` or ``*_ids``."""


class ChainBrokenError(Exception):
    """An event differs from the one the event chain recorded, or a position lost its event:
    nothing is signed over it (run ``bangfu verify``)."""


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            data = value["_data_"]
            return str(UUID(data)) if value["_type_"] == "uuid_hex" else _plain(data)
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


SECRET_IDS = frozenset(kind(c) for c, m in CATALOGUE.items() if "originator_id" in m.credentials)
"""Kinds whose aggregate id is derived from a credential (a token's hash): their ``id`` fact is
null."""


def facts(originator_id: UUID | str, topic: str, state: bytes) -> Facts:
    """An event's scope facts, from the event as stored (docs/audit-package.md, "Scope facts")."""
    fields = _plain(json.loads(state))
    return _facts(topic, str(UUID(str(originator_id))), fields["timestamp"], fields)


def record_facts(r: dict[str, Any]) -> Facts:
    """The same facts from a record of supervision/records.py (which holds the decoded fields)."""
    return _facts(r["topic"], r["id"], r["recorded_at"], r)


def _facts(topic: str, aggregate_id: str, recorded_at: Any, fields: dict[str, Any]) -> Facts:
    event_kind = topic.split(":", 1)[1]
    found: Facts = {
        "kind": event_kind,
        "id": None if event_kind in SECRET_IDS else aggregate_id,
        "date": fields.get("business_date") or str(recorded_at)[:10],
    }
    for name, value in fields.items():
        if name != "originator_id" and (name.endswith(("_id", "_ids")) or name in FACT_FIELDS):
            found[name] = value
    return found


def canonical(value: Facts) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def scope_digest(event_facts: Facts, event_digest: str) -> str:
    h = hashlib.sha256(b"bangfu-scope|")
    h.update(canonical(event_facts))
    h.update(f"|{event_digest}".encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Entry:
    """One position of both chains, as an audit package lists it."""

    position: int
    event_digest: str
    facts: Facts

    def as_list(self) -> list[Any]:
        return [self.position, self.event_digest, self.facts]


class ScopeChain:
    """The scope chain's table beside the event chain, extended on demand."""

    PAGE = 2000

    def __init__(self, ledger: Ledger, db: SqlDatabase | None = None) -> None:
        self.ledger = ledger
        self.db = db or SqlDatabase(ledger)
        recorder: Any = ledger.recorder
        self.chain = self.db.table(recorder.chain_table_name)
        self.table = self.db.table(recorder.chain_table_name.replace("_chain", "_scope_chain"))
        self.events = self.db.table(recorder.events_table_name)
        id_column = "notification_id" if self.db.is_postgres else "rowid"
        self._page = (  # the next positions of the event chain, each with its event (if any)
            f"SELECT c.position, c.digest, e.originator_id, e.originator_version, e.topic, "
            f"e.state FROM {self.chain} c LEFT JOIN {self.events} e "
            f"ON e.{id_column} = c.position WHERE c.position > %s AND c.position <= %s "
            "ORDER BY c.position LIMIT %s"
        )
        try:
            with self.db.transaction() as cursor:
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {self.table} (position BIGINT PRIMARY KEY, "
                    "digest TEXT NOT NULL, link TEXT NOT NULL)"
                )
        except IntegrityError:  # PostgreSQL: another process created it at the same moment
            pass

    def link_at(self, position: int) -> str | None:
        row = self.db.one(f"SELECT link FROM {self.table} WHERE position = %s", (position,))
        return str(row["link"]) if row else None

    def extend(self, upto: int) -> str:
        """Extend the chain up to ``upto`` (a position of the event chain) and return its link
        there. ChainBrokenError if an event on the way differs from the event chain's record."""
        for attempt in (1, 2):
            try:
                return self._extend(upto)
            except IntegrityError:  # SQLite: another process extended it first
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _extend(self, upto: int) -> str:
        with self.db.transaction() as cursor:
            if self.db.is_postgres:
                cursor.execute(f"LOCK TABLE {self.table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(
                f"SELECT position, link FROM {self.table} ORDER BY position DESC LIMIT 1"
            )
            row = cursor.fetchone()
            after, previous = (int(row["position"]), str(row["link"])) if row else (0, GENESIS)
            if after >= upto:  # extended past it already (by a later checkpoint)
                cursor.execute(
                    self.db.sql(f"SELECT link FROM {self.table} WHERE position = %s"), (upto,)
                )
                found = cursor.fetchone()
                if found is None:
                    raise ValueError(f"the chain has no link at position {upto}")
                return str(found["link"])
            while after < upto:
                cursor.execute(self.db.sql(self._page), (after, upto, self.PAGE))
                rows = cursor.fetchall()
                if not rows:
                    break
                links = []
                for r in rows:
                    entry = _entry(r)
                    d2 = scope_digest(entry.facts, entry.event_digest)
                    previous = link(previous, entry.position, d2)
                    links.append((entry.position, d2, previous))
                cursor.executemany(
                    self.db.sql(f"INSERT INTO {self.table} VALUES (%s, %s, %s)"), links
                )
                after = int(rows[-1]["position"])
            return previous

    def entries(self, upto: int) -> list[Entry]:
        """Every position from the first to ``upto`` with its event digest and facts, read from
        the events (after checking each against the event chain)."""
        found: list[Entry] = []
        after = 0
        while True:
            rows = self.db.query(self._page, (after, upto, self.PAGE))
            found += [_entry(r) for r in rows]
            if len(rows) < self.PAGE:
                return found
            after = int(rows[-1]["position"])


def _entry(row: dict[str, Any]) -> Entry:
    position = int(row["position"])
    if row["topic"] is None:
        raise ChainBrokenError(f"position {position}: the chain links an event that is not there")
    state = bytes(row["state"])
    d1 = digest(row["originator_id"], row["originator_version"], row["topic"], state)
    if d1 != row["digest"]:
        raise ChainBrokenError(
            f"position {position}: the event differs from the one the chain recorded"
        )
    return Entry(position, d1, facts(row["originator_id"], row["topic"], state))
