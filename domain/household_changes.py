"""A household's changes on its archive (一户一档): a member joins, leaves or dies; the archive
is transferred to another centre (转档), keeping its history.

The events' fields and what they change are here; ``Case`` declares the events in its body
(their names are stored) and takes the commands from ``HouseholdChanges``. A change of members
carries the household's personal data as it is after the change, sealed again under the
household's own key, so the archive's ``person_sealed`` always reads as the household now."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from domain.aggregate import Act
from domain.errors import InvalidHouseholdError, InvalidTransferError, MemberNotFoundError
from domain.households import MAX_HOUSEHOLD_SIZE, member_id
from domain.text import checked, checked_note

if TYPE_CHECKING:
    from domain.cases import Case


class MemberJoining(Act):
    """A member joins the household (birth, marriage, moving in)."""

    member_number: int
    member_ref: str  # the keyed hash of the member's ID number (一户一档 index)
    person_sealed: str
    note: str

    def apply(self, case: Case) -> None:
        case.members[str(self.member_number)] = self.member_ref
        case.members_ever = max(case.members_ever, self.member_number)
        case.person_sealed = self.person_sealed


class MemberGoing(Act):
    """A member leaves the household, or dies."""

    member_number: int
    person_sealed: str
    note: str

    def apply(self, case: Case) -> None:
        case.members.pop(str(self.member_number), None)
        case.person_sealed = self.person_sealed


class Transfer(Act):
    """The archive moves to another centre (转档): its history stays, its scope moves."""

    from_centre_id: UUID
    to_centre_id: UUID
    centre_path: list[UUID]
    note: str

    def apply(self, case: Case) -> None:
        case.centre_id, case.centre_path = self.to_centre_id, list(self.centre_path)


class HouseholdChanges:
    """The commands of a household's changes and its transfer (mixed into ``Case``)."""

    if TYPE_CHECKING:
        id: UUID
        centre_id: UUID
        person_ref: str
        filed_on: date
        members: dict[str, str]  # a current member's number (as text) -> their index ref
        members_ever: int
        MemberJoined: ClassVar[type[MemberJoining]]
        MemberLeft: ClassVar[type[MemberGoing]]
        MemberDied: ClassVar[type[MemberGoing]]
        Transferred: ClassVar[type[Transfer]]

        def _require_open(self, doing: str) -> None: ...
        def _trigger(
            self, event: type[Act], actor: str, business_date: date, **fields: Any
        ) -> None: ...

    def member_number(self, member: UUID) -> int:
        """The number of a current member of the household, by the member's id."""
        for number in map(int, self.members):
            if member_id(self.id, number) == member:
                return number
        raise MemberNotFoundError(f"case {self.id} has no current member {member}")

    def _on_or_after_filing(self, day: date, what: str) -> None:
        if day < self.filed_on:
            raise InvalidHouseholdError(
                f"{what} on {day.isoformat()} comes before the archive was filed "
                f"({self.filed_on.isoformat()})"
            )

    def join_member(
        self, member_ref: str, person_sealed: str, note: str, actor: str, day: date
    ) -> int:
        """A member joins the household; answers the member's number."""
        self._require_open("take a new member")
        self._on_or_after_filing(day, "the joining")
        if member_ref == self.person_ref or member_ref in self.members.values():
            raise InvalidHouseholdError("this person is in the household already")
        if 1 + len(self.members) >= MAX_HOUSEHOLD_SIZE:
            raise InvalidHouseholdError(f"a household has at most {MAX_HOUSEHOLD_SIZE} people")
        number = self.members_ever + 1
        self._trigger(
            self.MemberJoined,
            actor,
            day,
            member_number=number,
            member_ref=member_ref,
            person_sealed=person_sealed,
            note=checked_note(note),
        )
        return number

    def remove_member(
        self, number: int, died: bool, person_sealed: str, note: str, actor: str, day: date
    ) -> None:
        """A member leaves the household (with the reason) or dies."""
        self._require_open("lose a member")
        if str(number) not in self.members:
            raise MemberNotFoundError(f"case {self.id} has no current member {number}")
        self._on_or_after_filing(day, "the death" if died else "the leaving")
        note = checked_note(note) if died else checked(note, "the reason", required=True)
        event = self.MemberDied if died else self.MemberLeft
        fields = {"member_number": number, "person_sealed": person_sealed, "note": note}
        self._trigger(event, actor, day, **fields)

    def transfer(self, centre_path: list[UUID], note: str, actor: str, day: date) -> None:
        """转档: the archive goes to the centre at the end of ``centre_path``."""
        self._require_open("be transferred")
        if not centre_path or centre_path[-1] == self.centre_id:
            raise InvalidTransferError(f"case {self.id} is at centre {self.centre_id} already")
        self._on_or_after_filing(day, "the transfer")
        self._trigger(
            self.Transferred,
            actor,
            day,
            from_centre_id=self.centre_id,
            to_centre_id=centre_path[-1],
            centre_path=list(centre_path),
            note=checked_note(note),
        )
