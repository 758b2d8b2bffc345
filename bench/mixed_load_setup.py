"""The data and the request mix of bench/mixed_load.py, made over HTTP as a real deployment would.

A city with two districts of three streets each; a fund at the city (the hot fund: half of all
payments) and one at each street; households spread over the streets, made some weeks back, each
with a few payments since, so that timelines, archive and audit pages are not empty.

The mix, 100 requests in a shuffled cycle: 20 writes (``POST /payments`` with an Idempotency-Key,
10 to the hot fund, 10 to the street funds) and 80 reads, 16 of each kind: a fund, its balance as
of a past business date, a household's timeline, an archive page (50 households, as a supervisor:
each such read records who read whose data), an audit page (50 events of a street or a fund).
"""

from __future__ import annotations

import itertools
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bench.mixed_load_client import Call
from bench.write_path import Client, id_number

STREETS_PER_DISTRICT = 3
DAYS_BACK = 60  # the households and funds were set up this many days ago
AMOUNT = "10.00"
WRITES = {"pay hot fund": 10, "pay street fund": 10}
READS = {"fund": 16, "balance as of": 16, "timeline": 16, "archive page": 16, "audit page": 16}
KINDS = [*WRITES, *READS]


@dataclass
class Data:
    """What the setup made: ids, and the day the load's payments are dated."""

    today: date
    city: str = ""
    streets: list[str] = field(default_factory=list)
    hot_fund: str = ""
    street_funds: list[str] = field(default_factory=list)  # one per street, same order
    cases: dict[str, list[str]] = field(default_factory=dict)  # street -> its households
    history_payments: int = 0

    @property
    def funds(self) -> list[str]:
        return [self.hot_fund, *self.street_funds]


def _centre(admin: Client, name: str, level: str, parent: str | None) -> str:
    body = {"name": name, "level": level} | ({"parent_id": parent} if parent else {})
    return str(admin.ok("POST", "/centres", body)["id"])


def _fund(admin: Client, centre: str, name: str, opened: date) -> str:
    fund = admin.ok(
        "POST",
        "/funds",
        {
            "centre_id": centre,
            "name": name,
            "source": "acftu_warmth_fund",
            "fiscal_year": opened.year,
            "purposes": ["warmth_visit", "living_relief"],
            "business_date": opened.isoformat(),
        },
    )["id"]
    admin.ok(
        "POST",
        f"/funds/{fund}/receipts",
        {
            "amount": "50000000.00",
            "payer": "全总",
            "reference": f"R-{name}",
            "business_date": opened,
        },
    )
    return str(fund)


def payment(fund: str, case: str, reference: str, day: date) -> dict[str, str]:
    return {
        "fund_id": fund,
        "case_id": case,
        "assistance_type": "warmth_visit",
        "amount": AMOUNT,
        "reference": reference,
        "business_date": day.isoformat(),
    }


def prepare(admin: Client, finance: Client, households: int, history: int) -> Data:
    """The tree, the funds, ``households`` households and ``history`` payments each, over HTTP."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    opened = today - timedelta(days=DAYS_BACK)
    data = Data(today)
    data.city = _centre(admin, "基准市", "prefecture", None)
    data.hot_fund = _fund(admin, data.city, "市级帮扶资金（热点）", opened)
    for d in range(2):
        district = _centre(admin, f"基准{d + 1}区", "county", data.city)
        for s in range(STREETS_PER_DISTRICT):
            street = _centre(admin, f"基准{d + 1}区{s + 1}街道", "street", district)
            data.streets.append(street)
            data.street_funds.append(_fund(admin, street, f"街道资金{d + 1}-{s + 1}", opened))
            data.cases[street] = []
    for n in range(households):
        street = data.streets[n % len(data.streets)]
        case = admin.ok(
            "POST",
            "/cases",
            {
                "centre_id": street,
                "category": "deep_hardship",
                "primary_cause": "serious_illness",
                "household_size": 3,
                "per_capita_monthly_income": "500.00",
                "person": {"name": f"户主{n}", "id_number": id_number(n)},
                "business_date": opened.isoformat(),
            },
        )["id"]
        data.cases[street].append(str(case))
    rng = random.Random(7)
    for s, street in itertools.product(range(history), data.streets):
        for case in data.cases[street]:
            day = opened + timedelta(days=rng.randrange(1, DAYS_BACK))
            fund = data.street_funds[data.streets.index(street)] if s % 2 else data.hot_fund
            finance.ok("POST", "/payments", payment(fund, case, f"H-{s}-{case}", day))
            data.history_payments += 1
    return data


class Mix:
    """Request n of the load: the kind from a shuffled cycle of 100, the target at random."""

    def __init__(self, data: Data, tokens: dict[str, str], tag: str, seed: int = 1) -> None:
        self.data, self.tokens, self.tag = data, tokens, tag
        cycle = [k for k, n in (WRITES | READS).items() for _ in range(n)]
        random.Random(seed).shuffle(cycle)
        self.cycle, self.rng = cycle, random.Random(seed)
        self.all_cases = [c for cases in data.cases.values() for c in cases]
        self.serial = itertools.count()  # unique references over every phase

    def only(self, kind: str) -> Callable[[int], Call]:
        """Requests of one kind only."""
        return lambda n: self.make(n, kind)

    def make(self, n: int, only: str | None = None) -> Call:
        kind, rng, d = only or self.cycle[n % len(self.cycle)], self.rng, self.data
        street_n = rng.randrange(len(d.streets))
        street, street_fund = d.streets[street_n], d.street_funds[street_n]
        if kind in WRITES:
            fund = d.hot_fund if kind == "pay hot fund" else street_fund
            case = rng.choice(d.cases[street])
            reference = f"{self.tag}-{next(self.serial)}"
            body = json.dumps(payment(fund, case, reference, d.today)).encode()
            key = f"{self.tag}-{uuid.uuid4()}"
            return Call(
                kind, "POST", "/payments", self.tokens["finance"], body, key, fund, reference
            )
        fund = rng.choice(d.funds)
        if kind == "fund":
            return Call(kind, "GET", f"/funds/{fund}", self.tokens["finance"])
        if kind == "balance as of":
            day = d.today - timedelta(days=rng.randrange(DAYS_BACK))
            return Call(kind, "GET", f"/funds/{fund}/balance?as_of={day}", self.tokens["finance"])
        if kind == "timeline":
            path = f"/cases/{rng.choice(self.all_cases)}/timeline"
            return Call(kind, "GET", path, self.tokens["supervisor"])
        if kind == "archive page":
            path = f"/cases?centre_id={street}&limit=50"
            return Call(kind, "GET", path, self.tokens["supervisor"])
        scope = f"centre_id={street}" if n % 2 else f"fund_id={fund}"
        return Call(kind, "GET", f"/audit/events?{scope}&limit=50", self.tokens["auditor"])


def health(token: str) -> Call:
    """The probe that reads nothing: the HTTP stack's own ceiling."""
    return Call("health/live", "GET", "/health/live", token)
