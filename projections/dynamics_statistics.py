"""The archive's statistics beyond money (统计), per centre subtree and period, from the dynamics
view's facts: active households at the period's end by category, primary cause and flag, and
its 零就业家庭 with a member employed by their latest income record; what happened in the period
(filed, reviewed, overridden, exited, cancelled, reopened); the reviews that recorded another
category than their figures gave, with the reason (for supervisors); and all of it, with the
referrals' counts, as rows of a spreadsheet."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.incomes import month_of
from domain.vocabulary import ZH, CaseStatus, Category, Cause, HouseholdFlag, ReferralDecision, Term
from projections.dynamics import CLOSED, FILED, REOPENED, REVIEWED, DynamicsView
from projections.dynamics_lists import ACTIVE, households, scope
from projections.report_tables import reading

FLOWS = {
    "filed": "建档",
    "reviewed": "复核",
    "overridden": "复核类别人工调整",
    "exited": "脱困/解困（转入脱困库）",
    "cancelled": "退档/注销",
    "reopened": "返困重启",
}


def overrides(
    view: DynamicsView, centre_id: str | None, date_from: date | None, date_to: date
) -> list[dict[str, Any]]:
    """The subtree's reviews in the period that recorded another category than their figures
    gave (an override), with who recorded it and why; oldest first."""
    with reading(view) as r:
        where, params = scope(r, centre_id)
        return r.rows(
            "SELECT f.case_id, c.centre_id, f.day AS reviewed_on, f.computed_category, "
            "f.category, f.override_reason AS reason, f.actor "
            f"FROM {r.table('dyn_facts')} f JOIN {r.table('dyn_cases')} c "
            f"ON c.case_id = f.case_id WHERE {where} AND f.kind = %s "
            "AND f.override_reason IS NOT NULL AND f.day >= %s AND f.day <= %s "
            "ORDER BY f.day, f.position",
            [*params, REVIEWED, (date_from or date.min).isoformat(), date_to.isoformat()],
        )


def statistics(
    view: DynamicsView, centre_id: str | None, date_from: date | None, date_to: date
) -> dict[str, Any]:
    """The subtree's archive on ``date_to``: active households by category, primary cause and
    flag, and the 零就业家庭 among them with a member employed by their latest income record;
    and what happened in the period: filed, reviewed (overridden), exited, cancelled, reopened."""
    with reading(view) as r:
        held = households(r, centre_id, date_to)
        where, params = scope(r, centre_id)
        period = [(date_from or date.min).isoformat(), date_to.isoformat()]
        happened = r.rows(
            f"SELECT f.kind, f.closure_status, f.override_reason FROM {r.table('dyn_facts')} f "
            f"JOIN {r.table('dyn_cases')} c ON c.case_id = f.case_id "
            f"WHERE {where} AND f.day >= %s AND f.day <= %s",
            [*params, *period],
        )
        latest = {
            row["case_id"]: row
            for row in r.rows(
                f"SELECT i.case_id, i.members, i.employed FROM {r.table('dyn_incomes')} i "
                f"JOIN {r.table('dyn_cases')} c ON c.case_id = i.case_id "
                f"WHERE {where} AND i.replaced_by IS NULL AND i.month <= %s "
                "ORDER BY i.case_id, i.month",
                [*params, month_of(date_to)],
            )
        }
    active = [h for h in held.values() if h.status == ACTIVE]
    zero = [h for h in active if HouseholdFlag.ZERO_EMPLOYMENT_FAMILY.value in h.flags]
    employed = [h for h in zero if h.case_id in latest and latest[h.case_id]["employed"] > 0]
    return {
        "households": len(active),
        "by_category": _counts(Category, [h.category for h in active]),
        "by_cause": _counts(Cause, [h.primary_cause for h in active]),
        "by_flag": _counts(HouseholdFlag, [f for h in active for f in h.flags]),
        "flow": _flows(happened),
        "zero_employment": {"households": len(zero), "with_member_employed": len(employed)},
    }


def _counts(terms: type[Term], values: list[str]) -> list[dict[str, Any]]:
    return [{"key": t.value, "zh": t.zh, "households": values.count(t.value)} for t in terms]


def _flows(facts: list[dict[str, Any]]) -> dict[str, int]:
    kinds = [f["kind"] for f in facts]
    closures = [f["closure_status"] for f in facts if f["kind"] == CLOSED]
    return {
        "filed": kinds.count(FILED),
        "reviewed": kinds.count(REVIEWED),
        "overridden": sum(1 for f in facts if f["kind"] == REVIEWED and f["override_reason"]),
        "exited": closures.count(CaseStatus.EXITED.value),
        "cancelled": closures.count(CaseStatus.CANCELLED.value),
        "reopened": kinds.count(REOPENED),
    }


_SECTIONS = {
    "by_category": "困难类别",
    "by_cause": "主要致困原因",
    "by_flag": "家庭标识",
}
OUTCOMES = ["made", "open", *(d.value for d in ReferralDecision), "withdrawn"]


def flat(found: dict[str, Any], referrals: dict[str, Any]) -> list[dict[str, Any]]:
    """The statistics as rows of a spreadsheet: section, item, their Chinese names, count."""
    rows = [_row("households", "在档户数", "active", "在档", found["households"])]
    for section, zh in _SECTIONS.items():
        rows += [_row(section, zh, c["key"], c["zh"], c["households"]) for c in found[section]]
    rows += [_row("flow", "本期动态", k, FLOWS[k], n) for k, n in found["flow"].items()]
    zero = found["zero_employment"]
    rows += [
        _row("zero_employment", "零就业家庭", "households", "户数", zero["households"]),
        _row(
            "zero_employment",
            "零就业家庭",
            "with_member_employed",
            "已有成员就业",
            zero["with_member_employed"],
        ),
    ]
    for c in referrals["rows"]:
        for o in OUTCOMES:
            zh = "转介数" if o == "made" else ZH[o]  # where they stand: the vocabulary's words
            rows.append(
                _row("referrals", "转介", f"{c['channel']}:{o}", f"{c['channel_zh']}·{zh}", c[o])
            )
    return rows


def _row(section: str, section_zh: str, item: str, item_zh: str, count: int) -> dict[str, Any]:
    return {
        "section": section,
        "section_zh": section_zh,
        "item": item,
        "item_zh": item_zh,
        "count": count,
    }
