"""Provenance, matching, suspicious payments and earmarks on the demo data, by hand-computed sums.

The demo (cli/demo.py, 25 households) puts ¥100,000 into each of four city funds, allocates 30% of
each to each of three districts and 15% to each of their five streets, and pays every household
¥500-1,000 of warmth aid, four of them medical relief and three education aid.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from cli.demo import DemoBuilder, DemoData
from domain.access import Actor
from domain.application import Context, Ledger
from domain.cases import Assessment
from domain.vocabulary import AssistanceType, Category, Cause, ClosureReason, Role
from supervision import compliance, provenance
from supervision.records import from_ledger

ADMIN = Context(Actor("auditor-test", Role.ADMIN))
NO_LATE = compliance.Standards(late_recording_days=100_000)


@pytest.fixture
def demo(ledger: Ledger) -> Iterator[tuple[Ledger, DemoData]]:
    yield ledger, DemoBuilder(ledger, households=25).build()


def records(ledger: Ledger) -> list[dict[str, Any]]:
    return list(from_ledger(ledger))


def test_matching_finds_the_missing_county_match_at_each_district(
    demo: tuple[Ledger, DemoData],
) -> None:
    ledger, _ = demo

    rows = compliance.matching(records(ledger))

    shortfalls = [
        (r["level"], r["match_source"], r["shortfall_fen"]) for r in rows if r["shortfall_fen"]
    ]
    assert shortfalls == [("county", "county_match", 3_000_000)] * 3
    city = [r for r in rows if r["level"] == "prefecture"]
    assert [(r["match_source"], r["required_fen"], r["received_fen"]) for r in city] == [
        ("provincial_match", 10_000_000, 10_000_000),
        ("municipal_match", 10_000_000, 10_000_000),
    ]


def test_a_stricter_ratio_shows_the_city_short_by_the_central_amount(
    demo: tuple[Ledger, DemoData],
) -> None:
    ledger, _ = demo

    rows = compliance.matching(records(ledger), ratio=(1, 2))

    city = {r["match_source"]: r["shortfall_fen"] for r in rows if r["level"] == "prefecture"}
    assert city == {"provincial_match": 10_000_000, "municipal_match": 10_000_000}


def test_the_earmark_check_says_none_found_with_the_count_of_payments_checked(
    demo: tuple[Ledger, DemoData],
) -> None:
    ledger, _ = demo

    result = compliance.earmarks(records(ledger))

    assert result["summary"] == "none found"
    assert result["payments_checked"] == 25 + 4 + 3
    assert result["transfers_checked"] == 4 * (3 + 5) + 2


def test_the_clean_demo_has_no_suspicious_payment_but_every_one_was_recorded_late(
    demo: tuple[Ledger, DemoData],
) -> None:
    ledger, _ = demo

    clean = compliance.suspicious(records(ledger), NO_LATE)
    late = compliance.suspicious(records(ledger))

    assert clean == []
    assert {f["rule"] for f in late} == {"recorded_late"}
    assert len(late) == 25 + 4 + 3  # reversed or not, each was recorded months after its date


def test_each_kind_of_irregularity_is_found_and_names_its_events(
    demo: tuple[Ledger, DemoData],
) -> None:
    ledger, data = demo
    street_fund = next(
        f
        for f in data.funds
        if ledger.fund(ADMIN.actor, f).parent_fund_id
        and ledger.fund(ADMIN.actor, f).centre_id
        == ledger.case(ADMIN.actor, data.cases[5]).centre_id
        and ledger.fund(ADMIN.actor, f).source.value == "municipal_match"
    )
    repeat = data.cases[5]
    first_day = ledger.payment(ADMIN.actor, data.payments[5]).paid_on
    ledger.pay(
        ADMIN,
        street_fund,
        repeat,
        AssistanceType.WARMTH_VISIT,
        300_00,
        "again",
        date.fromordinal(first_day.toordinal() + 5),
    )
    deep = data.cases[10]
    ledger.reassess(
        ADMIN,
        deep,
        Assessment(Category.DEEP_HARDSHIP, Cause.SERIOUS_ILLNESS, (), 2, 300_00, ()),
        "",
        date(2026, 2, 1),
    )
    ledger.pay(
        ADMIN, street_fund, deep, AssistanceType.LIVING_RELIEF, 10_300_00, "LR", date(2026, 2, 2)
    )  # the cap is 12 months of the 低保 line in force at the year's end at the household's
    # centre: the city's ¥820 from July (¥9,840), or 朝阳区's own ¥850 (¥10,200)
    early = data.cases[15]
    ledger.pay(
        ADMIN, street_fund, early, AssistanceType.LIVING_RELIEF, 100_00, "early", date(2024, 12, 1)
    )
    closed = data.cases[20]
    late_paid = ledger.pay(
        ADMIN,
        street_fund,
        closed,
        AssistanceType.LIVING_RELIEF,
        200_00,
        "May",
        date(2026, 5, 1),
    ).result.id
    ledger.close_case(ADMIN, closed, ClosureReason.DECEASED, "", date(2026, 4, 1))

    findings = compliance.suspicious(records(ledger), NO_LATE)

    assert [(f["rule"], f["case_id"]) for f in findings] == sorted(
        [
            ("above_standard", str(deep)),
            ("after_closure", str(closed)),
            ("before_filing", str(early)),
            ("repeat_within_window", str(repeat)),
        ]
    )
    after = next(f for f in findings if f["rule"] == "after_closure")
    assert after["payment_ids"] == [str(late_paid)] and len(after["positions"]) == 1
    repeat_finding = next(f for f in findings if f["rule"] == "repeat_within_window")
    assert len(repeat_finding["payment_ids"]) == 2 and "5 days apart" in repeat_finding["detail"]


def test_provenance_traces_the_central_fund_down_to_households_at_past_dates(
    demo: tuple[Ledger, DemoData],
) -> None:
    ledger, data = demo
    root = str(data.funds[0])
    all_records = records(ledger)

    before = provenance.trace(all_records, root, "2026-01-10")
    after_allocation = provenance.trace(all_records, root, "2026-01-14")
    now = provenance.trace(all_records, root)

    assert (before["received_fen"], before["allocated_out_fen"], before["unspent_fen"]) == (
        10_000_000,
        0,
        10_000_000,
    )
    assert after_allocation["allocated_out_fen"] == 9_000_000
    assert sorted(c["allocated_in_fen"] for c in after_allocation["children"]) == [3_000_000] * 3
    assert sorted(c["allocated_out_fen"] for c in after_allocation["children"]) == [
        1_500_000,
        3_000_000,
        3_000_000,
    ]

    def walk(node: dict[str, Any]) -> list[dict[str, Any]]:
        return [node] + [n for c in node["children"] for n in walk(c)]

    nodes = walk(now)
    paid = sum(n["paid_fen"] for n in nodes)
    households = sum(sum(h["paid_by_type_fen"].values()) for n in nodes for h in n["households"])
    assert paid == households > 0
    assert {t for n in nodes for h in n["households"] for t in h["paid_by_type_fen"]} == {
        "medical_relief"
    }
    assert (
        sum(n["unspent_fen"] for n in nodes)
        + paid
        - sum(n["reversed_fen"] for n in nodes)
        + now["returned_fen"]
        == 10_000_000
    )
    assert now["returned_fen"] == 50_000
