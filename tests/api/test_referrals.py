"""Referrals (转介) over HTTP: made, answered and followed up by caseworkers in their subtree,
read by supervisors and auditors, listed while open with their ages, counted by channel and
outcome; every refusal is problem+json and writes nothing."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

import httpx

from domain.vocabulary import Role
from tests.api.support import Api, World, case_body


def referral(channel: str, day: str, **more: str) -> dict[str, Any]:
    return {"channel": channel, "receiving_body": "朝阳区民政局", "business_date": day} | more


def refer(api: Api, case: str, channel: str, day: str, as_: str = "cw") -> httpx.Response:
    return api.post(f"/cases/{case}/referrals", referral(channel, day), as_)


def on(day: str, **fields: str) -> dict[str, str]:
    """A body dated ``day``."""
    return {"business_date": day} | fields


def staff(api: Api, world: World) -> None:
    """A caseworker, a supervisor and finance staff of the district; a caseworker and a
    supervisor of the other district; an auditor of the whole tree."""
    for name, role, centre in (
        ("cw", Role.CASEWORKER, world.district),
        ("sup", Role.SUPERVISOR, world.district),
        ("fin", Role.FINANCE, world.district),
        ("cw-other", Role.CASEWORKER, world.other_district),
        ("sup-other", Role.SUPERVISOR, world.other_district),
        ("aud", Role.AUDITOR, None),
    ):
        api.user(name, role, UUID(centre) if centre else None)


def test_referrals_made_answered_and_followed_up_are_listed_with_ages_and_counted(
    api: Api, world: World
) -> None:
    staff(api, world)
    r1 = refer(api, world.case, "dibao", "2026-01-10").json()["id"]
    r2 = refer(api, world.case, "low_rent_housing", "2026-02-01").json()["id"]
    accepted = on("2026-02-15", decision="accepted", amount="790.00")

    assert api.post(f"/referrals/{r1}/outcome", accepted, "cw").status_code == 201
    followed = api.post(f"/referrals/{r2}/follow-ups", on("2026-02-20", note="电话催办"), "cw")
    assert followed.status_code == 201

    def aged(as_of: str, **scope: str) -> list[tuple[str, int]]:
        page = api.view("/referrals", "sup", as_of=as_of, **scope).json()
        assert page["as_of"] == as_of
        return [(r["id"], r["age_days"]) for r in page["items"]]

    # 10 Jan -> 10 Feb is 31 days; 1 Feb -> 1 Mar is 28
    assert aged("2026-02-10") == [(r1, 31), (r2, 9)]
    assert aged("2026-03-01", centre_id=world.street) == [(r2, 28)]
    period = {"from": "2026-01-01", "to": "2026-12-31"}
    stats = api.view("/referrals/statistics", "aud", centre_id=world.city, **period).json()
    assert (stats["from"], stats["to"]) == ("2026-01-01", "2026-12-31")
    shown = ("channel", "made", "open", "accepted", "granted")
    assert [tuple(r[k] for k in shown) for r in stats["rows"]] == [
        ("dibao", 1, 0, 1, "790.00"),
        ("low_rent_housing", 1, 1, 0, "0.00"),
    ]
    assert (stats["total"]["made"], stats["total"]["granted"]) == (2, "790.00")
    sheet = api.view("/referrals/statistics", "aud", format="csv", lang="zh")
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["转介渠道", "渠道名称", "转介数"] and rows[0][-1] == "获批金额（元）"
    assert rows[1][:3] == ["dibao", "最低生活保障（低保）", "1"] and rows[1][-1] == "790.00"
    one = api.get(f"/referrals/{r1}", "sup").json()
    assert (one["number"], one["status"], one["outcome"]["amount"]) == (1, "decided", "790.00")
    assert api.get(f"/referrals/{r2}", "aud").json()["follow_ups"][0]["note"] == "电话催办"


def test_refusals_are_problems_that_write_nothing(api: Api, world: World) -> None:
    staff(api, world)
    made = refer(api, world.case, "dibao", "2026-01-10").json()["id"]
    refusal = on("2026-01-20", decision="refused", reason="收入超过低保线")
    assert api.post(f"/referrals/{made}/outcome", refusal, "cw").status_code == 201
    closed = api.created("/cases", case_body(world.street))
    api.created(f"/cases/{closed}/closure", on("2026-01-20", reason="deceased"))
    before = api.ledger.recorder.max_notification_id()
    unknown = "00000000-0000-4000-8000-000000000000"
    day = "2026-02-01"

    refused = {
        "outside the subtree": refer(api, world.case, "dibao", day, "cw-other"),
        "finance": refer(api, world.case, "dibao", day, "fin"),
        "unknown case": refer(api, unknown, "dibao", day),
        "closed case": refer(api, closed, "dibao", day),
        "second outcome": api.post(
            f"/referrals/{made}/outcome", on(day, decision="accepted", amount="1.00"), "cw"
        ),
        "before the referral": api.post(
            f"/referrals/{made}/follow-ups", on("2026-01-09", note="补充材料"), "cw"
        ),
        "unknown channel": refer(api, world.case, "lottery", day),
    }

    kinds = {why: (r.status_code, r.json()["type"].rsplit(":", 1)[1]) for why, r in refused.items()}
    assert kinds == {
        "outside the subtree": (403, "forbidden"),
        "finance": (403, "forbidden"),
        "unknown case": (404, "case-not-found"),
        "closed case": (409, "case-closed"),
        "second outcome": (409, "referral-decided"),
        "before the referral": (422, "invalid-referral"),
        "unknown channel": (422, "validation-failed"),
    }
    assert {r.headers["content-type"] for r in refused.values()} == {"application/problem+json"}
    assert api.ledger.recorder.max_notification_id() == before


def test_supervisors_read_referrals_of_their_subtree_only_and_auditors_read_all(
    api: Api, world: World
) -> None:
    staff(api, world)
    made = refer(api, world.case, "civil_medical_aid", "2026-02-01").json()["id"]

    assert api.get(f"/referrals/{made}", "sup").status_code == 200
    assert api.get(f"/referrals/{made}", "aud").status_code == 200
    assert api.get(f"/referrals/{made}", "sup-other").status_code == 403
    assert api.view("/referrals", "sup-other", centre_id=world.district).status_code == 403
    assert api.view("/referrals", "sup-other", as_of="2026-03-01").json()["items"] == []
    everywhere = api.view("/referrals", "aud", as_of="2026-03-01").json()["items"]
    assert [r["id"] for r in everywhere] == [made]


def test_the_case_history_shows_the_referral_and_its_answer_labelled_from_the_catalogue(
    api: Api, world: World
) -> None:
    made = refer(api, world.case, "dibao", "2026-02-01", "admin").json()["id"]
    api.created(f"/referrals/{made}/withdrawal", on("2026-02-03", reason="本人放弃"))

    history = api.get(f"/cases/{world.case}/history").json()

    assert [(e["type"], e["type_zh"]) for e in history[-2:]] == [
        ("Made", "转介"),
        ("Withdrawn", "转介撤回"),
    ]
    assert {e["data"]["referral_id"] for e in history[-2:]} == {made}
    assert api.get(f"/referrals/{made}").json()["status"] == "withdrawn"


def test_a_transferred_cases_referral_moves_to_the_new_district_with_its_list_checks_and_counts(
    api: Api, world: World
) -> None:
    staff(api, world)
    made = refer(api, world.case, "dibao", "2026-02-01").json()["id"]
    to_other = {"to_centre_id": world.other_district, "business_date": "2026-03-01"}
    api.created(f"/cases/{world.case}/transfer", to_other)  # 转档 by the admin, over both

    def listed(as_: str, centre: str) -> list[tuple[str, str, int]]:
        page = api.view("/referrals", as_, centre_id=centre, as_of="2026-03-10").json()
        return [(r["id"], r["centre_id"], r["age_days"]) for r in page["items"]]

    # 1 Feb -> 1 Mar is 28 days (2026 is no leap year), -> 10 Mar 37
    assert listed("sup", world.district) == []
    assert listed("sup-other", world.other_district) == [(made, world.other_district, 37)]
    before = api.ledger.recorder.max_notification_id()
    answer = on("2026-03-15", decision="accepted", amount="790.00")
    by_old = [
        api.post(f"/referrals/{made}/outcome", answer, "cw"),
        api.post(f"/referrals/{made}/follow-ups", on("2026-03-15", note="电话催办"), "cw"),
        api.post(f"/referrals/{made}/withdrawal", on("2026-03-15", reason="本人放弃"), "cw"),
        api.get(f"/referrals/{made}", "sup"),
    ]
    assert [(r.status_code, r.headers["content-type"]) for r in by_old] == 4 * [
        (403, "application/problem+json")
    ]
    assert api.ledger.recorder.max_notification_id() == before
    assert api.post(f"/referrals/{made}/outcome", answer, "cw-other").status_code == 201
    one = api.get(f"/referrals/{made}", "sup-other").json()
    assert (one["status"], one["centre_id"]) == ("decided", world.street)  # made there

    def counted(as_: str, centre: str) -> list[tuple[str, int, int, str]]:
        stats = api.view("/referrals/statistics", as_, centre_id=centre).json()
        return [(r["channel"], r["made"], r["accepted"], r["granted"]) for r in stats["rows"]]

    assert counted("sup-other", world.other_district) == [("dibao", 1, 1, "790.00")]
    assert counted("sup", world.district) == []
    assert counted("aud", world.city) == [("dibao", 1, 1, "790.00")]
