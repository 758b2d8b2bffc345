"""The checks of suspicious payments as queries over the suspicious view: the findings of the
local policy in force, stored per payment and per household year; or a window or lateness that
one request applies everywhere (a what-if), to the days stored per payment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from math import isqrt
from typing import Any

from projections.report_tables import Page, Reader, cursor_parts, in_subtree, limit_to, reading
from projections.suspicious import SuspiciousView
from projections.suspicious_standards import LIVING, TEMPORARY, Lens

Row = dict[str, Any]
Finding = dict[str, Any]


def _one(rule: str, detail: str) -> Callable[[Row], Finding]:
    """The finding a payment makes under ``rule``; ``detail`` is filled from its row."""
    return lambda p: {
        "rule": rule,
        "case_id": p["case_id"],
        "payment_ids": [p["payment_id"]],
        "positions": [p["position"]],
        "detail": detail.format_map(p),
    }


def _repeat(p: Row) -> Finding:
    return {
        "rule": "repeat_within_window",
        "case_id": p["case_id"],
        "payment_ids": [p["prev_payment_id"], p["payment_id"]],
        "positions": [p["prev_position"], p["position"]],
        "detail": f"{p['assistance_type']} paid twice {p['gap_days']} days apart",
    }


def _reversals(p: Row) -> Finding:
    return {
        "rule": "reversal_of_reversal",
        "payment_id": p["payment_id"],
        "case_id": None,
        "positions": p["reversal_positions"],
        "detail": f"payment reversed {p['reversals']} times",
    }


@dataclass(frozen=True)
class Simple:
    """A rule decided on each payment's row alone: the condition on the row ``p`` and its
    parameters, the column its findings are read in order of, and the finding a row makes."""

    where: str
    finding: Callable[[Row], Finding]
    params: list[Any] = field(default_factory=list)
    order: str = "position"


class Checks:
    """Each rule's findings after a position, in the order of their first log position, and
    how many there are, for one centre subtree (or the whole ledger), by the policy in force
    or with the window or lateness a request applies everywhere."""

    def __init__(
        self, r: Reader, lens: Lens, centre_id: str | None, gather: int | None = None
    ) -> None:
        self.r, self.centre_id, self.gather = r, centre_id, gather
        self.payments = r.table("susp_payments")
        self.counted: dict[str, int] = {}  # by counts(): findings by rule, and payments
        late, window = lens.late_recording_days, lens.repeat_window_days
        # rules whose findings the view counts by days: (kind, condition on the days, params)
        self.by_days: dict[str, tuple[str, str, list[Any]]] = {
            "recorded_late": ("lag", "days > %s", [late])
            if late is not None
            else ("late", "days = 1", []),
            "repeat_within_window": ("gap", "days <= %s", [window])
            if window is not None
            else ("repeat", "days = 1", []),
        }
        self.simple: dict[str, Simple] = {
            "after_closure": Simple(
                "p.closed_on IS NOT NULL",
                _one("after_closure", "paid {business_date}, after the case closed on {closed_on}"),
            ),
            "before_filing": Simple(
                "p.before_filing = 1",
                _one(
                    "before_filing", "paid {business_date}, before the case was filed on {filed_on}"
                ),
            ),
            "recorded_late": Simple(
                "p.lag_days > %s" if late is not None else "p.late_found = 1",
                _one(
                    "recorded_late",
                    "recorded {lag_days} days after its business date {business_date}",
                ),
                [late] if late is not None else [],
            ),
            "repeat_within_window": Simple(
                "p.gap_days <= %s" if window is not None else "p.repeat_found = 1",
                _repeat,
                [window] if window is not None else [],
                "prev_position",
            ),
            "education_above_cap": Simple(
                "p.above_cap = 1", _one("above_standard", "education aid above the cap per student")
            ),
            "reversal_of_reversal": Simple("p.reversals > 1", _reversals, order="first_reversal"),
        }

    def _scope(self, column: str) -> tuple[str, list[Any]]:
        if self.centre_id is None:
            return "", []
        return " AND " + in_subtree(column, self.r.table("susp_tree")), [self.centre_id]

    def counts(self) -> dict[str, int]:
        """How many findings of each rule there are in all (one statement); kept, with how
        many payments there are, to choose how to read each rule's pages."""
        counts = {rule: self._count(rule) for rule in RULES}
        counts["payments"] = self._days("lag", "1 = 1", [])
        row = self.r.one(
            "SELECT " + ", ".join(f"{sql} AS {name}" for name, (sql, _) in counts.items()),
            [p for _, params in counts.values() for p in params],
        )
        self.counted = {name: int(row[name]) for name in counts}
        return {rule: self.counted[rule] for rule in RULES}

    def _days(self, kind: str, condition: str, params: list[Any]) -> tuple[str, list[Any]]:
        """Payments counted by days (lateness or gap) meeting ``condition``, in the scope."""
        return (
            "(SELECT CAST(COALESCE(SUM(payments), 0) AS BIGINT) "
            f"FROM {self.r.table('susp_days')} WHERE kind = %s AND centre_id = %s AND {condition})"
        ), [kind, self.centre_id or "*", *params]

    def _count(self, rule: str) -> tuple[str, list[Any]]:
        """A scalar SQL expression counting the rule's findings, and its parameters."""
        if rule in self.by_days:
            return self._days(*self.by_days[rule])
        if rule == "above_standard":
            years, params = self._years_sql()
            education, more = self._count("education_above_cap")
            return f"((SELECT COUNT(*) FROM ({years}) c) + {education})", params + more
        simple, (scope, more) = self.simple[rule], self._scope("p.centre_id")
        return (
            f"(SELECT COUNT(*) FROM {self.payments} p WHERE {simple.where}{scope})",
            simple.params + more,
        )

    def page(self, rule: str, after: int, limit: int | None) -> list[Finding]:
        """The rule's findings whose first position is past ``after``, at most ``limit``."""
        if rule == "above_standard":
            found = self.page("education_above_cap", after, limit) + self._years(after, limit)
            found.sort(key=lambda f: f["positions"])
            return found[:limit] if limit is not None else found
        simple = self.simple[rule]
        rows = self._rows(rule, simple.where, simple.params, simple.order, after, limit)
        if rule == "reversal_of_reversal":
            for p in rows:
                p["reversal_positions"] = [
                    row["position"]
                    for row in self.r.rows(
                        f"SELECT position FROM {self.r.table('susp_reversals')} "
                        "WHERE payment_id = %s ORDER BY position",
                        [p["payment_id"]],
                    )
                ]
        return [simple.finding(p) for p in rows]

    def _rows(
        self, rule: str, where: str, params: list[Any], order: str, after: int, limit: int | None
    ) -> list[Row]:
        """Payments meeting ``where`` past ``after`` in ``order``, read so that a page costs
        about a page: F findings among P payments are gathered whole and sorted while F is at
        most sqrt(page x P) (reading them in order would scan about page x P / F rows); else
        read in order (in a subtree of a few centres, each centre's first by its own index)."""
        tail, cap = limit_to(limit)
        scope, more = self._scope("p.centre_id")
        one = f"SELECT p.* FROM {self.payments} p WHERE {where} AND p.{order} > %s{scope}"
        found = self.counted.get(rule, self.counted["above_standard"])
        gather = self.gather
        if gather is None:
            gather = found if limit is None else isqrt(limit * self.counted["payments"])
        if found <= gather:
            return self.r.rows(
                f"WITH m AS MATERIALIZED ({one}) SELECT * FROM m ORDER BY {order}{tail}",
                [*params, after, *more, *cap],
            )
        if self.centre_id is not None and order in ("position", "prev_position"):
            centres = [
                row["centre_id"]
                for row in self.r.rows(
                    f"SELECT centre_id FROM {self.r.table('susp_tree')} WHERE ancestor_id = %s",
                    [self.centre_id],
                )
            ]
            if len(centres) <= 16:
                each = f"SELECT p.* FROM {self.payments} p WHERE {where} AND p.{order} > %s"
                branches = " UNION ALL ".join(
                    f"SELECT * FROM ({each} AND p.centre_id = %s ORDER BY p.{order}{tail}) b{n}"
                    for n in range(len(centres))
                )
                return self.r.rows(
                    f"{branches} ORDER BY {order}{tail}",
                    [v for c in centres for v in (*params, after, c, *cap)] + cap,
                )
        return self.r.rows(f"{one} ORDER BY p.{order}{tail}", [*params, after, *more, *cap])

    def _years_sql(self) -> tuple[str, list[Any]]:
        """Households' yearly totals of a capped kind above their standard, with the cap."""
        scope, more = self._scope("y.centre_id")
        return (
            f"SELECT * FROM (SELECT y.*, y.cap_fen AS cap FROM {self.r.table('susp_years')} y "
            f"WHERE y.above = 1{scope}) s WHERE s.assistance_type IN (%s, %s)"
        ), [*more, LIVING, TEMPORARY]

    def _years(self, after: int, limit: int | None) -> list[Finding]:
        sql, params = self._years_sql()
        rows = self.r.rows(
            f"{sql} AND s.first_position > %s ORDER BY s.first_position" + limit_to(limit)[0],
            [*params, after, *limit_to(limit)[1]],
        )
        paid: dict[tuple[str, str, int], list[Row]] = {}
        cases = sorted({y["case_id"] for y in rows})
        for start in range(0, len(cases), 500):
            chunk = cases[start : start + 500]
            for p in self.r.rows(
                "SELECT payment_id, position, case_id, assistance_type, business_date "
                f"FROM {self.payments} WHERE live = 1 AND assistance_type IN (%s, %s) "
                f"AND case_id IN ({', '.join(['%s'] * len(chunk))}) ORDER BY position",
                [LIVING, TEMPORARY, *chunk],
            ):
                key = (p["case_id"], p["assistance_type"], int(p["business_date"][:4]))
                paid.setdefault(key, []).append(p)
        found = []
        for y in rows:
            ps = paid[(y["case_id"], y["assistance_type"], y["year"])]
            found.append(
                {
                    "rule": "above_standard",
                    "case_id": y["case_id"],
                    "payment_ids": [p["payment_id"] for p in ps],
                    "positions": [p["position"] for p in ps],
                    "detail": f"{y['assistance_type']} of {y['total_fen']} fen in {y['year']} "
                    f"is above the {y['cap']} fen standard for {y['category']}",
                }
            )
        return found


RULES = (
    "above_standard",
    "after_closure",
    "before_filing",
    "recorded_late",
    "repeat_within_window",
    "reversal_of_reversal",
)


def suspicious(
    view: SuspiciousView,
    lens: Lens,
    centre_id: str | None = None,
    limit: int | None = None,
    after: str | None = None,
    gather: int | None = None,
) -> Page:
    """The findings of ``supervision.compliance.suspicious`` in its order (rule, then log
    positions), by the policy in force or through ``lens`` (a window or lateness applied
    everywhere), a page after the cursor ``after``, with how many there are of each rule; a
    rule with at most ``gather`` findings (by default as many as cost what reading them in
    order would) is read whole and sorted, one with more in order."""
    start = cursor_parts(after, RULES, "the suspicious payments")
    with reading(view) as r:
        checks = Checks(r, lens, centre_id, gather)
        counts = checks.counts()
        found: list[Finding] = []
        for rule in RULES:
            if start is not None and rule < start[0]:
                continue
            wanted = None if limit is None else limit + 1 - len(found)
            if wanted is not None and wanted <= 0:
                break
            found += checks.page(rule, start[1] if start and rule == start[0] else -1, wanted)
    more = limit is not None and len(found) > limit
    found = found[:limit] if limit is not None else found
    last = found[-1] if found else None
    return Page(
        found,
        sum(counts.values()),
        f"{last['rule']}:{last['positions'][0]}" if more and last else None,
        counts,
    )
