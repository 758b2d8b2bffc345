"""The demo's Spring Festival round (两节送温暖) as a campaign at the city: its roster is every
archived household; each is visited and paid from the city's own union money, but for one in
forty, not reached, each with its reason (外出务工联系不上, 本人谢绝 ...), with which the campaign
closes. Beside the round, as before: medical relief for some, education aid for others, and a
warmth payment reversed now and then (重复发放)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from cli.demo_data import YEAR
from domain.campaign_terms import ExceptionReason, Excuse, Plan
from domain.cases import Goods
from domain.money import display_yuan
from domain.vocabulary import AssistanceType as T
from domain.vocabulary import CampaignKind, Category

if TYPE_CHECKING:
    from cli.demo import DemoBuilder, DemoData

WINDOW = (date(YEAR, 1, 15), date(YEAR, 2, 16))  # to 除夕, the eve of the Spring Festival
OPENED, CLOSED = date(YEAR, 1, 12), date(YEAR, 2, 20)
STANDARD_FEN = 1_000_00  # the most a household is given, whatever its category
VISITORS = ["王主席", "李干事"]
EXCUSES = [  # why a household was not reached, in turn
    Excuse(ExceptionReason.UNREACHABLE, "外出务工，电话联系不上"),
    Excuse(ExceptionReason.REFUSED, "本人表示生活已好转，谢绝慰问"),
    Excuse(ExceptionReason.HOSPITALISED, "住院治疗，家属代为谢绝"),
    Excuse(ExceptionReason.MOVED_AWAY, "随子女迁居外地"),
]


def reached(n: int, households: int) -> bool:
    """Whether the round reaches the n-th household: all but one in forty (the 22nd, or the
    last of a smaller archive)."""
    return n % 40 != min(21, households - 1)


@dataclass(frozen=True)
class Planned:
    """What the round brings the n-th household, drawn while it is filed."""

    n: int
    case: UUID
    funds: list[UUID]  # its street's funds, in the order of FUNDS
    warmth_fen: int
    medical_fen: int | None
    education_fen: int | None
    reached: bool

    @property
    def paid_twice(self) -> bool:
        """Whether its warmth payment is reversed as paid twice (重复发放), now and then."""
        return self.n % 25 == 0 and self.reached

    @property
    def day(self) -> date:
        return date(YEAR, 1, 20) + timedelta(days=self.n % 20)

    @classmethod
    def draw(
        cls, rng: random.Random, n: int, households: int, case: UUID, funds: list[UUID]
    ) -> Planned:
        """The draws for the n-th household, in the order the demo always made them."""
        warmth = rng.choice([500_00, 800_00, 1_000_00])
        medical = rng.randrange(2_000_00, 8_000_00, 100) if n % 7 == 3 else None
        education = rng.choice([1_000_00, 3_000_00]) if n % 9 == 4 else None
        return cls(n, case, funds, warmth, medical, education, reached(n, households))


class SpringFestival:
    """Writes the round through the ledger's campaign use cases."""

    def __init__(self, builder: DemoBuilder, data: DemoData, plans: list[Planned]) -> None:
        self.builder, self.ledger, self.data, self.plans = builder, builder.ledger, data, plans

    def build(self) -> None:
        lg, data = self.ledger, self.data
        assert data.city_fund is not None
        plan = Plan(
            CampaignKind.SPRING_FESTIVAL_WARMTH,
            f"{YEAR}年两节送温暖",
            WINDOW,
            STANDARD_FEN * len(self.plans),  # the budget
            {c.value: STANDARD_FEN for c in Category},
        )
        city, funds = data.root_centre_id, [data.city_fund]
        opened = lg.open_campaign(self.builder.admin, city, plan, funds, OPENED)
        campaign = data.campaign_id = opened.result.id
        paid_fen = 0
        for p in self.plans:
            if p.reached:
                self._reach(campaign, p)
                paid_fen += 0 if p.paid_twice else p.warmth_fen
            self._beside(p)
            self.builder.tick(2)
        missed = self._close(campaign)
        reached = len(self.plans) - missed
        data.summary.append(
            f"两节送温暖 campaign: {reached} of {len(self.plans)} reached "
            f"({display_yuan(paid_fen)}), {missed} not, with reasons"
        )

    def _close(self, campaign: UUID) -> int:
        """Close the round with a reason for each household not reached (some noted during
        it, the others given at the close); answers how many."""
        lg, data = self.ledger, self.data
        missed = [p for p in self.plans if not p.reached]
        reasons = {}
        for i, p in enumerate(missed):
            excuse = EXCUSES[i % len(EXCUSES)]
            data.unreached[p.case] = excuse.reason.value
            if i % 2 == 0:
                lg.note_campaign_exception(self.builder.admin, campaign, p.case, excuse, p.day)
            else:
                reasons[p.case] = excuse
        note = "两节送温暖活动结束，未走访户均已说明原因"
        unreached = list(data.unreached)
        lg.close_campaign(self.builder.admin, campaign, unreached, reasons, note, CLOSED)
        return len(missed)

    def _reach(self, campaign: UUID, p: Planned) -> None:
        """A visit with rice, flour and oil, and money from the city's union funds."""
        lg, data = self.ledger, self.data
        assert data.city_fund is not None
        goods = [Goods("米面油", 200_00)]
        notes = "春节前入户慰问"
        lg.campaign_visit(self.builder.admin, campaign, p.case, VISITORS, notes, goods, p.day)
        reference = f"SW-{YEAR}-{p.n:05d}"
        paid = lg.campaign_payment(
            self.builder.admin, campaign, p.case, data.city_fund, p.warmth_fen, p.day,
            reference=reference,
        )  # fmt: skip
        data.payments.append(paid.result.id)

    def _beside(self, p: Planned) -> None:
        """Medical relief a month later for some, education aid in August for others, and now
        and then a warmth payment reversed as paid twice."""
        lg, builder = self.ledger, self.builder
        if p.medical_fen is not None:
            reference, day = f"YL-{YEAR}-{p.n:05d}", p.day + timedelta(days=30)
            lg.pay(
                builder.admin, p.funds[0], p.case, T.MEDICAL_RELIEF, p.medical_fen, reference, day
            )
        if p.education_fen is not None:
            reference, day = f"ZX-{YEAR}-{p.n:05d}", date(YEAR, 8, 25)
            lg.pay(
                builder.admin, p.funds[1], p.case, T.EDUCATION_AID, p.education_fen, reference, day
            )
            self.data.schooled.append(p.case)
        if p.paid_twice:
            day = p.day + timedelta(days=5)
            lg.reverse_payment(self.builder.admin, self.data.payments[-1], "重复发放，冲正", day)


def add_spring_festival(builder: DemoBuilder, data: DemoData, plans: list[Planned]) -> None:
    """The Spring Festival campaign, once the archive is filed."""
    SpringFestival(builder, data, plans).build()
