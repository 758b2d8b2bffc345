"""Local policy and referrals in a real browser on the demo: the admin sets a district's 低保 line
from a date and sees it in force there; a caseworker refers a household to a government channel
(转介) and records the answer, both shown on the case page and its timeline."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.browser

DISTRICT = "宽城区总工会帮扶中心"  # a district the other journeys leave alone


def test_the_admin_sets_a_district_line_and_a_caseworker_refers_a_household(visit: Any) -> None:
    v = visit("zh")
    v.sign_in("demo-admin")
    page = v.page
    since = (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=30)).isoformat()

    v.go("/app/policy")
    district = page.locator("#f-centre_id option", has_text=DISTRICT).get_attribute("value")
    page.select_option("#f-centre_id", district)
    page.click("form.filters button[type=submit]")
    page.wait_for_selector(f"h1:has-text('{DISTRICT}')")
    page.fill("#f-value", "880.00")
    page.fill("#f-effective_from", since)
    page.fill("#f-reason", "浏览器测试：区低保标准调整")
    page.click("form[method=post][action='/app/policy'] button[type=submit]")
    page.wait_for_selector("text=设定已保存")
    line = page.locator("#in-force-table tbody tr").first.inner_text()
    assert "低保标准" in line and "¥880.00" in line and DISTRICT in line and since in line
    v.screenshot("policy")
    v.sign_out()

    v.sign_in("demo-caseworker")
    v.go("/app/households?status=active")
    page.locator("a.household-name").first.click()
    page.wait_for_selector("#referrals")
    page.click("#refer summary")
    page.select_option("#f-channel", "extreme_poverty_support")
    page.fill("#f-receiving_body", "朝阳区民政局")
    page.click("#refer button[type=submit]")
    page.wait_for_selector("text=已转介")
    number = page.locator("#referrals-table tbody tr").count()  # numbered 1, 2, ... in order
    page.click(f"#outcome-{number} summary")
    page.select_option(f"#f-outcome-{number}-decision", "accepted")
    page.fill(f"#f-outcome-{number}-amount", "500")
    page.click(f"#outcome-{number} button[type=submit]")
    page.wait_for_selector("text=转介结果已记录")
    row = page.locator("#referrals-table tbody tr").nth(number - 1).inner_text()
    assert "特困人员救助供养" in row and "已纳入" in row and "¥500.00" in row
    newest = page.locator("#timeline tbody tr").first.inner_text()
    assert "转介结果" in newest and "¥500.00" in newest and "demo-caseworker" in newest
    v.screenshot("household-referrals")
