"""The hash chain: every stored event is linked, in commit order, in the transaction that stores it.

digest(e) = SHA-256( originator id | version | topic | state )          (the event as stored)
link(n)   = SHA-256( link(n-1) | position | digest(n) ), from an all-zero genesis link.

The events table is locked while events are inserted (PostgreSQL), and SQLite has one writer at
a time, so concurrent writers still produce one valid chain. Keeping the digest apart lets an
audit package prove a few events against a signed checkpoint without revealing the others.

In the same transaction, under that lock, a writer's reads are checked: ``expected_versions``
(passed to ``insert_events`` by domain/writes.py) maps each aggregate the writer read and does
not write to the version it read (0: absent). When any stored version differs, nothing is written
and IntegrityError is raised, which the application takes for a lost race. One query for the
whole set, an index lookup on the events table's primary key (originator_id, originator_version).

Writers' turns (PostgreSQL): several processes that write to one store (``serve --workers``, the
CLI beside a server) take turns to decide and save a batch, under one transaction-level advisory
lock, and each turn begins by reading which aggregates others wrote since the writer's last turn
(``writers_turn``). A writer that drops those from what it keeps decides on current state and
does not lose a race it would otherwise lose on every batch that touches a fund both pay from.
The checks above still stand behind it, for writers that take no turn (COPY imports).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

GENESIS = "0" * 64
WRITERS_LOCK = "bangfu: writers' turn"  # the advisory lock's name (with the schema's)
MAX_CHANGES = 10_000  # more written by others since a writer's last turn: it forgets everything


@dataclass(frozen=True)
class Turn:
    """What a writer learns when its turn begins: the newest log position, and the aggregates
    written since the position it gave (position, id), or None when it gave none or when there
    were more than MAX_CHANGES (then nothing it keeps is known to be current)."""

    head: int
    changes: list[tuple[int, UUID]] | None


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


def chain(previous: str, ids: Sequence[int], digests: Sequence[str]) -> list[tuple[int, str, str]]:
    """The rows (position, digest, link) that extend the chain from link ``previous``."""
    links = []
    for position, event_digest in zip(ids, digests, strict=True):
        previous = link(previous, position, event_digest)
        links.append((position, event_digest, previous))
    return links


def chain_links(
    previous: str, ids: Sequence[int], events: Sequence[StoredEvent]
) -> list[tuple[int, str, str]]:
    digests = [digest(e.originator_id, e.originator_version, e.topic, e.state) for e in events]
    return chain(previous, ids, digests)


def check_versions(expected: Mapping[UUID, int], stored: Mapping[UUID, int]) -> None:
    """Raise IntegrityError when an aggregate read is no longer at the version read."""
    stale = sorted(str(i) for i, version in expected.items() if stored.get(i, 0) != version)
    if stale:
        raise IntegrityError(f"aggregates read were changed by another writer: {stale}")


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
        self._max_versions = SQL(
            "SELECT originator_id, max(originator_version) AS version FROM {0}.{1} "
            "WHERE originator_id = ANY(%s) GROUP BY originator_id"
        ).format(Identifier(datastore.schema), Identifier(events_table_name))

        self._head = SQL("SELECT COALESCE(MAX(notification_id), 0) AS head FROM {0}.{1}").format(
            Identifier(datastore.schema), Identifier(events_table_name)
        )
        self._written_after = SQL(
            "SELECT notification_id, originator_id FROM {0}.{1} WHERE notification_id > %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(Identifier(datastore.schema), Identifier(events_table_name))

    @contextmanager
    def writers_turn(self, after: int | None) -> Iterator[Turn]:
        """Hold the writers' turn (see the module) for the block: it ends with the block, or
        with this process's connection. Yields what was written since log position ``after``."""
        with (
            self.datastore.get_connection() as conn,
            conn.pipeline() as pipeline,  # the lock and both reads in one round trip
            conn.transaction(force_rollback=True),
            conn.cursor() as curs,
            conn.cursor() as newest,
            conn.cursor() as written,
        ):
            curs.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                (f"{WRITERS_LOCK}|{self.datastore.schema}",),
            )
            newest.execute(self._head)  # before the changes: never past one of them
            if after is not None:
                written.execute(self._written_after, (after, MAX_CHANGES + 1))
            # a sync, not the flush a fetch would send: the session is then idle in its
            # transaction, and the server's idle timeout ends a turn whose holder hangs
            pipeline.sync()
            row = newest.fetchone()
            head = int(row["head"]) if row else 0
            changes: list[tuple[int, UUID]] | None = None
            if after is not None:
                rows = written.fetchall()
                if len(rows) <= MAX_CHANGES:
                    changes = [(r["notification_id"], UUID(str(r["originator_id"]))) for r in rows]
                    head = changes[-1][0] if changes else after
            yield Turn(head, changes)

    def stored_versions(self, originator_ids: Collection[UUID]) -> dict[UUID, int]:
        """The latest stored version of each id (an absent one: not in the answer)."""
        with self.datastore.transaction(commit=False) as curs:
            return self._versions(curs, originator_ids)

    def _versions(self, curs: Cursor[DictRow], originator_ids: Collection[UUID]) -> dict[UUID, int]:
        self._send_versions(curs, originator_ids)
        return self._received_versions(curs)

    def _send_versions(self, curs: Cursor[DictRow], originator_ids: Collection[UUID]) -> None:
        as_uuid = self.datastore.originator_id_type == "uuid"
        ids = list(originator_ids) if as_uuid else [str(i) for i in originator_ids]
        curs.execute(self._max_versions, (ids,))

    @staticmethod
    def _received_versions(curs: Cursor[DictRow]) -> dict[UUID, int]:
        return {UUID(str(row["originator_id"])): row["version"] for row in curs.fetchall()}

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """One transaction in two round trips (each one a wait, and under load a wait for the
        interpreter as well, while the table's lock is held): the lock, the check of the
        writer's reads, the chain's last link and the insert go in one pipeline; the links and
        the commit in the second. The digests are computed before the transaction."""
        expected: Mapping[UUID, int] = kwargs.get("expected_versions") or {}
        if not stored_events and not expected:
            return None
        digests = [
            digest(e.originator_id, e.originator_version, e.topic, e.state) for e in stored_events
        ]
        rows = [
            self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
            for e in stored_events
        ]
        failed: Exception | None = None
        ids: list[int] | None = None
        with self.datastore.get_connection() as conn:
            with (
                conn.pipeline() as pipeline,
                conn.transaction(),
                conn.cursor() as curs,
                conn.cursor() as versions,
                conn.cursor() as last,
                conn.cursor() as insert,
            ):
                self._lock_table(curs)
                if expected:
                    self._send_versions(versions, expected)
                if rows:
                    self._notify_channel(curs)
                    last.execute(self._last_link)
                    insert.execute(self.insert_events_statement, (rows,))
                try:
                    pipeline.sync()  # a version stored twice fails here: a lost race
                except Exception as error:  # raised below, after the pipeline (as the library)
                    failed = error
                if failed is None:
                    if expected:  # raised inside the transaction: nothing is committed
                        check_versions(expected, self._received_versions(versions))
                    if rows:
                        ids = [row["notification_id"] for row in insert.fetchall()]
                        previous = last.fetchone()
                        links = chain(previous["link"] if previous else GENESIS, ids, digests)
                        curs.executemany(self._insert_links, links)
            if failed is not None:
                raise failed
        return ids


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    """Writes the chain links in the same transaction as the events."""

    chain_table_name = "stored_chain"

    def __init__(
        self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name)

    def stored_versions(self, originator_ids: Collection[UUID]) -> dict[UUID, int]:
        """The latest stored version of each id (an absent one: not in the answer)."""
        with self.datastore.transaction(commit=False) as c:
            return self._versions(c, originator_ids)

    def _versions(self, c: SQLiteCursor, originator_ids: Collection[UUID]) -> dict[UUID, int]:
        # eventsourcing's SQLite keeps originator ids as 32 hex digits
        c.execute(
            f"SELECT originator_id, MAX(originator_version) AS version FROM "
            f"{self.events_table_name} WHERE originator_id IN "
            "(SELECT value FROM json_each(?)) GROUP BY originator_id",
            (json.dumps([i.hex for i in originator_ids]),),
        )
        return {UUID(row["originator_id"]): row["version"] for row in c.fetchall()}

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
        expected: Mapping[UUID, int] | None = kwargs.get("expected_versions")
        if expected:  # after the insert: this transaction holds the one writer's lock
            check_versions(expected, self._versions(c, expected))
        if ids:
            c.execute(f"SELECT link FROM {self.chain_table_name} ORDER BY position DESC LIMIT 1")
            row = c.fetchone()
            links = chain_links(row["link"] if row else GENESIS, ids, stored_events)
            c.executemany(f"INSERT INTO {self.chain_table_name} VALUES (?, ?, ?)", links)
        return ids
