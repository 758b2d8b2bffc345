"""Reads of personal data are themselves recorded: who read whose, and why."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.aggregate import LedgerAggregate


class PersonalDataRead(LedgerAggregate):
    """One read of one or more households' personal data (a new record per read, no contention)."""

    # events made by the @event methods below, declared here for type checkers
    Recorded: ClassVar[type[LedgerAggregate.Event]]

    @event("Recorded")
    def __init__(self, case_ids: list[UUID], purpose: str, actor: str, business_date: date) -> None:
        self.case_ids = list(case_ids)
        self.purpose = purpose
