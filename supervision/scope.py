"""What an audit package covers: a fund tree, a centre subtree, a period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.cases import Case
from domain.centres import Centre
from domain.errors import InvalidInputError
from domain.funds import Fund
from domain.payments import Payment
from domain.policy import Policy
from supervision.records import Record, is_, of


@dataclass(frozen=True)
class Scope:
    """Which events go in: a fund tree, a centre subtree, a period (recorded or business date)."""

    fund_id: str | None = None
    centre_id: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    def check(self) -> None:
        """InvalidInputError unless each date is an ISO date (YYYY-MM-DD) and the period holds
        at least one day."""
        for name, value in (("start date", self.date_from), ("end date", self.date_to)):
            if value is None:
                continue
            try:
                iso = date.fromisoformat(value).isoformat()
            except (TypeError, ValueError):
                iso = None
            if iso != value:
                raise InvalidInputError(f"the {name} {value!r} is not a date written YYYY-MM-DD")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidInputError(
                f"the period from {self.date_from} to {self.date_to} is empty: "
                "it starts after it ends"
            )

    def select(self, records: Sequence[Record]) -> list[Record]:
        """The events in scope. A fund tree keeps the opening of each of its funds whatever the
        period: those events define the tree (and hold no money). The local policy of every
        centre on the path of a centre in scope is kept whatever the period: the checks judge
        by it."""
        chosen = list(records)
        if self.fund_id:
            chosen = _fund_tree_events(chosen, self.fund_id)
        if self.centre_id:
            chosen = _centre_subtree_events(chosen, self.centre_id)
        if self.date_from or self.date_to:
            lo, hi = self.date_from or "0000", self.date_to or "9999"
            chosen = [
                r
                for r in chosen
                if (self.fund_id and is_(r, Fund.Opened))
                or of(r, Policy)
                or lo <= (r.get("business_date") or r["recorded_at"][:10]) <= hi
            ]
        return chosen


def _fund_tree_events(records: Sequence[Record], root: str) -> list[Record]:
    tree = {root}
    for r in records:  # funds are opened after their parents, so one pass finds the tree
        if is_(r, Fund.Opened) and r["parent_fund_id"] in tree:
            tree.add(r["id"])
    payments = {r["id"] for r in records if is_(r, Payment.Made) and r["fund_id"] in tree}
    paths = {
        c
        for r in records
        if (is_(r, Fund.Opened) and r["id"] in tree)
        or (is_(r, Payment.Made) and r["id"] in payments)
        for c in r["centre_path"]
    }
    policies = _policies(records, paths)
    return [
        r
        for r in records
        if (of(r, Fund) and r["id"] in tree)
        or (of(r, Payment) and r["id"] in payments)
        or r.get("payment_id") in payments
        or r["id"] in policies
    ]


def _centre_subtree_events(records: Sequence[Record], root: str) -> list[Record]:
    centres = {
        r["id"]
        for r in records
        if is_(r, Centre.Created) and (r["id"] == root or root in r["ancestors"])
    }
    owned = {
        r["id"]
        for r in records
        if is_(r, Fund.Opened, Case.Registered, Payment.Made) and r["centre_id"] in centres
    }
    above = {
        a for r in records if is_(r, Centre.Created) and r["id"] == root for a in r["ancestors"]
    }
    owned |= _policies(records, centres | above)
    return [r for r in records if r["id"] in centres or r["id"] in owned]


def _policies(records: Sequence[Record], centres: set[str]) -> set[str]:
    """The local policies (aggregate ids) that these centres recorded."""
    return {r["id"] for r in records if is_(r, Policy.Started) and r["centre_id"] in centres}
