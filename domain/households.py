"""A household as the archive describes it: its assessment, its personal details, goods given."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid5

from domain.errors import InvalidHouseholdError
from domain.id_numbers import normalise_id_number
from domain.policy_parameters import SchoolLevel
from domain.text import NOTE_MAX, checked
from domain.vocabulary import Category, Cause, Employment, HouseholdFlag

_PHONE = re.compile(r"^\+?(?=(?:[^0-9]*[0-9]){5})[0-9\- ]{5,20}$")
_CARD = re.compile(r"^[0-9]{12,19}$")
MAX_HOUSEHOLD_SIZE = 30
MAX_MONTHLY_INCOME_FEN = 100_000_000  # ¥1,000,000 a month per head is no hardship case
MAX_AMOUNTS = 30  # monthly incomes or hardship costs an application lists


def check_causes(primary: Cause, secondary: tuple[Cause, ...]) -> None:
    """One primary cause and up to three other secondary ones."""
    if len(secondary) > 3:
        raise InvalidHouseholdError("at most three secondary causes may be given")
    if len(set(secondary)) != len(secondary):
        raise InvalidHouseholdError("a secondary cause is given twice")
    if primary in secondary:
        raise InvalidHouseholdError("the primary cause cannot also be a secondary cause")


@dataclass(frozen=True)
class Assessment:
    """What an assessment finds: category, causes, household size, income per head, flags."""

    category: Category
    primary_cause: Cause
    secondary_causes: tuple[Cause, ...]
    household_size: int
    income_fen: int
    flags: tuple[HouseholdFlag, ...]

    def __post_init__(self) -> None:
        check_causes(self.primary_cause, self.secondary_causes)
        if not 1 <= self.household_size <= MAX_HOUSEHOLD_SIZE:
            raise InvalidHouseholdError(
                f"household size must be between 1 and {MAX_HOUSEHOLD_SIZE}, "
                f"not {self.household_size}"
            )
        if not 0 <= self.income_fen <= MAX_MONTHLY_INCOME_FEN:
            raise InvalidHouseholdError("per-capita monthly income is out of range")

    def as_event_fields(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "primary_cause": self.primary_cause.value,
            "secondary_causes": [c.value for c in self.secondary_causes],
            "household_size": self.household_size,
            "income_fen": self.income_fen,
            "flags": sorted({f.value for f in self.flags}),
        }


@dataclass(frozen=True)
class Person:
    """The worker's personal details: confidential, and stored only sealed (domain/privacy.py)."""

    name: str
    id_number: str
    phone: str
    bank_card: str = ""
    family_members: tuple[dict[str, str], ...] = ()
    health: str = ""

    @classmethod
    def checked(
        cls,
        name: str,
        id_number: str,
        phone: str,
        bank_card: str = "",
        family_members: tuple[dict[str, str], ...] = (),
        health: str = "",
    ) -> Person:
        name = checked(name, "the worker's name", max_length=100)
        if not name:
            raise InvalidHouseholdError("the worker's name is required")
        phone = checked(phone, "the telephone number", max_length=40)
        if phone and not _PHONE.match(phone):
            raise InvalidHouseholdError(f"{phone!r} is not a telephone number")
        bank_card = checked(bank_card, "the bank card number", max_length=40).replace(" ", "")
        if bank_card and not _CARD.match(bank_card):
            raise InvalidHouseholdError("a bank card number has 12 to 19 digits")
        if len(family_members) > MAX_HOUSEHOLD_SIZE:
            raise InvalidHouseholdError(f"at most {MAX_HOUSEHOLD_SIZE} family members")
        members = tuple(
            {
                "name": checked(m.get("name", ""), "a family member's name", max_length=100),
                "relation": checked(m.get("relation", ""), "a family relation", max_length=40),
                "id_number": normalise_id_number(m["id_number"]) if m.get("id_number") else "",
            }
            for m in family_members
        )
        return cls(
            name,
            normalise_id_number(checked(id_number, "the ID number", max_length=40)),
            phone,
            bank_card,
            members,
            checked(health, "the health notes", max_length=NOTE_MAX, multiline=True),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "id_number": self.id_number,
            "phone": self.phone,
            "bank_card": self.bank_card,
            "family_members": list(self.family_members),
            "health": self.health,
        }


@dataclass(frozen=True)
class Goods:
    """Goods given in kind during a visit, with their value."""

    item: str
    value_fen: int


def member_id(case_id: UUID, number: int) -> UUID:
    """The id of a household's ``number``-th member (1, 2, ...; the applicant is not one)."""
    return uuid5(case_id, f"member {number}")


@dataclass(frozen=True)
class Member:
    """A member of the applicant's household: confidential, stored only sealed."""

    name: str
    id_number: str
    relation: str
    employment: Employment
    school_level: SchoolLevel | None = None
    disability: str = ""
    health: str = ""

    @classmethod
    def checked(
        cls,
        name: str,
        id_number: str,
        relation: str,
        employment: Employment,
        birth_date: date | None = None,
        school_level: SchoolLevel | None = None,
        disability: str = "",
        health: str = "",
    ) -> Member:
        """A member as given, checked; a birth date given must be the ID number's."""
        name = checked(name, "a member's name", max_length=100, required=True)
        number = normalise_id_number(checked(id_number, "a member's ID number", max_length=40))
        if birth_date is not None and birth_date != born_on(number):
            raise InvalidHouseholdError(
                f"the member's birth date {birth_date} is not the one of the ID number "
                f"({born_on(number)})"
            )
        return cls(
            name,
            number,
            checked(relation, "a member's relation", max_length=40, required=True),
            Employment(employment),
            SchoolLevel(school_level) if school_level else None,
            checked(disability, "a member's disability", max_length=200),
            checked(health, "a member's health notes", max_length=NOTE_MAX, multiline=True),
        )

    def as_dict(self, case_id: UUID, number: int) -> dict[str, str]:
        """The member as the household's sealed data holds it (text only), with its id."""
        return {
            "member_id": str(member_id(case_id, number)),
            "number": str(number),
            "name": self.name,
            "relation": self.relation,
            "id_number": self.id_number,
            "birth_date": born_on(self.id_number).isoformat(),
            "employment": self.employment.value,
            "school_level": self.school_level.value if self.school_level else "",
            "disability": self.disability,
            "health": self.health,
        }


def born_on(id_number: str) -> date:
    """The birth date a (normalised) ID number holds in characters 7-14."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


@dataclass(frozen=True)
class MonthlyAmount:
    """A household's monthly income or hardship cost of one kind (工资, 养老金, 医疗费 ...)."""

    label: str
    amount_fen: int

    @classmethod
    def checked(cls, label: str, amount_fen: int, what: str) -> MonthlyAmount:
        label = checked(label, f"the kind of {what}", max_length=100, required=True)
        if not 0 <= amount_fen <= MAX_MONTHLY_INCOME_FEN:
            raise InvalidHouseholdError(f"a monthly {what} is out of range")
        return cls(label, amount_fen)

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "amount_fen": self.amount_fen}


def total_fen(amounts: list[dict[str, Any]] | tuple[MonthlyAmount, ...]) -> int:
    """The sum of monthly amounts, as events hold them or as given."""
    return sum(a["amount_fen"] if isinstance(a, dict) else a.amount_fen for a in amounts)


@dataclass(frozen=True)
class Household:
    """What an application declares: the applicant and the other members (personal, sealed),
    the monthly incomes and hardship costs, the causes of hardship and the flags."""

    applicant: Person
    members: tuple[Member, ...]
    incomes: tuple[MonthlyAmount, ...]
    hardship_costs: tuple[MonthlyAmount, ...]
    primary_cause: Cause
    secondary_causes: tuple[Cause, ...] = ()
    flags: tuple[HouseholdFlag, ...] = ()

    def __post_init__(self) -> None:
        check_causes(self.primary_cause, self.secondary_causes)
        if self.size > MAX_HOUSEHOLD_SIZE:
            raise InvalidHouseholdError(f"a household has at most {MAX_HOUSEHOLD_SIZE} people")
        if max(len(self.incomes), len(self.hardship_costs)) > MAX_AMOUNTS:
            raise InvalidHouseholdError(f"at most {MAX_AMOUNTS} incomes and as many costs")
        if len(set(self.id_numbers)) != self.size:
            raise InvalidHouseholdError("an ID number is given twice in one household")

    @property
    def size(self) -> int:
        return 1 + len(self.members)

    @property
    def id_numbers(self) -> list[str]:
        """The applicant's ID number first, then each member's in order."""
        return [self.applicant.id_number, *(m.id_number for m in self.members)]

    def sealed_data(self, case_id: UUID) -> dict[str, Any]:
        """The personal data to seal: the applicant's, with the members numbered from 1."""
        members = [m.as_dict(case_id, n) for n, m in enumerate(self.members, start=1)]
        return self.applicant.as_dict() | {"family_members": members}
