"""The demo data set loads on both stores, and money is conserved over it."""

from __future__ import annotations

from cli.demo import DemoBuilder
from domain.application import Ledger
from domain.funds import Fund
from projections import conservation
from stores.log import LogReader


def test_money_is_never_created_or_destroyed_over_the_demo_data(ledger: Ledger) -> None:
    data = DemoBuilder(ledger, households=25).build()

    check = conservation.check(ledger)

    assert check.funds == len(data.funds)
    assert check.appropriated_fen > 0 and check.paid_fen > 0 and check.reversed_fen > 0
    assert check.returned_out_fen == 500_00
    assert (
        check.appropriated_fen - check.paid_fen + check.reversed_fen - check.returned_out_fen
        == check.balances_fen
    )
    assert check.holds


def test_the_conservation_sums_match_a_direct_count_of_the_funds(ledger: Ledger) -> None:
    data = DemoBuilder(ledger, households=10).build()

    check = conservation.check(ledger)

    funds: list[Fund] = [ledger.repository.get(f) for f in data.funds]
    assert all(isinstance(f, Fund) and f.balance_fen >= 0 for f in funds)
    assert check.balances_fen == sum(f.balance_fen for f in funds)
    assert check.paid_fen - check.reversed_fen == sum(
        ledger.repository.get(c).received_fen - ledger.repository.get(c).reversed_fen
        for c in data.cases
    )


def test_the_demo_visits_every_archived_household_in_the_spring_festival(ledger: Ledger) -> None:
    data = DemoBuilder(ledger, households=12).build()

    visited = {
        e.originator_id
        for _, e in LogReader(ledger).events()
        if type(e).__name__ == "Visited" and e.__dict__["campaign"] == "spring_festival_warmth"
    }

    assert visited == set(data.cases)
    assert len(data.tokens) == 5


def test_each_demo_user_signs_in_with_the_password_the_demo_made(ledger: Ledger) -> None:
    data = DemoBuilder(ledger, households=5).build()

    signed_in = {
        name: ledger.sign_in(name, password).name for name, password in data.passwords.items()
    }

    assert signed_in == {name: name for name in data.tokens}
    assert len(signed_in) == 5
