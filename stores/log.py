"""The one reader of the log: every event in commit order, a page at a time.

The projector, `bangfu verify`, the audit package, the supervision reports and the conservation
check all read the log through ``LogReader``. Positions are notification ids; they may have gaps
on PostgreSQL, so a page is always "the next N after position P", never a range of ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from eventsourcing.domain import AggregateEvent

from domain.application import Ledger
from stores.sql import SqlDatabase


@dataclass(frozen=True)
class Entry:
    """One stored event as written, with its chain link when asked for.

    Reading with links, an entry may be only half there: a chain link whose event row is gone
    (``topic`` None) or an event row with no link (``link`` None). ``bangfu verify`` reports both.
    """

    position: int
    originator_id: Any  # a UUID as the store returns it (None where only the link is left)
    originator_version: int | None
    topic: str | None
    state: bytes | None
    digest: str | None = None
    link: str | None = None


class LogReader:
    """Pages of the log after a position, raw, decoded into events, or merged with the chain."""

    def __init__(self, ledger: Ledger, page_size: int = 1000) -> None:
        self.ledger, self.page_size = ledger, page_size

    def head(self) -> int:
        """The position of the newest event (0 for an empty log)."""
        return self.ledger.recorder.max_notification_id() or 0

    def page(self, after: int, limit: int | None = None) -> list[Entry]:
        """The next events after ``after``, as stored."""
        notifications = self.ledger.recorder.select_notifications(
            after, limit or self.page_size, inclusive_of_start=False
        )
        return [
            Entry(n.id, n.originator_id, n.originator_version, n.topic, n.state)
            for n in notifications
        ]

    def entries(self, after: int = 0, upto: int | None = None) -> Iterator[Entry]:
        """Every stored event after ``after`` (up to ``upto``), oldest first."""
        while True:
            page = self.page(after)
            for entry in page:
                if upto is not None and entry.position > upto:
                    return
                yield entry
            if len(page) < self.page_size:
                return
            after = page[-1].position

    def decoded(self, after: int, limit: int | None = None) -> list[tuple[int, AggregateEvent]]:
        """The next events after ``after``, decoded into domain events."""
        notifications = self.ledger.recorder.select_notifications(
            after, limit or self.page_size, inclusive_of_start=False
        )
        to_event = self.ledger.mapper.to_domain_event
        return [(n.id, cast(AggregateEvent, to_event(n))) for n in notifications]

    def events(self, after: int = 0) -> Iterator[tuple[int, AggregateEvent]]:
        """Every event after ``after`` with its position, decoded, oldest first."""
        while True:
            page = self.decoded(after)
            yield from page
            if len(page) < self.page_size:
                return
            after = page[-1][0]

    def with_links(self, db: SqlDatabase, chain: str) -> Iterator[list[Entry]]:
        """The events table and the chain merged by position, a page at a time, straight from the
        tables (so that a row added or removed behind Bangfu's back shows): either may have gaps.
        """
        recorder: Any = self.ledger.recorder
        events = db.table(recorder.events_table_name)
        id_column = "notification_id" if db.is_postgres else "rowid"
        size, after = self.page_size, 0
        while True:
            stored = db.query(
                f"SELECT {id_column} AS pos, originator_id, originator_version, topic, state "
                f"FROM {events} WHERE {id_column} > %s ORDER BY {id_column} LIMIT %s",
                (after, size),
            )
            links = db.query(
                f"SELECT position AS pos, digest, link FROM {chain} "
                "WHERE position > %s ORDER BY position LIMIT %s",
                (after, size),
            )
            if not stored and not links:
                return
            ends = [rows[-1]["pos"] for rows in (stored, links) if len(rows) == size]
            limit = min(ends) if ends else max(r["pos"] for r in stored + links)
            merged: dict[int, dict[str, Any]] = {}
            for row in stored:
                merged[row["pos"]] = row | {"digest": None, "link": None}
            for row in links:
                merged.setdefault(row["pos"], _only_link(row["pos"])).update(row)
            yield [_entry(merged[pos]) for pos in sorted(merged) if pos <= limit]
            after = limit


def _only_link(position: int) -> dict[str, Any]:
    return {
        "pos": position,
        "originator_id": None,
        "originator_version": None,
        "topic": None,
        "state": None,
    }


def _entry(row: dict[str, Any]) -> Entry:
    state = row["state"]
    return Entry(
        row["pos"],
        row["originator_id"],
        row["originator_version"],
        row["topic"],
        bytes(state) if state is not None else None,
        row["digest"],
        row["link"],
    )
