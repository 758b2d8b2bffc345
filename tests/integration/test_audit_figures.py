"""The figures of an audit package, on both stores: each fits its JSON Schema, a period states
true balances from its opening, and a check the package cannot make is left out, never reported
(docs/audit-package.md)."""

from __future__ import annotations

import json
from datetime import date
from uuid import UUID

from eventsourcing.domain import DomainEvent

from bench.forged import paid_before_filing
from cli.demo import DemoData
from domain.access import SYSTEM
from domain.application import Context, Ledger
from domain.cases import Case, Person
from domain.funds import Fund
from domain.id_numbers import make_id_number
from domain.vocabulary import AssistanceType, Category, CentreLevel, FundSource
from supervision import compliance, ledger_math, provenance
from supervision.figure_schemas import schema_problems
from supervision.package import computed, to_json
from supervision.records import Record, from_ledger, is_
from supervision.scope import Scope
from supervision.scope_chain import record_facts
from supervision.signing import Signer
from tests.unit.support import assessment

ADMIN = Context(SYSTEM)
LIVING = AssistanceType.LIVING_RELIEF
JAN_5, JAN_20 = date(2026, 1, 5), date(2026, 1, 20)
FEB_1, FEB_10 = date(2026, 2, 1), date(2026, 2, 10)
NO_LATE = compliance.Standards(late_recording_days=36_600)


def city_fund(ledger: Ledger) -> tuple[UUID, UUID, UUID]:
    """A city with one district, and a city fund for living relief that received ¥1,000."""
    city = ledger.create_centre(ADMIN, "长春市", CentreLevel.PREFECTURE, None).result.id
    district = ledger.create_centre(ADMIN, "朝阳区", CentreLevel.COUNTY, city).result.id
    fund = ledger.open_fund(
        ADMIN, city, "生活救助", FundSource.CENTRAL_SPECIAL_FUND, 2026, [LIVING], JAN_5
    ).result.id
    ledger.receive(ADMIN, fund, 1_000_00, "财政部", "R-1", JAN_5)
    return city, district, fund


def household(ledger: Ledger, centre: UUID, n: int, category: Category, on: date) -> UUID:
    person = Person(f"住户{n}", make_id_number("220104", date(1970, 1, 1), n), "")
    return ledger.register_case(ADMIN, centre, assessment(category=category), person, on).result.id


def without(records: list[Record], *drop: tuple[type[DomainEvent], str]) -> list[Record]:
    """The records less the events of these (event class, aggregate id) pairs."""
    return [r for r in records if not any(is_(r, cls) and r["id"] == i for cls, i in drop)]


def test_the_demos_figures_fit_their_schemas_whole_by_fund_tree_and_by_period(
    demo: tuple[Ledger, DemoData, Signer],
) -> None:
    ledger, data, _ = demo
    records = list(from_ledger(ledger))
    facts = [record_facts(r) for r in records]
    scopes = [
        Scope(),
        Scope(fund_id=str(data.funds[0])),
        Scope(date_from="2026-02-01", date_to="2026-03-31"),
        Scope(fund_id=str(data.funds[0]), date_from="2026-02-01"),
    ]

    figures = [computed(s.select(records), s, facts) for s in scopes]

    for scope, files in zip(scopes, figures, strict=True):
        for name, value in files.items():
            assert schema_problems(name, json.loads(to_json(value))) == [], (scope, name)
    period = figures[2]["balances_and_flows"]
    assert all("opening_fen" in f for f in period.values())
    assert {k: f["balance_fen"] for k, f in period.items()} == {
        k: f["balance_fen"]
        for k, f in ledger_math.balances_and_flows(
            r for r in records if r.get("business_date", "") <= "2026-03-31"
        ).items()
    }  # a period's balances are the whole ledger's at its end


def test_a_schema_refuses_a_float_amount_an_extra_key_and_a_missing_one(ledger: Ledger) -> None:
    _, _, fund = city_fund(ledger)
    records = list(from_ledger(ledger))
    figures = json.loads(to_json(computed(records, Scope(), [])))
    assert schema_problems("balances_and_flows", figures["balances_and_flows"]) == []

    figures["balances_and_flows"][str(fund)]["balance_fen"] = 1_000_00.0
    figures["balances_and_flows"][str(fund)]["in_fen"]["Received"] = 999.5
    figures["earmarks"]["checked_by"] = "me"
    del figures["earmarks"]["not_checked"]

    balances = schema_problems("balances_and_flows", figures["balances_and_flows"])
    earmarks = schema_problems("earmarks", figures["earmarks"])
    assert balances == [
        f"computed/balances_and_flows.json at $['{fund}'].balance_fen: "
        "100000.0 is not of type 'integer'",
        f"computed/balances_and_flows.json at $['{fund}'].in_fen.Received: "
        "999.5 is not of type 'integer'",
    ]
    assert len(earmarks) == 2 and "'not_checked' is a required property" in earmarks[0]
    assert "('checked_by' was unexpected)" in earmarks[1]


def test_a_period_opens_with_the_balance_before_it_and_closes_with_the_true_balance(
    ledger: Ledger,
) -> None:
    city, _, fund = city_fund(ledger)
    case = household(ledger, city, 1, Category.DEEP_HARDSHIP, JAN_5)
    ledger.pay(ADMIN, fund, case, LIVING, 300_00, "一月", JAN_20)
    ledger.pay(ADMIN, fund, case, LIVING, 200_00, "二月", FEB_10)
    records = list(from_ledger(ledger))
    period = Scope(date_from="2026-02-01")

    opening = ledger_math.opening_balances([record_facts(r) for r in records], "2026-02-01")
    figures = ledger_math.balances_and_flows(period.select(records), opening)
    tree = provenance.trace(period.select(records), str(fund), opening=opening)

    assert opening == {str(fund): 700_00}
    assert figures[str(fund)] == {
        "name": "生活救助",
        "source": "central_special_fund",
        "fiscal_year": 2026,
        "centre_id": str(city),
        "parent_fund_id": None,
        "opening_fen": 700_00,
        "balance_fen": 500_00,
        "in_fen": {},
        "out_fen": {"Disbursed": 200_00},
        "to_children_fen": {},
        "paid_by_type_fen": {"living_relief": 200_00},
        "reversed_fen": 0,
    }
    assert (tree["opening_fen"], tree["paid_fen"], tree["unspent_fen"]) == (700_00, 200_00, 500_00)


def test_a_check_whose_opening_the_records_lack_is_not_made_rather_than_reported(
    ledger: Ledger,
) -> None:
    city, district, fund = city_fund(ledger)
    ledger.allocate(ADMIN, fund, district, 500_00, "下拨", JAN_20)
    case = household(ledger, city, 1, Category.DEEP_HARDSHIP, FEB_1)
    paid_before_filing(ledger, fund, case, 100_00, JAN_20)
    records = list(from_ledger(ledger))
    child = next(r["id"] for r in records if is_(r, Fund.Opened) and r["parent_fund_id"])
    cut = without(records, (Fund.Opened, child), (Case.Registered, str(case)))

    whole, partial = compliance.earmarks(records), compliance.earmarks(cut)
    rules = [f["rule"] for f in compliance.suspicious(records, NO_LATE)]

    assert (whole["transfers_checked"], whole["not_checked"]) == (1, 0)
    assert (partial["transfers_checked"], partial["not_checked"], partial["violations"]) == (
        0,
        1,
        [],
    )
    assert "before_filing" in rules
    assert compliance.suspicious(cut, NO_LATE) == []


def test_a_yearly_standard_is_not_judged_by_a_category_a_missing_reassessment_may_have_changed(
    ledger: Ledger,
) -> None:
    city, _, fund = city_fund(ledger)
    ledger.receive(ADMIN, fund, 20_000_00, "财政部", "R-2", JAN_5)
    reassessed = household(ledger, city, 1, Category.RELATIVE_HARDSHIP, JAN_5)
    never = household(ledger, city, 2, Category.RELATIVE_HARDSHIP, JAN_5)
    ledger.reassess(ADMIN, reassessed, assessment(), "返困加重", FEB_1)
    for case in (reassessed, never):  # 10 months of the ¥790 line: above 8, within 12
        ledger.pay(ADMIN, fund, case, LIVING, 7_900_00, "生活救助", FEB_10)
    records = list(from_ledger(ledger))

    whole = compliance.suspicious(records, NO_LATE)
    cut = compliance.suspicious(without(records, (Case.Reassessed, str(reassessed))), NO_LATE)

    assert [(f["rule"], f["case_id"]) for f in whole] == [("above_standard", str(never))]
    assert cut == whole  # the reassessed household is not judged as relative hardship
