"""The demo's money work on both stores, by hand-computed figures: requests above the city's
¥8,000 line decided by another user (one escalated to the top), monthly subsidies paid once
whatever the runs, a 金秋助学 roster whose bad rows are refused with their reasons, and the
bank's return file whose two failed lines are reversed; money conserved over it all.

With 12 households the demo closes the first (``cases[0]``), closes and reopens one in the year
(返困) and gives one education aid in August, so 9 households' students are on the roster."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from cli.demo import DemoData
from domain.access import SYSTEM
from domain.application import Context, Ledger
from domain.rosters import RowProblem, RowStatus
from domain.schedules import MonthStatus
from domain.use_cases.bank_files import ReturnStatus
from projections import conservation
from supervision.signing import Signer


def test_the_demo_escalates_a_request_to_the_top_pays_each_month_once_and_reverses_two_returns(
    demo: tuple[Ledger, DemoData, Signer],
) -> None:
    ledger, data, _ = demo
    work = data.money
    assert data.city_fund is not None and work.roster is not None

    requests = {name: ledger.payment_request(SYSTEM, r) for name, r in work.requests.items()}
    schedules = [ledger.schedule(SYSTEM, s) for s in work.schedules]
    again = ledger.run_schedules(Context(SYSTEM), work.schedules, "2026-07", date(2026, 7, 10))
    refused = {r.row: r for r in work.roster.rows if r.status is RowStatus.REFUSED}
    returned = [r for r in work.returns if r.status is ReturnStatus.REVERSED]
    warmth = [ledger.payment(SYSTEM, p) for p in data.payments]
    city_fund = ledger.fund(SYSTEM, data.city_fund)

    # ¥9,000 is decided at the paying fund's centre (the city), ¥12,000 (above ¥10,000) by its
    # parent, which the fund's centre also stands for; ¥25,000 of medical relief (above
    # ¥20,000) at the province, which the demo's tree lacks: by a user of the whole tree only
    assert {n: (r.status.value, r.level.value, r.amount_fen, r.decided_by) for n, r in
            requests.items()} == {
        "approved": ("approved", "centre", 9_000_00, "demo-finance"),
        "escalated": ("approved", "province", 25_000_00, "demo-admin"),
        "rejected": ("rejected", "parent", 12_000_00, "demo-finance"),
    }  # fmt: skip
    assert requests["escalated"].approver_path == [] and city_fund.reserved_fen == 0
    assert all(r.requested_by == "demo-loader" for r in requests.values())
    # three deep-hardship households on three streets, ¥500 a month, July to October once each
    assert len({s.centre_id for s in schedules}) == 3
    assert work.months == ["2026-07", "2026-08", "2026-09", "2026-10"]
    assert [(sorted(s.paid), s.amount_fen) for s in schedules] == [(work.months, 500_00)] * 3
    assert [(line.status, line.payment_id) for line in again.lines] == [
        (MonthStatus.ALREADY_PAID, s.paid["2026-07"]) for s in schedules
    ]
    # the roster's 9 students at ¥1,000, 2,000, 3,000, 5,000 by school level in turn: two
    # rounds of ¥11,000 and ¥1,000; four bad rows among them (row 1 of the file is its headers)
    assert (work.roster.count(RowStatus.RECORDED), work.roster.amount_fen(RowStatus.RECORDED)) == (
        9,
        23_000_00,
    )
    assert {n: r.problem for n, r in refused.items()} == {
        4: RowProblem.UNKNOWN_ARCHIVE,
        9: RowProblem.INACTIVE_CASE,
        13: RowProblem.OVER_STANDARD,
        14: RowProblem.FUND_PURPOSE,
    }
    assert refused[13].message.startswith("第13行：超过帮扶标准")
    assert "10000.00" in refused[13].detail
    # the bank pays 7 of the 9 lines; the 2nd (¥2,000) and 5th (¥1,000) come back, reversed
    assert work.bank_lines == len(work.returns) == 9
    assert [(r.detail, ledger.payment(SYSTEM, UUID(r.reference)).amount_fen) for r in returned] == [
        ("账户已销户", 2_000_00),
        ("户名与账号不符", 1_000_00),
    ]
    assert all(ledger.payment(SYSTEM, UUID(r.reference)).is_reversed for r in returned)
    # the city's fund: ¥12,000 for the round and ¥200,000 beside; out went the round (net of
    # its reversal), the two approved requests and the roster, less the two bank returns
    round_fen = sum(p.amount_fen for p in warmth if not p.is_reversed)
    assert city_fund.balance_fen == (
        212_000_00 - round_fen - (9_000_00 + 25_000_00) - 23_000_00 + (2_000_00 + 1_000_00)
    )
    assert conservation.check(ledger).holds
