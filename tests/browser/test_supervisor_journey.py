"""A supervisor's day in a real browser: filter the archive and see its counts, sort it, export
it as XLSX, open a household's whole history, read the year's statistics, sign out."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

CASE_URL = re.compile(r".*/app/archive/[0-9a-f-]{36}$")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_supervisor_filters_the_archive_opens_a_history_reads_the_statistics_and_exports(
    visit, lang, tmp_path
):
    v = visit(lang)
    page = v.page
    v.sign_in("demo-supervisor")

    page.click(".tiles a[href='/app/archive']")
    page.wait_for_selector("#archive-total")
    page.wait_for_load_state("load")  # htmx has taken the filters: a change is not lost
    everyone = int(re.sub(r"\D", "", page.inner_text("#archive-total")))
    page.select_option("#f-category", "deep_hardship")
    page.wait_for_url("**category=deep_hardship**")
    page.wait_for_selector("#counts-category tr:only-child")

    deep = "深度困难" if lang == "zh" else "Deep hardship"
    counted = int(re.sub(r"\D", "", page.inner_text("#archive-total")))
    assert page.inner_text("#counts-category th") == deep
    assert page.inner_text("#counts-category td") == str(counted)
    assert 0 < counted < everyone
    categories = page.locator("#archive-table tbody tr td:nth-child(4)").all_inner_texts()
    assert categories and all(c.startswith(deep) for c in categories)
    page.wait_for_selector("[data-chart='chart-category'] canvas")
    v.screenshot("archive")

    with page.expect_download() as download:
        page.click("#export-xlsx")
    saved = tmp_path / "archive.xlsx"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "archive.xlsx"
    assert saved.read_bytes()[:2] == b"PK"

    page.click("#archive-table thead a[href*='sort=received_total']")
    page.wait_for_url("**sort=received_total**")
    page.click("#archive-table thead a[href*='sort=-received_total']")
    page.wait_for_url("**sort=-received_total**")
    page.click("#archive-table tbody tr:first-child td:first-child a")
    page.wait_for_url(CASE_URL)

    events = page.locator("#timeline tbody tr td:nth-child(3)").all_inner_texts()
    assert events[0] == ("建档" if lang == "zh" else "Filed")
    assert ("帮扶支出" if lang == "zh" else "Assistance received") in events
    assert page.locator("#timeline a.payment-link").count() >= 1
    assert "¥" in page.inner_text("#net-received")
    v.screenshot("case-history")

    page.click("a[href='/app/archive']")
    page.wait_for_url(re.compile(r".*/app/archive$"))  # before clicking on the page it loads
    page.click("a[href='/app/archive/statistics']")
    page.wait_for_selector("[data-chart='chart-type'] canvas")
    assert int(page.inner_text("#households-assisted")) > 0
    assert page.locator("#year-end tbody tr").count() > 1
    v.screenshot("statistics")

    v.sign_out()
