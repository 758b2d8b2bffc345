"""Assistance centres (帮扶中心/站点): a tree; a user's authority is a subtree of it."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain.aggregate import LedgerAggregate
from domain.errors import InvalidCentreLevelError
from domain.text import checked
from domain.vocabulary import CentreLevel


class Centre(LedgerAggregate):
    """A centre knows its parent and all its ancestors, so subtree checks need no extra reads."""

    @event("Created")
    def __init__(
        self,
        name: str,
        level: str,
        parent_id: UUID | None,
        ancestors: list[UUID],
        actor: str,
        business_date: date,
    ) -> None:
        self.ancestors = list(ancestors)  # from the root down
        self.parent_id = parent_id
        self.name = name
        self.level_value = level

    @property
    def level(self) -> CentreLevel:
        return CentreLevel(self.level_value)

    @property
    def path(self) -> list[UUID]:
        """The ancestors from the root down, then this centre."""
        return [*self.ancestors, self.id]

    @classmethod
    def found(
        cls, name: str, level: CentreLevel, parent: Centre | None, actor: str, business_date: date
    ) -> Centre:
        """Create a centre, checking its level against its parent's."""
        name = checked(name, "a centre's name", required=True)
        if parent is not None and not level.may_hang_under(parent.level):
            raise InvalidCentreLevelError(
                f"a {level.value} ({level.zh}) centre cannot hang under a "
                f"{parent.level.value} ({parent.level.zh}) centre"
            )
        ancestors = [*parent.path] if parent is not None else []
        return cls(
            name=name,
            level=level.value,
            parent_id=parent.id if parent else None,
            ancestors=ancestors,
            actor=actor,
            business_date=business_date,
        )
