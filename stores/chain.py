"""The hash chain: every stored event is linked, in commit order, in the transaction that stores it.

digest(e) = SHA-256( originator id | version | topic | state )          (the event as stored)
link(n)   = SHA-256( link(n-1) | position | digest(n) ), from an all-zero genesis link.

The events table is locked while events are inserted (PostgreSQL), and SQLite has one writer at
a time, so concurrent writers still produce one valid chain. Keeping the digest apart lets an
audit package prove a few events against a signed checkpoint without revealing the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

GENESIS = "0" * 64


def originator_hex(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else UUID(str(originator_id)).hex


def digest(originator_id: UUID | str, version: int, topic: str, state: bytes) -> str:
    """The SHA-256 of one event as stored."""
    h = hashlib.sha256(f"{originator_hex(originator_id)}|{version}|{topic}|".encode())
    h.update(state)
    return h.hexdigest()


def link(previous: str, position: int, event_digest: str) -> str:
    """The chain link that covers the previous link and one event's digest."""
    return hashlib.sha256(f"{previous}|{position}|{event_digest}".encode()).hexdigest()


def chain_links(
    previous: str, ids: Sequence[int], events: Sequence[StoredEvent]
) -> list[tuple[int, str, str]]:
    links = []
    for position, event in zip(ids, events, strict=True):
        d = digest(event.originator_id, event.originator_version, event.topic, event.state)
        previous = link(previous, position, d)
        links.append((position, d, previous))
    return links


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    """Writes the chain links in the same transaction, under the events table's lock."""

    def __init__(
        self, datastore: PostgresDatastore, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_table_name = f"{events_table_name.removesuffix('_events')}_chain"
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1} "
                "(position bigint PRIMARY KEY, digest text NOT NULL, link text NOT NULL)"
            ).format(Identifier(datastore.schema), Identifier(self.chain_table_name))
        )
        self._last_link = SQL("SELECT link FROM {0}.{1} ORDER BY position DESC LIMIT 1").format(
            Identifier(datastore.schema), Identifier(self.chain_table_name)
        )
        self._insert_links = SQL(
            "INSERT INTO {0}.{1} (position, digest, link) VALUES (%s, %s, %s)"
        ).format(Identifier(datastore.schema), Identifier(self.chain_table_name))

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if ids:
            curs.execute(self._last_link)
            row = curs.fetchone()
            links = chain_links(row["link"] if row else GENESIS, ids, stored_events)
            curs.executemany(self._insert_links, links)
        return ids


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    """Writes the chain links in the same transaction as the events."""

    chain_table_name = "stored_chain"

    def __init__(
        self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {self.chain_table_name} "
            "(position INTEGER PRIMARY KEY, digest TEXT NOT NULL, link TEXT NOT NULL)",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if ids:
            c.execute(f"SELECT link FROM {self.chain_table_name} ORDER BY position DESC LIMIT 1")
            row = c.fetchone()
            links = chain_links(row["link"] if row else GENESIS, ids, stored_events)
            c.executemany(f"INSERT INTO {self.chain_table_name} VALUES (?, ?, ?)", links)
        return ids
