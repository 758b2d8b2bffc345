"""Dynamic management (动态管理), the facts: each archive's filing, reviews, closures and
reopenings by business date, its centre now (a transfer, 转档, moves it), each household's
monthly income records (corrections marked), the centre tree, and the settings of the policy
the lists judge by (the 低保 line, the review interval, the months above the line that make an
exit). The lists themselves are computed "as of" a day from these facts
(projections/dynamics_lists.py), so nothing here depends on when an event arrived: a rebuild
equals the view built while events arrive."""

from __future__ import annotations

from typing import Any, ClassVar

from domain.cases import Case
from domain.centres import Centre
from domain.incomes import IncomeBook
from domain.policy_parameters import Parameter
from domain.vocabulary import ClosureReason
from projections.policy import SETTING_EVENTS, SETTINGS, keep_settings
from projections.report_tables import CLOSURE, closure_rows, insert_tree, upsert
from projections.view import (
    Batch,
    View,
    every_event_but,
)
from stores.sql import Cursor

FILED, REVIEWED, CLOSED, REOPENED = "filed", "reviewed", "closed", "reopened"
JUDGED_BY = frozenset(
    p.value for p in (Parameter.DIBAO_LINE, Parameter.ANNUAL_REVIEW_MONTHS, Parameter.EXIT_MONTHS)
)
_FACTS = (Case.Registered, Case.Reassessed, Case.Closed, Case.Reopened)
_INCOMES = (IncomeBook.IncomeRecorded, IncomeBook.IncomeCorrected)
_HANDLED = (Centre.Created, *_FACTS, Case.Transferred, *_INCOMES, *SETTING_EVENTS)
FACT_COLUMNS = [
    "position",
    "case_id",
    "kind",
    "day",
    "category",
    "primary_cause",
    "flags",
    "household_size",
    "closure_status",
    "computed_category",
    "override_reason",
    "actor",
]


class DynamicsView(View):
    """Facts of each archive by business date, income records by month, the centre tree."""

    name = "dynamics"
    handles = _HANDLED
    ignores = every_event_but(_HANDLED)
    tables: ClassVar[dict[str, str]] = {
        "dyn_centres": CLOSURE,
        "dyn_cases": "case_id TEXT PRIMARY KEY, centre_id TEXT NOT NULL, centre_path TEXT NOT NULL",
        "dyn_facts": (
            "position BIGINT PRIMARY KEY, case_id TEXT NOT NULL, kind TEXT NOT NULL, "
            "day TEXT NOT NULL, category TEXT, primary_cause TEXT, flags TEXT, "
            "household_size INTEGER, closure_status TEXT, computed_category TEXT, "
            "override_reason TEXT, actor TEXT NOT NULL"
        ),
        "dyn_incomes": (
            "record_id TEXT PRIMARY KEY, position BIGINT NOT NULL, case_id TEXT NOT NULL, "
            "month TEXT NOT NULL, household_size INTEGER NOT NULL, income_fen BIGINT NOT NULL, "
            "hardship_costs_fen BIGINT NOT NULL, members INTEGER NOT NULL, "
            "employed INTEGER NOT NULL, day TEXT NOT NULL, corrects TEXT, replaced_by TEXT, "
            "CHECK (income_fen >= 0 AND hardship_costs_fen >= 0)"
        ),
        "dyn_settings": SETTINGS,
    }
    indexes: ClassVar[list[tuple[str, str]]] = [
        ("dyn_cases", "centre_id"),
        ("dyn_facts", "case_id, day"),
        ("dyn_facts", "day"),
        ("dyn_incomes", "case_id, month"),
    ]

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        t = {base: self.table(base, generation) for base in self.tables}
        keep_settings(self, cursor, t["dyn_settings"], batch, JUDGED_BY)
        named = {str(e.__dict__["corrects"]) for _, e in batch if _is_correction(e)}
        incomes = self.rows_by_key(cursor, t["dyn_incomes"], "record_id", named)
        moved = {str(e.originator_id) for _, e in batch if isinstance(e, Case.Transferred)}
        cases = self.rows_by_key(cursor, t["dyn_cases"], "case_id", moved)
        facts: list[dict[str, Any]] = []
        closure: list[tuple[str, str]] = []
        for position, event in batch:
            f = event.__dict__
            if isinstance(event, Centre.Created):
                closure += closure_rows(event)
            elif isinstance(event, Case.Registered | Case.Transferred):  # 转档: the scope moves
                cid, path = str(event.originator_id), ",".join(map(str, f["centre_path"]))
                centre = f["centre_id"] if isinstance(event, Case.Registered) else f["to_centre_id"]
                cases[cid] = {"case_id": cid, "centre_id": str(centre), "centre_path": path}
            if isinstance(event, _FACTS):
                facts.append(_fact(position, event))
            elif isinstance(event, _INCOMES):
                row = _income(position, event)
                incomes[row["record_id"]] = row
                if row["corrects"] in incomes:
                    incomes[row["corrects"]]["replaced_by"] = row["record_id"]
        upsert(self, cursor, t["dyn_cases"], "case_id", list(cases.values()))
        upsert(self, cursor, t["dyn_facts"], "position", facts)
        upsert(self, cursor, t["dyn_incomes"], "record_id", list(incomes.values()))
        insert_tree(self, cursor, t["dyn_centres"], closure)


def _is_correction(event: object) -> bool:
    return isinstance(event, IncomeBook.IncomeCorrected)


def _fact(position: int, event: Case.Event) -> dict[str, Any]:
    f = event.__dict__
    row: dict[str, Any] = dict.fromkeys(FACT_COLUMNS)
    row |= {"position": position, "case_id": str(event.originator_id), "actor": f["actor"]}
    row["day"] = f["business_date"].isoformat()
    if isinstance(event, Case.Registered | Case.Reassessed):
        review = f.get("review") or {}
        row |= {
            "kind": FILED if isinstance(event, Case.Registered) else REVIEWED,
            "category": f["category"],
            "primary_cause": f["primary_cause"],
            "flags": ",".join(f["flags"]),
            "household_size": f["household_size"],
            "computed_category": review.get("computed_category"),
            "override_reason": review.get("override_reason") or None,
        }
    elif isinstance(event, Case.Closed):
        row |= {"kind": CLOSED, "closure_status": ClosureReason(f["reason"]).status.value}
    else:
        row["kind"] = REOPENED
    return row


def _income(position: int, event: IncomeBook.Event) -> dict[str, Any]:
    f = event.__dict__
    corrects = f.get("corrects")
    return {
        "record_id": str(f["record_id"]),
        "position": position,
        "case_id": str(f["case_id"]),
        "month": f["month"],
        "household_size": f["household_size"],
        "income_fen": f["income_fen"],
        "hardship_costs_fen": f["hardship_costs_fen"],
        "members": len(f["members"]),
        "employed": sum(1 for m in f["members"] if m["employed"]),
        "day": f["business_date"].isoformat(),
        "corrects": str(corrects) if corrects else None,
        "replaced_by": None,
    }
