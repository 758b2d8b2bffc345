"""One open archive per person (一人一档): an index aggregate keyed by the ID number's hash."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import LedgerAggregate
from domain.errors import DuplicateArchiveError

_PERSONS = uuid5(NAMESPACE_URL, "https://bangfu.example/persons")


def person_index_id(person_ref: str) -> UUID:
    """The index's id: derived from the keyed hash of the ID number, never the number itself."""
    return uuid5(_PERSONS, person_ref)


class PersonIndex(LedgerAggregate):
    """Remembers which archive, if any, is open for one person."""

    # events made by the @event methods below, declared here for type checkers
    Claimed: ClassVar[type[LedgerAggregate.Event]]
    Reclaimed: ClassVar[type[LedgerAggregate.Event]]
    Released: ClassVar[type[LedgerAggregate.Event]]

    @event("Claimed")
    def __init__(self, id: UUID, case_id: UUID, actor: str, business_date: date) -> None:
        self.open_case_id: UUID | None = case_id

    @classmethod
    def claim_new(
        cls, person_ref: str, case_id: UUID, actor: str, business_date: date
    ) -> PersonIndex:
        return cls(
            id=person_index_id(person_ref),
            case_id=case_id,
            actor=actor,
            business_date=business_date,
        )

    def claim(self, case_id: UUID, actor: str, business_date: date) -> None:
        """Point the index at a newly opened (or reopened) archive."""
        if self.open_case_id is not None and self.open_case_id != case_id:
            raise DuplicateArchiveError(
                "this ID number already has an open archive; one person, one archive (一人一档)",
                holder=self.open_case_id,
            )
        if self.open_case_id != case_id:
            self._reclaimed(case_id=case_id, actor=actor, business_date=business_date)

    def release(self, case_id: UUID, actor: str, business_date: date) -> None:
        """Free the index when the archive closes."""
        if self.open_case_id == case_id:
            self._released(case_id=case_id, actor=actor, business_date=business_date)

    @event("Reclaimed")
    def _reclaimed(self, case_id: UUID, actor: str, business_date: date) -> None:
        self.open_case_id = case_id

    @event("Released")
    def _released(self, case_id: UUID, actor: str, business_date: date) -> None:
        self.open_case_id = None
