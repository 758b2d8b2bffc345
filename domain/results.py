"""What each write answers: a typed result, kept in its idempotency record as strings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Self
from uuid import UUID


@dataclass(frozen=True)
class Result:
    """A write's result: ``id`` is what it created (or the record it acted on)."""

    id: UUID

    def as_record(self) -> dict[str, str]:
        """The result as the idempotency record keeps it."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> Self:
        return cls(**{f.name: UUID(record[f.name]) for f in fields(cls)})

    @staticmethod
    def of_record(record: Mapping[str, str]) -> Result:
        """The result an idempotency record keeps, as the kind its fields name."""
        for kind in (Created, Movement, Allocation, Reversal, CaseEntry):
            if {f.name for f in fields(kind)} == set(record):
                return kind.from_record(record)
        raise ValueError(f"no kind of result has the fields {sorted(record)}")


@dataclass(frozen=True)
class Created(Result):
    """A new centre, fund, case, payment or read record; or the case a closure, reopening or
    erasure is of."""


@dataclass(frozen=True)
class Movement(Result):
    """A receipt or a return: the movement's id, and the fund it moved."""

    fund_id: UUID


@dataclass(frozen=True)
class Allocation(Result):
    """An allocation down the tree: ``id`` is the child centre's fund, and the movement's id."""

    movement_id: UUID


@dataclass(frozen=True)
class Reversal(Result):
    """A reversed payment: the reversal's id and the payment's."""

    payment_id: UUID


@dataclass(frozen=True)
class CaseEntry(Result):
    """A reassessment or a visit: its id and the case's."""

    case_id: UUID


@dataclass(frozen=True)
class Payer:
    """The fund a payment came from and the centre that holds it, by name."""

    fund_id: UUID
    fund_name: str
    centre_id: UUID
    centre_name: str
