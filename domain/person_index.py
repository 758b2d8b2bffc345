"""One person, one household archive (一户一档): an index aggregate keyed by the ID number's hash.

It remembers the open archive that holds the person (as its applicant or as a member of the
household) and the open application that names the person, if any: a person is in at most one
open archive and one open application, and never in an application while an archive holds them
(the application could not be filed)."""

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
    """Remembers which archive, if any, is open for one person, and which application."""

    # events made by the @event methods below, declared here for type checkers
    Claimed: ClassVar[type[LedgerAggregate.Event]]
    Reclaimed: ClassVar[type[LedgerAggregate.Event]]
    Released: ClassVar[type[LedgerAggregate.Event]]
    ApplicationHeld: ClassVar[type[LedgerAggregate.Event]]
    ApplicationReleased: ClassVar[type[LedgerAggregate.Event]]

    @event("Claimed")
    def __init__(self, id: UUID, case_id: UUID | None, actor: str, business_date: date) -> None:
        self.open_case_id: UUID | None = case_id  # None: indexed first by an application
        self.open_application_id: UUID | None = None

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

    @classmethod
    def hold_new(
        cls, person_ref: str, application_id: UUID, actor: str, business_date: date
    ) -> PersonIndex:
        """Index a person first named by an application."""
        index = cls(
            id=person_index_id(person_ref), case_id=None, actor=actor, business_date=business_date
        )
        index.hold(application_id, actor, business_date)
        return index

    def claim(
        self, case_id: UUID, actor: str, business_date: date, application_id: UUID | None = None
    ) -> None:
        """Point the index at a newly opened (or reopened) archive; ``application_id`` is the
        application being filed as that archive, which lets the person go."""
        if self.open_case_id is not None and self.open_case_id != case_id:
            raise DuplicateArchiveError(
                "this ID number already has an open archive; one person, one archive (一人一档)",
                holder=self.open_case_id,
            )
        pending = self.open_application_id
        if pending is not None and pending != application_id:
            raise DuplicateArchiveError(
                "this ID number is named by an open application (一人一档)", holder=pending
            )
        if pending is not None:
            self._application_released(
                application_id=pending, actor=actor, business_date=business_date
            )
        if self.open_case_id != case_id:
            self._reclaimed(case_id=case_id, actor=actor, business_date=business_date)

    def release(self, case_id: UUID, actor: str, business_date: date) -> None:
        """Free the index when the archive closes (or the person leaves the household)."""
        if self.open_case_id == case_id:
            self._released(case_id=case_id, actor=actor, business_date=business_date)

    def hold(self, application_id: UUID, actor: str, business_date: date) -> None:
        """Note the open application that names the person; refused while an archive or
        another open application holds them."""
        if self.open_case_id is not None:
            raise DuplicateArchiveError(
                "this ID number already has an open archive; one person, one archive (一人一档)",
                holder=self.open_case_id,
            )
        if self.open_application_id not in (None, application_id):
            raise DuplicateArchiveError(
                "this ID number is named by another open application (一人一档)",
                holder=self.open_application_id,
            )
        if self.open_application_id is None:
            self._application_held(
                application_id=application_id, actor=actor, business_date=business_date
            )

    def let_go(self, application_id: UUID, actor: str, business_date: date) -> None:
        """Free the index when the application is rejected."""
        if self.open_application_id == application_id:
            self._application_released(
                application_id=application_id, actor=actor, business_date=business_date
            )

    @event("Reclaimed")
    def _reclaimed(self, case_id: UUID, actor: str, business_date: date) -> None:
        self.open_case_id = case_id

    @event("Released")
    def _released(self, case_id: UUID, actor: str, business_date: date) -> None:
        self.open_case_id = None

    @event("ApplicationHeld")
    def _application_held(self, application_id: UUID, actor: str, business_date: date) -> None:
        self.open_application_id = application_id

    @event("ApplicationReleased")
    def _application_released(self, application_id: UUID, actor: str, business_date: date) -> None:
        self.open_application_id = None
