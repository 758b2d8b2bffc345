"""The demo's filing work (建档): applications at every step of 申请 → 审核 → 入户核查 → 收入核对 →
公示 → 建档, a notice with an objection handled, a rejection, two filings on each side of the
city's mid-year 低保 line change (one under another category, with its reason), a member joining
a filed household and the transfer of an archive to another street (转档)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from cli.demo_data import YEAR
from domain.application import Context
from domain.households import Household, Member, MonthlyAmount, Person
from domain.id_numbers import make_id_number
from domain.policy_parameters import SchoolLevel
from domain.vocabulary import Category, Cause, Employment, HouseholdFlag, VisitKind

if TYPE_CHECKING:
    from cli.demo import DemoBuilder, DemoData

REGION = "220103"  # apart from the archive's households (220104), so no ID number repeats
APPLICANTS = ("孙建国", "周秀兰", "吴明", "郑桂英", "冯强", "陈淑珍", "褚红梅", "卫建华", "蒋涛")
SPOUSES = ("李芳", "王勇", "赵娟", "钱军", "孙艳", "刘平", "张静", "杨超", "黄丽")


def _household(n: int, wage_fen: int, costs_fen: int = 0) -> Household:
    """The n-th demo application: a worker, a spouse out of work and a child at school."""
    born = date(1976, 3, 1) + timedelta(days=97 * n)
    child = Member(
        f"{APPLICANTS[n][0]}小{n}",
        make_id_number(REGION, date(2009, 5, 1) + timedelta(days=n), 3),
        "子女",
        Employment.STUDENT,
        SchoolLevel.SENIOR_SECONDARY,
    )
    spouse = Member(
        SPOUSES[n],
        make_id_number(REGION, born + timedelta(days=400), 2),
        "配偶",
        Employment.UNEMPLOYED,
    )
    return Household(
        Person(APPLICANTS[n], make_id_number(REGION, born, 1), f"1390431{n:04d}"),
        (spouse, child),
        (MonthlyAmount("工资", wage_fen),),
        (MonthlyAmount("医疗自付", costs_fen),) if costs_fen else (),
        Cause.SERIOUS_ILLNESS if costs_fen else Cause.LAID_OFF_UNEMPLOYED,
        (Cause.CHILD_SCHOOLING,),
        (HouseholdFlag.SINGLE_PARENT,) if n == 8 else (),
    )


class Filing:
    """Writes the demo's applications and household changes through the ledger's use cases."""

    def __init__(self, builder: DemoBuilder, data: DemoData) -> None:
        self.builder, self.ledger = builder, builder.ledger
        self.street = data.centres["自由大路街道"]  # at the city's line (朝阳区 has its own)
        self.other_street = data.centres["永吉街道"]

    def _admin(self) -> Context:
        return self.builder.admin  # a new idempotency key for each write of a resumable load

    def _apply(self, n: int, wage_fen: int, day: date, costs_fen: int = 0) -> UUID:
        household = _household(n, wage_fen, costs_fen)
        done = self.ledger.receive_application(
            self.builder.admin, self.street, household, "本人到站申请", day
        )
        self.builder.tick(1)
        return done.result.id

    def _through(self, application: UUID, day: date, until: str) -> date:
        """Take an application through its steps from ``day``, a few days apart, up to and
        including ``until``; answers the day of the last step."""
        lg, admin = self.ledger, self._admin
        steps = ["review", "visit", "income", "notice"]
        for step in steps[: steps.index(until) + 1]:
            day += timedelta(days=4)
            if step == "review":
                lg.review_application(admin(), application, "材料齐全", day)
            elif step == "visit":
                findings = "家中有重病人，生活困难属实"
                lg.record_application_visit(
                    admin(), application, ["王主席", "李干事"], findings, day
                )
            elif step == "income":
                lg.check_application_income(admin(), application, None, None, "与社保记录一致", day)
            else:
                lg.post_application_notice(admin(), application, "社区公示栏", None, day)
            self.builder.tick(1)
        return day

    def _file(
        self,
        n: int,
        wage_fen: int,
        start: date,
        costs_fen: int = 0,
        category: tuple[Category, str] | None = None,
    ) -> UUID:
        """An application taken through every step and filed a week after its notice; the
        archive is visited a few days later (建档后回访). Answers the archive's id."""
        lg, admin = self.ledger, self._admin
        application = self._apply(n, wage_fen, start, costs_fen)
        filed = self._through(application, start, "notice") + timedelta(days=8)
        chosen, reason = category or (None, "")
        case = lg.file_application(admin(), application, chosen, reason, filed).result.id
        later = filed + timedelta(days=5)
        lg.record_visit(admin(), case, ["李干事"], VisitKind.ROUTINE, None, "建档后回访", [], later)
        self.builder.tick(2)
        return case

    def build(self) -> None:
        lg, admin = self.ledger, self._admin
        start = date(YEAR, 5, 11)
        # one application waiting at each step (some of them past their deadline now)
        self._apply(0, 1_800_00, date(YEAR, 9, 1))
        for n, until in enumerate(("review", "visit", "income"), start=1):
            self._through(self._apply(n, 2_100_00, start), start, until)
        # on notice, with an objection raised and handled
        noticed = self._apply(4, 2_300_00, start)
        posted = self._through(noticed, start, "notice")
        raised = lg.raise_objection(
            admin(), noticed, "邻居反映家中有营业收入", posted + timedelta(1)
        )
        handling = "经核查为亲属代售，收入已计入"
        day = posted + timedelta(days=3)
        lg.handle_objection(admin(), noticed, raised.result.id, False, handling, day)
        # ¥2,400 for three: ¥800 a head, relative hardship under ¥790, deep under ¥820 (July)
        self._file(5, 2_400_00, date(YEAR, 5, 20))
        case = self._file(6, 2_400_00, date(YEAR, 6, 10))
        # filed under another category than the figures give, with the reason (supervision)
        why = "突发重病，医疗自付远超收入，按意外致困建档"
        self._file(7, 3_000_00, date(YEAR, 6, 1), 1_500_00, (Category.ACCIDENT_INDUCED, why))
        # rejected after the home visit: income well above twice the line
        rejected = self._apply(8, 9_000_00, date(YEAR, 7, 6))
        visited = self._through(rejected, date(YEAR, 7, 6), "visit")
        lg.reject_application(
            admin(), rejected, "人均收入高于低保标准两倍", visited + timedelta(days=2)
        )
        # a grandmother moves in with a filed household; the archive moves to the next street
        grandmother = Member(
            "王淑珍", make_id_number(REGION, date(1948, 11, 2), 4), "母亲", Employment.RETIRED
        )
        lg.add_member(admin(), case, grandmother, "随子女生活", date(YEAR, 8, 3))
        lg.transfer_case(admin(), case, self.other_street, "全家迁居永吉街道", date(YEAR, 9, 1))
        self.builder.tick(8)


def add_filing(builder: DemoBuilder, data: DemoData) -> None:
    """The demo's applications and household changes (建档, 一户一档)."""
    Filing(builder, data).build()
