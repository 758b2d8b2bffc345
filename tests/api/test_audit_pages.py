"""The auditor's pages on a real store: a fund's balance over time and at a past date, the
fund-flow Sankey, a payment's provenance, the reports, the audit trail and the audit package
with its verification; and a user bound to a subtree kept to it by URL."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from uuid import UUID

from api.web.pages.audit_package_jobs import PackageJob, build, jobs_of
from domain.payments import Payment
from domain.vocabulary import Role
from supervision.package_verify import verify_package
from supervision.scope import Scope
from tests.api.support import Api, World, payment_body
from tests.api.web_support import ON_POSTGRES, csrf_of, found_in, web_sign_in

pytestmark = ON_POSTGRES


def allocate(api: Api, fund: str, to: str, amount: str) -> str:
    """下拨 ``amount`` to a child centre; the child fund's id."""
    body = {
        "to_centre_id": to,
        "amount": amount,
        "reference": "XB-1",
        "business_date": "2026-01-04",
    }
    return api.created(f"/funds/{fund}/allocations", body)


def street_fund(api: Api, world: World) -> str:
    """The city's central fund allocated down to the district and on to the street."""
    district_fund = allocate(api, world.fund, world.district, "3000.00")
    return allocate(api, district_fund, world.street, "1000.00")


def chart_data(html: str, name: str) -> Any:
    script = rf'<script type="application/json" id="{name}">(.*?)</script>'
    return json.loads(found_in(html, script, f"the page has no {name}"))


def sankey_links(html: str) -> dict[tuple[str, str], int]:
    """The flows page's Sankey: fen per link, from one node's label to the next's."""
    chart = chart_data(html, "sankey-data")
    labels = {n["name"]: n["label"] for n in chart["nodes"]}
    return {(labels[k["source"]], labels[k["target"]]): k["value"] for k in chart["links"]}


def test_the_balance_page_charts_the_balance_over_time_and_answers_it_at_a_past_date(
    api: Api, world: World
) -> None:
    api.created("/payments", payment_body(world.fund, world.case, "100.00", "2026-01-10"))
    web_sign_in(api.client, api.ledger, "auditor", Role.AUDITOR)

    before = api.client.get(f"/app/audit/funds/{world.fund}?as_of=2026-01-09&lang=en")
    after = api.client.get(f"/app/audit/funds/{world.fund}?as_of=2026-01-10&lang=zh")

    assert before.status_code == after.status_code == 200
    assert (
        "Balance as of 2026-01-09:" in before.text and "<strong>¥10,000.00</strong>" in before.text
    )
    assert "截至 2026-01-10 的余额" in after.text and "<strong>¥9,900.00</strong>" in after.text
    points = chart_data(after.text, "balance-data")["points"]
    assert points[:2] == [["2026-01-02", 1_000_000], ["2026-01-10", 990_000]]
    assert "/app/audit/payments/" in after.text  # the payment's posting links its provenance


def test_a_past_date_outside_the_window_is_said_beside_the_field_and_kept(
    api: Api, world: World
) -> None:
    web_sign_in(api.client, api.ledger, "auditor", Role.AUDITOR)

    page = api.client.get(f"/app/audit/funds/{world.fund}?as_of=1800-01-01&lang=en")

    assert page.status_code == 422
    assert "A date from 1949-01-01 to 2200-12-31 is expected" in page.text
    assert 'value="1800-01-01"' in page.text


def test_a_user_bound_to_a_district_cannot_open_another_districts_fund_or_payment_by_url(
    api: Api, world: World
) -> None:
    other_fund = allocate(api, world.fund, world.other_district, "2000.00")
    own_fund = allocate(api, world.fund, world.district, "2000.00")
    web_sign_in(api.client, api.ledger, "district-auditor", Role.AUDITOR, UUID(world.district))

    own = api.client.get(f"/app/audit/funds/{own_fund}")
    others = [
        api.client.get(f"/app/audit/funds/{other_fund}"),
        api.client.get(f"/app/audit/funds/{world.fund}"),  # the city's, above the district
        api.client.get(f"/app/audit/flows?centre_id={world.other_district}"),
        api.client.get(f"/app/audit/trail?centre_id={world.other_district}"),
        api.client.get(f"/app/audit/funds/{own_fund}/trace"),  # the API traces for the tree
    ]
    home = api.client.get("/app/audit")

    assert own.status_code == 200
    assert [r.status_code for r in others] == [403] * len(others)
    assert own_fund in home.text and other_fund not in home.text and world.fund not in home.text
    assert "/trace" not in home.text


def test_a_payment_recorded_by_finance_staff_appears_in_the_auditors_sankey(
    api: Api, world: World
) -> None:
    fund = street_fund(api, world)
    api.user("finance", Role.FINANCE, UUID(world.city))
    paid = api.post("/payments", payment_body(fund, world.case, "250.00", "2026-01-12"), "finance")
    web_sign_in(api.client, api.ledger, "auditor", Role.AUDITOR)

    page = api.client.get("/app/audit/flows?lang=en")

    assert paid.status_code == 201 and page.status_code == 200
    assert sankey_links(page.text) == {
        ("中央财政专项帮扶资金", "长春市帮扶中心"): 25_000,
        ("长春市帮扶中心", "朝阳区"): 25_000,
        ("朝阳区", "红旗街道"): 25_000,
        ("红旗街道", "Living relief"): 25_000,
    }
    assert "¥250.00" in page.text  # the table beside the chart


def test_a_bound_users_sankey_starts_at_their_own_centre_and_leaves_out_the_rest(
    api: Api, world: World
) -> None:
    fund = street_fund(api, world)
    api.created("/payments", payment_body(fund, world.case, "40.00", "2026-01-12"))
    web_sign_in(api.client, api.ledger, "d-auditor", Role.AUDITOR, UUID(world.district))

    page = api.client.get("/app/audit/flows?lang=zh")

    assert sankey_links(page.text) == {
        ("中央财政专项帮扶资金", "朝阳区"): 4_000,
        ("朝阳区", "红旗街道"): 4_000,
        ("红旗街道", "生活救助"): 4_000,
    }
    assert "长春市帮扶中心" not in page.text and "南关区" not in page.text


def test_a_payments_provenance_names_the_source_fund_and_each_fund_it_came_down_through(
    api: Api, world: World
) -> None:
    fund = street_fund(api, world)
    payment = api.created("/payments", payment_body(fund, world.case, "80.00", "2026-01-12"))
    web_sign_in(api.client, api.ledger, "auditor", Role.AUDITOR)

    page = api.client.get(f"/app/audit/payments/{payment}?lang=en")
    found = api.client.get(f"/app/audit/payments?payment_id={payment}", follow_redirects=False)
    wrong = api.client.get("/app/audit/payments?payment_id=not-a-number&lang=en")

    assert page.status_code == 200
    assert "Source fund: 中央财政专项帮扶资金 (Central special fund, fiscal year 2026)" in page.text
    chain = re.findall(r'<li>\s*<a href="/app/audit/funds/([0-9a-f-]+)">', page.text)
    assert chain[0] == world.fund and chain[-1] == fund and len(chain) == 3
    assert "This fund paid the ¥80.00" in page.text
    assert found.status_code == 303 and found.headers["location"].endswith(payment)
    assert wrong.status_code == 422 and "A payment number has 36 characters" in wrong.text


def test_the_reports_show_matching_by_level_suspicious_payments_with_the_reason_and_exports(
    api: Api, world: World
) -> None:
    for day in ("2026-01-10", "2026-01-12"):
        api.created("/payments", payment_body(world.fund, world.case, "10.00", day))
    web_sign_in(api.client, api.ledger, "auditor", Role.AUDITOR)

    matching = api.client.get("/app/audit/matching?lang=en")
    suspicious = api.client.get("/app/audit/suspicious?lang=en")
    bad_ratio = api.client.get("/app/audit/matching?ratio=one&lang=en")

    assert matching.status_code == 200 and "By level and fiscal year" in matching.text
    assert "Provincial match" in matching.text and "¥10,000.00" in matching.text
    assert "/supervision/matching?format=xlsx&amp;lang=en" in matching.text  # by policy
    assert suspicious.status_code == 200
    assert "Repeated within the window" in suspicious.text
    assert "living_relief paid twice 2 days apart" in suspicious.text
    assert bad_ratio.status_code == 422 and "A ratio such as 1:1 is expected" in bad_ratio.text


def test_the_audit_trail_is_filtered_by_kind_actor_and_fund_and_pages_on(
    api: Api, world: World
) -> None:
    api.created("/payments", payment_body(world.fund, world.case, "10.00", "2026-01-10"))
    api.user("finance", Role.FINANCE)
    api.post("/payments", payment_body(world.fund, world.case, "20.00", "2026-01-11"), "finance")
    web_sign_in(api.client, api.ledger, "auditor", Role.AUDITOR)

    kind = Payment.Made.__name__
    by_finance = api.client.get(f"/app/audit/trail?kind={kind}&actor=finance&lang=en")
    by_fund = api.client.get(f"/app/audit/trail?fund_id={world.fund}&lang=en")
    bad = api.client.get("/app/audit/trail?date_from=2026-02-01&date_to=2026-01-01&lang=en")

    assert by_finance.status_code == 200
    rows = re.findall(r"<tr>\s*<td class=\"num\">(\d+)</td>", by_finance.text)
    assert len(rows) == 1 and "¥20.00" in by_finance.text and "¥10.00" not in by_finance.text
    assert "/audit/events?by=finance&amp;type=Made&amp;format=xlsx" in by_finance.text
    assert by_fund.status_code == 200 and "Fund opened" in by_fund.text
    assert bad.status_code == 422 and "The end date is before the start date" in bad.text


def test_the_audit_package_is_built_verified_and_downloaded_with_the_signers_key(
    api: Api, world: World, tmp_path: Path
) -> None:
    api.created("/payments", payment_body(world.fund, world.case, "10.00", "2026-01-10"))
    csrf = web_sign_in(api.client, api.ledger, "auditor", Role.AUDITOR)
    form = api.client.get("/app/audit/package")
    app: Any = api.client.app
    signer = app.state.signer

    started = api.client.post(
        "/app/audit/package",
        data={"csrf_token": csrf_of(form.text), "fund_id": world.fund, "centre_id": ""},
        follow_redirects=False,
    )
    job = started.headers["location"]
    page = api.client.get(job + "?lang=en")
    status = api.client.get(job + "/status")
    download = api.client.get(job + "/download")

    assert csrf and started.status_code == 303
    assert "Verified:" in page.text and "every computed figure matches" in page.text
    checks = re.findall(r'<tr class="check-(ok|failed)">', page.text)
    assert len(checks) == 15 and set(checks) == {"ok"}  # 10 checks, 5 figures (with provenance)
    assert signer.key_id in page.text and signer.fingerprint in page.text
    assert 'id="package-verdict"' in status.text and "hx-trigger" not in status.text
    assert download.headers["content-type"] == "application/zip"
    (tmp_path / "p.zip").write_bytes(download.content)
    assert verify_package(tmp_path / "p.zip").ok
    assert "events.jsonl" in zipfile.ZipFile(io.BytesIO(download.content)).namelist()


def test_a_package_still_being_built_shows_its_progress_and_polls_until_it_is_done(
    api: Api, world: World
) -> None:
    web_sign_in(api.client, api.ledger, "auditor", Role.AUDITOR)
    app: Any = api.client.app
    job = jobs_of(app.state).add(PackageJob("auditor", Scope(), api.ledger.clock.now()))
    web_sign_in(api.client, api.ledger, "someone-else", Role.AUDITOR)
    elsewhere = api.client.get(f"/app/audit/package/{job.id}")
    web_sign_in(api.client, api.ledger, "auditor", Role.AUDITOR)

    building = api.client.get(f"/app/audit/package/{job.id}/status?lang=en")
    build(job, api.ledger, app.state.signer)
    done = api.client.get(f"/app/audit/package/{job.id}/status?lang=en")

    assert elsewhere.status_code == 404  # a package is seen only by whoever asked for it
    assert "Building and verifying" in building.text and "<progress" in building.text
    assert 'hx-trigger="every 1s"' in building.text
    assert "hx-trigger" not in done.text and "Verified:" in done.text


def test_a_package_beyond_a_bound_users_scope_is_refused_and_one_with_no_scope_is_asked_for(
    api: Api, world: World
) -> None:
    csrf = web_sign_in(api.client, api.ledger, "d-auditor", Role.AUDITOR, UUID(world.district))

    other = api.client.post(
        "/app/audit/package", data={"csrf_token": csrf, "centre_id": world.other_district}
    )
    empty = api.client.post(
        "/app/audit/package?lang=en", data={"csrf_token": csrf, "date_from": "2026-03-01"}
    )
    without_token = api.client.post("/app/audit/package", data={"centre_id": world.district})

    assert other.status_code == 403
    assert empty.status_code == 422 and "Choose a centre or a fund" in empty.text
    assert 'value="2026-03-01"' in empty.text
    assert without_token.status_code == 403


def test_the_audit_pages_and_tiles_are_for_auditors_supervisors_and_admins(
    api: Api, world: World
) -> None:
    web_sign_in(api.client, api.ledger, "caseworker", Role.CASEWORKER, UUID(world.city))
    refused = api.client.get("/app/audit")
    caseworker_home = api.client.get("/app/")
    web_sign_in(api.client, api.ledger, "auditor", Role.AUDITOR)
    auditor_home = api.client.get("/app/")
    audit_home = api.client.get("/app/audit?lang=en")

    assert refused.status_code == 403
    assert "/app/audit/flows" not in caseworker_home.text
    assert "/app/audit/flows" in auditor_home.text and "/app/audit/package" in auditor_home.text
    assert audit_home.status_code == 200 and "It holds" in audit_home.text
