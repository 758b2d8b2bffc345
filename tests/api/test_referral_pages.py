"""Referrals (转介) in the web app on a real store: a caseworker refers a household from its case
page and records the answer, each refusal beside its field, the referral's events on the case's
timeline; another subtree's caseworker, a supervisor and a form without its CSRF token are
refused; supervisors list the open referrals with their ages and count them by channel."""

from __future__ import annotations

import re
from uuid import UUID

from domain.vocabulary import Role
from tests.api.support import Api, World
from tests.api.web_support import ON_POSTGRES, web_sign_in

pytestmark = ON_POSTGRES


def sign_in(api: Api, name: str, role: Role, centre: str) -> str:
    api.client.follow_redirects = True
    csrf = web_sign_in(api.client, api.ledger, name, role, UUID(centre))
    api.client.follow_redirects = False
    return csrf


def error_beside(html: str, key: str) -> str:
    found = re.search(rf'id="e-{key}"[^>]*>([^<]*)<', html)
    assert found, f"no error beside {key}"
    return found.group(1)


def section(html: str, id_: str) -> str:
    """The text of the page's element ``id_`` onwards, tags left out."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split(f'id="{id_}"', 1)[1]))


def referring(csrf: str, **fields: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "form_key": "r" * 20,
        "channel": "dibao",
        "receiving_body": "朝阳区民政局",
        "business_date": "2026-02-01",
        "note": "收入低于低保标准",
    } | fields


def test_a_caseworker_refers_a_household_and_records_the_answer_from_the_case_page(
    api: Api, world: World
) -> None:
    csrf = sign_in(api, "王干事", Role.CASEWORKER, world.district)
    case = f"/app/households/{world.case}"

    nobody = api.client.post(f"{case}/referrals", data=referring(csrf, receiving_body=""))
    referred = api.client.post(f"{case}/referrals", data=referring(csrf))
    page = api.client.get(referred.headers["location"])
    answer = {"csrf_token": csrf, "form_key": "o" * 20, "business_date": "2026-02-15"}
    refused_with_money = api.client.post(
        f"{case}/referrals/1/outcome", data=answer | {"decision": "refused", "amount": "790"}
    )
    before_it = api.client.post(
        f"{case}/referrals/1/outcome",
        data=answer | {"decision": "accepted", "amount": "790", "business_date": "2026-01-20"},
    )
    accepted = api.client.post(
        f"{case}/referrals/1/outcome", data=answer | {"decision": "accepted", "amount": "790"}
    )
    answered = api.client.get(accepted.headers["location"])
    english = api.client.get(f"{case}?lang=en")

    assert nobody.status_code == 422 and error_beside(nobody.text, "receiving_body") == "此项必填"
    assert '<details open id="refer">' in nobody.text and "收入低于低保标准" in nobody.text
    assert referred.status_code == 303 and "已转介" in page.text
    listed = section(page.text, "referrals-table")
    assert "#1 最低生活保障（低保） 朝阳区民政局" in listed and "办理中" in listed
    assert "转介 #1 · 最低生活保障（低保） · 朝阳区民政局" in section(page.text, "timeline")
    assert refused_with_money.status_code == 422
    assert "grants nothing" in error_beside(refused_with_money.text, "outcome-1-amount")
    assert "before the referral" in error_beside(before_it.text, "outcome-1-business_date")
    assert accepted.status_code == 303 and "转介结果已记录" in answered.text
    assert "已纳入 · ¥790.00" in section(answered.text, "referrals-table")
    assert "转介结果 #1 · 已纳入 · ¥790.00" in section(answered.text, "timeline")
    assert 'id="correct-1"' not in answered.text and "更正转介 #1 的结果" in answered.text
    assert english.status_code == 200 and "Minimum living allowance (低保)" in english.text
    assert "Referral outcome" in english.text
    assert "Correct the outcome of referral #1" in english.text


def test_referral_forms_are_refused_outside_the_subtree_to_a_supervisor_and_without_csrf(
    api: Api, world: World
) -> None:
    other = sign_in(api, "赵干事", Role.CASEWORKER, world.other_district)
    outside = api.client.post(f"/app/households/{world.case}/referrals", data=referring(other))
    page = api.client.get(f"/app/households/{world.case}")
    supervisor = sign_in(api, "钱主任", Role.SUPERVISOR, world.district)
    read_only = api.client.post(
        f"/app/households/{world.case}/referrals", data=referring(supervisor)
    )
    sign_in(api, "王干事", Role.CASEWORKER, world.district)
    forged = api.client.post(f"/app/households/{world.case}/referrals", data=referring("forged"))

    assert outside.status_code == page.status_code == 403 and "无权访问" in outside.text
    assert read_only.status_code == 403
    assert forged.status_code == 403 and "表单校验失败" in forged.text
    assert list(api.ledger.referral_streams(UUID(world.case))) == []  # nothing was referred


def test_supervisors_see_the_open_referrals_aged_and_counted_by_channel(
    api: Api, world: World
) -> None:
    api.user("cw", Role.CASEWORKER, UUID(world.district))
    body = {"receiving_body": "朝阳区民政局"}
    r1 = api.created(
        f"/cases/{world.case}/referrals", body | {"channel": "dibao", "business_date": "2026-01-10"}
    )
    api.created(
        f"/cases/{world.case}/referrals",
        body | {"channel": "low_rent_housing", "business_date": "2026-02-01"},
    )
    api.created(
        f"/referrals/{r1}/outcome",
        {"decision": "accepted", "amount": "790.00", "business_date": "2026-02-15"},
    )
    sign_in(api, "钱主任", Role.SUPERVISOR, world.district)

    asked = "as_of=2026-02-10&from=2026-01-01&to=2026-12-31"
    zh = api.client.get(f"/app/archive/referrals?{asked}")
    en = api.client.get(f"/app/archive/referrals?{asked}&as_of=2026-03-01&lang=en")
    history = api.client.get(f"/app/archive/{world.case}?lang=zh")
    outside = api.client.get(f"/app/archive/referrals?centre_id={world.other_district}")
    backwards = api.client.get("/app/archive/referrals?from=2026-03-01&to=2026-01-01")

    assert zh.status_code == en.status_code == 200
    # 10 Jan -> 10 Feb is 31 days, 1 Feb -> 10 Feb 9; on 1 Mar the first was answered
    assert re.findall(r"(\d+) 天", section(zh.text, "open-referrals")) == ["31", "9"]
    assert re.findall(r"(\d+) days", section(en.text, "open-referrals")) == ["28"]
    stats = section(zh.text, "referral-statistics")
    assert "最低生活保障（低保） 1 0 1 0 0 0 ¥790.00" in stats
    assert "廉租房/公租房 1 1 0 0 0 0 ¥0.00" in stats and "合计 2 1 1 0 0 0 ¥790.00" in stats
    assert "Low-rent or public housing" in en.text and 'data-kind="stack"' in en.text
    assert f"/referrals/statistics?centre_id={world.district}&amp;from=2026-01-01" in zh.text
    assert "format=xlsx&amp;lang=en" in en.text
    assert "序号：#2" in history.text and "结果：已纳入" in history.text  # the case's history
    assert outside.status_code == 403
    assert backwards.status_code == 422 and "is empty" in error_beside(backwards.text, "to")
