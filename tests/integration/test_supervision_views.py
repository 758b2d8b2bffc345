"""The supervision reports read from their views equal the same reports recomputed from the
events (supervision/compliance.py, provenance.py, projections/conservation.check), on a history
of thousands of events with every kind of irregularity and local policy changed at single
centres (some mid-year, all after the payments they judge); and each view built batch by batch
equals the view rebuilt from scratch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any
from uuid import uuid4

import pytest

from bench.forged import paid_before_filing
from bench.generate import Generated, generate
from domain.access import Actor
from domain.application import Context, Ledger
from domain.cases import Assessment
from domain.funds import Fund
from domain.payments import Payment
from domain.policy import Policy
from domain.policy_parameters import Parameter
from domain.vocabulary import AssistanceType, Category, Cause, ClosureReason, Role
from projections import Views, conservation
from projections.earmarks import earmarks
from projections.matching import matching
from projections.provenance_trace import trace
from projections.report_tables import Page
from projections.runner import Projector
from projections.suspicious_rules import suspicious
from projections.view import View
from supervision import compliance, provenance
from supervision.records import Record, from_ledger, is_, of
from supervision.scope import Scope

ADMIN = Context(Actor("supervision-test", Role.ADMIN))
SUPERVISION = ("provenance", "matching", "suspicious", "earmarks", "conservation", "policy")


@dataclass
class History:
    ledger: Ledger
    generated: Generated
    views: Views
    records: list[Record]

    def scoped(self, centre_id: str | None) -> list[Record]:
        return Scope(centre_id=centre_id).select(self.records) if centre_id else self.records

    def scopes(self) -> list[str | None]:
        city, district, street = (str(self.generated.centres[i]) for i in (0, 1, 11))
        return [None, city, district, street]


def irregularities(ledger: Ledger, g: Generated) -> None:
    """Every kind of finding, through the use cases, and a few events no use case would write
    (a payment reversed twice, money paid outside an earmark or moved outside its tree)."""
    funds_of = {n: g.street_funds[4 * (n % 100) : 4 * (n % 100) + 4] for n in range(40)}
    for fund in {f for funds in funds_of.values() for f in funds}:
        ledger.receive(ADMIN, fund, 100_000_00, "区财政", "追加", date(2026, 1, 6))
    for n in range(0, 40, 4):  # repeats: warmth aid twice, days apart; one of them reversed
        case, fund = g.cases[n], funds_of[n][0]
        for days in (0, 3 + n % 5, 40):
            day = date(2026, 3, 1) + timedelta(days=days + n)
            ledger.pay(ADMIN, fund, case, AssistanceType.WARMTH_VISIT, 100_00, "again", day)
        if n % 8 == 0:
            paid = ledger.pay(
                ADMIN, fund, case, AssistanceType.WARMTH_VISIT, 50_00, "x", date(2026, 3, 2)
            )
            ledger.reverse_payment(ADMIN, paid.result.id, "错付", date(2026, 3, 9))
    for n in range(1, 30, 5):  # deep hardship paid above 12 months of the 低保 line
        assessment = Assessment(Category.DEEP_HARDSHIP, Cause.SERIOUS_ILLNESS, (), 2, 300_00, ())
        ledger.reassess(ADMIN, g.cases[n], assessment, "", date(2026, 2, 1))
        for month in (2, 6, 9):
            ledger.pay(
                ADMIN,
                funds_of[n][1],
                g.cases[n],
                AssistanceType.LIVING_RELIEF,
                3_200_00 + n,
                "LR",
                date(2026 + n % 2, month, 3),
            )
    for n in range(2, 40, 6):  # education aid above the cap, and a payment before filing
        fund, case = funds_of[n][2], g.cases[n]
        ledger.pay(
            ADMIN, fund, case, AssistanceType.EDUCATION_AID, 12_000_00, "E", date(2026, 9, 1)
        )
        paid_before_filing(ledger, fund, case, 10_00, date(2024, 6, 1))
    for n in range(3, 40, 6):  # paid, then closed before that date, reopened, paid again
        case, fund = g.cases[n], funds_of[n][3]
        ledger.pay(ADMIN, fund, case, AssistanceType.LIVING_RELIEF, 200_00, "May", date(2026, 5, 1))
        ledger.close_case(ADMIN, case, ClosureReason.DECEASED, "", date(2026, 4, 1))
        if n % 4 == 3:
            ledger.reopen_case(ADMIN, case, "返困", date(2026, 4, 20))
            ledger.pay(
                ADMIN, fund, case, AssistanceType.WARMTH_VISIT, 90_00, "W", date(2026, 4, 25)
            )
    ledger.return_funds(ADMIN, funds_of[5][0], 300_00, "上缴", date(2026, 6, 1))
    local_policy(ledger, g)
    behind_the_domains_back(ledger, g)


def local_policy(ledger: Ledger, g: Generated) -> None:
    """Settings at one centre each, recorded after the payments they judge: the city's
    lateness, a district's 低保 line rising mid-year (a correction), a street's own education
    cap, a district's lateness and repeat window, a district's county matching share."""
    centre = {n: ledger.case(ADMIN.actor, g.cases[n]).centre_path for n in (0, 2, 3, 6)}
    p, day = Parameter, date(2026, 1, 1)
    raised = ledger.set_policy(ADMIN, centre[6][1], p.DIBAO_LINE, None, 85_000, day, "区标准")
    ledger.set_policy(
        ADMIN, centre[6][1], p.DIBAO_LINE, None, 90_000, date(2026, 7, 1), "更正", raised.result.id
    )
    ledger.set_policy(ADMIN, centre[6][1], p.MATCHING_RATIO, "county", 50, day, "区配套比例")
    ledger.set_policy(ADMIN, centre[2][2], p.EDUCATION_AID_CAP, None, 20_000_00, day, "街道标准")
    ledger.set_policy(ADMIN, centre[3][1], p.LATE_RECORDING_DAYS, None, 400, day, "补录期限")
    ledger.set_policy(ADMIN, centre[0][1], p.REPEAT_WINDOW_DAYS, None, 2, day, "重复支付窗口")
    ledger.set_policy(ADMIN, g.centres[0], p.LATE_RECORDING_DAYS, None, 200, day, "市补录期限")


def behind_the_domains_back(ledger: Ledger, g: Generated) -> None:
    day = {"actor": "intruder", "business_date": date(2026, 7, 2)}
    paid = ledger.pay(
        ADMIN,
        g.street_funds[0],
        g.cases[0],
        AssistanceType.WARMTH_VISIT,
        10_00,
        "R",
        date(2026, 7, 1),
    )
    payment: Payment = ledger.repository.get(paid.result.id)
    for _ in range(2):
        payment.trigger_event(Payment.Reversed, reversal_id=uuid4(), reason="又冲正", **day)
    fund: Fund = ledger.repository.get(g.street_funds[1])
    stranger: Fund = ledger.repository.get(g.street_funds[9])
    fund.trigger_event(
        Fund.Disbursed,
        payment_id=uuid4(),
        case_id=g.cases[1],
        assistance_type=AssistanceType.TEMPORARY_RELIEF.value,
        amount_fen=5_00,
        reference="outside the earmark",
        **day,
    )
    sideways = {"to_fund_id": stranger.id, "amount_fen": 1_00, "reference": "sideways", **day}
    fund.trigger_event(
        Fund.AllocatedOut, movement_id=uuid4(), to_centre_id=stranger.centre_id, **sideways
    )
    fund.trigger_event(Fund.Returned, movement_id=uuid4(), **sideways)
    ledger.save(payment, fund)


@pytest.fixture
def history(ledger: Ledger) -> History:
    views = Views(ledger)
    projector = Projector(ledger, [views.projector.view(name) for name in SUPERVISION], 97)
    generated = generate(ledger, 3_000)
    projector.run_once()  # in batches of 97 events: many boundaries, inside use cases too
    irregularities(ledger, generated)
    projector.run_once()
    return History(ledger, generated, views, list(from_ledger(ledger)))


def every_page(read: Callable[[int | None, str | None], Page], limit: int) -> list[Any]:
    """The items of every page, read ``limit`` at a time."""
    items, after = [], None
    while True:
        page = read(limit, after)
        items += page.items
        assert len(page.items) <= limit
        if page.next is None:
            return items
        after = page.next


def test_every_report_read_from_its_view_equals_the_recomputation_from_the_events(
    history: History,
) -> None:
    matching_at_every_ratio_and_scope(history)
    suspicious_under_every_standard_and_scope(history)
    earmarks_and_conservation(history)
    provenance_at_every_date(history)


def matching_at_every_ratio_and_scope(history: History) -> None:
    view = history.views.matching
    for centre in history.scopes():
        for ratio in ((1, 1), (1, 2), (3, 1), None):  # None: the share the policy requires
            expected = compliance.matching(history.scoped(centre), ratio)

            page = matching(view, compliance.MATCH_SOURCES, centre, ratio)
            paged = every_page(partial(matching, view, compliance.MATCH_SOURCES, centre, ratio), 4)

            assert page.items == expected and paged == expected
            assert page.total == len(expected)
    rows = compliance.matching(history.records)
    halved = [r for r in rows if r["ratio"] == "100:50"]
    assert [r["match_source"] for r in halved] == ["county_match"]  # one district's own share
    assert halved[0]["required_fen"] == halved[0]["base_fen"] // 2
    assert len(compliance.matching(history.records)) == 2 + 10 * 3


def suspicious_under_every_standard_and_scope(history: History) -> None:
    view = history.views.suspicious
    standards = [  # the policy in force, and a window or lateness applied everywhere
        compliance.Standards(),
        compliance.Standards(repeat_window_days=0, late_recording_days=0),
        compliance.Standards(repeat_window_days=400, late_recording_days=36600),
        compliance.Standards(late_recording_days=100),
    ]
    for std in standards:
        for centre in history.scopes():
            expected = compliance.suspicious(history.scoped(centre), std)

            page = suspicious(view, std, centre)
            paged = every_page(partial(suspicious, view, std, centre), 37)
            in_order = every_page(partial(suspicious, view, std, centre, gather=0), 37)

            assert page.items == expected and paged == expected and in_order == expected
            assert page.total == len(expected) == sum(page.counts.values())
    defaults_only = [r for r in history.records if not of(r, Policy)]
    for std in standards:  # the policy recorded changes what is found
        by_default = compliance.suspicious(defaults_only, std)
        assert compliance.suspicious(history.records, std) != by_default
    rules = {f["rule"] for f in compliance.suspicious(history.records, standards[2])}
    assert rules == {
        "above_standard",
        "after_closure",
        "before_filing",
        "repeat_within_window",
        "reversal_of_reversal",
    }


def earmarks_and_conservation(history: History) -> None:
    for centre in history.scopes():
        expected = compliance.earmarks(history.scoped(centre))

        page = earmarks(history.views.earmarks, centre)
        paged = every_page(partial(earmarks, history.views.earmarks, centre), 1)

        found = {**page.counts, "violations": page.items}
        assert found | {k: expected[k] for k in ("summary", "not_checked")} == expected
        assert paged == expected["violations"] and page.total == len(expected["violations"])
    assert len(compliance.earmarks(history.records)["violations"]) == 3
    check = conservation.check(history.ledger)
    assert conservation.totals(history.views.conservation) == check and not check.holds


def provenance_at_every_date(history: History) -> None:
    g = history.generated
    funds = [str(f) for f in g.street_funds[:3]] + [
        r["id"] for r in history.records if is_(r, Fund.Opened) and not r["parent_fund_id"]
    ]
    for fund in funds:
        for as_of in (None, "2025-12-31", "2026-01-05", "2026-03-04", "2026-07-02"):
            expected = provenance.trace(history.records, fund, as_of)

            whole = trace(history.views.provenance, fund, as_of)
            pages = every_page(partial(_households, history, fund, as_of), 41)

            assert whole is not None
            assert {k: v for k, v in whole.items() if k not in ("households_total", "next")} == (
                expected
            )
            assert pages == _all_households(expected)
            assert whole["households_total"] == len(pages)


def _households(
    history: History, fund: str, as_of: str | None, n: int | None, a: str | None
) -> Page:
    tree = trace(history.views.provenance, fund, as_of, n, a)
    assert tree is not None
    return Page(_all_households(tree), tree["households_total"], tree["next"])


def _all_households(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = [{"fund_id": node["fund_id"], **h} for h in node["households"]]
    found += [h for child in node["children"] for h in _all_households(child)]
    return sorted(found, key=lambda h: (h["fund_id"], h["case_id"]))


def contents(view: View) -> dict[str, list[tuple[str, ...]]]:
    g = view.generation()
    return {
        base: sorted(
            tuple(str(v) for v in r.values())
            for r in view.db.query(f"SELECT * FROM {view.table(base, g)}")
        )
        for base in view.tables
    }


def test_each_supervision_view_built_batch_by_batch_equals_its_rebuild(history: History) -> None:
    projector = history.views.projector
    incremental = {name: contents(projector.view(name)) for name in SUPERVISION}

    projector.batch_size = 1000  # other batch boundaries
    for name in SUPERVISION:
        projector.rebuild(name)

    assert {name: contents(projector.view(name)) for name in SUPERVISION} == incremental
    assert sum(len(rows) for rows in incremental["suspicious"].values()) > 1000
