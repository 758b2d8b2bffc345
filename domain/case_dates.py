"""When a household may be paid: on or after its filing date, and on no business date inside a
span when its archive was closed (支付日期不得早于建档日期、不得晚于结档日期). ``Case`` keeps the
spans (its Closed and Reopened events) and takes the rule from ``PaymentDates``."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.errors import PaymentOutsideCaseError


class PaymentDates:
    """The filing date and the closed spans of an archive, and the rule on a payment's date."""

    if TYPE_CHECKING:  # the case's own state, as Case defines it
        id: UUID
        filed_on: date
        closed_spans: list[list[date | None]] | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot from before closed spans were kept: replayed from its events."""
        state["closed_spans"] = None

    @property
    def replay_without_snapshot(self) -> bool:
        """Loaded from a snapshot that predates the closed spans."""
        return self.closed_spans is None

    def _require_payable_on(self, day: date) -> None:
        """A payment's business date falls on or after the filing and in no closed span."""
        if day < self.filed_on:
            raise PaymentOutsideCaseError(
                f"case {self.id} was filed on {self.filed_on.isoformat()}; a payment dated "
                f"{day.isoformat()} would precede its filing (支付日期不得早于建档日期)"
            )
        for closed, reopened in self.closed_spans or []:
            if closed is not None and closed <= day and (reopened is None or day < reopened):
                raise PaymentOutsideCaseError(
                    f"case {self.id} was closed on {closed.isoformat()}; a payment dated "
                    f"{day.isoformat()} would fall after its closure (支付日期不得晚于结档日期)"
                )
