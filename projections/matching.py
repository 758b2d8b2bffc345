"""Matching (auditors): money each centre received per fiscal year and fund source, so that
each level's matching (省, 市, 县) can be set against the central money and upper levels'
matching it must match, at any ratio or at the share the local policy in force at the centre
requires (the view keeps the settings of that share); the rule is
``supervision.matching.matching``'s."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from domain.centres import Centre
from domain.errors import InvalidInputError
from domain.funds import Fund
from domain.policy_parameters import MATCHER_LEVEL, Parameter
from domain.vocabulary import FundSource
from projections.policy import SETTING_EVENTS, SETTINGS, keep_settings, matching_ratios
from projections.report_tables import (
    CLOSURE,
    Page,
    add_up,
    closure_rows,
    in_subtree,
    insert_tree,
    limit_to,
    reading,
    upsert,
)
from projections.view import Batch, View, every_event_but
from stores.sql import Cursor

CENTRAL = FundSource.CENTRAL_SPECIAL_FUND.value
Ratio = tuple[int, int] | Callable[[dict[str, Any]], tuple[int, int]]
"""Central : match, for every row or per row."""
SHARES = frozenset({Parameter.MATCHING_RATIO.value})


class MatchingView(View):
    """Centres with their level, the funds' centre, year and source, and what was received
    (appropriated or allocated in) per centre, fiscal year and source."""

    name = "matching"
    handles = (Centre.Created, Fund.Opened, Fund.Received, Fund.AllocatedIn, *SETTING_EVENTS)
    ignores = every_event_but(handles)
    tables: ClassVar[dict[str, str]] = {
        "match_centres": "centre_id TEXT PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL",
        "match_tree": CLOSURE,
        "match_funds": (
            "fund_id TEXT PRIMARY KEY, centre_id TEXT NOT NULL, fiscal_year INTEGER NOT NULL, "
            "source TEXT NOT NULL"
        ),
        "match_received": (
            "centre_id TEXT NOT NULL, fiscal_year INTEGER NOT NULL, source TEXT NOT NULL, "
            "received_fen BIGINT NOT NULL, PRIMARY KEY (centre_id, fiscal_year, source)"
        ),
        "match_settings": SETTINGS,  # the required shares set by centres (local policy)
    }
    indexes: ClassVar[list[tuple[str, str]]] = [("match_received", "source, centre_id")]

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        t = {base: self.table(base, generation) for base in self.tables}
        keep_settings(self, cursor, t["match_settings"], batch, SHARES)
        batch = [(p, e) for p, e in batch if not isinstance(e, SETTING_EVENTS)]
        moved = {str(e.originator_id) for _, e in batch if not isinstance(e, Centre.Created)}
        funds = self.rows_by_key(cursor, t["match_funds"], "fund_id", moved)
        centres: list[dict[str, Any]] = []
        closure: list[tuple[str, str]] = []
        new_funds: list[dict[str, Any]] = []
        received: dict[tuple[str, int, str], int] = {}
        for _, event in batch:
            f, oid = event.__dict__, str(event.originator_id)
            if isinstance(event, Centre.Created):
                centres.append({"centre_id": oid, "name": f["name"], "level": f["level"]})
                closure += closure_rows(event)
            elif isinstance(event, Fund.Opened):
                funds[oid] = {
                    "fund_id": oid,
                    "centre_id": str(f["centre_id"]),
                    "fiscal_year": f["fiscal_year"],
                    "source": f["source"],
                }
                new_funds.append(funds[oid])
            elif oid in funds:
                fund = funds[oid]
                key = (fund["centre_id"], fund["fiscal_year"], fund["source"])
                received[key] = received.get(key, 0) + f["amount_fen"]
        upsert(self, cursor, t["match_centres"], "centre_id", centres)
        upsert(self, cursor, t["match_funds"], "fund_id", new_funds)
        insert_tree(self, cursor, t["match_tree"], closure)
        add_up(
            self,
            cursor,
            t["match_received"],
            ["centre_id", "fiscal_year", "source"],
            ["received_fen"],
            ((*key, fen) for key, fen in received.items()),
        )


def matching(
    view: MatchingView,
    sources: Mapping[str, Sequence[str]],
    centre_id: str | None = None,
    ratio: Ratio | None = None,
    limit: int | None = None,
    after: str | None = None,
) -> Page:
    """Per centre, fiscal year and matching level, for each centre and year with central money:
    what the level had to match, what it received and how far short it fell, by the rule in
    ``supervision.matching.matching`` (the chain 省 -> 市 -> 县, each level matching the
    central money and the upper levels' matching that arrived as far as it was owed).

    ``sources`` maps a centre's level to the matching sources it must hold, upper level first;
    ``ratio`` (central : match) applies one ratio to every level, or by default each level's
    share the policy in force at the centre on the year's last day sets. A page of rows after
    the cursor ``after``."""
    need = [
        (level, n, source) for level, names in sources.items() for n, source in enumerate(names)
    ]
    if not need:
        return Page([], 0, None)
    kinds = list(dict.fromkeys(source for _, _, source in need))  # every matching source once
    with reading(view) as r:
        received = r.table("match_received")
        need_cte = (
            f"WITH need(level, ord, source) AS (VALUES {', '.join(['(%s, %s, %s)'] * len(need))}) "
        )
        head: list[Any] = [v for row in need for v in row]
        got = ", ".join(
            f"COALESCE((SELECT m.received_fen FROM {received} m WHERE m.centre_id = r.centre_id "
            f"AND m.fiscal_year = r.fiscal_year AND m.source = %s), 0) AS got_{n}"
            for n in range(len(kinds))
        )
        rows_of = (
            f"FROM {received} r JOIN {r.table('match_centres')} c ON c.centre_id = r.centre_id "
            "JOIN need n ON n.level = c.level WHERE r.source = %s"
        )
        params: list[Any] = [CENTRAL]
        if centre_id:
            rows_of += " AND " + in_subtree("r.centre_id", r.table("match_tree"))
            params.append(centre_id)
        total = int(r.one(f"{need_cte}SELECT COUNT(*) AS n {rows_of}", head + params)["n"])
        if after is not None:
            rows_of += " AND (r.centre_id, r.fiscal_year, n.ord) > (%s, %s, %s)"
            params += _cursor(after)
        rows = r.rows(
            f"{need_cte}SELECT r.centre_id, c.name AS centre_name, c.level, r.fiscal_year, "
            f"r.received_fen AS central_received_fen, n.source AS match_source, n.ord, {got} "
            f"{rows_of} ORDER BY r.centre_id, r.fiscal_year, n.ord"
            + limit_to(limit and limit + 1)[0],
            head + kinds + params + limit_to(limit and limit + 1)[1],
        )
        if ratio is None:
            tables = (r.table("match_settings"), r.table("match_tree"))
            ratio = matching_ratios(r, *tables, (row["centre_id"] for row in rows))
    more = limit is not None and len(rows) > limit
    rows = rows[:limit] if limit is not None else rows
    last = rows[-1] if rows else {}
    return Page(
        [_row(row, sources[row["level"]], kinds, ratio) for row in rows],
        total,
        f"{last['centre_id']}/{last['fiscal_year']}/{last['ord']}" if more else None,
    )


def _cursor(after: str) -> list[Any]:
    centre_id, _, rest = after.partition("/")
    year, _, order = rest.partition("/")
    if not (centre_id and year.isdigit() and order.isdigit() and len(year + order) < 12):
        raise InvalidInputError(f"{after!r} is not a cursor of the matching report")
    return [centre_id, int(year), int(order)]


def _row(
    row: dict[str, Any], chain: Sequence[str], kinds: Sequence[str], ratio: Ratio
) -> dict[str, Any]:
    """A row of the report: the money its level matches is the central money plus, for each
    level above it on the chain, that level's matching received here up to what it owed."""
    got = {source: int(row[f"got_{n}"]) for n, source in enumerate(kinds)}

    def ratio_of(source: str) -> tuple[int, int]:
        return ratio(row | {"match_source": source}) if callable(ratio) else ratio

    base = row["central_received_fen"]
    for upper in chain[: row["ord"]]:
        a, b = ratio_of(upper)
        base += min(got[upper], base * b // a)
    a, b = ratio_of(row["match_source"])
    required, received = base * b // a, got[row["match_source"]]
    return {
        "centre_id": row["centre_id"],
        "centre_name": row["centre_name"],
        "level": row["level"],
        "fiscal_year": row["fiscal_year"],
        "central_received_fen": row["central_received_fen"],
        "match_source": row["match_source"],
        "matching_level": MATCHER_LEVEL[row["match_source"]],
        "ratio": f"{a}:{b}",
        "base_fen": base,
        "required_fen": required,
        "received_fen": received,
        "shortfall_fen": max(0, required - received),
    }
