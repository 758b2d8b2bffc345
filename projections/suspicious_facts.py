"""The facts the suspicious-payments view keeps per payment and per household year, derived
from a household's payments, closures and filing, and judged by the policy in force."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

from eventsourcing.domain import AggregateEvent

from domain.policy import PolicyBook
from domain.vocabulary import AssistanceType
from projections.suspicious_standards import judge_payment, year_cap

# the assistance types whose yearly total per household a standard caps
CAPPED_YEARLY = (AssistanceType.LIVING_RELIEF.value, AssistanceType.TEMPORARY_RELIEF.value)
Before = tuple[int | None, int, int]  # a payment's gap, and whether it was late, a repeat
FLAGS = (("late", 1, "late_found"), ("repeat", 2, "repeat_found"))


def counted(
    payments: dict[str, dict[str, Any]], before: dict[str, Before]
) -> list[tuple[str, str, int, int]]:
    """How the counts of payments change: by lateness ("lag", each new payment once) and by
    gap ("gap": a payment whose gap changed moves from one count to the other), and those
    found late or repeated by the policy in force ("late", "repeat": days 1)."""
    change: dict[tuple[str, str, int], int] = {}

    def count(kind: str, path: str, days: int | None, n: int) -> None:
        if days is not None:
            for key in ((kind, centre, days) for centre in (*path.split(","), "*")):
                change[key] = change.get(key, 0) + n

    for pid, p in payments.items():
        was: Before = before.get(pid, (None, 0, 0))
        if pid not in before:
            count("lag", p["centre_path"], p["lag_days"], 1)
        if was[0] != p["gap_days"]:
            count("gap", p["centre_path"], was[0], -1)
            count("gap", p["centre_path"], p["gap_days"], 1)
        for kind, n, flag in FLAGS:
            if was[n] != p[flag]:
                count(kind, p["centre_path"], 1, p[flag] - int(was[n] or 0))
    return [(*key, n) for key, n in change.items() if n]


def made(
    payment_id: str, position: int, event: AggregateEvent, case: dict[str, Any]
) -> dict[str, Any]:
    """A new payment's row: the household's category as it stood when the payment was made."""
    f = event.__dict__
    day: date = f["business_date"]
    return {
        "payment_id": payment_id,
        "position": position,
        "case_id": str(f["case_id"]),
        "centre_id": str(f["centre_id"]),
        "centre_path": ",".join(str(c) for c in f["centre_path"]),
        "assistance_type": f["assistance_type"],
        "amount_fen": f["amount_fen"],
        "business_date": day.isoformat(),
        "category": case.get("category"),
        "lag_days": (event.timestamp.date() - day).days,
        "reversals": 0,
        "first_reversal": None,
        "live": 1,
        "filed_on": None,
        "before_filing": 0,
        "closed_on": None,
        "prev_payment_id": None,
        "prev_position": None,
        "gap_days": None,
        "late_found": 0,
        "repeat_found": 0,
        "above_cap": 0,
        "schedule_id": str(f["schedule_id"]) if f.get("schedule_id") else None,
    }


def derive(
    payments: dict[str, dict[str, Any]],
    statuses: list[dict[str, Any]],
    cases: dict[str, dict[str, Any]],
    book: PolicyBook,
) -> list[dict[str, Any]]:
    """Set what depends on a household's other events and on the policy on each of its
    payments (filing, closure in force, the previous live payment of the kind, the findings
    of the policy in force); return its yearly totals with their standards."""
    by_case: dict[str, list[dict[str, Any]]] = {}
    for p in sorted(payments.values(), key=lambda p: p["position"]):
        by_case.setdefault(p["case_id"], []).append(p)
    changes: dict[str, list[tuple[str, bool]]] = {}
    for s in sorted(statuses, key=lambda s: (s["business_date"], s["position"])):
        changes.setdefault(s["case_id"], []).append((s["business_date"], bool(s["closed"])))
    years: dict[tuple[str, str, int], dict[str, Any]] = {}
    for case_id, paid in by_case.items():
        filed_on = cases.get(case_id, {}).get("filed_on")
        kinds: dict[str, list[dict[str, Any]]] = {}
        for p in paid:
            p["filed_on"] = filed_on
            p["before_filing"] = int(filed_on is not None and p["business_date"] < filed_on)
            closed_on = None
            for day, closed in changes.get(case_id, []):
                if day <= p["business_date"]:
                    closed_on = day if closed else None
            p["closed_on"] = closed_on
            p["prev_payment_id"] = p["prev_position"] = p["gap_days"] = None
            if p["live"]:
                kinds.setdefault(p["assistance_type"], []).append(p)
                if p["assistance_type"] in CAPPED_YEARLY:
                    _add_to_year(years, p, book)
        for same in kinds.values():
            same.sort(key=lambda p: (p["business_date"], p["position"]))
            for a, b in pairwise(same):
                if a["schedule_id"] is not None and a["schedule_id"] == b["schedule_id"]:
                    continue  # a recurring subsidy's months (定期生活补助) repeat by design
                gap = date.fromisoformat(b["business_date"]) - date.fromisoformat(
                    a["business_date"]
                )
                b["prev_payment_id"], b["prev_position"] = a["payment_id"], a["position"]
                b["gap_days"] = gap.days
        for p in paid:
            judge_payment(book, p)
    for year in years.values():
        year["above"] = int(year["cap_fen"] is not None and year["total_fen"] > year["cap_fen"])
    return list(years.values())


def _add_to_year(
    years: dict[tuple[str, str, int], dict[str, Any]], p: dict[str, Any], book: PolicyBook
) -> None:
    """Payments come in log order: the first one's category is the year's."""
    key = (p["case_id"], p["assistance_type"], int(p["business_date"][:4]))
    if key not in years:
        years[key] = {
            "case_id": key[0],
            "assistance_type": key[1],
            "year": key[2],
            "centre_id": p["centre_id"],
            "category": p["category"],
            "total_fen": 0,
            "first_position": p["position"],
            "cap_fen": year_cap(book, p, key[2]),
            "above": 0,
        }
    years[key]["total_fen"] += p["amount_fen"]
