"""The funds pages on a real store: the list, a fund, the money forms (each refusal beside its
field with what was typed kept), a payment and its reversal, and who may see and do what."""

from __future__ import annotations

import re
from uuid import UUID

from domain.access import SYSTEM
from domain.funds import child_fund_id
from domain.vocabulary import Role
from tests.api.support import Api, World, case_body
from tests.api.web_support import ON_POSTGRES, found_in, web_sign_in

pytestmark = ON_POSTGRES


def finance(api: Api, centre: str | None = None, name: str = "fin") -> str:
    """Sign the client in as finance staff (of ``centre``); the CSRF token for its forms."""
    return web_sign_in(api.client, api.ledger, name, Role.FINANCE, UUID(centre) if centre else None)


def balance(api: Api, fund: str) -> int:
    return int(api.ledger.fund(SYSTEM, UUID(fund)).balance_fen)


def send(api: Api, path: str, csrf: str, **fields: str):  # type: ignore[no-untyped-def]
    return api.client.post(path, data={"csrf_token": csrf, **fields}, follow_redirects=False)


def error_beside(html: str, field: str) -> str:
    beside = rf'id="e-{field}" class="field-error" role="alert">([^<]*)<'
    return found_in(html, beside, f"no error beside {field}")


def receiving(amount: str, **more: str) -> dict[str, str]:
    """The receipt form's fields: ``amount`` yuan from the provincial federation."""
    return {"amount": amount, "payer": "省总工会", "business_date": "2026-02-01"} | more


def paying(world: World, amount: str, **more: str) -> dict[str, str]:
    """The payment form's fields: ``amount`` yuan of living relief to the world's household."""
    fields = {"case_id": world.case, "assistance_type": "living_relief", "amount": amount}
    return fields | {"business_date": "2026-02-01"} | more


def allocated(api: Api, world: World, to: str, amount: str = "3000.00") -> str:
    body = {"to_centre_id": to, "amount": amount, "business_date": "2026-01-03"}
    api.created(f"/funds/{world.fund}/allocations", body)
    return str(child_fund_id(UUID(world.fund), UUID(to)))


def test_the_funds_list_shows_the_subtrees_funds_with_centre_source_and_balances(
    api: Api, world: World
) -> None:
    child = allocated(api, world, world.district)
    finance(api, world.city)

    page = api.client.get("/app/funds?sort=-balance")
    filtered = api.client.get(f"/app/funds?centre={world.district}")

    assert page.status_code == 200
    assert "长春市帮扶中心" in page.text and "朝阳区" in page.text
    assert "中央财政专项帮扶资金" in page.text and "生活救助" in page.text
    rows = re.findall(
        r'<th scope="row" class="fund-name"><a href="/app/funds/([0-9a-f-]{36})"', page.text
    )
    assert rows == [world.fund, child]  # ¥7,000.00 before ¥3,000.00
    assert "/funds?format=xlsx&amp;lang=zh&amp;centre_id=" in page.text
    assert f"/app/funds/{child}" in filtered.text
    assert f"/app/funds/{world.fund}" not in filtered.text


def test_a_receipt_recorded_on_the_form_raises_the_balance_the_fund_page_shows(
    api: Api, world: World
) -> None:
    csrf = finance(api, world.city)

    sent = send(
        api, f"/app/funds/{world.fund}/receive", csrf, **receiving("500.50", reference="SZ-7")
    )
    page = api.client.get(sent.headers["location"])

    assert sent.status_code == 303
    assert balance(api, world.fund) == 10_500_50
    assert 'id="fund-balance" data-fen="1050050">¥10,500.50<' in page.text
    assert "已记录：拨入 ¥500.50，记账后余额 ¥10,500.50" in page.text
    assert 'class="recorded"' in page.text and "SZ-7" in page.text


def test_an_amount_with_three_decimals_is_refused_beside_the_field_with_what_was_typed_kept(
    api: Api, world: World
) -> None:
    csrf = finance(api, world.city)

    sent = send(api, f"/app/funds/{world.fund}/receive", csrf, **receiving("12.345"))

    assert sent.status_code == 422
    assert "最多两位小数" in error_beside(sent.text, "amount")
    assert 'value="12.345"' in sent.text and 'value="省总工会"' in sent.text
    assert balance(api, world.fund) == 10_000_00


def test_an_overdraft_is_refused_beside_the_amount_and_moves_no_money(
    api: Api, world: World
) -> None:
    csrf = finance(api, world.city)

    sent = send(api, f"/app/funds/{world.fund}/pay?lang=en", csrf, **paying(world, "10000.01"))

    assert sent.status_code == 422
    assert "holds ¥10,000.00, less than the ¥10,000.01" in error_beside(sent.text, "amount")
    assert f'value="{world.case}"' in sent.text and 'value="10000.01"' in sent.text
    assert balance(api, world.fund) == 10_000_00


def test_a_money_form_without_its_csrf_token_is_refused_and_moves_no_money(
    api: Api, world: World
) -> None:
    finance(api, world.city)

    sent = send(api, f"/app/funds/{world.fund}/pay", "", **paying(world, "10.00"))

    assert sent.status_code == 403 and "表单校验失败" in sent.text
    assert balance(api, world.fund) == 10_000_00


def test_a_payment_outside_the_earmark_or_to_a_closed_case_is_refused_beside_its_field(
    api: Api, world: World
) -> None:
    csrf = finance(api, world.city)
    pay = f"/app/funds/{world.fund}/pay"

    earmark = send(api, pay, csrf, **paying(world, "100.00", assistance_type="legal_aid"))
    closure = {"reason": "deceased", "business_date": "2026-02-01"}
    api.created(f"/cases/{world.case}/closure", closure)
    closed = send(api, pay, csrf, **paying(world, "100.00"))

    assert earmark.status_code == 422 and closed.status_code == 422
    assert "限定用途不包括" in error_beside(earmark.text, "assistance_type")
    assert "已结档" in error_beside(closed.text, "case_id")
    assert balance(api, world.fund) == 10_000_00


def test_an_allocation_offers_the_direct_child_centres_and_moves_the_money_down(
    api: Api, world: World
) -> None:
    csrf = finance(api, world.city)

    form = api.client.get(f"/app/funds/{world.fund}/allocate")
    allocate, day = f"/app/funds/{world.fund}/allocate", "2026-02-01"
    street = send(api, allocate, csrf, to_centre_id=world.street, amount="1", business_date=day)
    sent = send(api, allocate, csrf, to_centre_id=world.district, amount="2500", business_date=day)

    options = re.findall(r'<option value="([0-9a-f-]{36})"', form.text)
    assert sorted(options) == sorted([world.district, world.other_district])
    assert street.status_code == 422 and "直属下级中心" in error_beside(street.text, "to_centre_id")
    assert sent.status_code == 303
    child = str(child_fund_id(UUID(world.fund), UUID(world.district)))
    assert balance(api, child) == 2_500_00 and balance(api, world.fund) == 7_500_00
    assert "下拨 ¥2,500.00" in api.client.get(sent.headers["location"]).text


def test_a_return_sends_money_back_up_to_the_parent_fund(api: Api, world: World) -> None:
    child = allocated(api, world, world.district)
    csrf = finance(api, world.city)

    form = api.client.get(f"/app/funds/{child}/return")
    sent = send(
        api, f"/app/funds/{child}/return", csrf, amount="1000.00", business_date="2026-03-01"
    )

    assert "上缴至上级资金「中央财政专项帮扶资金」（长春市帮扶中心）" in form.text
    assert sent.status_code == 303
    assert balance(api, child) == 2_000_00 and balance(api, world.fund) == 8_000_00


def test_a_payment_made_on_the_form_shows_the_new_balance_and_its_payment_page(
    api: Api, world: World
) -> None:
    csrf = finance(api, world.city)

    sent = send(
        api, f"/app/funds/{world.fund}/pay", csrf, **paying(world, "300.00", reference="备注-1")
    )
    fund_page = api.client.get(sent.headers["location"])
    payment = re.search(r'href="/app/funds/payments/([0-9a-f-]{36})"', fund_page.text)
    assert payment
    page = api.client.get(f"/app/funds/payments/{payment.group(1)}")

    assert 'id="fund-balance" data-fen="970000">¥9,700.00<' in fund_page.text
    assert f'<code id="archive-number">{world.case}</code>' in page.text
    assert "¥300.00" in page.text and "生活救助" in page.text and "备注-1" in page.text
    assert "红旗街道" in page.text and "fin ·" in page.text
    assert "您的角色不能查看个人信息" in page.text and "测试" not in page.text


def test_a_payment_reversed_from_its_page_returns_the_money_and_says_so(
    api: Api, world: World
) -> None:
    body = {"fund_id": world.fund, "case_id": world.case, "assistance_type": "living_relief"}
    payment = api.created("/payments", body | {"amount": "400.00", "business_date": "2026-02-01"})
    csrf = finance(api, world.city)

    without_reason = send(api, f"/app/funds/payments/{payment}/reverse", csrf, reason=" ")
    sent = send(api, f"/app/funds/payments/{payment}/reverse", csrf, reason="重复发放")
    page = api.client.get(sent.headers["location"])
    again = send(api, f"/app/funds/payments/{payment}/reverse", csrf, reason="再来一次")

    assert without_reason.status_code == 422 and error_beside(without_reason.text, "reason")
    assert sent.status_code == 303 and balance(api, world.fund) == 10_000_00
    assert 'id="reversed-badge"' in page.text and "已冲正：¥400.00 已退回资金" in page.text
    assert "重复发放" in page.text and "/reverse" not in page.text
    assert again.status_code == 422 and "已冲正" in again.text


def test_the_same_payment_form_sent_twice_pays_once(api: Api, world: World) -> None:
    csrf = finance(api, world.city)
    form = api.client.get(f"/app/funds/{world.fund}/pay")
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.text)
    assert key
    fields = paying(world, "250.00", idempotency_key=key.group(1))

    first = send(api, f"/app/funds/{world.fund}/pay", csrf, **fields)
    second = send(api, f"/app/funds/{world.fund}/pay", csrf, **fields)

    assert first.status_code == second.status_code == 303
    assert second.headers["location"].startswith("/app/funds/payments/")
    assert balance(api, world.fund) == 9_750_00


def test_finance_staff_of_one_district_cannot_reach_another_districts_fund_by_url(
    api: Api, world: World
) -> None:
    mine = allocated(api, world, world.district)
    theirs = allocated(api, world, world.other_district)
    other_case = api.created("/cases", case_body(world.other_district))
    csrf = finance(api, world.district, name="fin-chaoyang")

    listed = api.client.get("/app/funds")
    opened = api.client.get(f"/app/funds/{theirs}")
    form = api.client.get(f"/app/funds/{theirs}/pay")
    paid = send(api, f"/app/funds/{theirs}/pay", csrf, **paying(world, "10.00", case_id=other_case))

    assert f"/app/funds/{mine}" in listed.text and f"/app/funds/{theirs}" not in listed.text
    assert f"/app/funds/{world.fund}" not in listed.text
    assert opened.status_code == form.status_code == paid.status_code == 403
    assert balance(api, theirs) == 3_000_00
    assert "在您的范围之外" in api.client.get(f"/app/funds/{mine}").text  # the city's parent fund


def test_readers_see_funds_and_payments_but_no_money_forms(api: Api, world: World) -> None:
    body = {"fund_id": world.fund, "case_id": world.case, "assistance_type": "living_relief"}
    payment = api.created("/payments", body | {"amount": "50.00", "business_date": "2026-02-01"})
    web_sign_in(api.client, api.ledger, "aud", Role.AUDITOR)

    fund = api.client.get(f"/app/funds/{world.fund}")
    form = api.client.get(f"/app/funds/{world.fund}/receive")
    page = api.client.get(f"/app/funds/payments/{payment}")
    web_sign_in(api.client, api.ledger, "sup", Role.SUPERVISOR)
    named = api.client.get(f"/app/funds/payments/{payment}?lang=en")

    assert fund.status_code == 200 and "¥9,950.00" in fund.text
    assert f"/app/funds/{world.fund}/receive" not in fund.text and form.status_code == 403
    assert page.status_code == 200 and "/reverse" not in page.text
    assert re.search(r"<dd>测试\d+</dd>", named.text)  # a supervisor may read the name


def test_the_case_lookup_tells_the_households_centre_and_status(api: Api, world: World) -> None:
    finance(api, world.city)
    lookup = f"/app/funds/{world.fund}/case-lookup?case_id="

    found = api.client.get(lookup + world.case)
    unknown = api.client.get(lookup + "00000000-0000-0000-0000-000000000000")
    garbled = api.client.get(lookup + "12345")

    assert "红旗街道" in found.text and "在档" in found.text
    assert "没有这个档案" in unknown.text
    assert "档案编号格式不正确" in garbled.text


def test_the_home_page_shows_finance_its_funds_tiles_and_the_forms_read_in_english(
    api: Api, world: World
) -> None:
    finance(api, world.city)

    home = api.client.get("/app/")
    form = api.client.get(f"/app/funds/{world.fund}/pay?lang=en")

    assert 'href="/app/funds/pay"' in home.text and "录入帮扶支出" in home.text
    assert "Record a payment" in form.text and "Archive number" in form.text
    assert 'list="active-cases"' in form.text and f'<option value="{world.case}"' in form.text
