"""Reading the whole log in commit order, page by page (ids may have gaps on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from eventsourcing.domain import AggregateEvent

from domain.application import Ledger


def all_events(ledger: Ledger, page: int = 1000) -> Iterator[tuple[int, AggregateEvent]]:
    """Every event with its notification id, oldest first."""
    start: int | None = None
    while True:
        notifications = ledger.recorder.select_notifications(start, page, inclusive_of_start=False)
        for notification in notifications:
            yield notification.id, cast(AggregateEvent, ledger.mapper.to_domain_event(notification))
        if len(notifications) < page:
            return
        start = notifications[-1].id
