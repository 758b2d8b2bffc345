"""A realistic demo data set: a prefecture centre, matched funds, a few hundred households."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from cli.demo_campaign import Planned, add_spring_festival
from cli.demo_cases import add_filing
from cli.demo_data import (
    CATEGORY_WEIGHTS,
    CAUSE_WEIGHTS,
    CITY,
    CITY_FUND,
    CLOSURES,
    DEMO_HOMES,
    DEMO_USERS,
    DIBAO_LINE_FEN,
    DISTRICTS,
    FUNDS,
    GIVEN,
    POLICY,
    REFERRALS,
    STATION,
    SURNAMES,
    YEAR,
)
from cli.demo_data import demo_id_number as demo_id_number  # where the tests know it from
from cli.demo_dynamics import add_dynamics
from cli.demo_money import MoneyWork, add_money
from domain.access import SYSTEM, Actor
from domain.application import Context, Ledger
from domain.cases import Assessment, Person
from domain.errors import NotFoundError, UserExistsError
from domain.passwords import new_password
from domain.results import Result
from domain.vocabulary import Category, CentreLevel, FundSource, HouseholdFlag, Role


@dataclass
class DemoData:
    """What the demo created, for printing and for tests."""

    root_centre_id: UUID
    centres: dict[str, UUID] = field(default_factory=dict)
    funds: list[UUID] = field(default_factory=list)
    cases: list[UUID] = field(default_factory=list)
    payments: list[UUID] = field(default_factory=list)  # the Spring Festival round's
    tokens: dict[str, str] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)  # for the web app's sign-in
    root_funds: dict[FundSource, UUID] = field(default_factory=dict)  # the city's, by source
    street_funds: dict[UUID, list[UUID]] = field(default_factory=dict)  # in the order of FUNDS
    city_fund: UUID | None = None  # the city's own union money (市总工会帮扶资金)
    campaign_id: UUID | None = None  # the Spring Festival round (两节送温暖)
    unreached: dict[UUID, str] = field(default_factory=dict)  # households it missed, and why
    reopened: list[UUID] = field(default_factory=list)  # closed and reopened mid-year (返困)
    schooled: list[UUID] = field(default_factory=list)  # given education aid in August
    money: MoneyWork = field(default_factory=MoneyWork)  # approvals, schedules, roster, bank
    summary: list[str] = field(default_factory=list)  # a line on each part, for printing


def _id(result: Result) -> UUID:
    return result.id


LOADER = Actor("demo-loader", Role.ADMIN)


def demo_state(ledger: Ledger) -> str:
    """ "empty", "unfinished" (a load began and stopped), "loaded", or "other" (not a demo)."""
    if ledger.is_empty():
        return "empty"
    if ledger.remembered(LOADER, _step_key(1)) is None:
        return "other"
    try:
        ledger.user(DEMO_USERS[-1][0])
    except NotFoundError:
        return "unfinished"  # the users are the last step
    return "loaded"


def _step_key(step: int) -> str:
    return f"demo-step-{step}"


class DemoBuilder:
    """Builds the data set through the Ledger's own use cases, as staff would."""

    def __init__(
        self,
        ledger: Ledger,
        households: int,
        seed: int = 2026,
        tick: Callable[[int], None] = lambda n: None,
        resumable: bool = False,
    ) -> None:
        self.ledger, self.households, self.tick = ledger, households, tick
        self.rng = random.Random(seed)
        self.resumable = resumable
        self._step = 0

    @property
    def admin(self) -> Context:
        """The loader's context for the next write. A resumable load numbers its writes as
        idempotency keys: run again after a crash, it replays what was done and goes on."""
        return self.as_(LOADER)

    def as_(self, actor: Actor) -> Context:
        """The context of the next write by ``actor`` (numbered as the loader's are)."""
        if not self.resumable:
            return Context(actor)
        self._step += 1
        return Context(actor, idempotency_key=_step_key(self._step))

    @property
    def loader(self) -> Context:
        """The loader's context for writes that are idempotent by themselves (a roster's rows,
        a schedule's months, a bank's return lines): no key."""
        return Context(LOADER)

    def steps(self) -> int:
        """Roughly how many writes the demo makes (for a progress bar)."""
        return 70 + len(POLICY) + self.households * 3

    def build(self) -> DemoData:
        data = self._centres()
        self._policy(data)
        streets = [c for name, c in data.centres.items() if name.endswith("街道")]
        fund_by_street = self._funds(data, streets)
        self._households(data, streets, fund_by_street)
        add_dynamics(self, data)  # incomes, reviews, an exit and a relapse (动态管理)
        add_filing(self, data)  # applications at every step, a member joining, 转档 (建档)
        add_money(self, data)  # approvals, schedules, a roster, bank files (资金业务)
        for name, role in DEMO_USERS:
            home = data.centres[DEMO_HOMES[role]] if role in DEMO_HOMES else data.root_centre_id
            centre = None if role in (Role.ADMIN, Role.AUDITOR) else home
            password = new_password()
            try:
                data.tokens[name] = self.ledger.add_user(SYSTEM, name, role, centre, password)
            except UserExistsError:  # a resumed load that had reached its users
                data.tokens[name] = self.ledger.issue_token(SYSTEM, name)
                self.ledger.set_password(SYSTEM, name, password)
            data.passwords[name] = password
        return data

    def _centre(self, data: DemoData, name: str, level: CentreLevel, parent: UUID | None) -> UUID:
        centre_id = _id(self.ledger.create_centre(self.admin, name, level, parent).result)
        data.centres[name] = centre_id
        self.tick(1)
        return centre_id

    def _centres(self) -> DemoData:
        data = DemoData(root_centre_id=UUID(int=0))
        city = self._centre(data, *CITY, None)
        data.root_centre_id = city
        for district, streets in DISTRICTS.items():
            d = self._centre(data, f"{district}总工会帮扶中心", CentreLevel.COUNTY, city)
            for street in streets:
                self._centre(data, street, CentreLevel.STREET, d)
        self._centre(data, *STATION, city)
        return data

    def _policy(self, data: DemoData) -> None:
        """The city's policy (its 低保 line rises mid-year), and one district's own line."""
        for name, param, subject, value, day, why in POLICY:
            self.ledger.set_policy(self.admin, data.centres[name], param, subject, value, day, why)
        self.tick(len(POLICY))

    def _funds(self, data: DemoData, streets: list[UUID]) -> dict[UUID, list[UUID]]:
        """Central money matched 1:1 by province and city, allocated down to every street."""
        lg, city = self.ledger, data.root_centre_id
        jan = date(YEAR, 1, 8)
        amount = max(self.households * 2_000_00, 100_000_00)  # ample for every street's needs
        fund_by_street: dict[UUID, list[UUID]] = data.street_funds
        fund_by_street.update({s: [] for s in streets})
        for name, source, payer, purposes in FUNDS:
            fund = _id(
                lg.open_fund(
                    self.admin, city, f"{YEAR}年{name}", source, YEAR, purposes, jan
                ).result
            )
            data.funds.append(fund)
            data.root_funds[source] = fund
            total = amount
            lg.receive(self.admin, fund, total, payer, f"{source.value}-{YEAR}-001", jan)
            districts = [c for n, c in data.centres.items() if n.endswith("帮扶中心") and c != city]
            for d in districts:
                child = self._allocate(fund, d, total * 3 // 10, jan + timedelta(days=3))
                data.funds.append(child)
                my_streets = [s for s in streets if lg.centre(SYSTEM, s).parent_id == d]
                for s in my_streets:
                    grand = self._allocate(child, s, total * 3 // 20, jan + timedelta(days=6))
                    data.funds.append(grand)
                    fund_by_street[s].append(grand)
                self.tick(1 + len(my_streets))
        # a street returns an unspent remainder; the city returns a little to its payer
        first_street_fund = fund_by_street[streets[0]][0]
        lg.return_funds(self.admin, first_street_fund, 1_000_00, "退回结余", date(YEAR, 3, 31))
        lg.return_funds(self.admin, data.funds[0], 500_00, "退回多拨款", date(YEAR, 4, 2))
        self._city_fund(data, jan)
        return fund_by_street

    def _city_fund(self, data: DemoData, day: date) -> None:
        """The city's own union money, kept at the city: the Spring Festival round, requests
        for large payments and the 金秋助学 roster draw on it."""
        name, source, payer, purposes = CITY_FUND
        fund = _id(
            self.ledger.open_fund(
                self.admin, data.root_centre_id, f"{YEAR}年{name}", source, YEAR, purposes, day
            ).result
        )
        data.funds.append(fund)
        data.city_fund = data.root_funds[source] = fund
        amount = self.households * 1_000_00 + 200_000_00  # the round, and ¥200,000 beside
        self.ledger.receive(self.admin, fund, amount, payer, f"{source.value}-{YEAR}-001", day)
        self.tick(2)

    def _allocate(self, fund: UUID, centre: UUID, amount_fen: int, day: date) -> UUID:
        """下拨 to a child centre; the id of the child centre's fund."""
        outcome = self.ledger.allocate(self.admin, fund, centre, amount_fen, f"下拨-{YEAR}", day)
        return _id(outcome.result)

    def _households(
        self, data: DemoData, streets: list[UUID], fund_by_street: dict[UUID, list[UUID]]
    ) -> None:
        """File the archive, then bring it the Spring Festival round; close a few, refer a few.
        What the round brings each household is drawn as it is filed, in the order of old, so
        the demo's amounts stay as they were."""
        rng, lg = self.rng, self.ledger
        cats, cat_w = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
        causes, cause_w = list(CAUSE_WEIGHTS), list(CAUSE_WEIGHTS.values())
        plans = []
        for n in range(self.households):
            street = streets[n % len(streets)]
            category = rng.choices(cats, cat_w)[0]
            primary = rng.choices(causes, cause_w)[0]
            secondary = tuple(c for c in rng.sample(causes, 2) if c != primary)[: rng.randint(0, 2)]
            ceiling = DIBAO_LINE_FEN if category is Category.DEEP_HARDSHIP else 2 * DIBAO_LINE_FEN
            flags = tuple(
                f
                for f, p in (
                    (HouseholdFlag.ZERO_EMPLOYMENT_FAMILY, 0.12),
                    (HouseholdFlag.SINGLE_PARENT, 0.15),
                    (HouseholdFlag.DISABILITY, 0.1),
                )
                if rng.random() < p
            )
            assessment = Assessment(
                category,
                primary,
                secondary,
                rng.randint(1, 6),
                rng.randrange(0, ceiling, 100),
                flags,
            )
            rng.randrange(0, 365 * 35)  # was the birth day; drawn still, so the data stay the same
            person = Person(
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                demo_id_number(n),
                f"13{rng.randrange(10**9, 10**10 - 1)}",
            )
            filed = date(YEAR - 1, 1, 1) + timedelta(days=rng.randrange(0, 330))
            case = _id(lg.register_case(self.admin, street, assessment, person, filed).result)
            data.cases.append(case)
            plans.append(Planned.draw(rng, n, self.households, case, fund_by_street[street]))
            self.tick(1)
        add_spring_festival(self, data, plans)  # 两节送温暖, a campaign at the city
        for i, case in enumerate(data.cases[: max(1, self.households // 15)]):
            reason = CLOSURES[i % len(CLOSURES)]
            lg.close_case(self.admin, case, reason, "年度复核", date(YEAR, 6, 30))
        for n, (channel, body, answer) in enumerate(REFERRALS):  # 转介, after the closed ones
            case = data.cases[max(1, self.households // 15) + n]
            made = lg.make_referral(self.admin, case, channel, body, "", date(YEAR, 3, 2 + n))
            if answer is None:
                lg.follow_up_referral(self.admin, made.result.id, "电话催办", date(YEAR, 4, 10))
            else:
                lg.record_referral_outcome(self.admin, made.result.id, *answer, date(YEAR, 4, 1))


def reissue_credentials(ledger: Ledger) -> tuple[dict[str, str], dict[str, str]]:
    """New tokens and new passwords for the demo users of an existing demo store."""
    tokens, passwords = {}, {}
    for name, _ in DEMO_USERS:
        tokens[name] = ledger.issue_token(SYSTEM, name)
        passwords[name] = new_password()
        ledger.set_password(SYSTEM, name, passwords[name])
    return tokens, passwords
