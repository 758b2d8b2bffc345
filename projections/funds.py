"""Funds (finance, auditors): balances on two clocks, postings, and flows down the fund tree."""

from __future__ import annotations

from typing import Any, ClassVar

from domain.cases import Case
from domain.catalogue import meaning
from domain.centres import Centre
from domain.funds import Fund
from projections.fund_reports import TOTALS, balance, flows, list_funds, postings, stamp, year_end
from projections.view import FUND_MOVEMENTS, OUTSIDE_CASES_AND_FUNDS, Batch, View
from stores.sql import Cursor

FUND_COLUMNS = [
    "fund_id",
    "centre_id",
    "parent_fund_id",
    "root_fund_id",
    "path",
    "name",
    "source",
    "fiscal_year",
    "purposes",
    *TOTALS,
]
POSTING_COLUMNS = [
    "fund_id",
    "version",
    "position",
    "type",
    "amount_fen",
    "balance_after_fen",
    "business_date",
    "recorded_at",
    "counterparty_kind",
    "counterparty_id",
    "assistance_type",
    "case_id",
    "payment_id",
    "reference",
    "actor",
]


class FundsView(View):
    """Fund totals, every posting, payments with the household's category, and flow totals."""

    name = "funds"
    handles = (
        Centre.Created,
        Case.Registered,
        Case.Reassessed,
        Fund.Opened,
        *FUND_MOVEMENTS,
    )
    ignores = (
        Case.Visited,
        Case.AssistanceReceived,  # the fund's own Disbursed says it, with the fund
        Case.AssistanceReversed,
        Case.Closed,
        Case.Reopened,
        Case.PersonalDataErased,
        *OUTSIDE_CASES_AND_FUNDS,
    )
    tables: ClassVar[dict[str, str]] = {
        "funds_funds": (
            "fund_id TEXT PRIMARY KEY, centre_id TEXT NOT NULL, parent_fund_id TEXT, "
            "root_fund_id TEXT NOT NULL, path TEXT NOT NULL, name TEXT NOT NULL, "
            "source TEXT NOT NULL, fiscal_year INTEGER NOT NULL, purposes TEXT NOT NULL, "
            + ", ".join(f"{t} BIGINT NOT NULL" for t in TOTALS)
            + ", CHECK (balance_fen >= 0)"
        ),
        "funds_postings": (
            "fund_id TEXT NOT NULL, version INTEGER NOT NULL, position BIGINT NOT NULL, "
            "type TEXT NOT NULL, amount_fen BIGINT NOT NULL, balance_after_fen BIGINT NOT NULL, "
            "business_date TEXT NOT NULL, "
            "recorded_at TEXT NOT NULL, counterparty_kind TEXT NOT NULL, counterparty_id TEXT, "
            "assistance_type TEXT, case_id TEXT, payment_id TEXT, reference TEXT NOT NULL, "
            "actor TEXT NOT NULL, PRIMARY KEY (fund_id, version)"
        ),
        "funds_payments": (
            "payment_id TEXT PRIMARY KEY, fund_id TEXT NOT NULL, case_id TEXT NOT NULL, "
            "assistance_type TEXT NOT NULL, category TEXT NOT NULL, amount_fen BIGINT NOT NULL"
        ),
        "funds_flows": (
            "fund_id TEXT NOT NULL, assistance_type TEXT NOT NULL, category TEXT NOT NULL, "
            "paid_fen BIGINT NOT NULL, reversed_fen BIGINT NOT NULL, payments INTEGER NOT NULL, "
            "reversals INTEGER NOT NULL, PRIMARY KEY (fund_id, assistance_type, category)"
        ),
        "funds_case_categories": "case_id TEXT PRIMARY KEY, category TEXT NOT NULL",
        "funds_centres": (
            "ancestor_id TEXT NOT NULL, centre_id TEXT NOT NULL, name TEXT NOT NULL, "
            "PRIMARY KEY (ancestor_id, centre_id)"
        ),
    }
    indexes: ClassVar[list[tuple[str, str]]] = [
        # a balance as of a date (and a moment) sums from this index alone
        ("funds_postings", "fund_id, business_date, recorded_at, amount_fen"),
        ("funds_funds", "path"),
        ("funds_funds", "centre_id, fiscal_year"),
    ]
    build_indexes = ()  # apply reads by primary key only: a rebuild makes these when full

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        t = {base: self.table(base, generation) for base in self.tables}
        fund_ids = {str(e.originator_id) for _, e in batch if isinstance(e, Fund.Event)}
        fund_ids |= {
            str(e.__dict__["parent_fund_id"])
            for _, e in batch
            if isinstance(e, Fund.Opened) and e.__dict__["parent_fund_id"]
        }
        funds = self.rows_by_key(cursor, t["funds_funds"], "fund_id", fund_ids)
        payment_ids = {
            str(e.__dict__["payment_id"])
            for _, e in batch
            if isinstance(e, Fund.DisbursementReversed)
        }
        payments = self.rows_by_key(cursor, t["funds_payments"], "payment_id", payment_ids)
        case_ids = {str(e.__dict__["case_id"]) for _, e in batch if isinstance(e, Fund.Disbursed)}
        categories = {
            r["case_id"]: r["category"]
            for r in self.rows_by_key(
                cursor, t["funds_case_categories"], "case_id", case_ids
            ).values()
        }
        new_categories: dict[str, str] = {}
        postings: list[tuple[Any, ...]] = []
        new_payments: dict[str, dict[str, Any]] = {}
        flows: dict[tuple[str, str, str], list[int]] = {}
        centres: list[tuple[str, str, str]] = []
        for position, event in batch:
            f, leg = event.__dict__, meaning(event).leg
            oid = str(event.originator_id)
            if isinstance(event, Centre.Created):
                centres += [
                    (str(a), oid, f["name"]) for a in [*f["ancestors"], event.originator_id]
                ]
            elif isinstance(event, Case.Registered | Case.Reassessed):
                categories[oid] = new_categories[oid] = f["category"]
            elif isinstance(event, Fund.Opened):
                funds[oid] = self._opened(oid, f, funds)
            elif leg is not None:
                sign, amount = leg.sign, f[leg.amount]
                row = funds[oid]
                row[leg.total] += amount
                row["balance_fen"] += sign * amount
                counterparty_kind, named = leg.counterparty_of(f)
                counterparty = str(named) if named else None
                payment_id = str(f["payment_id"]) if "payment_id" in f else None
                case_id = str(f["case_id"]) if "case_id" in f else None
                assistance_type = f.get("assistance_type")
                if isinstance(event, Fund.Disbursed):
                    assert payment_id is not None and case_id is not None
                    payment = {
                        "payment_id": payment_id,
                        "fund_id": oid,
                        "case_id": case_id,
                        "assistance_type": assistance_type,
                        "category": categories.get(case_id, "unknown"),
                        "amount_fen": amount,
                    }
                    new_payments[payment_id] = payments[payment_id] = payment
                    flow = flows.setdefault(
                        (oid, payment["assistance_type"], payment["category"]), [0, 0, 0, 0]
                    )
                    flow[0] += amount
                    flow[2] += 1
                elif isinstance(event, Fund.DisbursementReversed):
                    assert payment_id is not None
                    paid = payments[payment_id]
                    case_id, assistance_type = paid["case_id"], paid["assistance_type"]
                    counterparty = case_id
                    flow = flows.setdefault(
                        (oid, paid["assistance_type"], paid["category"]), [0, 0, 0, 0]
                    )
                    flow[1] += amount
                    flow[3] += 1
                postings.append(
                    (
                        oid,
                        event.originator_version,
                        position,
                        type(event).__name__,
                        sign * amount,
                        row["balance_fen"],
                        f["business_date"].isoformat(),
                        stamp(event.timestamp),
                        counterparty_kind,
                        counterparty,
                        assistance_type,
                        case_id,
                        payment_id,
                        f.get("reference", f.get("reason", "")),
                        f["actor"],
                    )
                )
        self._write(cursor, t, funds, postings, new_payments, flows, new_categories, centres)

    @staticmethod
    def _opened(oid: str, f: dict[str, Any], funds: dict[str, dict[str, Any]]) -> dict[str, Any]:
        parent = funds.get(str(f["parent_fund_id"])) if f["parent_fund_id"] else None
        return {
            "fund_id": oid,
            "centre_id": str(f["centre_id"]),
            "parent_fund_id": parent["fund_id"] if parent else None,
            "root_fund_id": parent["root_fund_id"] if parent else oid,
            "path": (parent["path"] if parent else "/") + oid + "/",
            "name": f["name"],
            "source": f["source"],
            "fiscal_year": f["fiscal_year"],
            "purposes": ",".join(f["purposes"]),
            **dict.fromkeys(TOTALS, 0),
        }

    def _write(
        self,
        cursor: Cursor,
        t: dict[str, str],
        funds: dict[str, dict[str, Any]],
        postings: list[tuple[Any, ...]],
        payments: dict[str, dict[str, Any]],
        flows: dict[tuple[str, str, str], list[int]],
        categories: dict[str, str],
        centres: list[tuple[str, str, str]],
    ) -> None:
        sql = self.db.sql
        if funds:
            cols = ", ".join(FUND_COLUMNS)
            marks = ", ".join(["%s"] * len(FUND_COLUMNS))
            updates = ", ".join(f"{c} = excluded.{c}" for c in TOTALS)
            cursor.executemany(
                sql(
                    f"INSERT INTO {t['funds_funds']} ({cols}) VALUES ({marks}) "
                    f"ON CONFLICT (fund_id) DO UPDATE SET {updates}"
                ),
                [tuple(r[c] for c in FUND_COLUMNS) for r in funds.values()],
            )
        if postings:
            cursor.executemany(
                sql(
                    f"INSERT INTO {t['funds_postings']} ({', '.join(POSTING_COLUMNS)}) "
                    f"VALUES ({', '.join(['%s'] * len(POSTING_COLUMNS))})"
                ),
                postings,
            )
        if payments:
            cursor.executemany(
                sql(f"INSERT INTO {t['funds_payments']} VALUES (%s, %s, %s, %s, %s, %s)"),
                [tuple(p.values()) for p in payments.values()],
            )
        if flows:
            table = t["funds_flows"]
            cursor.executemany(
                sql(
                    f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (fund_id, assistance_type, category) DO UPDATE SET "
                    f"paid_fen = {table}.paid_fen + excluded.paid_fen, "
                    f"reversed_fen = {table}.reversed_fen + excluded.reversed_fen, "
                    f"payments = {table}.payments + excluded.payments, "
                    f"reversals = {table}.reversals + excluded.reversals"
                ),
                [(*k, *v) for k, v in flows.items()],
            )
        if categories:
            cursor.executemany(
                sql(
                    f"INSERT INTO {t['funds_case_categories']} VALUES (%s, %s) "
                    "ON CONFLICT (case_id) DO UPDATE SET category = excluded.category"
                ),
                list(categories.items()),
            )
        if centres:
            cursor.executemany(
                sql(f"INSERT INTO {t['funds_centres']} VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"),
                centres,
            )


__all__ = [
    "TOTALS",
    "FundsView",
    "balance",
    "flows",
    "list_funds",
    "postings",
    "stamp",
    "year_end",
]
