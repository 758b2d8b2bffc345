"""A household's changes (一户一档): a member joins, leaves or dies, each updating the index;
and the transfer of an archive to another centre (转档), which keeps its history.

A change of members seals the household's personal data again, as it is after the change,
under the household's own key (nothing is shown to anyone, so nothing is recorded as read). If
another change of the same household was recorded meanwhile, the change is refused as busy and
may simply be tried again."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.access import Permission
from domain.cases import Case
from domain.centres import Centre
from domain.errors import (
    BusyError,
    CaseNotFoundError,
    CentreNotFoundError,
    HouseholdDataErasedError,
)
from domain.households import Member, member_id
from domain.person_index import PersonIndex, person_index_id
from domain.results import CaseEntry, Created
from domain.use_cases.cases import CaseUseCases
from domain.writes import Change, Context, Outcome


class HouseholdUseCases(CaseUseCases):
    """The caseworkers' household changes and transfers."""

    def add_member(
        self,
        ctx: Context,
        case_id: UUID,
        member: Member,
        note: str = "",
        business_date: date | None = None,
    ) -> Outcome[CaseEntry]:
        """A member joins the household; refused when an open archive or application holds
        the person. Answers the member's id and the case's."""
        day = self._day(business_date)
        if ctx.idempotency_key is not None and (earlier := self._idempotent_replay(ctx)):
            return earlier
        case = self._case_to_change(ctx, case_id)
        ref = self._vault().person_ref(member.id_number)
        number = case.members_ever + 1
        data = self._household_data(case)
        data["family_members"].append(member.as_dict(case.id, number))
        sealed, base = self._vault().seal(case.id, data), case.person_sealed

        def change() -> Change[CaseEntry]:
            fresh = self._unchanged(ctx, case_id, base)
            joined = fresh.join_member(ref, sealed, note, ctx.actor.name, day)
            index = self._claim_person(ctx.actor, fresh.id, ref, "the new member", day)
            return Change(CaseEntry(member_id(fresh.id, joined), fresh.id), [fresh, index])

        return self._write(ctx, change, case_id, person_index_id(ref))

    def remove_member(
        self,
        ctx: Context,
        case_id: UUID,
        member: UUID,
        died: bool,
        note: str,
        business_date: date | None = None,
    ) -> Outcome[CaseEntry]:
        """A member leaves the household (``note`` says why) or dies; the index lets the
        person go. Answers the member's id and the case's."""
        day = self._day(business_date)
        if ctx.idempotency_key is not None and (earlier := self._idempotent_replay(ctx)):
            return earlier  # the member is gone by now: answer as the first time
        case = self._case_to_change(ctx, case_id)
        number = case.member_number(member)
        data = self._household_data(case)
        data["family_members"] = [m for m in data["family_members"] if m["number"] != str(number)]
        sealed, base = self._vault().seal(case.id, data), case.person_sealed
        ref = case.members[str(number)]

        def change() -> Change[CaseEntry]:
            fresh = self._unchanged(ctx, case_id, base)
            fresh.remove_member(number, died, sealed, note, ctx.actor.name, day)
            changed: list[Any] = [fresh]
            if ref:
                index = self._get(PersonIndex, person_index_id(ref), CaseNotFoundError)
                index.release(fresh.id, ctx.actor.name, day)
                changed.append(index)
            return Change(CaseEntry(member, fresh.id), changed)

        return self._write(ctx, change, case_id)

    def transfer_case(
        self,
        ctx: Context,
        case_id: UUID,
        to_centre_id: UUID,
        note: str = "",
        business_date: date | None = None,
    ) -> Outcome[Created]:
        """转档: the archive moves to another centre, with its history; the actor manages both
        centres (a user above both, or one bound to no centre)."""
        day = self._day(business_date)

        def change() -> Change[Created]:
            case = self._managed_case(ctx, case_id)
            target = self._get(Centre, to_centre_id, CentreNotFoundError)
            ctx.actor.require(Permission.MANAGE_CASES, target.path)
            case.transfer(target.path, note, ctx.actor.name, day)
            return Change(Created(case.id), [case])

        return self._write(ctx, change, case_id)

    # --- the pieces -------------------------------------------------------------------------------
    def _case_to_change(self, ctx: Context, case_id: UUID) -> Case:
        case = self._get(Case, case_id, CaseNotFoundError)
        ctx.actor.require(Permission.MANAGE_CASES, case.centre_path)
        return case

    def _unchanged(self, ctx: Context, case_id: UUID, sealed: str) -> Case:
        """The case as the change was prepared on (its personal data sealed as then)."""
        case = self._managed_case(ctx, case_id)
        if case.person_sealed != sealed:
            raise BusyError("the household was changed meanwhile; please try again")
        return case

    def _household_data(self, case: Case) -> dict[str, Any]:
        """The household's personal data, its members numbered (1, 2, ... in the order given
        where a direct filing numbered none)."""
        data = self._vault().open(case.id, case.person_sealed)
        if data is None:
            raise HouseholdDataErasedError(f"the personal data of case {case.id} was erased")
        members = list(data.get("family_members") or [])
        for n, m in enumerate(members, start=1):
            m.setdefault("number", str(n))
            m.setdefault("member_id", str(member_id(case.id, int(m["number"]))))
        return data | {"family_members": members}
