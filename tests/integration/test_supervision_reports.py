"""Provenance, matching, suspicious payments and earmarks on the demo data, by hand-computed sums.

The demo (cli/demo.py, 25 households) puts ¥100,000 into each of four city funds, allocates 30% of
each to each of three districts and 15% to each of their five streets, and pays four households
medical relief and three education aid from them; the Spring Festival campaign pays every household
but one ¥500-1,000 of warmth aid from a fifth fund, the city's own union money (see
tests/integration/test_demo_money_work.py for the rest of its money work).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench.forged import paid_before_filing
from cli.demo import DemoData
from domain.access import Actor
from domain.application import Context, Ledger
from domain.cases import Assessment, Case
from domain.vocabulary import AssistanceType, Category, Cause, ClosureReason, Role
from supervision import compliance, provenance
from supervision.records import from_ledger
from tests.store_templates import StoreTemplates

ADMIN = Context(Actor("auditor-test", Role.ADMIN))
NO_LATE = compliance.Standards(late_recording_days=100_000)


@pytest.fixture
def demo(
    store_url: str, tmp_path: Path, store_templates: StoreTemplates
) -> Iterator[tuple[Ledger, DemoData]]:
    """A copy of the demo with 25 households (built once per store and test process)."""
    with store_templates.demo(store_url, tmp_path, households=25) as demo:
        yield demo


def records(ledger: Ledger) -> list[dict[str, Any]]:
    return list(from_ledger(ledger))


def test_matching_finds_the_city_and_each_district_short_of_matching_the_money_from_above(
    demo: tuple[Ledger, DemoData],
) -> None:
    ledger, _ = demo

    rows = compliance.matching(records(ledger))

    # the city got ¥100,000 central and ¥100,000 provincial money and owes 1:1 on both, but put
    # in ¥100,000; each district got 30% of every fund (¥30,000 each) and owes 1:1 on the
    # ¥60,000 the city should have sent (it sent ¥30,000) and 1:1 on all ¥90,000 that came
    city = [r for r in rows if r["level"] == "prefecture"]
    assert [
        (r["matching_level"], r["base_fen"], r["required_fen"], r["received_fen"]) for r in city
    ] == [
        ("province", 10_000_000, 10_000_000, 10_000_000),
        ("prefecture", 20_000_000, 20_000_000, 10_000_000),
    ]
    districts = [
        (r["matching_level"], r["base_fen"], r["required_fen"], r["shortfall_fen"])
        for r in rows
        if r["level"] == "county"
    ]
    each = [
        ("province", 3_000_000, 3_000_000, 0),
        ("prefecture", 6_000_000, 6_000_000, 3_000_000),
        ("county", 9_000_000, 9_000_000, 9_000_000),
    ]
    assert districts == each * 3


def test_a_stricter_ratio_asks_twice_as_much_of_each_level_on_what_came_from_above(
    demo: tuple[Ledger, DemoData],
) -> None:
    ledger, _ = demo

    rows = compliance.matching(records(ledger), ratio=(1, 2))

    # the province owes ¥200,000 (sent ¥100,000); the city 2 x (¥100,000 + ¥100,000)
    city = {r["match_source"]: r["shortfall_fen"] for r in rows if r["level"] == "prefecture"}
    assert city == {"provincial_match": 10_000_000, "municipal_match": 30_000_000}


def test_the_earmark_check_says_none_found_with_the_count_of_payments_checked(
    demo: tuple[Ledger, DemoData],
) -> None:
    ledger, _ = demo

    result = compliance.earmarks(records(ledger))

    assert result["summary"] == "none found"
    # warmth to all but one household, 4 medical relief, 3 education aid, 2 requests approved,
    # 3 schedules paid July to October, 20 students of the 金秋助学 roster
    assert result["payments_checked"] == 24 + 4 + 3 + 2 + 3 * 4 + 20
    assert result["transfers_checked"] == 4 * (3 + 5) + 2


def test_the_clean_demo_has_no_suspicious_payment_but_every_one_was_recorded_late(
    demo: tuple[Ledger, DemoData],
) -> None:
    ledger, _ = demo

    clean = compliance.suspicious(records(ledger), NO_LATE)
    late = compliance.suspicious(records(ledger))

    assert clean == []
    assert {f["rule"] for f in late} == {"recorded_late"}
    # reversed or not, each was recorded months after its date, but the 2 approved requests
    # (decided within their 30 days of the day they are recorded)
    assert len(late) == 24 + 4 + 3 + 3 * 4 + 20


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
    for fen, day in ((8_000_00, date(2026, 2, 2)), (2_300_00, date(2026, 4, 2))):
        ledger.pay(ADMIN, street_fund, deep, AssistanceType.LIVING_RELIEF, fen, "LR", day)
    # ¥10,300 in the year, each payment at most the city's ¥8,000 that one person may pay and
    # two months apart; the cap is 12 months of the 低保 line in force at the year's end at the
    # household's centre: the city's ¥820 from July (¥9,840), or 朝阳区's own ¥850 (¥10,200)
    early = data.cases[15]
    paid_before_filing(ledger, street_fund, early, 100_00, date(2024, 12, 1))
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
    paid_after = {  # the test's payment in May, and what the demo paid the household since April
        str(e.payment_id)
        for e in ledger.stream(closed)
        if isinstance(e, Case.AssistanceReceived) and e.business_date >= date(2026, 4, 1)
    }

    findings = compliance.suspicious(records(ledger), NO_LATE)

    assert [(f["rule"], f["case_id"]) for f in findings] == sorted(
        [
            ("above_standard", str(deep)),
            *[("after_closure", str(closed))] * len(paid_after),
            ("before_filing", str(early)),
            ("repeat_within_window", str(repeat)),
        ]
    )
    after = [f for f in findings if f["rule"] == "after_closure"]
    assert str(late_paid) in paid_after
    assert {p for f in after for p in f["payment_ids"]} == paid_after
    assert all(len(f["payment_ids"]) == len(f["positions"]) == 1 for f in after)
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
