"""Matching per centre, level and fiscal year (issue 11, 5c) on both stores, by hand: ¥1,000,000
of central money reaches a province, a city and a county; the province and the city each match
1:1 (so the city holds four times the central amount), the county matches a quarter of what it
owes; then the city lowers its own share for one year. The read model equals the recomputation
from the events, and the view built batch by batch equals it rebuilt."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.access import SYSTEM
from domain.application import Context, Ledger
from domain.policy_parameters import Parameter
from domain.vocabulary import AssistanceType, CentreLevel, FundSource
from projections import Views
from projections.matching import matching
from supervision import compliance
from supervision.records import from_ledger
from tests.integration.bangfu import folder_ledger, run

ADMIN = Context(SYSTEM)
M = 1_000_000_00  # ¥1,000,000 in fen
CENTRAL, PROVINCIAL = FundSource.CENTRAL_SPECIAL_FUND, FundSource.PROVINCIAL_MATCH
MUNICIPAL, COUNTY = FundSource.MUNICIPAL_MATCH, FundSource.COUNTY_MATCH


def tree(ledger: Ledger) -> tuple[UUID, UUID, UUID]:
    """吉林省 > 长春市 > 朝阳区."""
    made: list[UUID] = []
    for name, level in (("吉林省", "province"), ("长春市", "prefecture"), ("朝阳区", "county")):
        parent = made[-1] if made else None
        made.append(ledger.create_centre(ADMIN, name, CentreLevel(level), parent).result.id)
    return made[0], made[1], made[2]


def fund(ledger: Ledger, centre: UUID, source: FundSource, year: int, fen: int) -> UUID:
    """A fund of the year at the centre, with ``fen`` appropriated into it."""
    day = date(year, 3, 1)
    purposes = [AssistanceType.LIVING_RELIEF]
    made = ledger.open_fund(ADMIN, centre, source.value, source, year, purposes, day).result.id
    ledger.receive(ADMIN, made, fen, "财政", f"{source.value} {year}", day)
    return made


def down(ledger: Ledger, fund_id: UUID, to: UUID, fen: int, year: int) -> UUID:
    """Allocate ``fen`` of the fund to the child centre ``to``; the child's fund."""
    return ledger.allocate(ADMIN, fund_id, to, fen, "下拨", date(year, 4, 1)).result.id


def year_2025(ledger: Ledger) -> tuple[UUID, UUID, UUID]:
    """Central ¥1,000,000 into the province, matched 1:1 by it; both down to the city, which
    matches the ¥2,000,000 1:1; all ¥4,000,000 down to the county, which matches ¥1,000,000."""
    province, city, county = tree(ledger)
    central = down(ledger, fund(ledger, province, CENTRAL, 2025, M), city, M, 2025)
    provincial = down(ledger, fund(ledger, province, PROVINCIAL, 2025, M), city, M, 2025)
    municipal = fund(ledger, city, MUNICIPAL, 2025, 2 * M)
    for fund_id, fen in ((central, M), (provincial, M), (municipal, 2 * M)):
        down(ledger, fund_id, county, fen, 2025)
    fund(ledger, county, COUNTY, 2025, M)
    return province, city, county


def by_level(rows: list[dict[str, Any]]) -> dict[tuple[str, int, str], tuple[int, ...]]:
    """(centre, year, matching level) -> (base, required, received, short) in fen."""
    return {
        (r["centre_id"], r["fiscal_year"], r["matching_level"]): (
            r["base_fen"],
            r["required_fen"],
            r["received_fen"],
            r["shortfall_fen"],
        )
        for r in rows
    }


def test_the_city_holds_four_times_the_central_money_and_the_county_owes_on_all_of_it(
    ledger: Ledger,
) -> None:
    province, city, county = (str(c) for c in year_2025(ledger))
    views = Views(ledger)
    views.projector.run_once()

    rows = matching(views.matching, compliance.MATCH_SOURCES).items

    assert rows == compliance.matching(list(from_ledger(ledger)))
    assert by_level(rows) == {
        # the province matches the central ¥1,000,000 1:1
        (province, 2025, "province"): (M, M, M, 0),
        # the city sees the province's match arrive, and matches central + provincial 1:1
        (city, 2025, "province"): (M, M, M, 0),
        (city, 2025, "prefecture"): (2 * M, 2 * M, 2 * M, 0),
        # the county matches 1 + 1 + 2 = ¥4,000,000 (the default share, 1:1), got ¥1,000,000
        (county, 2025, "province"): (M, M, M, 0),
        (county, 2025, "prefecture"): (2 * M, 2 * M, 2 * M, 0),
        (county, 2025, "county"): (4 * M, 4 * M, M, 3 * M),
    }
    at_city = [r for r in rows if r["centre_id"] == city]
    assert at_city[0]["central_received_fen"] + sum(r["received_fen"] for r in at_city) == 4 * M
    assert {r["ratio"] for r in rows} == {"100:100"}


def test_a_share_lowered_at_the_city_for_one_year_is_owed_that_year_only_and_a_rebuild_agrees(
    ledger: Ledger,
) -> None:
    province, city, _ = year_2025(ledger)
    views = Views(ledger)
    views.projector.run_once()
    # 2026: the same central and provincial money; the city puts in only ¥800,000
    for source in (CENTRAL, PROVINCIAL):
        down(ledger, fund(ledger, province, source, 2026, M), city, M, 2026)
    fund(ledger, city, MUNICIPAL, 2026, 800_000_00)
    views.projector.run_once()
    # recorded after the money it judges: from 2026 on, the city matches at 50%
    ledger.set_policy(
        ADMIN, city, Parameter.MATCHING_RATIO, "prefecture", 50, date(2026, 1, 1), "市配套比例调整"
    )
    views.projector.run_once()

    rows = matching(views.matching, compliance.MATCH_SOURCES).items
    what_if = matching(views.matching, compliance.MATCH_SOURCES, ratio=(1, 2)).items

    records = list(from_ledger(ledger))
    assert rows == compliance.matching(records)
    assert what_if == compliance.matching(records, (1, 2))
    city_rows = {
        (r["fiscal_year"], r["matching_level"]): (
            r["ratio"], r["base_fen"], r["required_fen"], r["received_fen"], r["shortfall_fen"]
        )
        for r in rows
        if r["centre_id"] == str(city)
    }  # fmt: skip
    assert city_rows == {
        (2025, "province"): ("100:100", M, M, M, 0),
        (2025, "prefecture"): ("100:100", 2 * M, 2 * M, 2 * M, 0),  # 2025 keeps its share
        (2026, "province"): ("100:100", M, M, M, 0),
        # half of central + provincial, ¥2,000,000: ¥1,000,000 owed, ¥800,000 came
        (2026, "prefecture"): ("100:50", 2 * M, M, 800_000_00, 200_000_00),
    }
    # what if 1:2 everywhere: the province owes ¥2,000,000 and sent ¥1,000,000 of it, so the
    # city matches 2 x (1 + 1) = ¥4,000,000 in 2026
    city_2026 = [r for r in what_if if (r["centre_id"], r["fiscal_year"]) == (str(city), 2026)]
    assert [(r["base_fen"], r["required_fen"]) for r in city_2026] == [(M, 2 * M), (2 * M, 4 * M)]
    views.projector.rebuild("matching")
    assert matching(views.matching, compliance.MATCH_SOURCES).items == rows


def test_the_cli_reports_the_county_short_per_level_and_year(tmp_path: Path) -> None:
    ledger = folder_ledger(tmp_path)
    year_2025(ledger)
    ledger.close()

    short = run(["audit", "matching", "--short-only", "--year", "2025"], tmp_path)
    wrong = run(["audit", "matching", "--ratio", "one"], tmp_path)

    assert short.returncode == 0, short.stderr
    assert "朝阳区" in short.stdout and "长春市" not in short.stdout
    assert "区县级 county" in short.stdout
    assert "4000000.00" in short.stdout and "缺口合计: 3000000.00" in short.stdout
    assert wrong.returncode == 2 and "not a ratio" in wrong.stderr
