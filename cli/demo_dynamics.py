"""The demo's dynamic management (动态管理): a year of monthly incomes for a few households, one
of them above the 低保 line long enough to exit (an exit candidate); reviews on each side of the
city's mid-year line change, where the same income changes the category; an exit (脱困) and a
relapse (返困); a 零就业家庭 whose child found work."""

from __future__ import annotations

import calendar
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from cli.demo_data import YEAR
from domain.access import SYSTEM
from domain.incomes import Incomes, Member
from domain.policy_parameters import Parameter
from domain.use_cases.review import Review
from domain.vocabulary import Cause, ClosureReason, HouseholdFlag

if TYPE_CHECKING:
    from cli.demo import DemoBuilder, DemoData

LOOKED_AT = 30  # households searched for the roles below (a bound on the demo's reads)
SELF, CHILD = "本人", "子女"


def _month_end(month: int) -> date:
    return date(YEAR, month, calendar.monthrange(YEAR, month)[1])


def _three(per_head_fen: int, employed: str | None = SELF) -> Incomes:
    """A household of three with this income a head, earned by one member."""
    earner = Member(employed or SELF, 3 * per_head_fen, employed is not None)
    return Incomes(3, 3 * per_head_fen, 0, (earner,))


class Dynamics:
    """Writes the demo's incomes, reviews, exit and relapse through the ledger's use cases."""

    def __init__(self, builder: DemoBuilder, data: DemoData) -> None:
        self.builder, self.ledger, self.data = builder, builder.ledger, data
        closed = max(1, builder.households // 15)  # the demo closes its first households
        self.open = data.cases[closed : closed + LOOKED_AT]

    def _line(self, case: UUID, on: date) -> int | None:
        centre = self.ledger.case(SYSTEM, case).centre_id
        return self.ledger.policy_value(centre, Parameter.DIBAO_LINE, None, on)

    def _incomes(self, case: UUID, month: int, incomes: Incomes, note: str = "") -> UUID:
        day = _month_end(month)
        done = self.ledger.record_income(
            self.builder.admin, case, f"{YEAR}-{month:02d}", incomes, note, day
        )
        return done.result.id

    def _review(self, case: UUID, incomes: Incomes, day: date, note: str) -> None:
        self.ledger.review_case(self.builder.admin, case, Review(incomes, note=note), day)

    def build(self) -> None:
        cases = list(self.open)
        if not cases:
            return
        # the city's line rises from ¥790 to ¥820 on 1 July; one district has ¥850 all year
        june, july = date(YEAR, 6, 30), date(YEAR, 7, 1)
        changed = (c for c in cases if self._line(c, june) != self._line(c, july))
        reviewed = next(changed, cases[0])
        rest = [c for c in cases if c != reviewed]
        self._reviews_across_the_line_change(reviewed)
        if rest:
            self._exit_candidate(rest.pop(0))
        if rest:
            self._exit_and_relapse(rest.pop(0))
        zero = HouseholdFlag.ZERO_EMPLOYMENT_FAMILY.value
        flagged = next((c for c in rest if zero in self.ledger.case(SYSTEM, c).flags), None)
        if flagged is not None:
            self._child_found_work(flagged)

    def _reviews_across_the_line_change(self, case: UUID) -> None:
        """¥805 a head: relative hardship under ¥790 in June, deep hardship under ¥820 in July."""
        figures = _three(805_00)
        self._review(case, figures, date(YEAR, 6, 20), "年度复核：收入核对")
        self._review(case, figures, date(YEAR, 7, 15), "低保标准上调后复核")

    def _exit_candidate(self, case: UUID) -> None:
        """Below the line to April, ¥900 a head from May: eight months above it by December;
        March first recorded wrong, then corrected."""
        made: dict[int, UUID] = {}
        for month in range(1, 13):
            per_head = 720_00 if month == 3 else (700_00 if month <= 4 else 900_00)
            made[month] = self._incomes(case, month, _three(per_head))
        self.ledger.record_income(
            self.builder.admin, case, f"{YEAR}-03", _three(700_00), "工资条核对后更正",
            date(YEAR, 4, 10), corrects=made[3],
        )  # fmt: skip

    def _exit_and_relapse(self, case: UUID) -> None:
        """Six months above the line, closed to the exited library (脱困) in July; a serious
        illness in October reopens it (返困), and the review finds deep hardship."""
        self.data.reopened.append(case)
        for month in range(1, 7):
            self._incomes(case, month, _three(950_00))
        lg, admin = self.ledger, self.builder.admin
        lg.close_case(
            admin, case, ClosureReason.EXITED_INCOME_ABOVE_LINE, "连续6个月收入高于低保标准",
            date(YEAR, 7, 10),
        )  # fmt: skip
        lg.reopen_case(self.builder.admin, case, "家庭成员突发重病，返困", date(YEAR, 10, 8))
        ill = Incomes(3, 600_00, 2_400_00, (Member(SELF, 600_00, True),))
        review = Review(ill, Cause.SERIOUS_ILLNESS, note="返困后复核")
        lg.review_case(self.builder.admin, case, review, date(YEAR, 10, 9))
        self._incomes(case, 10, ill, "返困后收入")

    def _child_found_work(self, case: UUID) -> None:
        """A 零就业家庭: from September a child is employed."""
        for month in (7, 8):
            self._incomes(case, month, Incomes(3, 0, 0, (Member(SELF, 0, False),)))
        for month in (9, 10, 11):
            self._incomes(case, month, _three(600_00, CHILD), "子女就业")


def add_dynamics(builder: DemoBuilder, data: DemoData) -> None:
    """The demo's dynamic management, after its households, closures and referrals."""
    Dynamics(builder, data).build()
