"""A household as the archive describes it: its assessment, its personal details, goods given."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidHouseholdError
from domain.id_numbers import normalise_id_number
from domain.text import NOTE_MAX, checked
from domain.vocabulary import Category, Cause, HouseholdFlag

_PHONE = re.compile(r"^\+?(?=(?:[^0-9]*[0-9]){5})[0-9\- ]{5,20}$")
_CARD = re.compile(r"^[0-9]{12,19}$")
MAX_HOUSEHOLD_SIZE = 30
MAX_MONTHLY_INCOME_FEN = 100_000_000  # ¥1,000,000 a month per head is no hardship case


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
        if len(self.secondary_causes) > 3:
            raise InvalidHouseholdError("at most three secondary causes may be given")
        if len(set(self.secondary_causes)) != len(self.secondary_causes):
            raise InvalidHouseholdError("a secondary cause is given twice")
        if self.primary_cause in self.secondary_causes:
            raise InvalidHouseholdError("the primary cause cannot also be a secondary cause")
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
