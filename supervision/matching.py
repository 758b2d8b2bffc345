"""Matching (财政配套) recomputed from the events, level by level, by the local policy the
events record (the matching share in force at each centre on its fiscal year's last day); the
read model (projections/matching.py) reports the same rows from its view."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from domain.centres import Centre
from domain.funds import Fund
from domain.policy_parameters import MATCHER_LEVEL
from supervision.policy import matching_ratio, policy_book
from supervision.records import Record, is_

__all__ = ["MATCH_SOURCES", "matching"]

MATCH_SOURCES = {  # the matching a centre of each level must hold, the upper level's first
    "province": ["provincial_match"],
    "prefecture": ["provincial_match", "municipal_match"],
    "county": ["provincial_match", "municipal_match", "county_match"],
}


def matching(
    records: Sequence[Record], ratio: tuple[int, int] | None = None
) -> list[dict[str, Any]]:
    """Matching (财政配套) per centre, fiscal year and matching level: required, received, short.

    The rule (the seeds: the province and the city each match central money 1:1, so that at the
    city it is at least four times the central amount). For each centre at province, prefecture
    or county level and each fiscal year in which central money (``central_special_fund``)
    arrived there (appropriated into, or allocated down to, its funds of that year), the
    matching levels at or above the centre's own are taken top down, 省 -> 市 -> 县
    (``MATCH_SOURCES``), and for each level k:

    - base_k = the central money C that arrived there, plus, for each level j above k, that
      level's matching received there, counted up to what it owed: C + sum min(received_j,
      required_j). A level matches the money arriving from above with the central money, not an
      upper level's shortfall nor what it gave beyond its share;
    - required_k = base_k * share_k / 100 in whole fen (rounded down), share_k being the
      ``matching_ratio`` for level k in force at the centre on the year's last day (the
      built-in default is 100, i.e. 1:1), or ``ratio`` (central : match) as a what-if;
    - received_k = the money that arrived there that year in funds of level k's source
      (``provincial_match``, ``municipal_match``, ``county_match``): other local money (the
      ACFTU's warmth fund, the union's own funds, donations) is not government matching;
    - shortfall_k = max(0, required_k - received_k).

    So with C = 100 and every level matching 1:1: the province owes 100; at the city the
    province's 100 arrives and the city owes 1 x (100 + 100) = 200, four times C in all; at a
    county the county owes 1 x (100 + 100 + 200) = 400."""
    book = policy_book(records)
    paths = {r["id"]: [*r["ancestors"], r["id"]] for r in records if is_(r, Centre.Created)}
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
        to_match = central
        for source in MATCH_SOURCES.get(levels.get(centre, ""), []):
            got = received.get((centre, year, source), 0)
            a, b = ratio or matching_ratio(book, paths.get(centre, [centre]), source, year)
            owed = to_match * b // a
            rows.append(
                {
                    "centre_id": centre,
                    "centre_name": names.get(centre, ""),
                    "level": levels.get(centre),
                    "fiscal_year": year,
                    "central_received_fen": central,
                    "match_source": source,
                    "matching_level": MATCHER_LEVEL[source],
                    "ratio": f"{a}:{b}",
                    "base_fen": to_match,
                    "required_fen": owed,
                    "received_fen": got,
                    "shortfall_fen": max(0, owed - got),
                }
            )
            to_match += min(got, owed)  # what flows down with the central money
    return rows
