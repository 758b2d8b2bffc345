"""Finance staff at work in a real browser: sign in, open a fund, pay a household from it and
see the balance drop, open the payment and reverse it, see the balance back; in both languages."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def balance_fen(v) -> int:  # type: ignore[no-untyped-def]
    return int(v.page.locator("#fund-balance").get_attribute("data-fen"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_finance_staff_pay_a_household_see_the_balance_drop_and_reverse_the_payment(visit, lang):
    v = visit(lang)
    v.sign_in("demo-finance")
    v.go("/app/funds")
    assert v.page.locator("#funds tbody tr").count() > 3
    v.screenshot("funds-list")

    v.page.locator("#funds tbody th a").first.click()
    v.page.wait_for_url(re.compile(r".*/app/funds/[0-9a-f-]{36}$"))
    before = balance_fen(v)
    v.screenshot("fund-page")

    v.page.locator(".actions a[href$='/pay']").click()
    household = v.send_payment("123.45", f"browser-{lang}")

    v.page.locator("#recorded").wait_for()
    assert balance_fen(v) == before - 123_45
    assert "¥123.45" in v.page.locator("#recorded").inner_text()

    v.page.locator("#recorded a").click()
    v.page.wait_for_url("**/app/funds/payments/**")
    assert v.page.locator("#archive-number").inner_text() == household
    assert balance_fen(v) == before - 123_45
    v.screenshot("payment-page")

    v.page.fill("#f-reason", "录入错误" if lang == "zh" else "typed wrong")
    v.page.click("form[action$='/reverse'] button[type=submit]")

    v.page.locator("#reversal-done").wait_for()
    assert v.page.locator("#reversed-badge").is_visible()
    assert balance_fen(v) == before
    v.sign_out()


def test_a_payment_form_refuses_an_overdraft_beside_the_amount_with_what_was_typed_kept(visit):
    v = visit("en")
    v.sign_in("demo-finance")
    v.go("/app/funds/pay")
    v.page.locator("#payable-funds tbody td a").first.click()

    household = v.send_payment("99999999999.99")

    assert "less than the ¥99,999,999,999.99" in v.page.locator("#e-amount").inner_text()
    assert v.page.input_value("#f-amount") == "99999999999.99"
    assert v.page.input_value("#f-case_id") == household
