"""Provenance (auditors): every fund's place in its tree, what it moved on each business date,
and the households it paid, so that a trace at any past date is a bounded query."""

from __future__ import annotations

from typing import Any, ClassVar

from domain.catalogue import meaning, money_events
from domain.funds import Fund
from projections.report_tables import add_up, upsert
from projections.view import (
    FUND_MOVEMENTS,
    Batch,
    View,
    every_event_but,
)
from stores.sql import Cursor

# one column a running total of the catalogue (received_fen, disbursed_fen, ...), by event
TOTALS = [leg.total for _, leg in money_events()]
SIGNS = {leg.total: leg.sign for _, leg in money_events()}
SUMS = [*TOTALS, "households"]  # households: how many it paid for the first time
_SUM_COLUMNS = "".join(f"{c} BIGINT NOT NULL, " for c in SUMS)


class ProvenanceView(View):
    """Funds with their parent; what each moved in all, per month and per business date (so a
    sum as of any date reads a month's days and whole months); each payment and reversal with
    its household, and the date each fund first paid each household."""

    name = "provenance"
    handles = (Fund.Opened, *FUND_MOVEMENTS)
    ignores = every_event_but(handles)
    tables: ClassVar[dict[str, str]] = {
        "prov_funds": (
            "fund_id TEXT PRIMARY KEY, parent_fund_id TEXT, name TEXT NOT NULL, "
            "centre_id TEXT NOT NULL, source TEXT NOT NULL, fiscal_year INTEGER NOT NULL"
        ),
        "prov_totals": f"fund_id TEXT NOT NULL, {_SUM_COLUMNS}PRIMARY KEY (fund_id)",
        "prov_months": (
            f"fund_id TEXT NOT NULL, month TEXT NOT NULL, {_SUM_COLUMNS}"
            "PRIMARY KEY (fund_id, month)"
        ),
        "prov_days": (
            f"fund_id TEXT NOT NULL, business_date TEXT NOT NULL, {_SUM_COLUMNS}"
            "PRIMARY KEY (fund_id, business_date)"
        ),
        "prov_payments": (
            "payment_id TEXT PRIMARY KEY, fund_id TEXT NOT NULL, case_id TEXT NOT NULL, "
            "position BIGINT NOT NULL, assistance_type TEXT NOT NULL, "
            "amount_fen BIGINT NOT NULL, business_date TEXT NOT NULL"
        ),
        "prov_reversals": (
            "position BIGINT PRIMARY KEY, fund_id TEXT NOT NULL, case_id TEXT, paid_on TEXT, "
            "amount_fen BIGINT NOT NULL, business_date TEXT NOT NULL"
        ),
        "prov_households": (
            "fund_id TEXT NOT NULL, case_id TEXT NOT NULL, first_paid_on TEXT NOT NULL, "
            "PRIMARY KEY (fund_id, case_id)"
        ),
    }
    indexes: ClassVar[list[tuple[str, str]]] = [
        ("prov_funds", "parent_fund_id"),
        ("prov_payments", "fund_id, case_id"),
        ("prov_reversals", "fund_id, case_id"),
        ("prov_households", "case_id"),
    ]

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        t = {base: self.table(base, generation) for base in self.tables}
        paid = self.rows_by_key(
            cursor,
            t["prov_payments"],
            "payment_id",
            {
                str(e.__dict__["payment_id"])
                for _, e in batch
                if isinstance(e, Fund.DisbursementReversed)
            },
        )
        first_paid = {
            (r["fund_id"], r["case_id"]): r["first_paid_on"]
            for r in self.rows_in(
                cursor,
                t["prov_households"],
                "case_id",
                {str(e.__dict__["case_id"]) for _, e in batch if isinstance(e, Fund.Disbursed)},
            )
        }
        days: dict[tuple[str, ...], list[int]] = {}
        funds: list[dict[str, Any]] = []
        payments: list[dict[str, Any]] = []
        reversals: list[dict[str, Any]] = []
        households: dict[tuple[str, str], str] = {}

        def day_row(fund_id: str, day: str) -> list[int]:
            return days.setdefault((fund_id, day), [0] * len(SUMS))

        for position, event in batch:
            f, oid = event.__dict__, str(event.originator_id)
            if isinstance(event, Fund.Opened):
                funds.append(_fund(oid, f))
                continue
            leg = meaning(event).leg
            assert leg is not None
            day = f["business_date"].isoformat()
            day_row(oid, day)[TOTALS.index(leg.total)] += f[leg.amount]
            if isinstance(event, Fund.Disbursed):
                payment = _payment(oid, position, f)
                paid[payment["payment_id"]] = payment
                payments.append(payment)
                pair = (oid, payment["case_id"])
                first = first_paid.get(pair)
                if first is None or day < first:
                    if first is not None:
                        day_row(oid, first)[-1] -= 1
                    day_row(oid, day)[-1] += 1
                    first_paid[pair] = households[pair] = day
            elif isinstance(event, Fund.DisbursementReversed):
                of = paid.get(str(f["payment_id"]))
                known = of is not None and of["fund_id"] == oid
                reversals.append(
                    {
                        "position": position,
                        "fund_id": oid,
                        "case_id": of["case_id"] if of and known else None,
                        "paid_on": of["business_date"] if of and known else None,
                        "amount_fen": f["amount_fen"],
                        "business_date": day,
                    }
                )
        upsert(self, cursor, t["prov_funds"], "fund_id", funds)
        upsert(self, cursor, t["prov_payments"], "payment_id", payments)
        upsert(self, cursor, t["prov_reversals"], "position", reversals)
        upsert(
            self,
            cursor,
            t["prov_households"],
            "fund_id, case_id",
            [{"fund_id": a, "case_id": c, "first_paid_on": d} for (a, c), d in households.items()],
        )
        months: dict[tuple[str, ...], list[int]] = {}
        totals: dict[tuple[str, ...], list[int]] = {}
        for (fund_id, day), sums in days.items():
            for key, into in (((fund_id, day[:7]), months), ((fund_id,), totals)):
                into[key] = [
                    a + b for a, b in zip(into.get(key, [0] * len(SUMS)), sums, strict=True)
                ]
        for table, keys, rows in (
            ("prov_days", ["fund_id", "business_date"], days),
            ("prov_months", ["fund_id", "month"], months),
            ("prov_totals", ["fund_id"], totals),
        ):
            add_up(self, cursor, t[table], keys, SUMS, ((*k, *v) for k, v in rows.items()))


def _fund(fund_id: str, f: dict[str, Any]) -> dict[str, Any]:
    parent = f["parent_fund_id"]
    return {
        "fund_id": fund_id,
        "parent_fund_id": str(parent) if parent else None,
        "name": f["name"],
        "centre_id": str(f["centre_id"]),
        "source": f["source"],
        "fiscal_year": f["fiscal_year"],
    }


def _payment(fund_id: str, position: int, f: dict[str, Any]) -> dict[str, Any]:
    return {
        "payment_id": str(f["payment_id"]),
        "fund_id": fund_id,
        "case_id": str(f["case_id"]),
        "position": position,
        "assistance_type": f["assistance_type"],
        "amount_fen": f["amount_fen"],
        "business_date": f["business_date"].isoformat(),
    }
