"""The demo data set loads on both stores, and money is conserved over it.

The demo is built once per store and test process (tests/store_templates.py: a build that fails
fails these tests) and each test reads a copy of it."""

from __future__ import annotations

from pathlib import Path

from cli.demo import DemoData
from domain.access import SYSTEM
from domain.application import Ledger
from domain.cases import Case
from domain.funds import Fund
from domain.money import yuan
from projections import Views, conservation
from projections.campaign_coverage import coverage
from stores.log import LogReader
from supervision.signing import Signer
from tests.store_templates import StoreTemplates


def test_money_is_never_created_or_destroyed_over_the_demo_data(
    store_url: str, tmp_path: Path, store_templates: StoreTemplates
) -> None:
    with store_templates.demo(store_url, tmp_path, households=25) as (ledger, data):
        check = conservation.check(ledger)

    assert check.funds == len(data.funds)
    assert check.appropriated_fen > 0 and check.paid_fen > 0 and check.reversed_fen > 0
    assert check.returned_out_fen == 500_00
    assert (
        check.appropriated_fen - check.paid_fen + check.reversed_fen - check.returned_out_fen
        == check.balances_fen
    )
    assert check.holds


def test_the_conservation_sums_match_a_direct_count_of_the_funds(
    demo: tuple[Ledger, DemoData, Signer],
) -> None:
    ledger, data, _ = demo

    check = conservation.check(ledger)

    funds: list[Fund] = [ledger.repository.get(f) for f in data.funds]
    assert all(isinstance(f, Fund) and f.balance_fen >= 0 for f in funds)
    assert check.balances_fen == sum(f.balance_fen for f in funds)
    assert check.paid_fen - check.reversed_fen == sum(
        ledger.repository.get(c).received_fen - ledger.repository.get(c).reversed_fen
        for c in data.cases
    )


def test_every_household_on_the_demo_campaigns_roster_is_reached_or_has_a_reason(
    demo: tuple[Ledger, DemoData, Signer],
) -> None:
    ledger, data, _ = demo
    views = Views(ledger)
    views.projector.run_once()

    visited = {
        e.originator_id
        for _, e in LogReader(ledger).events()
        if isinstance(e, Case.Visited) and e.__dict__.get("campaign_id") == data.campaign_id
    }
    found = coverage(views.campaigns, str(data.campaign_id), None)
    given = [ledger.payment(SYSTEM, p) for p in data.payments]

    # the roster is the whole archive (filed the year before); the twelfth household, the last
    # of an archive under 22, is not reached, its reason noted; the first household's warmth
    # payment was reversed as paid twice, so it counts as visited, not paid
    missed = data.cases[11]
    assert found is not None and found["campaign"]["status"] == "closed"
    assert visited == set(data.cases) - {missed} and data.unreached == {missed: "unreachable"}
    assert found["total"] == {
        "households": 12, "visited": 11, "paid": 10, "both": 10, "neither": 1, "exceptions": 1,
        "paid_amount": yuan(sum(p.amount_fen for p in given if not p.is_reversed)),
    }  # fmt: skip
    assert [(h["case_id"], h["reason"]) for h in found["unreached"]] == [
        (str(missed), "unreachable")
    ]
    assert found["unreached_without_reason"] == 0
    assert len(data.tokens) == 5


def test_each_demo_user_signs_in_with_the_password_the_demo_made(
    demo: tuple[Ledger, DemoData, Signer],
) -> None:
    ledger, data, _ = demo

    signed_in = {
        name: ledger.sign_in(name, password).name for name, password in data.passwords.items()
    }

    assert signed_in == {name: name for name in data.tokens}
    assert len(signed_in) == 5
