"""Compliance checks recomputed from the events: matching (supervision/matching.py),
suspicious payments, earmarks.

Each check applies the local policy the events themselves record (domain/policy.py): the value
in force at the centre concerned on the business date of the fact checked, or on the last day
of its year for a yearly figure; the built-in defaults where nothing was recorded. The rules,
and what a package that holds part of the ledger leaves unchecked rather than reports, are
written out in docs/audit-package.md."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from domain.cases import Case
from domain.funds import Fund
from domain.payments import Payment
from domain.policy import PolicyBook
from domain.policy_parameters import Parameter
from supervision.matching import MATCH_SOURCES, matching
from supervision.policy import (
    Limit,
    Standards,
    education_cap,
    limit,
    policy_book,
    yearly_cap,
)
from supervision.records import Record, is_, of

__all__ = [
    "MATCH_SOURCES",
    "Standards",
    "categories",
    "earmarks",
    "matching",
    "policy_book",
    "suspicious",
]
P = Parameter


def earmarks(records: Sequence[Record]) -> dict[str, Any]:
    """No fund paid outside its earmark, and money only moved down (or back up) its own tree.

    A movement is judged by the opening (``Fund.Opened``) of one fund: a payment and a return
    by the paying or returning fund's, an allocation by the receiving fund's. One whose opening
    is not among ``records`` (a scope may leave it out) is not judged: it is counted in
    ``not_checked``, never reported as a violation."""
    funds = {r["id"]: r for r in records if is_(r, Fund.Opened)}
    violations: list[dict[str, Any]] = []
    payments = movements = not_checked = 0
    for r in records:
        if not is_(r, Fund.Disbursed, Fund.AllocatedOut, Fund.Returned):
            continue
        judge = funds.get(r["to_fund_id"] if is_(r, Fund.AllocatedOut) else r["id"])
        if judge is None:
            not_checked += 1
        elif is_(r, Fund.Disbursed):
            payments += 1
            if r["assistance_type"] not in judge["purposes"]:
                violations.append(_violation(r, f"paid {r['assistance_type']} outside the earmark"))
        else:
            movements += 1
            target = r["to_fund_id"]
            ok = judge["parent_fund_id"] == (r["id"] if is_(r, Fund.AllocatedOut) else target)
            if target is not None and not ok:
                violations.append(_violation(r, f"money moved to {target}, outside its own tree"))
    return {
        "payments_checked": payments,
        "transfers_checked": movements,
        "not_checked": not_checked,
        "violations": violations,
        "summary": "none found" if not violations else f"{len(violations)} found",
    }


def _violation(r: Record, problem: str) -> dict[str, Any]:
    return {"position": r["position"], "fund_id": r["id"], "problem": problem}


def suspicious(
    records: Sequence[Record], standards: Standards | None = None
) -> list[dict[str, Any]]:
    """Payments an auditor should look at, each finding naming the events behind it, by the
    policy in force at each paying household's centre (or a window or lateness ``standards``
    applies everywhere)."""
    std = standards or Standards()
    book = policy_book(records)
    cases: dict[str, dict[str, Any]] = {}
    paid: list[Record] = []
    reversals: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        # a scope may cut a case's history in two (a period, say): a case may be closed or
        # reassessed here though it was filed before, so only its registration dates its filing
        if of(r, Case):
            case = cases.setdefault(r["id"], {"filed_on": None, "closed": []})
        if is_(r, Case.Registered):
            case["filed_on"] = r["business_date"]
        elif is_(r, Case.Closed):
            case["closed"].append((r["business_date"], r["position"]))
        elif is_(r, Case.Reopened):
            case["closed"].append((r["business_date"], None))
        elif is_(r, Payment.Made):
            paid.append(r)
        elif is_(r, Payment.Reversed):
            reversals[r["id"]].append(r)
    category = categories(records)
    paid = [p | {"category": category.get(p["id"])} for p in paid]
    live = [p for p in paid if not reversals.get(p["id"])]
    findings = _repeats(live, limit(book, P.REPEAT_WINDOW_DAYS, std.repeat_window_days))
    findings += _above_standard(live, book)
    findings += _outside_case_life(paid, cases)
    findings += _late(paid, limit(book, P.LATE_RECORDING_DAYS, std.late_recording_days))
    findings += [
        {
            "rule": "reversal_of_reversal",
            "payment_id": pid,
            "case_id": None,
            "positions": [r["position"] for r in rs],
            "detail": f"payment reversed {len(rs)} times",
        }
        for pid, rs in reversals.items()
        if len(rs) > 1
    ]
    return sorted(findings, key=lambda f: (f["rule"], f["positions"]))


def categories(records: Sequence[Record]) -> dict[str, str]:
    """The household's category when each payment was made, by payment id, where the records
    establish it: the category of the case's latest assessment (``Case.Registered`` or
    ``Case.Reassessed``) before its side of the payment (``Case.AssistanceReceived``), provided
    every event of the case between the two is among the records (a missing one might have
    been a reassessment). A payment whose category is not established is left out."""
    versions: dict[str, set[int]] = defaultdict(set)  # by aggregate id: ids are never shared
    assessed: dict[str, list[tuple[int, str]]] = defaultdict(list)
    received: list[Record] = []
    for r in records:
        versions[r["id"]].add(r["version"])
        if is_(r, Case.Registered, Case.Reassessed):
            assessed[r["id"]].append((r["version"], r["category"]))
        elif is_(r, Case.AssistanceReceived):
            received.append(r)
    found: dict[str, str] = {}
    for r in received:
        last = max((a for a in assessed[r["id"]] if a[0] < r["version"]), default=None)
        if last is not None and versions[r["id"]] >= set(range(last[0], r["version"])):
            found[r["payment_id"]] = last[1]
    return found


def _finding(rule: str, payments: Sequence[Record], detail: str) -> dict[str, Any]:
    return {
        "rule": rule,
        "case_id": payments[0]["case_id"],
        "payment_ids": [p["id"] for p in payments],
        "positions": [p["position"] for p in payments],
        "detail": detail,
    }


def _repeats(paid: Sequence[Record], window: Limit) -> list[dict[str, Any]]:
    by_key: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for p in paid:
        by_key[(p["case_id"], p["assistance_type"])].append(p)
    out = []
    for (_, kind), ps in by_key.items():
        ps.sort(key=lambda p: (p["business_date"], p["position"]))
        for a, b in pairwise(ps):
            if a.get("schedule_id") is not None and a.get("schedule_id") == b.get("schedule_id"):
                continue  # a recurring subsidy's months (定期生活补助) repeat by design
            gap = (
                date.fromisoformat(b["business_date"]) - date.fromisoformat(a["business_date"])
            ).days
            within = window(b)
            if within is not None and gap <= within:
                out.append(
                    _finding("repeat_within_window", [a, b], f"{kind} paid twice {gap} days apart")
                )
    return out


def _above_standard(paid: Sequence[Record], book: PolicyBook) -> list[dict[str, Any]]:
    out = []
    yearly: dict[tuple[str, str, int], list[Record]] = defaultdict(list)
    for p in paid:
        yearly[(p["case_id"], p["assistance_type"], int(p["business_date"][:4]))].append(p)
        if p["assistance_type"] == "education_aid":
            cap = education_cap(book, p)
            if cap is not None and p["amount_fen"] > cap:
                out.append(
                    _finding("above_standard", [p], "education aid above the cap per student")
                )
    for (_, kind, year), ps in yearly.items():
        total = sum(p["amount_fen"] for p in ps)
        category = ps[0]["category"]
        cap = yearly_cap(book, kind, category, ps[0]["centre_path"], year)
        if cap is not None and total > cap:
            out.append(
                _finding(
                    "above_standard",
                    ps,
                    f"{kind} of {total} fen in {year} is above "
                    f"the {cap} fen standard for {category}",
                )
            )
    return out


def _outside_case_life(paid: Sequence[Record], cases: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for p in paid:
        case = cases.get(p["case_id"])
        if case is None:
            continue
        if case["filed_on"] is not None and p["business_date"] < case["filed_on"]:
            out.append(
                _finding(
                    "before_filing",
                    [p],
                    f"paid {p['business_date']}, before the case was filed on {case['filed_on']}",
                )
            )
        closed_on = None
        for day, position in sorted(case["closed"], key=lambda c: c[0]):
            if day <= p["business_date"]:
                closed_on = day if position is not None else None
        if closed_on is not None:
            out.append(
                _finding(
                    "after_closure",
                    [p],
                    f"paid {p['business_date']}, after the case closed on {closed_on}",
                )
            )
    return out


def _late(paid: Sequence[Record], late: Limit) -> list[dict[str, Any]]:
    out = []
    for p in paid:
        recorded = datetime.fromisoformat(p["recorded_at"]).date()
        lag = (recorded - date.fromisoformat(p["business_date"])).days
        limit = late(p)
        if limit is not None and lag > limit:
            out.append(
                _finding(
                    "recorded_late",
                    [p],
                    f"recorded {lag} days after its business date {p['business_date']}",
                )
            )
    return out
