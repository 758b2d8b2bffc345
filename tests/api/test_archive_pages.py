"""The supervisor's archive pages on a real store: the archive filtered and counted as GET /cases
and /cases/summary count it, names only for roles that may read them (the read recorded), a
case's whole history within the visitor's subtree only, the review lists and the statistics."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

import pytest

from api.web.pages import archive_filters
from domain.vocabulary import Role
from tests.api.support import Api, World, case_body, payment_body
from tests.api.web_support import ON_POSTGRES, web_sign_in

pytestmark = ON_POSTGRES

HTMX = {"HX-Request": "true", "HX-Target": "archive-page"}


def caught_up(api: Api) -> None:
    """Wait until every view has applied the writes so far (the pages read them as they are)."""
    api.position = api.ledger.recorder.max_notification_id() or 0
    for path in ("/cases/summary", "/funds", "/audit/events"):
        assert api.view(path).status_code == 200


def cell_texts(html: str, table_id: str) -> list[list[str]]:
    """The rows of a table's body as the text of their cells."""
    body = html.split(f'id="{table_id}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    cells = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S) for row in rows]
    return [[re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in row] for row in cells]


def households(api: Api, world: World) -> list[str]:
    """Three more households on the street: relative hardship, an accident, a large family."""
    return [
        api.created("/cases", case_body(world.street, category="relative_hardship")),
        api.created("/cases", case_body(world.street, category="accident_induced")),
        api.created("/cases", case_body(world.street, household_size=7)),
    ]


def test_the_archive_filters_by_category_and_counts_as_the_api_counts(api: Api, world: World):
    households(api, world)
    caught_up(api)
    web_sign_in(api.client, api.ledger, "主任", Role.SUPERVISOR)

    page = api.client.get("/app/archive?category=deep_hardship&lang=en")
    summary = api.view("/cases/summary", category="deep_hardship").json()

    assert page.status_code == 200
    assert sum(summary["status"].values()) == 2
    assert "2 households" in page.text
    assert cell_texts(page.text, "counts-category") == [["Deep hardship", "2"]]
    rows = cell_texts(page.text, "archive-table")
    assert len(rows) == 2 and {r[3].split(" ")[0] for r in rows} == {"Deep"}


def test_the_archive_sorts_and_pages_on_the_server(
    api: Api, world: World, monkeypatch: pytest.MonkeyPatch
):
    households(api, world)
    caught_up(api)
    web_sign_in(api.client, api.ledger, "主任", Role.SUPERVISOR)
    monkeypatch.setattr(archive_filters, "PAGE_SIZE", 3)

    first = api.client.get("/app/archive?sort=-household_size")
    second = api.client.get("/app/archive?sort=-household_size&page=2")

    assert [r[5] for r in cell_texts(first.text, "archive-table")] == ["7", "3", "3"]
    assert [r[5] for r in cell_texts(second.text, "archive-table")] == ["3"]
    assert 'rel="next"' in first.text and 'rel="next"' not in second.text


def test_an_htmx_request_gets_the_filter_and_the_results_without_the_frame(api: Api, world: World):
    caught_up(api)
    web_sign_in(api.client, api.ledger, "主任", Role.SUPERVISOR)

    fragment = api.client.get("/app/archive?status=active", headers=HTMX)

    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="archive-table"' in fragment.text
    assert 'hx-push-url="true"' in fragment.text


def test_names_are_shown_to_a_supervisor_and_the_read_is_recorded_as_the_api_records_it(
    api: Api, world: World
):
    caught_up(api)
    web_sign_in(api.client, api.ledger, "主任", Role.SUPERVISOR)

    page = api.client.get("/app/archive")

    assert "测试" in cell_texts(page.text, "archive-table")[0][0]
    caught_up(api)
    reads = api.view("/audit/events", type="Recorded", by="主任").json()["items"]
    assert [(r["data"]["case_ids"], r["data"]["purpose"]) for r in reads] == [
        ([world.case], "archive list")
    ]


def test_an_auditor_sees_no_names_and_no_read_is_recorded(api: Api, world: World):
    caught_up(api)
    web_sign_in(api.client, api.ledger, "审计", Role.AUDITOR)

    page = api.client.get("/app/archive?lang=en")

    assert "测试" not in page.text and "names are not shown" in page.text
    assert cell_texts(page.text, "archive-table")[0][0] == world.case[:8]
    caught_up(api)
    assert not api.view("/audit/events", type="Recorded", by="审计").json()["items"]


def test_the_export_button_asks_the_api_for_the_same_filter_in_the_page_language(
    api: Api, world: World
):
    caught_up(api)
    web_sign_in(api.client, api.ledger, "主任", Role.SUPERVISOR)

    page = api.client.get("/app/archive?category=deep_hardship&never_assisted=true&lang=en")
    link = re.search(r'href="([^"]+)"[^>]*id="export-xlsx"', page.text)
    assert link is not None
    export = api.client.get(link.group(1).replace("&amp;", "&"))

    assert "category=deep_hardship" in link.group(1) and "never_assisted=true" in link.group(1)
    assert "format=xlsx" in link.group(1) and "lang=en" in link.group(1)
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_a_centre_outside_the_visitors_subtree_is_refused_in_the_filter(api: Api, world: World):
    web_sign_in(api.client, api.ledger, "南关主任", Role.SUPERVISOR, UUID(world.other_district))

    page = api.client.get(f"/app/archive?centre_id={world.district}")

    assert page.status_code == 403 and "红旗街道" not in page.text


def test_a_supervisor_sees_a_cases_whole_history_with_payments_and_reversals(
    api: Api, world: World
):
    paid = api.created("/payments", payment_body(world.fund, world.case, "1200.50", "2026-02-01"))
    api.created(f"/payments/{paid}/reversal", {"reason": "重复发放", "business_date": "2026-02-03"})
    web_sign_in(api.client, api.ledger, "主任", Role.SUPERVISOR)

    page = api.client.get(f"/app/archive/{world.case}")

    timeline = cell_texts(page.text, "timeline")
    assert page.status_code == 200
    assert [row[2] for row in timeline] == ["建档", "帮扶支出", "冲正"]
    assert timeline[1][4] == "¥1,200.50" and timeline[2][4] == "-¥1,200.50"
    assert timeline[1][1] == "2026-02-01" and timeline[1][5] == "admin"
    assert page.text.count(f'href="/app/funds/payments/{paid}"') == 2
    assert "重复发放" in timeline[2][3] and "中央财政专项帮扶资金" in timeline[1][3]
    assert "测试" in page.text  # the name, for a role that may read it


def test_a_user_bound_to_another_subtree_gets_the_error_page_for_a_case_and_sees_no_data(
    api: Api, world: World
):
    web_sign_in(api.client, api.ledger, "南关主任", Role.SUPERVISOR, UUID(world.other_district))

    page = api.client.get(f"/app/archive/{world.case}")

    assert page.status_code == 403
    for leaked in ("测试", "红旗街道", "深度困难", "timeline", "¥"):
        assert leaked not in page.text


def test_the_review_list_shows_active_households_not_reviewed_for_a_year(api: Api, world: World):
    today = api.ledger.today()
    old = api.created(
        "/cases", case_body(world.street, business_date=str(today - timedelta(days=400)))
    )
    caught_up(api)
    web_sign_in(api.client, api.ledger, "主任", Role.SUPERVISOR)

    page = api.client.get("/app/archive/due?months=3")

    assert page.status_code == 200
    assert 'id="review-count">1<' in page.text
    assert f"/app/archive/{old}" in page.text.split('id="h-visit"')[0]
    assert f"/app/archive/{world.case}" not in page.text.split('id="h-visit"')[0]


def test_the_statistics_show_households_assisted_and_amounts_by_type_for_a_year(
    api: Api, world: World
):
    api.created("/payments", payment_body(world.fund, world.case, "500.00", "2026-02-01"))
    warmth = payment_body(world.fund, world.case, "200.00", "2026-02-02")
    api.created("/payments", warmth | {"assistance_type": "warmth_visit"})
    caught_up(api)
    web_sign_in(api.client, api.ledger, "主任", Role.SUPERVISOR)

    page = api.client.get(f"/app/archive/statistics?centre_id={world.city}&year=2026&lang=en")

    assert page.status_code == 200
    assert 'id="households-assisted">1<' in page.text
    assert [r[0] for r in cell_texts(page.text, "by-type")] == ["Living relief", "Warmth visit"]
    assert cell_texts(page.text, "by-type")[0][2] == "¥500.00"
    year_end = cell_texts(page.text, "year-end")
    assert year_end[0][:2] == ["长春市帮扶中心", "Central special fund"]
    assert year_end[0][6] == "¥700.00"
    assert f"/reports/year-end?centre_id={world.city}&amp;fiscal_year=2026" in page.text


def test_a_filter_that_is_not_valid_is_said_beside_its_field_with_what_was_typed_kept(
    api: Api, world: World
):
    web_sign_in(api.client, api.ledger, "主任", Role.SUPERVISOR)

    page = api.client.get("/app/archive?year=3000&category=deep_hardship&lang=en")

    assert page.status_code == 422
    assert 'id="e-year"' in page.text and "A year from 1949 to 2200" in page.text
    assert 'value="3000"' in page.text and 'value="deep_hardship" selected' in page.text
    assert 'id="archive-table"' not in page.text


def test_the_home_page_shows_the_archive_tiles_to_supervisors_and_not_to_finance_staff(
    api: Api, world: World
):
    web_sign_in(api.client, api.ledger, "主任", Role.SUPERVISOR)
    supervisor = api.client.get("/app/")
    web_sign_in(api.client, api.ledger, "会计", Role.FINANCE)
    finance = api.client.get("/app/")

    for tile in ("/app/archive", "/app/archive/due", "/app/archive/statistics"):
        assert f'<a href="{tile}"><strong>' in supervisor.text
        assert f'<a href="{tile}"><strong>' not in finance.text
