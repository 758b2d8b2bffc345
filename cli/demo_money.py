"""The demo's money work beyond single payments: payment requests above the city's ¥8,000 line
with their checkers (支付审批), one of them medical relief above ¥20,000 escalated to the top;
deep-hardship households on a monthly living subsidy (定期生活补助), July to October;
and a 金秋助学 roster (花名册) with bad rows, imported, then its bank payment file (银行代发) and
the bank's return file (回盘) with two lines failed, reversed."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import NAMESPACE_URL, UUID, uuid5

from api.roster_files import read_table
from cli.demo_data import YEAR
from domain.access import SYSTEM, Actor
from domain.money import display_yuan, yuan
from domain.rosters import FIELDS, RosterReport, RowStatus, parse_roster
from domain.schedules import MonthStatus
from domain.use_cases.bank_files import ReturnReport, ReturnStatus
from domain.vocabulary import AssistanceType as T
from domain.vocabulary import Category, FundSource, Role

if TYPE_CHECKING:
    from cli.demo import DemoBuilder, DemoData

ADMIN_CHECKER = Actor("demo-admin", Role.ADMIN)  # of the whole tree: decides at the top
REQUESTS = [  # (what the demo calls it, assistance type, fen, reference, how it ends)
    ("approved", T.TEMPORARY_RELIEF, 9_000_00, "LS-申请-001", "approve"),
    ("escalated", T.MEDICAL_RELIEF, 25_000_00, "YL-申请-002 大病住院自付", "approve"),
    ("rejected", T.MEDICAL_RELIEF, 12_000_00, "YL-申请-003", "医疗费用票据不全，请补齐后重新申请"),
]
SCHEDULED = 3  # deep-hardship households on a schedule, each on another street
SCHEDULE_START, SCHEDULE_MONTHS = f"{YEAR}-07", 12
LAST_MONTH = 10  # run to October: each month's payment over a month old whenever the demo loads
ROSTER, ROSTER_ROWS, ROSTER_DAY = f"{YEAR}年金秋助学", 20, date(YEAR, 9, 10)
LEVELS = [  # school level of the student, and the city's 金秋助学 standard for it
    ("高中", 1_000_00),
    ("高职", 2_000_00),
    ("本科", 3_000_00),
    ("研究生", 5_000_00),
]
RETURNED = ("账户已销户", "户名与账号不符")  # why the bank could not pay two lines
NO_SUCH_ARCHIVE = uuid5(NAMESPACE_URL, "https://bangfu.example/demo/no-such-archive")


@dataclass
class MoneyWork:
    """What the demo's money work made, for printing and for tests."""

    requests: dict[str, UUID] = field(default_factory=dict)  # see REQUESTS
    schedules: list[UUID] = field(default_factory=list)
    months: list[str] = field(default_factory=list)  # the months run
    roster: RosterReport | None = None
    bank_lines: int = 0
    returns: list[ReturnReport] = field(default_factory=list)


class Money:
    """Writes the demo's money work through the ledger's use cases."""

    def __init__(self, builder: DemoBuilder, data: DemoData) -> None:
        self.builder, self.ledger, self.data = builder, builder.ledger, data
        closed = max(1, builder.households // 15)  # the demo closes its first households
        self.open = [c for c in data.cases[closed:] if c not in data.reopened]
        # a student given education aid in August is not on the 金秋助学 roster as well
        self.students = [c for c in self.open if c not in data.schooled]
        assert data.city_fund is not None
        self.city_fund = data.city_fund
        self.work = data.money

    def build(self) -> None:
        self._requests()
        self._schedules()
        self._roster()

    # --- 支付审批 -------------------------------------------------------------------------------
    def _requests(self) -> None:
        """Three requests to the city's own fund, by the loader; the city's finance officer
        decides those at the city's level or below, the admin the one escalated to the top."""
        lg, data = self.ledger, self.data
        finance = Actor("demo-finance", Role.FINANCE, data.root_centre_id)
        # decided within the 30 days a request may wait, by the real today too
        asked = max(date(YEAR, 11, 16), lg.today() - timedelta(days=14))
        for n, (name, kind, fen, reference, end) in enumerate(REQUESTS, start=1):
            case = self.open[-n % len(self.open)]
            made = lg.request_payment(
                self.builder.admin, self.city_fund, case, kind, fen, reference, asked
            )
            request = self.work.requests[name] = made.result.id
            checker = ADMIN_CHECKER if name == "escalated" else finance
            decided = asked + timedelta(days=2)
            if end == "approve":
                lg.approve_payment_request(self.builder.as_(checker), request, decided)
            else:
                lg.reject_payment_request(self.builder.as_(checker), request, end, decided)
            self.builder.tick(2)
        data.summary.append(
            "支付审批 approvals: ¥9,000 and ¥25,000 (at the top) approved, ¥12,000 rejected"
        )

    # --- 定期生活补助 ---------------------------------------------------------------------------
    def _schedules(self) -> None:
        """Deep-hardship households, one a street, paid the city's standard every month from
        their street's share of the municipal fund; each month run once, from July."""
        lg, streets = self.ledger, set()
        for case_id in self.open:
            if len(self.work.schedules) == SCHEDULED:
                break
            case = lg.case(SYSTEM, case_id)
            if case.category != Category.DEEP_HARDSHIP or case.centre_id in streets:
                continue
            streets.add(case.centre_id)
            fund = self._street_fund(case.centre_id, FundSource.MUNICIPAL_MATCH)
            done = lg.set_schedule(
                self.builder.admin, case_id, fund, SCHEDULE_START, SCHEDULE_MONTHS,
                business_date=date(YEAR, 6, 25),
            )  # fmt: skip
            self.work.schedules.append(done.result.id)
        paid_fen = 0
        for month in range(7, LAST_MONTH + 1):
            label = f"{YEAR}-{month:02d}"
            day = date(YEAR, month, 10)
            run = lg.run_schedules(self.builder.loader, self.work.schedules, label, day)
            refused = [line.reason for line in run.lines if line.status is MonthStatus.REFUSED]
            if refused:
                raise RuntimeError(f"the demo's schedules were refused in {label}: {refused}")
            self.work.months.append(label)
            paid_fen += sum(line.amount_fen for line in run.lines)  # paid now, or before
            self.builder.tick(1)
        months = f"{self.work.months[0]} to {self.work.months[-1]}"
        self.data.summary.append(
            f"定期生活补助 schedules: {len(self.work.schedules)} households monthly, {months}, "
            f"{display_yuan(paid_fen)}"
        )

    def _street_fund(self, street: UUID, source: FundSource) -> UUID:
        for fund in self.data.street_funds[street]:
            if self.ledger.fund(SYSTEM, fund).source is source:
                return fund
        raise LookupError(f"no {source.value} fund at street {street}")

    # --- 花名册, 银行代发, 回盘 -------------------------------------------------------------------
    def _roster(self) -> None:
        """A 金秋助学 roster of students, a CSV file as a street would send it, with four bad
        rows; imported; then the bank file of what it paid, and the bank's return file."""
        lg, loader = self.ledger, self.builder.loader  # each row, each line once by itself
        table = read_table(_csv(self._rows()), f"{ROSTER}.csv")
        roster = parse_roster(table, ROSTER, self.city_fund, ROSTER_DAY)
        report = self.work.roster = lg.import_roster(loader, roster)
        bank = lg.bank_file(loader.actor, self.city_fund, roster=ROSTER)
        self.work.bank_lines = len(bank.lines)
        failing = dict(zip((1, 4) if len(bank.lines) > 4 else (0, 1), RETURNED, strict=True))
        returns = [["业务参考号", "处理结果", "失败原因"]]
        for n, line in enumerate(bank.lines):
            failed = failing.get(n)
            returns.append([str(line.payment_id), "失败" if failed else "成功", failed or ""])
        self.work.returns = lg.import_bank_returns(loader, returns, ROSTER_DAY + timedelta(days=10))
        self.builder.tick(len(table))
        reversed_ = sum(1 for r in self.work.returns if r.status is ReturnStatus.REVERSED)
        done = (RowStatus.RECORDED, RowStatus.SKIPPED)  # paid now, or by a load that stopped
        paid, fen = sum(report.count(s) for s in done), sum(report.amount_fen(s) for s in done)
        self.data.summary += [
            f"金秋助学花名册 roster: {paid} of {len(report.rows)} rows paid ({display_yuan(fen)}), "
            f"{report.count(RowStatus.REFUSED)} refused with reasons",
            f"银行代发 bank file: {self.work.bank_lines} lines; 回盘 return file: {reversed_} "
            "failed, reversed",
        ]

    def _rows(self) -> list[list[str]]:
        """The roster's rows: a student of each household, and among them an archive that
        does not exist, a closed one, an amount over the cap and a fund for warmth only."""
        head = [f.zh for f in FIELDS if f.key not in ("name", "business_date")]  # the template's
        kind = T.EDUCATION_AID.zh
        rows = []
        for n, case in enumerate(self.students[:ROSTER_ROWS]):
            level, fen = LEVELS[n % len(LEVELS)]
            card = f"62170{n + 1:014d}"
            rows.append([str(case), "", kind, yuan(fen), yuan(fen), card, f"金秋助学 {level}"])
        warmth_only = self.data.root_funds[FundSource.ACFTU_WARMTH_FUND]
        some = str(self.students[0])
        bad = [
            [str(NO_SUCH_ARCHIVE), "", kind, "1000.00", "1000.00", "", "档案编号填错"],
            [str(self.data.cases[0]), "", kind, "2000.00", "2000.00", "", "已结档户"],
            [some, "", kind, "12000.00", "", "", "金秋助学 研究生（超过上限）"],
            [some, str(warmth_only), kind, "3000.00", "3000.00", "", "误用送温暖资金"],
        ]
        for at, row in zip((2, 7, 12, 17), bad, strict=True):
            rows.insert(min(at, len(rows)), row)
        return [head] + [[str(n), *row] for n, row in enumerate(rows, start=1)]


def _csv(rows: list[list[str]]) -> bytes:
    """Rows as a CSV file, UTF-8 with a BOM, as Excel saves it."""
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def add_money(builder: DemoBuilder, data: DemoData) -> None:
    """The demo's approvals, schedules, roster and bank files, once its households are filed."""
    Money(builder, data).build()
