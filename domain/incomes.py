"""A household's monthly incomes (收入台账): one record a month, each with who and when.

Every archive has one income book, its id derived from the case's (``income_book_id``), so that
recording incomes never conflicts with payments or visits on the case. A month holds one current
record; a mistake is corrected by a new record that names the one it corrects, which stays on
record. Members' incomes, when given, say who earns and who is employed (零就业家庭); a member is
named by relation (本人, 配偶, 子女 ...), never by name, so the book holds no personal data.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import Act, LedgerAggregate
from domain.categorisation import Figures
from domain.errors import (
    CaseClosedError,
    IncomeRecordNotCurrentError,
    InvalidIncomeError,
    MonthRecordedError,
)
from domain.households import MAX_HOUSEHOLD_SIZE, MAX_MONTHLY_INCOME_FEN
from domain.text import checked, checked_note

if TYPE_CHECKING:
    from domain.cases import Case

MAX_RECORDS = 600  # records and corrections in one book: fifty years of months
MAX_HOUSEHOLD_FEN = MAX_HOUSEHOLD_SIZE * MAX_MONTHLY_INCOME_FEN
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
FIRST_YEAR, LAST_YEAR = 1949, 2200


def income_book_id(case_id: UUID) -> UUID:
    """The id of a case's income book."""
    return uuid5(case_id, "income book")


# --- months: "YYYY-MM" ----------------------------------------------------------------------
def parse_month(text: str) -> str:
    """A month written YYYY-MM, from 1949 to 2200 (InvalidIncomeError otherwise)."""
    found = _MONTH.fullmatch(text.strip()) if isinstance(text, str) else None
    if found is None or not FIRST_YEAR <= int(found.group(1)) <= LAST_YEAR:
        raise InvalidIncomeError(f"{str(text)[:20]!r} is not a month written YYYY-MM (1949-2200)")
    return found.group(0)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_start(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def previous_month(month: str) -> str:
    return month_of(add_months(month_start(month), -1))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), the last of the month where it has none."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# --- what a record says ---------------------------------------------------------------------
@dataclass(frozen=True)
class Member:
    """A member's income in the month, and whether the member is employed."""

    relation: str
    income_fen: int
    employed: bool


@dataclass(frozen=True)
class Incomes:
    """A household's figures for a month: its size, its income, its hardship costs (medical,
    disaster, accident), and its members' incomes if known."""

    household_size: int
    income_fen: int
    hardship_costs_fen: int = 0
    members: tuple[Member, ...] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.household_size <= MAX_HOUSEHOLD_SIZE:
            raise InvalidIncomeError(f"a household has 1 to {MAX_HOUSEHOLD_SIZE} people")
        for amount in (self.income_fen, self.hardship_costs_fen):
            if not 0 <= amount <= MAX_HOUSEHOLD_FEN:
                raise InvalidIncomeError("a household's monthly figure is out of range")
        if len(self.members) > self.household_size:
            raise InvalidIncomeError(
                f"{len(self.members)} members' incomes for a household of {self.household_size}"
            )
        for m in self.members:
            if not 0 <= m.income_fen <= MAX_MONTHLY_INCOME_FEN:
                raise InvalidIncomeError("a member's monthly income is out of range")
            if not checked(m.relation, "a member's relation", max_length=40):
                raise InvalidIncomeError("each member is named by relation (本人, 配偶, 子女 ...)")
        if sum(m.income_fen for m in self.members) > self.income_fen:
            raise InvalidIncomeError("the members earn more than the household's income")

    @property
    def figures(self) -> Figures:
        return Figures(self.household_size, self.income_fen, self.hardship_costs_fen)

    def as_event_fields(self) -> dict[str, Any]:
        return {
            "household_size": self.household_size,
            "income_fen": self.income_fen,
            "hardship_costs_fen": self.hardship_costs_fen,
            "members": [
                {"relation": m.relation.strip(), "income_fen": m.income_fen, "employed": m.employed}
                for m in self.members
            ],
        }


@dataclass(frozen=True)
class IncomeRecord:
    """A month's record as the book holds it."""

    record_id: UUID
    month: str
    figures: Figures
    members: tuple[Member, ...]
    note: str
    actor: str
    recorded_on: date
    corrects: UUID | None


class IncomeNoted(Act):
    """What a record says: the month, the household's figures, its members' incomes."""

    record_id: UUID
    case_id: UUID
    month: str
    household_size: int
    income_fen: int
    hardship_costs_fen: int
    members: list[dict[str, Any]]
    note: str

    def apply(self, book: IncomeBook) -> None:  # no check again: a replay takes what was kept
        figures = Figures(self.household_size, self.income_fen, self.hardship_costs_fen)
        members = tuple(Member(**m) for m in self.members)
        corrects = self.__dict__.get("corrects")
        record = IncomeRecord(
            self.record_id,
            self.month,
            figures,
            members,
            self.note,
            self.actor,
            self.business_date,
            corrects,
        )
        if corrects is not None:
            book.replaced.add(corrects)
            book.current.pop(book.records[corrects].month, None)
        book.records[self.record_id] = record
        book.current[self.month] = self.record_id


class IncomeBook(LedgerAggregate):
    """One household's monthly incomes (收入台账)."""

    class IncomeRecorded(IncomeNoted):
        """收入登记: the household's incomes in a month."""

    class IncomeCorrected(IncomeNoted):
        """收入更正: a corrected record; ``corrects`` names the record it replaces."""

        corrects: UUID

    Opened: ClassVar[type[LedgerAggregate.Event]]  # made by @event on __init__ below

    @event("Opened")
    def __init__(
        self, id: UUID, case_id: UUID, centre_id: UUID, actor: str, business_date: date
    ) -> None:
        self.case_id, self.centre_id = case_id, centre_id
        self.records: dict[UUID, IncomeRecord] = {}  # every record, by id
        self.current: dict[str, UUID] = {}  # each month's current record
        self.replaced: set[UUID] = set()  # records corrected by later ones

    def in_force(self) -> list[IncomeRecord]:
        """The current record of each month, oldest month first."""
        return [self.records[self.current[m]] for m in sorted(self.current)]

    def record(
        self, record_id: UUID, month: str, incomes: Incomes, note: str, actor: str, day: date
    ) -> None:
        """Record a month's incomes, once (a change is ``correct``)."""
        month = self._recordable(month, day)
        if month in self.current:
            raise MonthRecordedError(
                f"{month} has its income record already ({self.current[month]}); to change it, "
                "record a correction that names that record"
            )
        self._noted(self.IncomeRecorded, record_id, month, incomes, note, actor, day)

    def correct(
        self,
        corrects: UUID,
        record_id: UUID,
        month: str,
        incomes: Incomes,
        note: str,
        actor: str,
        day: date,
    ) -> None:
        """Replace a current record by a corrected one (the corrected one stays on record)."""
        if corrects not in self.records or corrects in self.replaced:
            raise IncomeRecordNotCurrentError(
                f"record {corrects} is not a current income record of this household: a "
                "correction names the record in force for its month"
            )
        month = self._recordable(month, day)
        holder = self.current.get(month)
        if holder is not None and holder != corrects:
            raise MonthRecordedError(f"{month} has another record ({holder}); correct that one")
        self._noted(self.IncomeCorrected, record_id, month, incomes, note, actor, day, corrects)

    def _recordable(self, month: str, day: date) -> str:
        month = parse_month(month)
        if month > month_of(day):
            raise InvalidIncomeError(
                f"the income of {month} is recorded once earned, not on {day.isoformat()}"
            )
        if len(self.records) >= MAX_RECORDS:
            raise InvalidIncomeError(f"an income book holds at most {MAX_RECORDS} records")
        return month

    def _noted(
        self,
        kind: type[IncomeNoted],
        record_id: UUID,
        month: str,
        incomes: Incomes,
        note: str,
        actor: str,
        day: date,
        corrects: UUID | None = None,
    ) -> None:
        more: dict[str, Any] = {} if corrects is None else {"corrects": corrects}
        self._trigger(
            kind,
            actor,
            day,
            record_id=record_id,
            case_id=self.case_id,
            month=month,
            note=checked_note(note),
            **incomes.as_event_fields(),
            **more,
        )


def income_book(
    case: Case, book: IncomeBook | None, actor: str, day: date, correcting: bool = False
) -> IncomeBook:
    """The case's income book, opened now if it has none. A closed archive takes no new
    records; a record it holds may still be corrected."""
    if not case.is_open and not correcting:
        raise CaseClosedError(
            f"case {case.id} was closed ({case.closure_reason}); it takes no income records"
        )
    if book is None:
        book = IncomeBook(
            id=income_book_id(case.id),
            case_id=case.id,
            centre_id=case.centre_id,
            actor=actor,
            business_date=day,
        )
    return book
