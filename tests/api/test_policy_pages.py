"""The local policy page on a real store: what is in force at a centre on a date (inherited from
the nearest centre above, or the default), read by supervisors; an admin of a district sets and
withdraws the district's own 低保 line, with a refusal beside its field; a centre outside the
visitor's subtree and a form without its CSRF token are refused. And the suspicious payments
page judges by the policy in force unless a what-if figure is filled in."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from domain.vocabulary import Role
from tests.api.support import Api, World, payment_body
from tests.api.web_support import ON_POSTGRES, web_sign_in

pytestmark = ON_POSTGRES


def sign_in(api: Api, name: str, role: Role, centre: str | None) -> str:
    api.client.follow_redirects = True
    csrf = web_sign_in(api.client, api.ledger, name, role, UUID(centre) if centre else None)
    api.client.follow_redirects = False
    return csrf


def line_in_force(html: str) -> str:
    """The 低保 line's row of the in-force table, its cells' text joined by |."""
    table = html.split('id="in-force-table"')[1].split("</table>")[0]
    row = re.search(r"<tr>\s*<td class=\"wrap\">(?:低保标准|Dibao line).*?</tr>", table, re.S)
    assert row, "the table has no row for the 低保 line"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    return "|".join(re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in cells[:5])


def error_beside(html: str, key: str) -> str:
    return re.search(rf'id="e-{key}"[^>]*>([^<]*)<', html).group(1)  # type: ignore[union-attr]


def setting(csrf: str, centre: str, **fields: str) -> dict[str, Any]:
    return {
        "csrf_token": csrf,
        "form_key": "k" * 20,
        "centre_id": centre,
        "on": "2026-03-01",
        "parameter": "dibao_line",
        "subject": "",
        "value": "850.00",
        "effective_from": "2026-07-01",
        "reason": "朝阳区2026年低保标准",
        "corrects": "",
    } | fields


def test_a_supervisor_reads_the_line_inherited_from_the_city_in_chinese_and_english(
    api: Api, world: World
) -> None:
    city_line = {"centre_id": world.city, "parameter": "dibao_line", "value": "820.00"}
    city_line |= {"effective_from": "2026-01-01", "reason": "长春市2026年低保标准"}
    api.created("/policy", city_line)
    sign_in(api, "钱主任", Role.SUPERVISOR, world.district)

    zh = api.client.get(f"/app/policy?centre_id={world.street}&on=2026-03-01")
    en = api.client.get(f"/app/policy?centre_id={world.street}&on=2025-06-01&lang=en")
    home = api.client.get("/app/")

    assert zh.status_code == en.status_code == 200
    assert line_in_force(zh.text) == "低保标准（元/人·月）|—|¥820.00|长春市帮扶中心|2026-01-01"
    dibao = "Dibao line (yuan per person a month)"
    assert line_in_force(en.text) == f"{dibao}|—|¥790.00|default|2025-01-01"
    assert "In force on 2025-06-01" in en.text and "长春市2026年低保标准" in en.text
    assert 'method="post" action="/app/policy' not in zh.text  # a supervisor reads only
    assert 'href="/app/policy"' in home.text


def test_a_district_admin_sets_and_withdraws_the_district_line_a_refusal_beside_its_field(
    api: Api, world: World
) -> None:
    csrf = sign_in(api, "区管理员", Role.ADMIN, world.district)

    bad = api.client.post("/app/policy", data=setting(csrf, world.district, value="八百"))
    months = setting(csrf, world.district, parameter="living_relief_months", value="6")
    no_subject = api.client.post("/app/policy", data=months)
    done = api.client.post("/app/policy", data=setting(csrf, world.district))
    shown = api.client.get(done.headers["location"])
    setting_id = re.search(r'name="setting_id".*?<option value="([0-9a-f-]{36})"', shown.text, re.S)
    assert setting_id, "the withdrawal form offers no setting"
    withdrawal = {"csrf_token": csrf, "centre_id": world.district, "on": "2026-07-01"}
    withdrawal |= {"setting_id": setting_id.group(1), "form_key": "w" * 20}
    unexplained = api.client.post("/app/policy/withdrawals", data=withdrawal | {"reason": ""})
    withdrawn = api.client.post("/app/policy/withdrawals", data=withdrawal | {"reason": "文件撤回"})
    after = api.client.get(withdrawn.headers["location"])

    assert bad.status_code == 422 and "八百" in error_beside(bad.text, "value")
    assert 'value="八百"' in bad.text and 'value="朝阳区2026年低保标准"' in bad.text
    assert no_subject.status_code == 422
    assert "set per category" in error_beside(no_subject.text, "subject")
    assert done.status_code == 303 and "on=2026-07-01" in done.headers["location"]
    assert "设定已保存" in shown.text
    assert line_in_force(shown.text) == "低保标准（元/人·月）|—|¥850.00|朝阳区|2026-07-01"
    history = shown.text.split('id="history-table"')[1]
    assert "朝阳区2026年低保标准" in history and "区管理员" in history and "有效" in history
    assert unexplained.status_code == 422 and error_beside(unexplained.text, "withdraw-reason")
    assert withdrawn.status_code == 303 and "设定已撤销" in after.text
    assert line_in_force(after.text) == "低保标准（元/人·月）|—|¥790.00|默认|2025-01-01"
    assert "撤销原因：文件撤回" in after.text


def test_a_centre_outside_the_subtree_and_a_form_without_its_csrf_token_are_refused(
    api: Api, world: World
) -> None:
    csrf = sign_in(api, "区管理员", Role.ADMIN, world.district)
    head = api.ledger.recorder.max_notification_id()

    outside = api.client.get(f"/app/policy?centre_id={world.other_district}")
    set_outside = api.client.post("/app/policy", data=setting(csrf, world.city))
    forged = api.client.post("/app/policy", data=setting("forged", world.district))
    recorded = api.ledger.recorder.max_notification_id()
    csrf = sign_in(api, "钱主任", Role.SUPERVISOR, world.district)
    by_supervisor = api.client.post("/app/policy", data=setting(csrf, world.district))

    assert outside.status_code == set_outside.status_code == 403 and "无权访问" in outside.text
    assert forged.status_code == 403 and "表单校验失败" in forged.text
    assert by_supervisor.status_code == 403
    assert recorded == head  # nothing was recorded
    assert "850.00" not in api.get(f"/policy/history?centre_id={world.city}").text


def test_the_suspicious_payments_page_judges_by_the_policy_in_force_unless_a_window_is_given(
    api: Api, world: World
) -> None:
    for day in ("2026-01-10", "2026-01-20"):  # ten days apart
        api.created("/payments", payment_body(world.fund, world.case, "10.00", day))
    window = {"centre_id": world.city, "parameter": "repeat_window_days", "value": "5"}
    api.created("/policy", window | {"effective_from": "2026-01-01", "reason": "监管办法"})
    sign_in(api, "审计", Role.AUDITOR, None)

    by_policy = api.client.get(f"/app/audit/suspicious?centre_id={world.city}")
    what_if = api.client.get(
        f"/app/audit/suspicious?centre_id={world.city}&repeat_window_days=30&lang=en"
    )

    assert by_policy.status_code == what_if.status_code == 200
    assert "按各中心在支付当日现行的地方政策判断" in by_policy.text
    assert 'name="repeat_window_days" type="number" value=""' in by_policy.text
    assert "paid twice" not in by_policy.text  # 10 days apart: outside the city's 5-day window
    assert "What-if" in what_if.text and "living_relief paid twice 10 days apart" in what_if.text
    assert "repeat_window_days=30&amp;format=csv" in what_if.text
