"""Referrals (转介) on both stores: numbered per case, shown in the case's timeline, listed while
open with their ages, and counted by channel and outcome per subtree and period."""

from __future__ import annotations

import re
import threading
from datetime import date
from pathlib import Path
from uuid import UUID

from domain.access import SYSTEM
from domain.application import Context, Ledger
from domain.cases import Person
from domain.id_numbers import make_id_number
from domain.referrals import referral_id
from domain.vocabulary import CentreLevel, ReferralChannel, ReferralDecision
from projections import Views
from projections.history import history
from projections.referrals import Period, open_referrals, statistics
from stores import open_ledger
from tests.integration.bangfu import run
from tests.unit.support import assessment

ADMIN = Context(SYSTEM)
DIBAO, HOUSING = ReferralChannel.DIBAO, ReferralChannel.LOW_RENT_HOUSING
ILLNESS = ReferralChannel.CRITICAL_ILLNESS_INSURANCE


def a_case(ledger: Ledger, centre: UUID, n: int) -> UUID:
    person = Person(f"转介{n}", make_id_number("220104", date(1971, 2, 3), n), "")
    return ledger.register_case(ADMIN, centre, assessment(), person, date(2026, 1, 5)).result.id


def tree(ledger: Ledger) -> tuple[UUID, UUID, UUID]:
    """A city with two districts."""
    city = ledger.create_centre(ADMIN, "长春市", CentreLevel.PREFECTURE, None).result.id
    a = ledger.create_centre(ADMIN, "朝阳区", CentreLevel.COUNTY, city).result.id
    b = ledger.create_centre(ADMIN, "南关区", CentreLevel.COUNTY, city).result.id
    return city, a, b


def refer(ledger: Ledger, case: UUID, channel: ReferralChannel, day: date) -> UUID:
    return ledger.make_referral(ADMIN, case, channel, "民政局", "", day).result.id


def answer(
    ledger: Ledger,
    referral: UUID,
    decision: ReferralDecision,
    day: date,
    fen: int | None = None,
    reason: str = "",
    corrects: UUID | None = None,
) -> UUID:
    """Record the receiving body's answer (or a correction); the answer's id."""
    return ledger.record_referral_outcome(
        ADMIN, referral, decision, fen, "", reason, day, corrects
    ).result.id


def test_a_cases_referrals_are_numbered_and_its_timeline_shows_them_in_chinese_and_english(
    ledger: Ledger,
) -> None:
    _, district, _ = tree(ledger)
    case = a_case(ledger, district, 1)

    first = refer(ledger, case, DIBAO, date(2026, 1, 10))
    second = refer(ledger, case, HOUSING, date(2026, 2, 1))
    answer(ledger, first, ReferralDecision.ACCEPTED, date(2026, 2, 15), 790_00)

    assert (first, second) == (referral_id(case, 1), referral_id(case, 2))
    timeline = history(ledger.case_events(SYSTEM, case))
    assert [(e["type_zh"], e["type_en"], e["data"].get("referral_id")) for e in timeline] == [
        ("建档", "Filed", None),
        ("转介", "Referred", str(first)),
        ("转介", "Referred", str(second)),
        ("转介结果", "Referral outcome", str(first)),  # in the order they were recorded
    ]
    assert timeline[3]["data"]["amount"] == "790.00"


def test_open_referrals_are_aged_to_the_day_asked_and_counted_by_channel_and_outcome(
    ledger: Ledger,
) -> None:
    _, a, b = tree(ledger)
    case_a, case_b = a_case(ledger, a, 2), a_case(ledger, b, 3)
    r1 = refer(ledger, case_a, DIBAO, date(2026, 1, 10))
    answer(ledger, r1, ReferralDecision.ACCEPTED, date(2026, 2, 15), 790_00)
    r2 = refer(ledger, case_a, HOUSING, date(2026, 2, 1))
    ledger.follow_up_referral(ADMIN, r2, "电话催办", date(2026, 2, 20))
    r3 = refer(ledger, case_b, DIBAO, date(2026, 3, 1))
    answer(ledger, r3, ReferralDecision.REFUSED, date(2026, 3, 20), reason="收入超过低保线")
    r4 = refer(ledger, case_b, ILLNESS, date(2026, 3, 5))
    ledger.withdraw_referral(ADMIN, r4, "本人放弃", date(2026, 3, 10))
    views = Views(ledger)
    views.projector.run_once()

    def aged(centre: UUID | None, day: date) -> list[tuple[UUID, int]]:
        rows = open_referrals(views.referrals, str(centre) if centre else None, day)
        return [(UUID(r["id"]), r["age_days"]) for r in rows]

    # 10 Jan -> 10 Feb is 31 days; 1 Feb -> 1 Mar is 28 (2026 is no leap year), -> 31 Mar 58
    assert aged(None, date(2026, 2, 10)) == [(r1, 31), (r2, 9)]
    assert aged(None, date(2026, 3, 1)) == [(r2, 28), (r3, 0)]
    assert aged(a, date(2026, 3, 31)) == [(r2, 58)]
    assert aged(b, date(2026, 3, 31)) == []

    whole = statistics(views.referrals, None, Period())
    shown = ("made", "open", "accepted", "refused", "withdrawn", "granted")
    counts = {r["channel"]: tuple(r[k] for k in shown) for r in whole["rows"]}
    assert counts == {
        "dibao": (2, 0, 1, 1, 0, "790.00"),
        "low_rent_housing": (1, 1, 0, 0, 0, "0.00"),
        "critical_illness_insurance": (1, 0, 0, 0, 1, "0.00"),
    }
    assert whole["total"] == {
        "made": 4,
        "open": 1,
        "accepted": 1,
        "partly_accepted": 0,
        "refused": 1,
        "withdrawn": 1,
        "granted": "790.00",
    }
    since = statistics(views.referrals, str(a), Period(date(2026, 1, 15), date(2026, 12, 31)))
    assert [(r["channel"], r["made"], r["open"]) for r in since["rows"]] == [
        ("low_rent_housing", 1, 1)
    ]


def test_a_corrected_answer_is_the_one_counted_and_both_stay_on_record(ledger: Ledger) -> None:
    _, district, _ = tree(ledger)
    case = a_case(ledger, district, 4)
    referral = refer(ledger, case, DIBAO, date(2026, 1, 10))
    first = answer(ledger, referral, ReferralDecision.ACCEPTED, date(2026, 2, 1), 790_00)

    answer(ledger, referral, ReferralDecision.PARTLY_ACCEPTED, date(2026, 2, 3), 395_00, "", first)
    views = Views(ledger)
    views.projector.run_once()

    total = statistics(views.referrals, None, Period())["total"]
    assert (total["accepted"], total["partly_accepted"], total["granted"]) == (0, 1, "395.00")
    answers = [e for e in history(ledger.case_events(SYSTEM, case)) if e["data"].get("decision")]
    assert [(e["type_en"], e["data"]["amount"]) for e in answers] == [
        ("Referral outcome", "790.00"),
        ("Referral outcome corrected", "395.00"),
    ]
    assert answers[1]["data"]["corrects"] == str(first)


def test_referrals_of_one_case_made_at_once_get_the_next_numbers(ledger: Ledger) -> None:
    _, district, _ = tree(ledger)
    case = a_case(ledger, district, 5)
    refer(ledger, case, DIBAO, date(2026, 1, 10))
    made: list[UUID] = []
    start = threading.Barrier(4)

    def make() -> None:
        start.wait()
        made.append(refer(ledger, case, HOUSING, date(2026, 2, 1)))

    threads = [threading.Thread(target=make) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(made) == sorted(referral_id(case, n) for n in (2, 3, 4, 5))


def test_transfers_move_a_cases_referrals_batch_by_batch_as_a_rebuild_places_them(
    ledger: Ledger,
) -> None:
    city, a, b = tree(ledger)
    case = a_case(ledger, a, 7)
    views = Views(ledger)
    r1 = refer(ledger, case, DIBAO, date(2026, 1, 10))
    views.projector.run_once()

    # one batch: a referral made at A, the transfer to B, a referral made at B, a follow-up
    r2 = refer(ledger, case, HOUSING, date(2026, 2, 1))
    ledger.transfer_case(ADMIN, case, b, "迁居", date(2026, 3, 1))
    r3 = refer(ledger, case, ILLNESS, date(2026, 3, 5))
    ledger.follow_up_referral(ADMIN, r1, "电话催办", date(2026, 3, 6))
    views.projector.run_once()

    def listed(centre: UUID) -> list[tuple[UUID, str, int]]:
        rows = open_referrals(views.referrals, str(centre), date(2026, 3, 10))
        return [(UUID(r["id"]), r["centre_id"], r["age_days"]) for r in rows]

    # 10 Jan -> 10 Mar is 21 + 28 + 10 = 59 days; 1 Feb -> 37; 5 Mar -> 5
    assert listed(a) == []
    assert listed(b) == [(r1, str(b), 59), (r2, str(b), 37), (r3, str(b), 5)]
    assert [r[0] for r in listed(city)] == [r1, r2, r3]
    ledger.transfer_case(ADMIN, case, a, "迁回", date(2026, 4, 1))  # and back, alone
    views.projector.run_once()
    assert [r[0] for r in listed(a)] == [r1, r2, r3] and listed(b) == []
    incremental = tables(views)
    views.projector.rebuild("referrals")
    assert tables(views) == incremental


def tables(views: Views) -> dict[str, list[tuple[str, ...]]]:
    """Every row of the referrals view's current tables, in a stable order."""
    view, found = views.referrals, {}
    for base in view.tables:
        rows = view.db.query(f"SELECT * FROM {view.table(base, view.generation())}")
        found[base] = sorted(tuple(map(str, r.values())) for r in rows)
    return found


def test_the_cli_refers_answers_and_lists_with_ages_and_counts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bangfu.sqlite"
    ledger = open_ledger(url, master_key_file=tmp_path / "master.key")
    _, district, _ = tree(ledger)
    case = a_case(ledger, district, 6)
    ledger.close()

    referral = str(referral_id(case, 1))
    to_dibao = ["--channel", "dibao", "--body", "朝阳区民政局", "--date", "2026-01-10"]
    made = run(["referral", "make", str(case), *to_dibao], tmp_path)
    answer = ["--decision", "accepted", "--amount", "790", "--date"]
    early = run(["referral", "outcome", referral, *answer, "2026-01-09"], tmp_path)
    listed = run(["referral", "list", "--centre", str(district), "--as-of", "2026-02-10"], tmp_path)
    counted = run(["referral", "stats", "--from", "2026-01-01"], tmp_path)

    assert made.returncode == 0 and referral in made.stdout, made.stderr
    assert early.returncode == 1 and "before the referral itself" in early.stderr
    assert listed.returncode == 0 and referral in listed.stdout and "│   31 │" in listed.stdout
    assert re.search(r"最低生活保障（低保）\s*│\s*1\s*│\s*1\s*│\s*0", counted.stdout), (
        counted.stdout
    )
