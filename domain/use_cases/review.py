"""Dynamic management (动态管理): a household's monthly income records and their corrections,
and reviews (复核) whose category is computed from the incomes against the 低保 line in force at
the household's centre on the review's day; a caller who records another category says why."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateEvent

from domain.access import Actor
from domain.cases import Assessment, Case
from domain.categorisation import category_for, decided
from domain.errors import NoLineInForceError
from domain.incomes import IncomeBook, Incomes, income_book, income_book_id
from domain.policy_parameters import Parameter
from domain.results import CaseEntry
from domain.use_cases.cases import CaseUseCases
from domain.use_cases.policy import PolicyUseCases
from domain.vocabulary import Category, Cause, HouseholdFlag
from domain.writes import Change, Context, Outcome


@dataclass(frozen=True)
class Review:
    """What a review finds: the household's incomes, its causes and flags (None: as they
    were); and, when the caller records another category than the one the figures give, that
    category and why."""

    incomes: Incomes
    primary_cause: Cause | None = None
    secondary_causes: tuple[Cause, ...] | None = None
    flags: tuple[HouseholdFlag, ...] | None = None
    category: Category | None = None
    override_reason: str = ""
    note: str = ""


def review_fields(
    incomes: Incomes, line_fen: int, computed: Category, reason: str
) -> dict[str, Any]:
    """What the review event keeps beside the assessment: the household's figures, the line
    they were judged against, the category they gave, and the reason for an override."""
    fields = incomes.as_event_fields()
    return {
        "household_income_fen": fields["income_fen"],
        "hardship_costs_fen": fields["hardship_costs_fen"],
        "members": fields["members"],
        "dibao_line_fen": line_fen,
        "computed_category": computed.value,
        "override_reason": reason,
    }


T = TypeVar("T")


def _or(given: tuple[T, ...] | None, kept: Iterable[T]) -> tuple[T, ...]:
    return tuple(kept) if given is None else given


class ReviewUseCases(CaseUseCases, PolicyUseCases):
    """The caseworkers' income records and reviews. A case's timeline (``case_events``) shows
    its income records beside its own events."""

    def record_income(
        self,
        ctx: Context,
        case_id: UUID,
        month: str,
        incomes: Incomes,
        note: str = "",
        business_date: date | None = None,
        corrects: UUID | None = None,
    ) -> Outcome[CaseEntry]:
        """Record a month's incomes of a case in the actor's subtree, or (``corrects``) a
        correction of a record; answers the record's id and the case's."""
        day = self._day(business_date)

        def change() -> Change[CaseEntry]:
            case = self._managed_case(ctx, case_id)
            found = self._find(IncomeBook, income_book_id(case.id))
            book = income_book(case, found, ctx.actor.name, day, corrects is not None)
            record_id = uuid4()
            if corrects is None:
                book.record(record_id, month, incomes, note, ctx.actor.name, day)
            else:
                book.correct(corrects, record_id, month, incomes, note, ctx.actor.name, day)
            return Change(CaseEntry(record_id, case.id), [book])

        return self._write(ctx, change, case_id, income_book_id(case_id))

    def review_case(
        self, ctx: Context, case_id: UUID, review: Review, business_date: date | None = None
    ) -> Outcome[CaseEntry]:
        """Review an open case (复核): its category is computed from the review's incomes
        against the line in force at its centre that day, unless overridden with a reason;
        answers the review's id and the case's."""
        day = self._day(business_date)

        def change() -> Change[CaseEntry]:
            case = self._managed_case(ctx, case_id)
            line = self.policy_value(case.centre_id, Parameter.DIBAO_LINE, None, day)
            if line is None:
                raise NoLineInForceError(
                    f"no 低保 line is in force at centre {case.centre_id} on {day.isoformat()}; "
                    "record one (policy) before reviewing"
                )
            figures = review.incomes.figures
            computed = category_for(figures, line)
            category, reason = decided(computed, review.category, review.override_reason)
            assessment = Assessment(
                category,
                review.primary_cause or Cause(case.primary_cause),
                _or(review.secondary_causes, map(Cause, case.secondary_causes)),
                figures.household_size,
                figures.per_capita_fen,
                _or(review.flags, map(HouseholdFlag, case.flags)),
            )
            review_id = uuid4()
            found = review_fields(review.incomes, line, computed, reason)
            case.reassess(review_id, assessment, review.note, ctx.actor.name, day, found)
            return Change(CaseEntry(review_id, case.id), [case])

        return self._write(ctx, change, case_id)

    # --- reads -----------------------------------------------------------------------------------
    def income_records(self, actor: Actor, case_id: UUID) -> tuple[Case, IncomeBook | None]:
        """The case (if the actor may read it) and its income book, if it has one."""
        case = self.case(actor, case_id)
        return case, self._find(IncomeBook, income_book_id(case_id))

    def case_events(self, actor: Actor, case_id: UUID) -> Iterator[AggregateEvent]:
        """The case's events, its referrals' and its income records', in the order they were
        recorded."""
        own = list(super().case_events(actor, case_id))
        incomes = list(self.stream(income_book_id(case_id)))
        return iter(sorted(own + incomes, key=lambda e: e.timestamp))
