"""The event recorders, for many events at once (a roster import's chunks): the stored streams of
many aggregates read in two queries (domain/bulk_reads.py), and on PostgreSQL a large batch
written with COPY instead of one INSERT of an unnest'ed array (about 4x the rows a second).

A batch written by COPY keeps every guarantee of the library's insert: the events table is locked
(EXCLUSIVE) for the transaction, so that notification ids are given in commit order; the ids are
taken from the table's own sequence under that lock; a version already stored fails the whole
batch (the primary key), which the application sees as a lost race; the writer's reads
(``expected_versions``) are checked under the lock as stores/chain.py checks them; the hash chain
is extended in the same transaction; and listeners are notified. The events' digests are
computed before the transaction, and the garbage collector does not run inside it: a full
collection of a large import's heap takes seconds, and the lock would be held that long (or the
server would end the session as idle in its transaction).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from stores.chain import (
    GENESIS,
    ChainedPostgresRecorder,
    ChainedSQLiteRecorder,
    check_versions,
    digest,
    link,
)

_SQLITE_IDS = 500  # ids in one IN (...) list


class BulkPostgresRecorder(ChainedPostgresRecorder):
    """The chained recorder, with reads of many streams and COPY for large batches."""

    copy_from = 200  # events in one batch from which COPY is used

    def select_streams(
        self, originator_ids: Sequence[UUID], snapshots: Any
    ) -> tuple[list[StoredEvent], list[StoredEvent]]:
        schema = Identifier(self.datastore.schema)
        snapped: list[StoredEvent] = []
        with self.datastore.transaction(commit=False) as curs:
            if snapshots is not None:
                curs.execute(
                    SQL(
                        "SELECT DISTINCT ON (originator_id) originator_id, originator_version, "
                        "topic, state FROM {0}.{1} WHERE originator_id = ANY(%s) "
                        "ORDER BY originator_id, originator_version DESC"
                    ).format(schema, Identifier(snapshots.events_table_name)),
                    (list(originator_ids),),
                )
                snapped = [_stored(row) for row in curs.fetchall()]
            after = {s.originator_id: s.originator_version for s in snapped}
            curs.execute(
                SQL(
                    "SELECT e.originator_id, e.originator_version, e.topic, e.state "
                    "FROM {0}.{1} e JOIN unnest(%s::uuid[], %s::bigint[]) AS w(id, gt) "
                    "ON e.originator_id = w.id AND e.originator_version > w.gt "
                    "ORDER BY e.originator_id, e.originator_version"
                ).format(schema, Identifier(self.events_table_name)),
                (list(originator_ids), [after.get(i, 0) for i in originator_ids]),
            )
            return snapped, [_stored(row) for row in curs.fetchall()]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if len(stored_events) < self.copy_from or self.datastore.enable_db_functions:
            ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return ids
        copied: list[int] = self._copy_events(stored_events, kwargs.get("expected_versions"))
        return copied

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _copy_events(
        self, stored_events: Sequence[StoredEvent], expected: Mapping[UUID, int] | None = None
    ) -> list[int]:
        schema, table = Identifier(self.datastore.schema), Identifier(self.events_table_name)
        digests = [
            digest(e.originator_id, e.originator_version, e.topic, e.state) for e in stored_events
        ]
        with (
            _no_collection(),
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            self._lock_table(curs)
            if expected:  # what the writer read is still as it read it, or nothing is written
                check_versions(expected, self._versions(curs, expected))
            self._notify_channel(curs)
            # the ids the table's sequence would give, taken at once (no other writer while
            # the lock is held)
            curs.execute(
                "SELECT setval(q.s::regclass, nextval(q.s::regclass) + %s) AS last "
                "FROM pg_get_serial_sequence(%s, 'notification_id') AS q(s)",
                (len(stored_events) - 1, f'"{self.datastore.schema}"."{self.events_table_name}"'),
            )
            row = curs.fetchone()
            assert row is not None
            ids = list(range(row["last"] - len(stored_events) + 1, row["last"] + 1))
            statement = SQL(
                "COPY {0}.{1} (originator_id, originator_version, topic, state, notification_id) "
                "FROM STDIN (FORMAT BINARY)"
            ).format(schema, table)
            with curs.copy(statement) as copy:
                copy.set_types([self.datastore.originator_id_type, "int8", "text", "bytea", "int8"])
                for event, position in zip(stored_events, ids, strict=True):
                    copy.write_row(
                        (
                            event.originator_id,
                            event.originator_version,
                            event.topic,
                            event.state,
                            position,
                        )
                    )
            curs.execute(self._last_link)
            last = curs.fetchone()
            previous = last["link"] if last else GENESIS
            statement = SQL("COPY {0}.{1} (position, digest, link) FROM STDIN").format(
                schema, Identifier(self.chain_table_name)
            )
            with curs.copy(statement) as copy:
                for position, event_digest in zip(ids, digests, strict=True):
                    previous = link(previous, position, event_digest)
                    copy.write_row((position, event_digest, previous))
        return ids


class BulkSQLiteRecorder(ChainedSQLiteRecorder):
    """The chained recorder, with reads of many streams."""

    def select_streams(
        self, originator_ids: Sequence[UUID], snapshots: Any
    ) -> tuple[list[StoredEvent], list[StoredEvent]]:
        snapped: dict[Any, StoredEvent] = {}
        events: list[StoredEvent] = []
        with self.datastore.transaction(commit=False) as c:
            for n in range(0, len(originator_ids), _SQLITE_IDS):
                ids = [i.hex for i in originator_ids[n : n + _SQLITE_IDS]]
                marks = ",".join("?" * len(ids))
                if snapshots is not None:
                    c.execute(
                        f"SELECT * FROM {snapshots.events_table_name} "
                        f"WHERE originator_id IN ({marks}) ORDER BY originator_version",
                        ids,
                    )
                    snapped |= {s.originator_id: s for s in map(self._stored, c.fetchall())}
                c.execute(
                    f"SELECT * FROM {self.events_table_name} WHERE originator_id IN ({marks}) "
                    "ORDER BY originator_id, originator_version",
                    ids,
                )
                events += map(self._stored, c.fetchall())
        after = {i: s.originator_version for i, s in snapped.items()}
        newer = [e for e in events if e.originator_version > after.get(e.originator_id, 0)]
        return list(snapped.values()), newer

    def _stored(self, row: Any) -> StoredEvent:
        return StoredEvent(
            originator_id=self.convert_originator_id(row["originator_id"]),
            originator_version=row["originator_version"],
            topic=row["topic"],
            state=row["state"],
        )


@contextmanager
def _no_collection() -> Iterator[None]:
    """No garbage collection in this block (unless it was already off)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _stored(row: Any) -> StoredEvent:
    return StoredEvent(
        originator_id=row["originator_id"],
        originator_version=row["originator_version"],
        topic=row["topic"],
        state=bytes(row["state"]),
    )
