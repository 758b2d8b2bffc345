"""The caseworker's day in a real browser: find a household by name, record a visit and see it on
the timeline, file a new household (a family member row added by htmx); the pages in Chinese
and in English.

Opening another subtree's case by URL is checked in tests/api/test_household_pages.py: the
demo binds demo-caseworker to the city centre, the root of every demo household."""

from __future__ import annotations

from datetime import date

import pytest

from domain.id_numbers import make_id_number

pytestmark = pytest.mark.browser

VISIT_NOTE = "浏览器测试：了解孩子上学情况"


def test_a_caseworker_finds_a_household_by_name_records_a_visit_and_files_a_new_one(visit):
    v = visit("zh")
    v.sign_in("demo-caseworker")
    page = v.page

    v.go("/app/households")
    v.screenshot("households-search")
    name = page.locator("a.household-name").first.inner_text()
    page.fill("#f-q", name)
    page.click("#search button[type=submit]")
    page.wait_for_selector("text=按姓名找到")
    assert "/app/households" in page.url and name not in page.url
    page.locator("a.household-name", has_text=name).first.click()

    page.wait_for_selector("#timeline")
    assert name in page.locator("h1").inner_text()
    page.click("#visit summary")
    page.fill("#visit #f-visitors", "demo-caseworker、李干事")
    page.fill("#visit #f-notes", VISIT_NOTE)
    page.fill("#visit #f-goods-0-item", "书包")
    page.fill("#visit #f-goods-0-value", "120")
    page.click("#visit button[type=submit]")
    page.wait_for_selector("text=走访已记录")
    newest = page.locator("#timeline tbody tr").first
    assert "走访" in newest.inner_text() and VISIT_NOTE in newest.inner_text()
    assert "¥120.00" in newest.inner_text() and "demo-caseworker" in newest.inner_text()
    v.screenshot("household-case")

    v.go("/app/households/new")
    v.screenshot("household-file")
    page.fill("#f-name", "浏览器测试户")
    page.fill("#f-id_number", make_id_number("110105", date(1988, 8, 8), 1))
    page.fill("#f-member-0-name", "测试子女")
    page.fill("#f-member-0-relation", "子女")
    page.click("#add-member button")
    page.wait_for_selector("#f-member-1-name")
    page.fill("#f-member-1-name", "测试配偶")
    page.select_option("#f-category", "relative_hardship")
    page.select_option("#f-primary_cause", "serious_illness")
    page.check("input[name=flag-single_parent]")
    page.fill("#f-household_size", "3")
    page.fill("#f-per_capita_monthly_income", "12.345")
    page.click("form[action='/app/households/new'] button[type=submit]:not([name])")
    assert "two decimals" in page.locator("#e-per_capita_monthly_income").inner_text()
    assert page.input_value("#f-member-1-name") == "测试配偶"  # kept as typed

    page.fill("#f-per_capita_monthly_income", "700")
    page.click("form[action='/app/households/new'] button[type=submit]:not([name])")
    page.wait_for_selector("text=已建档")
    assert "浏览器测试户" in page.locator("h1").inner_text()
    assert "测试配偶" in page.locator("#person-heading + dl + table").inner_text()


def test_the_households_pages_render_in_english(visit):
    v = visit("en")
    v.sign_in("demo-caseworker")
    page = v.page

    v.go("/app/households")
    assert page.locator("h1").inner_text() == "Find a household"
    v.screenshot("households-search")
    page.locator("a.household-name").first.click()
    page.wait_for_selector("#timeline")
    assert page.locator("#timeline-heading").inner_text() == "Timeline"
    v.screenshot("household-case")
    v.go("/app/households/new")
    assert page.locator("h1").inner_text() == "File a household"
    v.screenshot("household-file")
