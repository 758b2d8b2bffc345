"""Compliance checks recomputed from the events: matching, suspicious payments, earmarks."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from domain.cases import Case
from domain.centres import Centre
from domain.funds import Fund
from domain.payments import Payment
from supervision.records import Record, is_, of

MATCH_SOURCES = {
    "province": ["provincial_match"],
    "prefecture": ["provincial_match", "municipal_match"],
    "county": ["provincial_match", "municipal_match", "county_match"],
}


@dataclass(frozen=True)
class Standards:
    """Dated policy data (differs by place and year), with this city's values as defaults."""

    dibao_lines_fen: Sequence[tuple[str, int]] = (("2020-01-01", 70_000), ("2025-01-01", 79_000))
    living_relief_months: dict[str, int] = field(
        default_factory=lambda: {"deep_hardship": 12, "relative_hardship": 8}
    )
    accident_aid_cap_fen: int = 10_000_00
    education_aid_cap_fen: int = 10_000_00
    repeat_window_days: int = 30
    late_recording_days: int = 30

    @classmethod
    def from_file(cls, path: Path, **overrides: Any) -> Standards:
        """Policy data from a JSON file: {"dibao_lines_fen": [["2026-01-01", 82000], ...],
        "living_relief_months": {...}, "accident_aid_cap_fen": ..., ...}."""
        data = json.loads(path.read_text())
        if "dibao_lines_fen" in data:
            data["dibao_lines_fen"] = tuple((str(d), int(f)) for d, f in data["dibao_lines_fen"])
        return cls(**(data | overrides))

    def dibao_line(self, on: str) -> int:
        return [fen for since, fen in sorted(self.dibao_lines_fen) if since <= on][-1]


def matching(records: Sequence[Record], ratio: tuple[int, int] = (1, 1)) -> list[dict[str, Any]]:
    """Per centre and fiscal year: central money received against the matching received."""
    levels = {r["id"]: r["level"] for r in records if is_(r, Centre.Created)}
    names = {r["id"]: r["name"] for r in records if is_(r, Centre.Created)}
    funds = {r["id"]: r for r in records if is_(r, Fund.Opened)}
    received: dict[tuple[str, int, str], int] = defaultdict(int)
    for r in records:
        if is_(r, Fund.Received, Fund.AllocatedIn) and r["id"] in funds:
            f = funds[r["id"]]
            received[(f["centre_id"], f["fiscal_year"], f["source"])] += r["amount_fen"]
    rows = []
    for (centre, year), central in sorted(
        {(c, y): v for (c, y, s), v in received.items() if s == "central_special_fund"}.items()
    ):
        for source in MATCH_SOURCES.get(levels.get(centre, ""), []):
            got = received.get((centre, year, source), 0)
            required = central * ratio[1] // ratio[0]
            rows.append(
                {
                    "centre_id": centre,
                    "centre_name": names.get(centre, ""),
                    "level": levels.get(centre),
                    "fiscal_year": year,
                    "central_received_fen": central,
                    "match_source": source,
                    "required_fen": required,
                    "received_fen": got,
                    "shortfall_fen": max(0, required - got),
                }
            )
    return rows


def earmarks(records: Sequence[Record]) -> dict[str, Any]:
    """No fund paid outside its earmark, and money only moved down (or back up) its own tree.

    A movement is checked only when the records hold the openings it is judged by (a period may
    leave them out); one that cannot be checked is neither counted nor reported."""
    funds = {r["id"]: r for r in records if is_(r, Fund.Opened)}
    violations: list[dict[str, Any]] = []
    payments = movements = 0
    for r in records:
        fund = funds.get(r["id"])
        if is_(r, Fund.Disbursed) and fund is not None:
            payments += 1
            if r["assistance_type"] not in fund["purposes"]:
                violations.append(
                    {
                        "position": r["position"],
                        "fund_id": r["id"],
                        "problem": f"paid {r['assistance_type']} outside the earmark",
                    }
                )
        elif (is_(r, Fund.AllocatedOut) and r["to_fund_id"] in funds) or (
            is_(r, Fund.Returned) and fund is not None
        ):
            movements += 1
            target = r["to_fund_id"]
            ok = (
                funds.get(target, {}).get("parent_fund_id") == r["id"]
                if is_(r, Fund.AllocatedOut)
                else target == (fund or {}).get("parent_fund_id")
            )
            if target is not None and not ok:
                violations.append(
                    {
                        "position": r["position"],
                        "fund_id": r["id"],
                        "problem": f"money moved to {target}, outside its own tree",
                    }
                )
    return {
        "payments_checked": payments,
        "transfers_checked": movements,
        "violations": violations,
        "summary": "none found" if not violations else f"{len(violations)} found",
    }


def suspicious(
    records: Sequence[Record], standards: Standards | None = None
) -> list[dict[str, Any]]:
    """Payments an auditor should look at, each finding naming the events behind it."""
    std = standards or Standards()
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
        if is_(r, Case.Registered, Case.Reassessed):
            case["category"] = r["category"]
        elif is_(r, Case.Closed):
            case["closed"].append((r["business_date"], r["position"]))
        elif is_(r, Case.Reopened):
            case["closed"].append((r["business_date"], None))
        elif is_(r, Payment.Made):
            paid.append(r | {"category": cases.get(r["case_id"], {}).get("category")})
        elif is_(r, Payment.Reversed):
            reversals[r["id"]].append(r)
    live = [p for p in paid if not reversals.get(p["id"])]
    findings = _repeats(live, std) + _above_standard(live, std)
    findings += _outside_case_life(paid, cases) + _late(paid, std)
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


def _finding(rule: str, payments: Sequence[Record], detail: str) -> dict[str, Any]:
    return {
        "rule": rule,
        "case_id": payments[0]["case_id"],
        "payment_ids": [p["id"] for p in payments],
        "positions": [p["position"] for p in payments],
        "detail": detail,
    }


def _repeats(paid: Sequence[Record], std: Standards) -> list[dict[str, Any]]:
    by_key: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for p in paid:
        by_key[(p["case_id"], p["assistance_type"])].append(p)
    out = []
    for (_, kind), ps in by_key.items():
        ps.sort(key=lambda p: (p["business_date"], p["position"]))
        for a, b in pairwise(ps):
            gap = (
                date.fromisoformat(b["business_date"]) - date.fromisoformat(a["business_date"])
            ).days
            if gap <= std.repeat_window_days:
                out.append(
                    _finding("repeat_within_window", [a, b], f"{kind} paid twice {gap} days apart")
                )
    return out


def _above_standard(paid: Sequence[Record], std: Standards) -> list[dict[str, Any]]:
    out = []
    yearly: dict[tuple[str, str, int], list[Record]] = defaultdict(list)
    for p in paid:
        yearly[(p["case_id"], p["assistance_type"], int(p["business_date"][:4]))].append(p)
        if p["assistance_type"] == "education_aid" and p["amount_fen"] > std.education_aid_cap_fen:
            out.append(_finding("above_standard", [p], "education aid above the cap per student"))
    for (_, kind, year), ps in yearly.items():
        total = sum(p["amount_fen"] for p in ps)
        category = ps[0]["category"]
        cap = None
        if kind == "living_relief" and category in std.living_relief_months:
            cap = std.living_relief_months[category] * std.dibao_line(f"{year}-12-31")
        elif kind == "temporary_relief" and category == "accident_induced":
            cap = std.accident_aid_cap_fen
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


def _late(paid: Sequence[Record], std: Standards) -> list[dict[str, Any]]:
    out = []
    for p in paid:
        recorded = datetime.fromisoformat(p["recorded_at"]).date()
        lag = (recorded - date.fromisoformat(p["business_date"])).days
        if lag > std.late_recording_days:
            out.append(
                _finding(
                    "recorded_late",
                    [p],
                    f"recorded {lag} days after its business date {p['business_date']}",
                )
            )
    return out
