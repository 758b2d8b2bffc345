"""The auditor's day in a real browser on the demo: a fund's balance over time and at a past
date, the fund-flow Sankey, one payment's provenance, the audit trail filtered, and an audit
package downloaded with the verifier's result shown; and a payment that finance staff record
appearing in the auditor's Sankey."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.payments import Payment
from supervision.package_verify import verify_package

pytestmark = pytest.mark.browser


def sankey_links(v: Any) -> dict[tuple[str, str], int]:
    """The Sankey's links on the open page, by the labels of their two ends, in fen."""
    v.page.wait_for_selector("#sankey-chart canvas")
    chart = json.loads(v.page.locator("#sankey-data").text_content())
    labels = {n["name"]: n["label"] for n in chart["nodes"]}
    return {(labels[k["source"]], labels[k["target"]]): k["value"] for k in chart["links"]}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_auditor_follows_the_money_and_downloads_a_verified_audit_package(
    visit: Any, lang: str, tmp_path: Path
) -> None:
    v = visit(lang)
    v.sign_in("demo-auditor")
    page = v.page

    v.go(f"/app/audit/trail?kind={Payment.Made.__name__}")
    links = page.locator("#trail-table a[href^='/app/audit/payments/']")
    payments = [links.nth(n).get_attribute("href") for n in range(links.count())]
    for href in payments:  # the first paid from a street's fund (warmth comes from the city's)
        v.go(str(href))
        if page.locator("ol.chain > li").count() == 3:  # city, district, street
            break
    else:
        raise AssertionError("no payment on the trail's first page came down three levels")
    source = page.locator("#source-fund").inner_text()
    assert ("来源资金" if lang == "zh" else "Source fund") in source

    page.click("ol.chain > li:last-child > a")  # the street's fund that paid it
    page.wait_for_selector("#balance-chart canvas")
    page.fill("#f-as_of", "2026-02-28")
    with page.expect_navigation():
        page.click("form.toolbar button[type=submit]")
    page.wait_for_selector("#balance-chart canvas")
    as_of = page.locator("#as-of-balance").inner_text()
    assert ("截至 2026-02-28 的余额" if lang == "zh" else "Balance as of 2026-02-28") in as_of
    assert "¥" in as_of
    v.screenshot("audit-balance")

    v.go("/app/audit/flows")
    links = sankey_links(v)
    assert links and all(value > 0 for value in links.values())
    assert page.locator("#flows-table tbody tr").count() > 0
    v.screenshot("audit-sankey")

    v.go("/app/audit/trail")
    page.select_option("#f-kind", Payment.Made.__name__)
    page.fill("#f-actor", "demo-loader")
    page.fill("#f-date_from", "2026-01-01")
    with page.expect_navigation():  # the filtered page, loaded, before its rows are counted
        page.click("form.filters button[type=submit]")
    assert "actor=demo-loader" in page.url
    assert page.locator("#trail-table tbody tr").count() == 50  # a full first page
    assert page.locator("a[rel=next]").count() == 1
    v.screenshot("audit-trail")

    v.go("/app/audit/package")
    page.select_option("#f-fund_id", index=1)
    page.click("#build-package")
    verdict = page.wait_for_selector("#package-verdict", timeout=30_000)
    assert verdict.get_attribute("class") == "ok"
    assert page.locator("#package-checks tr.check-failed").count() == 0
    assert len(page.locator("#package-fingerprint").inner_text()) == 64
    v.screenshot("audit-package")
    with page.expect_download() as download:
        page.click("#download-package")
    saved = tmp_path / "package.zip"
    download.value.save_as(saved)
    assert verify_package(saved).ok
    v.sign_out()


def test_a_payment_recorded_by_finance_staff_appears_in_the_auditors_sankey(visit: Any) -> None:
    auditor, finance = visit("en"), visit("en")
    auditor.sign_in("demo-auditor")
    auditor.go("/app/audit/flows")
    before = sankey_links(auditor)

    finance.sign_in("demo-finance")
    fund, case = _a_street_warmth_fund_and_its_household(finance)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    body = {
        "fund_id": fund["fund_id"],
        "case_id": case,
        "assistance_type": "warmth_visit",
        "amount": "1.23",
        "reference": "browser-test",
        "business_date": today,
    }
    paid = finance.page.request.post(
        finance.server.url + "/payments", data=body, headers={"X-CSRF-Token": _csrf(finance)}
    )
    assert paid.status == 201, paid.text()

    auditor.go("/app/audit/flows")
    after = sankey_links(auditor)
    grown = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    assert set(grown.values()) == {123}
    assert any(target == "Warmth visit" for _, target in grown)


def _csrf(v: Any) -> str:
    token = v.page.locator("meta[name=csrf-token]").get_attribute("content")
    assert token
    return str(token)


def _a_street_warmth_fund_and_its_household(v: Any) -> tuple[dict[str, Any], str]:
    """A street centre's share of the ACFTU warmth fund, and a household of that street."""
    api = v.page.request
    funds = api.get(v.server.url + "/funds?limit=1000").json()["items"]
    fund = next(
        f for f in funds if f["source"] == "acftu_warmth_fund" and f["path"].count("/") == 4
    )
    cases = api.get(
        v.server.url + f"/cases?centre_id={fund['centre_id']}&status=active&limit=1"
    ).json()["items"]
    return fund, cases[0]["id"]
