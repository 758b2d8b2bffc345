"""The base of every aggregate: its events take their recorded time from the clock in use."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.clock import clock_in_use


class LedgerAggregate(Aggregate):
    """An aggregate whose events are stamped by the Ledger's clock, not the machine's.

    An aggregate declares its events as classes in its body (their names are stored in the
    topics, so they never change). A command checks its rules, then triggers its event; the
    event's ``apply`` only assigns, because it runs again on every replay.
    """

    class Event(Aggregate.Event):
        """Every event of the ledger; ``timestamp`` is the time it was recorded."""

        originator_id: UUID

        @staticmethod
        def create_timestamp() -> datetime:
            return clock_in_use().now()

    class Created(Event, Aggregate.Created):
        """The first event of an aggregate."""

    def _trigger(self, event: type[Act], actor: str, business_date: date, **fields: Any) -> None:
        """Record the event of a command: its fields, who acted and the business date."""
        self.trigger_event(event, actor=actor, business_date=business_date, **fields)


class Act(LedgerAggregate.Event):
    """An event a user's command records: who acted, and the business date it is booked on."""

    actor: str
    business_date: date
