"""Hardship archives: filing, review, visits, closure and relapse, one archive per person."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateEvent

from domain.access import Actor, Permission
from domain.applications import Application
from domain.cases import Assessment, Case, Goods, Person
from domain.centres import Centre
from domain.errors import (
    CaseNotFoundError,
    CentreNotFoundError,
    DuplicateArchiveError,
    InvalidHouseholdError,
)
from domain.person_index import PersonIndex, person_index_id
from domain.results import CaseEntry, Created
from domain.vocabulary import (
    CampaignKind,
    ClosureReason,
    VisitKind,
)
from domain.writes import Change, Context, LedgerCore, Outcome


def people_of(case: Case) -> list[tuple[str, str]]:
    """Who of the household the index knows, as a refusal names them, and their refs."""
    members = [(f"family member {n}", ref) for n, ref in case.members.items() if ref]
    return [("the applicant", case.person_ref), *members]


class CaseUseCases(LedgerCore):
    """The caseworkers' use cases."""

    # --- cases ----------------------------------------------------------------------------------
    def register_case(
        self,
        ctx: Context,
        centre_id: UUID,
        assessment: Assessment,
        person: Person,
        business_date: date | None = None,
    ) -> Outcome[Created]:
        """File a household directly (a centre recording one already approved): the category
        is the caller's; the worker and every family member with an ID number are indexed."""
        day = self._day(business_date)
        centre = self._get(Centre, centre_id, CentreNotFoundError)
        ctx.actor.require(Permission.MANAGE_CASES, centre.path)
        vault = self._vault()
        person_ref = vault.person_ref(person.id_number)
        numbers = [m.get("id_number", "") for m in person.family_members]
        member_refs = [vault.person_ref(n) if n else "" for n in numbers]
        known = [person_ref, *(r for r in member_refs if r)]
        if len(set(known)) != len(known):
            raise InvalidHouseholdError("an ID number is given twice in one household")
        case_id = uuid4()  # one id (and one household key) however often the write is retried
        sealed = vault.seal(case_id, person.as_dict())

        def change() -> Change[Created]:
            case = Case.register(
                case_id, centre.path, assessment, sealed, person_ref, ctx.actor.name, day,
                member_refs=member_refs,
            )  # fmt: skip
            indexes = self._claim_people(ctx.actor, case, day)
            return Change(Created(case.id), [case, *indexes])

        return self._write_sealed(ctx, change, case_id, *(person_index_id(r) for r in known))

    def _claim_people(
        self, actor: Actor, case: Case, day: date, application_id: UUID | None = None
    ) -> list[PersonIndex]:
        """Point every person of the household at the archive (一户一档), or refuse."""
        return [
            self._claim_person(actor, case.id, ref, who, day, application_id)
            for who, ref in people_of(case)
        ]

    def _claim_person(
        self,
        actor: Actor,
        case_id: UUID,
        ref: str,
        who: str,
        day: date,
        application_id: UUID | None = None,
    ) -> PersonIndex:
        index = self._find(PersonIndex, person_index_id(ref))
        if index is None:
            return PersonIndex.claim_new(ref, case_id, actor.name, day)
        try:
            index.claim(case_id, actor.name, day, application_id)
        except DuplicateArchiveError as refused:
            raise self._duplicate_archive(actor, refused, who) from None
        return index

    def _release_people(self, actor: Actor, case: Case, day: date) -> list[PersonIndex]:
        """Free every person of a closing archive."""
        released = []
        for _, ref in people_of(case):
            index = self._get(PersonIndex, person_index_id(ref), CaseNotFoundError)
            index.release(case.id, actor.name, day)
            released.append(index)
        return released

    def _duplicate_archive(
        self, actor: Actor, refused: DuplicateArchiveError, who: str = "this person"
    ) -> DuplicateArchiveError:
        """Name the open archive (or application) only to a user whose subtree holds it; tell
        others nothing about it."""
        holder: Case | Application | None = None
        if isinstance(refused.holder, UUID):
            holder = self._find(Case, refused.holder) or self._find(Application, refused.holder)
        if holder is not None and (
            actor.centre_id is None or actor.centre_id in holder.centre_path
        ):
            what = "case" if isinstance(holder, Case) else "application"
            held = "has an open archive" if what == "case" else "is named by an open application"
            return DuplicateArchiveError(
                f"{who} {held}, {what} {holder.id}, in your centre's subtree; "
                "one person, one archive (一户一档)"
            )
        return DuplicateArchiveError(
            f"{who} is held by an archive outside your area (outside your centre's subtree); "
            "one person, one archive (一户一档): ask the centre above you"
        )

    def reassess(
        self, ctx: Context, case_id: UUID, assessment: Assessment, note: str, business_date: date
    ) -> Outcome[CaseEntry]:
        def reassessed(case: Case, reassessment_id: UUID, day: date) -> None:
            case.reassess(reassessment_id, assessment, note, ctx.actor.name, day)

        return self._add_entry(ctx, case_id, business_date, reassessed)

    def record_visit(
        self,
        ctx: Context,
        case_id: UUID,
        visitors: list[str],
        kind: VisitKind,
        campaign: CampaignKind | None,
        notes: str,
        goods: list[Goods],
        business_date: date,
    ) -> Outcome[CaseEntry]:
        def visited(case: Case, visit_id: UUID, day: date) -> None:
            case.record_visit(visit_id, visitors, kind, campaign, notes, goods, ctx.actor.name, day)

        return self._add_entry(ctx, case_id, business_date, visited)

    def _add_entry(
        self,
        ctx: Context,
        case_id: UUID,
        business_date: date,
        record: Callable[[Case, UUID, date], None],
    ) -> Outcome[CaseEntry]:
        """A new entry (a reassessment, a visit) that ``record`` makes on a case the actor
        manages, under a new id; the result names the entry and the case."""
        day = self._day(business_date)

        def change() -> Change[CaseEntry]:
            case = self._managed_case(ctx, case_id)
            entry_id = uuid4()
            record(case, entry_id, day)
            return Change(CaseEntry(entry_id, case.id), [case])

        return self._write(ctx, change, case_id)

    def close_case(
        self, ctx: Context, case_id: UUID, reason: ClosureReason, note: str, business_date: date
    ) -> Outcome[Created]:
        business_date = self._day(business_date)

        def change() -> Change[Created]:
            case = self._managed_case(ctx, case_id)
            case.close(reason, note, ctx.actor.name, business_date)
            indexes = self._release_people(ctx.actor, case, business_date)
            return Change(Created(case.id), [case, *indexes])

        return self._write(ctx, change, case_id)

    def reopen_case(
        self, ctx: Context, case_id: UUID, note: str, business_date: date
    ) -> Outcome[Created]:
        business_date = self._day(business_date)

        def change() -> Change[Created]:
            case = self._managed_case(ctx, case_id)
            case.reopen(note, ctx.actor.name, business_date)
            indexes = self._claim_people(ctx.actor, case, business_date)
            return Change(Created(case.id), [case, *indexes])

        return self._write(ctx, change, case_id)

    def _managed_case(self, ctx: Context, case_id: UUID) -> Case:
        case = self._get(Case, case_id, CaseNotFoundError)
        ctx.actor.require(Permission.MANAGE_CASES, case.centre_path)
        return case

    def case(self, actor: Actor, case_id: UUID) -> Case:
        case = self._get(Case, case_id, CaseNotFoundError)
        actor.require(Permission.READ, case.centre_path)
        return case

    def case_events(self, actor: Actor, case_id: UUID) -> Iterator[AggregateEvent]:
        self.case(actor, case_id)
        return self.stream(case_id)
