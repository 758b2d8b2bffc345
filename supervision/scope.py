"""What an audit package covers: a fund tree, a centre subtree, a period.

The choice is made from the scope facts of every event (supervision/scope_chain.py) and nothing
else, so that a verifier holding only the facts of the events a package leaves out can make the
same choice and see that nothing in scope is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from domain.cases import Case
from domain.catalogue import kind
from domain.centres import Centre
from domain.errors import CentreNotFoundError, FundNotFoundError, InvalidInputError
from domain.funds import Fund
from supervision.records import Record
from supervision.scope_chain import Facts, record_facts


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

    def require_known(self, entries: Sequence[tuple[int, Facts]]) -> None:
        """FundNotFoundError or CentreNotFoundError unless each id of the scope names a fund or
        a centre of these entries (written as Bangfu writes ids: lower case, with dashes)."""
        opened = {f["id"]: f["kind"] for _, f in entries if f["kind"] in _OPENINGS}
        if self.fund_id and opened.get(self.fund_id) != _FUND_OPENED:
            raise FundNotFoundError(f"no fund has the id {self.fund_id}")
        if self.centre_id and opened.get(self.centre_id) != _CENTRE_CREATED:
            raise CentreNotFoundError(f"no centre has the id {self.centre_id}")

    def select(
        self, records: Sequence[Record], withheld: frozenset[str] = frozenset()
    ) -> list[Record]:
        """The records in scope (records of every event of the log, as read by
        supervision/records.py), chosen by their facts as ``positions`` chooses."""
        kept = set(self.positions([(r["position"], record_facts(r)) for r in records], withheld))
        return [r for r in records if r["position"] in kept]

    def positions(
        self, entries: Sequence[tuple[int, Facts]], withheld: frozenset[str]
    ) -> list[int]:
        """The positions in scope, decided from the scope facts of every position of the chain
        (docs/audit-package.md, "Which events a scope holds"); ``withheld`` are the kinds never
        included (credentials)."""
        openings: dict[str, Facts] = {}
        for _, f in entries:
            openings.setdefault(f["id"], f)
        chosen = [(p, f) for p, f in entries if f["kind"] not in withheld]
        if self.fund_id:
            inside = _fund_tree(entries, openings, self.fund_id)
            chosen = [(p, f) for p, f in chosen if inside(p, f)]
        if self.centre_id:
            inside = _centre_subtree(entries, openings, self.centre_id)
            chosen = [(p, f) for p, f in chosen if inside(p, f)]
        if self.date_from or self.date_to:
            lo, hi = self.date_from or "0000", self.date_to or "9999"
            chosen = [
                (p, f)
                for p, f in chosen
                if lo <= f["date"] <= hi
                or _aggregate(f) == "Policy"
                or (_aggregate(f) in _FACT_AGGREGATES and openings[f["id"]] is f)
            ]
        return [p for p, _ in chosen]


Inside = Callable[[int, Facts], bool]
_FUND_OPENED, _CENTRE_CREATED = kind(Fund.Opened), kind(Centre.Created)
_CASE_REGISTERED, _CASE_TRANSFERRED = kind(Case.Registered), kind(Case.Transferred)
_OPENINGS = frozenset({_FUND_OPENED, _CENTRE_CREATED})
_FACT_AGGREGATES = frozenset({Fund.__name__, Centre.__name__, Case.__name__})
"""Aggregates whose opening a period package holds whatever its date: parents, earmarks,
levels, filing dates."""


def _aggregate(f: Facts) -> str:
    return str(f["kind"]).split(".", 1)[0]


def _fund_tree(
    entries: Sequence[tuple[int, Facts]], openings: dict[str, Facts], root: str
) -> Inside:
    tree = {root}
    for _, f in entries:  # funds are opened after their parents, so one pass finds the tree
        if f["kind"] == _FUND_OPENED and f.get("parent_fund_id") in tree:
            tree.add(f["id"])
    payments = {
        i for i, o in openings.items() if _aggregate(o) == "Payment" and o.get("fund_id") in tree
    }
    paid_cases = {openings[i].get("case_id") for i in payments}
    on_paths = {
        c for i in tree | payments if i in openings for c in openings[i].get("centre_path") or ()
    }

    def inside(position: int, f: Facts) -> bool:
        opening = openings[f["id"]]
        kind = _aggregate(f)
        return (
            (kind == "Fund" and f["id"] in tree)
            or opening.get("fund_id") in tree
            or bool(tree.intersection(opening.get("fund_ids") or ()))
            or f.get("payment_id") in payments
            or (opening is f and kind == "Case" and f["id"] in paid_cases)
            or (kind == "Centre" and f["id"] in on_paths)
            or (kind == "Policy" and opening.get("centre_id") in on_paths)
        )

    return inside


def _centre_subtree(
    entries: Sequence[tuple[int, Facts]], openings: dict[str, Facts], root: str
) -> Inside:
    centres = {
        f["id"]
        for _, f in entries
        if f["kind"] == _CENTRE_CREATED and (f["id"] == root or root in (f.get("ancestors") or ()))
    }
    above = set(openings[root].get("ancestors") or ()) if root in openings else set()
    cases = {
        i
        for i, o in openings.items()
        if o["kind"] == _CASE_REGISTERED and o.get("centre_id") in centres
    } | {
        f["id"]
        for _, f in entries
        if f["kind"] == _CASE_TRANSFERRED and f.get("to_centre_id") in centres
    }

    def inside(position: int, f: Facts) -> bool:
        opening = openings[f["id"]]
        kind = _aggregate(f)
        return (
            f["id"] in centres
            or opening.get("centre_id") in centres
            or f["id"] in cases
            or opening.get("case_id") in cases
            or bool(cases.intersection(opening.get("case_ids") or ()))
            or (kind == "Policy" and opening.get("centre_id") in above)
            or (kind == "Centre" and f["id"] in above)
        )

    return inside
