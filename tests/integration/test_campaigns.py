"""Campaigns (两节送温暖) on both stores: the roster derived from the log (every active household
of the subtree at opening, plus those filed during the window), visits and payments linked to
it, coverage per centre by hand-computed counts, the budget net of reversals, the close that
asks a reason of every household not reached, and a rebuild that derives the same view."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain.access import SYSTEM
from domain.application import Context, Ledger
from domain.campaign_terms import ExceptionReason, Excuse, Plan
from domain.cases import Person
from domain.errors import (
    CampaignBudgetExceededError,
    CampaignClosedError,
    OutsideCampaignError,
    UnreachedWithoutReasonError,
)
from domain.id_numbers import make_id_number
from domain.policy_parameters import Parameter, SchoolLevel
from domain.vocabulary import AssistanceType, CampaignKind, CentreLevel, ClosureReason, FundSource
from projections import Views
from projections.campaign_coverage import campaigns, coverage, unreached_cases
from stores import open_ledger
from tests.integration.bangfu import run
from tests.unit.support import assessment

ADMIN = Context(SYSTEM)
FILED, OPENED = date(2025, 6, 1), date(2026, 1, 5)
WINDOW = (date(2026, 1, 10), date(2026, 2, 20))
SPRING = CampaignKind.SPRING_FESTIVAL_WARMTH
_seq = iter(range(1, 999))


def household(ledger: Ledger, centre: UUID, filed: date = FILED) -> UUID:
    n = next(_seq)
    person = Person(f"春节{n}", make_id_number("220104", date(1970, 3, 4), n), "")
    return ledger.register_case(ADMIN, centre, assessment(), person, filed).result.id


def a_fund(
    ledger: Ledger, centre: UUID, fen: int, purpose: AssistanceType = AssistanceType.WARMTH_VISIT
) -> UUID:
    """A fund of the centre's own union money for ``purpose``, holding ``fen``."""
    fund = ledger.open_fund(
        ADMIN, centre, f"{purpose.zh}资金", FundSource.UNION_FUNDS_OWN_LEVEL, 2026, [purpose],
        date(2025, 12, 1),
    ).result.id  # fmt: skip
    ledger.receive(ADMIN, fund, fen, "本级工会", "GH-1", date(2025, 12, 1))
    return fund


def visit(ledger: Ledger, campaign: UUID, case: UUID, day: date) -> None:
    ledger.campaign_visit(ADMIN, campaign, case, ["王干事"], "送米面油", business_date=day)


def pay(ledger: Ledger, campaign: UUID, case: UUID, fund: UUID, day: date) -> UUID:
    return ledger.campaign_payment(ADMIN, campaign, case, fund, None, day).result.id


def test_a_spring_festival_campaign_reaches_its_roster_and_closes_with_a_reason_for_each_miss(
    ledger: Ledger,
) -> None:
    # a city with district A (street S below it) and district B; another city outside
    city = ledger.create_centre(ADMIN, "长春市", CentreLevel.PREFECTURE, None).result.id
    a = ledger.create_centre(ADMIN, "朝阳区", CentreLevel.COUNTY, city).result.id
    street = ledger.create_centre(ADMIN, "前进街道", CentreLevel.STREET, a).result.id
    b = ledger.create_centre(ADMIN, "南关区", CentreLevel.COUNTY, city).result.id
    elsewhere = ledger.create_centre(ADMIN, "吉林市", CentreLevel.PREFECTURE, None).result.id
    fund = a_fund(ledger, city, 10_000_00)
    s1, s2, s3 = (household(ledger, street) for _ in range(3))
    b1, b2 = household(ledger, b), household(ledger, b)
    gone = household(ledger, street)
    ledger.close_case(ADMIN, gone, ClosureReason.RETIRED, "", date(2025, 12, 1))
    outsider = household(ledger, elsewhere)
    views = Views(ledger)
    views.projector.run_once()

    # opened: a budget of ¥1,500 and a standard of ¥500 for a deep-hardship household
    spring = Plan(SPRING, "2026年两节送温暖", WINDOW, 1_500_00, {"deep_hardship": 500_00})
    campaign = ledger.open_campaign(ADMIN, city, spring, [fund], OPENED).result.id
    new = household(ledger, b, date(2026, 1, 20))  # filed during the window: on the roster
    household(ledger, street, date(2026, 3, 1))  # filed after it: not on the roster
    views.projector.run_once()
    visit(ledger, campaign, s1, date(2026, 1, 15))
    pay(ledger, campaign, s1, fund, date(2026, 1, 15))
    visit(ledger, campaign, s2, date(2026, 1, 16))
    pay(ledger, campaign, b1, fund, date(2026, 1, 17))
    wrong = pay(ledger, campaign, b2, fund, date(2026, 1, 18))
    visit(ledger, campaign, new, date(2026, 1, 25))
    with pytest.raises(CampaignBudgetExceededError, match=r"less than ¥500\.00"):
        pay(ledger, campaign, new, fund, date(2026, 1, 25))  # 3 x ¥500 spent
    ledger.reverse_payment(ADMIN, wrong, "错发", date(2026, 1, 26))
    pay(ledger, campaign, new, fund, date(2026, 1, 26))  # the reversal gave ¥500 back
    with pytest.raises(OutsideCampaignError, match="outside the window"):
        visit(ledger, campaign, s3, date(2026, 2, 21))
    with pytest.raises(OutsideCampaignError, match="not in the subtree"):
        visit(ledger, campaign, outsider, date(2026, 1, 20))
    refused = Excuse(ExceptionReason.REFUSED, "本人表示生活已好转")
    ledger.note_campaign_exception(ADMIN, campaign, s3, refused, date(2026, 1, 20))
    views.projector.run_once()

    live = coverage(views.campaigns, str(campaign), None)
    assert live is not None
    # street: s1 both, s2 visited, s3 neither (refused); B: b1 paid, b2 neither, new both
    assert by_centre(live) == {
        "前进街道": (3, 2, 1, 1, 1, 1, "500.00"),
        "南关区": (3, 1, 2, 1, 1, 0, "1000.00"),
    }
    assert live["total"] | {} == {
        "households": 6, "visited": 3, "paid": 3, "both": 2, "neither": 2, "exceptions": 1,
        "paid_amount": "1500.00",
    }  # fmt: skip
    assert (live["campaign"]["spent"], live["campaign"]["left"]) == ("1500.00", "0.00")
    assert missed(live) == {(str(s3), "refused"), (str(b2), None)}
    assert live["unreached_without_reason"] == 1
    assert by_centre(coverage(views.campaigns, str(campaign), str(street))) == {
        "前进街道": (3, 2, 1, 1, 1, 1, "500.00")
    }
    assert [c["id"] for c in campaigns(views.campaigns, str(street))] == [str(campaign)]
    assert campaigns(views.campaigns, str(elsewhere)) == []

    # closing asks a reason of b2; given one, it closes and takes no more visits
    unreached = [UUID(c) for c in unreached_cases(views.campaigns, str(campaign))]
    with pytest.raises(UnreachedWithoutReasonError, match="1 household"):
        ledger.close_campaign(ADMIN, campaign, unreached, {}, "", date(2026, 2, 21))
    moved = {b2: Excuse(ExceptionReason.MOVED_AWAY, "随子女迁往外省")}
    ledger.close_campaign(ADMIN, campaign, unreached, moved, "圆满结束", date(2026, 2, 21))
    with pytest.raises(CampaignClosedError):
        visit(ledger, campaign, s3, date(2026, 2, 1))
    views.projector.run_once()

    closed = coverage(views.campaigns, str(campaign), None)
    assert closed is not None and closed["campaign"]["status"] == "closed"
    assert missed(closed) == {(str(s3), "refused"), (str(b2), "moved_away")}
    assert closed["campaign"]["at_close"] == {
        "households": 6, "visited": 3, "paid": 3, "both": 2, "neither": 2, "exceptions": 2,
        "paid_amount": "1500.00", "spent": "1500.00",
    }  # fmt: skip
    incremental = tables(views)
    views.projector.rebuild("campaigns")
    assert tables(views) == incremental


def by_centre(found: dict[str, Any] | None) -> dict[str, tuple[Any, ...]]:
    assert found is not None
    keys = ("households", "visited", "paid", "both", "neither", "exceptions", "paid_amount")
    return {c["centre_name"]: tuple(c[k] for k in keys) for c in found["centres"]}


def missed(found: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(h["case_id"], h["reason"]) for h in found["unreached"]}


def tables(views: Views) -> dict[str, list[str]]:
    """Every row of the campaigns view's current tables, in a stable order."""
    v, g = views.campaigns, views.campaigns.generation()
    return {b: sorted(map(repr, v.db.query(f"SELECT * FROM {v.table(b, g)}"))) for b in v.tables}


def test_the_cli_opens_a_campaign_shows_its_coverage_and_refuses_a_close_without_reasons(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/bangfu.sqlite"
    ledger = open_ledger(url, master_key_file=tmp_path / "master.key")
    city = ledger.create_centre(ADMIN, "长春市", CentreLevel.PREFECTURE, None).result.id
    fund = a_fund(ledger, city, 1_000_00)
    paid, missed = household(ledger, city), household(ledger, city)
    ledger.close()

    window = ["--from", "2026-01-10", "--to", "2026-02-20", "--date", "2026-01-05"]
    opened = run(
        ["campaign", "open", "--centre", str(city), "--kind", "spring_festival_warmth",
         "--name", "两节送温暖", *window, "--fund", str(fund), "--budget", "1000",
         "--standard", "deep_hardship=500"],
        tmp_path,
    )  # fmt: skip
    campaign = UUID(opened.stdout.split(": ")[1].split(" ")[0])
    again = open_ledger(url, master_key_file=tmp_path / "master.key")
    pay(again, campaign, paid, fund, date(2026, 1, 15))  # no amount: the standard, ¥500
    again.close()
    shown = run(["campaign", "coverage", str(campaign)], tmp_path)
    refused = run(["campaign", "close", str(campaign), "--date", "2026-02-21"], tmp_path)

    assert opened.returncode == 0, opened.stderr
    assert re.search(
        r"长春市\s*│\s*2\s*│\s*0\s*│\s*1\s*│\s*0\s*│\s*1\s*│\s*0\s*│\s*500\.00", shown.stdout
    ), shown.stdout
    assert str(missed) in shown.stdout and "¥500.00 of ¥1000.00" in shown.stdout
    assert refused.returncode == 1 and "1 household(s) not reached" in refused.stderr


def test_golden_autumn_standards_left_out_come_from_the_policy_in_force_under_the_cap(
    ledger: Ledger,
) -> None:
    city = ledger.create_centre(ADMIN, "长春市", CentreLevel.PREFECTURE, None).result.id
    fund = a_fund(ledger, city, 100_000_00, AssistanceType.EDUCATION_AID)
    cap = Parameter.EDUCATION_AID_CAP
    ledger.set_policy(ADMIN, city, cap, None, "4000.00", date(2026, 1, 1), "本市标准")
    student = household(ledger, city)
    window = (date(2026, 8, 1), date(2026, 9, 30))
    given = {"undergraduate": 2_500_00}
    autumn = Plan(CampaignKind.GOLDEN_AUTUMN_EDUCATION, "2026年金秋助学", window, 50_000_00, given)

    campaign = ledger.open_campaign(ADMIN, city, autumn, [fund], date(2026, 7, 20)).result.id
    level = SchoolLevel.POSTGRADUATE
    paid = ledger.campaign_payment(
        ADMIN, campaign, student, fund, None, date(2026, 8, 10), school_level=level
    ).result.id

    opened = ledger.campaign(SYSTEM, campaign)
    # the seeds' ¥1,000 / 2,000 / 5,000 a student, the given ¥2,500, and ¥5,000 capped at ¥4,000
    assert (opened.standards, opened.cap_fen) == (
        {"undergraduate": 2_500_00, "senior_secondary": 1_000_00,
         "vocational_college": 2_000_00, "postgraduate": 4_000_00},
        4_000_00,
    )  # fmt: skip
    assert ledger.payment(SYSTEM, paid).amount_fen == 4_000_00
