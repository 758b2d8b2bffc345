"""Fast, realistic event generation for benchmarks: the domain's own rules, saved in big batches."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from bench.bulk_vault import BulkVault
from domain.application import Ledger
from domain.cases import Assessment, Case, Goods, Person
from domain.centres import Centre
from domain.funds import Fund
from domain.id_numbers import make_id_number
from domain.payments import pay
from domain.person_index import PersonIndex, person_index_id
from domain.vocabulary import (
    AssistanceType,
    CampaignKind,
    Category,
    Cause,
    CentreLevel,
    FundSource,
    VisitKind,
)
from stores.vault import Vault

ACTOR = "bench-loader"
YEAR = 2026
PURPOSES = [
    AssistanceType.LIVING_RELIEF,
    AssistanceType.MEDICAL_RELIEF,
    AssistanceType.WARMTH_VISIT,
    AssistanceType.EDUCATION_AID,
]


class BenchLedger(Ledger):
    """The same tables as the Ledger, without snapshots while loading in bulk."""

    name = "Bangfu"
    snapshotting_intervals = {}  # noqa: RUF012


@dataclass
class Generated:
    """What was written, for choosing query samples."""

    events: int = 0
    centres: list[UUID] = field(default_factory=list)
    street_funds: list[UUID] = field(default_factory=list)
    cases: list[UUID] = field(default_factory=list)


@dataclass
class Tree:
    """The centres and street funds the households are written under (reloadable by id)."""

    streets: list[Centre]
    street_funds: dict[UUID, list[Fund]]
    households: int


def generate(
    ledger: Ledger, target_events: int, seed: int = 7, tick: Callable[[int], None] = lambda n: None
) -> Generated:
    """Write about ``target_events`` events: a centre tree, matched funds, households."""
    out = Generated()
    tree = plant(ledger, target_events, out)
    tick(out.events)
    households(ledger, tree, random.Random(seed), 0, tree.households, out, tick)
    return out


def plant(ledger: Ledger, target_events: int, out: Generated) -> Tree:
    """Write the centre tree and its matched funds, sized for ``target_events``."""
    day = date(YEAR, 1, 5)
    city = Centre.found("市帮扶中心", CentreLevel.PREFECTURE, None, ACTOR, day)
    districts = [Centre.found(f"区{d}", CentreLevel.COUNTY, city, ACTOR, day) for d in range(10)]
    streets = [
        Centre.found(f"街道{d}-{s}", CentreLevel.STREET, dist, ACTOR, day)
        for d, dist in enumerate(districts)
        for s in range(10)
    ]
    centres: list[Aggregate] = [city, *districts, *streets]
    out.centres = [c.id for c in centres]
    funds: list[Aggregate] = []
    street_funds: dict[UUID, list[Fund]] = {s.id: [] for s in streets}
    count = max(1, target_events * 20 // 203 + 1)  # 10.15 events a household on average
    amount = count * 4_000_00
    for source in (
        FundSource.CENTRAL_SPECIAL_FUND,
        FundSource.PROVINCIAL_MATCH,
        FundSource.MUNICIPAL_MATCH,
        FundSource.ACFTU_WARMTH_FUND,
    ):
        root = Fund.open(city.path, f"{YEAR} {source.value}", source, YEAR, PURPOSES, ACTOR, day)
        root.receive(uuid4(), amount, "财政", "R", ACTOR, day)
        funds.append(root)
        for district in districts:
            mid = Fund.open(
                district.path, root.name, source, YEAR, PURPOSES, ACTOR, day, parent_fund_id=root.id
            )
            root.allocate_to(mid, uuid4(), amount // 10, "XB", ACTOR, day)
            funds.append(mid)
            for street in (s for s in streets if s.parent_id == district.id):
                leaf = Fund.open(
                    street.path,
                    root.name,
                    source,
                    YEAR,
                    PURPOSES,
                    ACTOR,
                    day,
                    parent_fund_id=mid.id,
                )
                mid.allocate_to(leaf, uuid4(), amount // 100, "XB", ACTOR, day)
                funds.append(leaf)
                street_funds[street.id].append(leaf)
    out.street_funds = [f.id for fs in street_funds.values() for f in fs]
    out.events += _save(ledger, centres + funds)
    return Tree(streets, street_funds, count)


def households(
    ledger: Ledger,
    tree: Tree,
    rng: random.Random,
    start: int,
    stop: int,
    out: Generated,
    tick: Callable[[int], None] = lambda n: None,
    saved: Callable[[int], None] = lambda done: None,
) -> None:
    """Write households ``start`` to ``stop`` in saves of ~300; ``saved(done)`` after each."""
    batch: list[Aggregate] = []
    touched: dict[UUID, Fund] = {}
    assert isinstance(ledger.vault, Vault)
    sealer = BulkVault.beside(ledger.vault)
    for n in range(start, stop):
        street = tree.streets[n % len(tree.streets)]
        case, index = _household(ledger, sealer, rng, street, n)
        out.cases.append(case.id)
        batch += [case, index]
        for k in range(2):
            visit_day = date(YEAR, 1, 10) + timedelta(days=rng.randrange(300))
            case.record_visit(
                uuid4(),
                ["王主席"],
                VisitKind.CAMPAIGN,
                CampaignKind.SPRING_FESTIVAL_WARMTH,
                "",
                [Goods("米面油", 200_00)],
                ACTOR,
                visit_day,
            )
            fund = tree.street_funds[street.id][k % 4]
            paid = rng.choice([500_00, 800_00, 1_000_00])
            kind = AssistanceType.WARMTH_VISIT if k == 0 else AssistanceType.LIVING_RELIEF
            payment = pay(fund, case, uuid4(), kind, paid, "P", ACTOR, visit_day)
            if n % 20 == 0 and k == 1:
                reversal, reversal_day = uuid4(), visit_day + timedelta(days=3)
                payment.reverse(reversal, "错付", ACTOR, reversal_day)
                fund.take_back(payment.id, reversal, paid, "错付", ACTOR, reversal_day)
                case.note_reversal(payment.id, reversal, paid, "错付", ACTOR, reversal_day)
            batch.append(payment)
            touched[fund.id] = fund
        if len(batch) >= 300 or n == stop - 1:
            sealer.flush()
            out.events += _save(ledger, batch + list(touched.values()))
            tick(out.events)
            saved(n + 1)
            batch, touched = [], {}


def id_number(n: int) -> str:
    """The head of household ``n``'s ID number (unique up to 3.6 M households)."""
    return make_id_number("220104", date(1950, 1, 1) + timedelta(days=n // 1000), n % 1000)


def written(ledger: Ledger, n: int) -> bool:
    """Whether household ``n`` is in the store (its person index, whose id is derived)."""
    assert ledger.vault is not None
    index_id = person_index_id(ledger.vault.person_ref(id_number(n)))
    return bool(ledger.recorder.select_events(index_id, limit=1))


def first_unwritten(ledger: Ledger, start: int, stop: int) -> int:
    """The first household from ``start`` not in the store (they are saved in order)."""
    lo, hi = start, stop
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (mid + 1, hi) if written(ledger, mid) else (lo, mid)
    return lo


def _household(
    ledger: Ledger, sealer: BulkVault, rng: random.Random, street: Centre, n: int
) -> tuple[Case, PersonIndex]:
    category = rng.choice(list(Category))
    assessment = Assessment(
        category, rng.choice(list(Cause)), (), rng.randint(1, 6), rng.randrange(0, 150_000, 100), ()
    )
    person = Person(f"户主{n}", id_number(n), "13800000000")
    filed = date(YEAR - 1, 1, 1) + timedelta(days=rng.randrange(365))
    assert ledger.vault is not None
    case_id, ref = uuid4(), ledger.vault.person_ref(person.id_number)
    case = Case.register(
        case_id,
        street.path,
        assessment,
        sealer.seal(case_id, person.as_dict()),
        ref,
        ACTOR,
        filed,
    )
    return case, PersonIndex.claim_new(ref, case.id, ACTOR, filed)


def _save(ledger: Ledger, aggregates: list[Aggregate]) -> int:
    recordings = ledger.save(*aggregates)
    return len(recordings)
