"""The base of every aggregate: its events take their recorded time from the clock in use."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.clock import clock_in_use


class LedgerAggregate(Aggregate):
    """An aggregate whose events are stamped by the Ledger's clock, not the machine's."""

    class Event(Aggregate.Event):
        """Every event of the ledger; ``timestamp`` is the time it was recorded."""

        originator_id: UUID

        @staticmethod
        def create_timestamp() -> datetime:
            return clock_in_use().now()

    class Created(Event, Aggregate.Created):
        """The first event of an aggregate."""
