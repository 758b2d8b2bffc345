"""The supervision reports over HTTP, read from their views: a page at a time with the count of
all, a cursor that is not one of ours refused, and a report whose view stopped refused alone."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tests.api.support import Api, World, case_body
from tests.integration.test_projection_failures import save_unappliable_receipt


def pay(api: Api, world: World, case: str, day: str, kind: str = "living_relief") -> None:
    body = {"fund_id": world.fund, "case_id": case, "assistance_type": kind, "amount": "10.00"}
    api.created("/payments", body | {"business_date": day})


def every_page(api: Api, path: str, items: str, **params: Any) -> list[Any]:
    found, after = [], None
    while True:
        page = api.client.get(
            path, params=params | ({"after": after} if after else {}), headers=api.headers("admin")
        )
        assert page.status_code == 200, page.text
        found += page.json()[items]
        after = page.json()["next"]
        if after is None:
            return found


def test_suspicious_payments_come_a_page_at_a_time_with_the_count_of_all(
    api: Api, world: World
) -> None:
    for day in ("2026-01-10", "2026-01-12", "2026-01-20", "2026-02-01"):
        pay(api, world, world.case, day)

    whole = api.get("/supervision/suspicious-payments?late_recording_days=0").json()
    pages = every_page(
        api, "/supervision/suspicious-payments", "findings", late_recording_days=0, limit=2
    )

    assert whole["count"] == len(whole["findings"]) == 7 and whole["next"] is None
    assert whole["count_by_rule"]["repeat_within_window"] == 3
    assert whole["count_by_rule"]["recorded_late"] == 4
    assert pages == whole["findings"]


def test_a_trace_lists_the_households_a_page_at_a_time(api: Api, world: World) -> None:
    cases = [api.created("/cases", case_body(world.street)) for _ in range(3)]
    for case in cases:
        pay(api, world, case, "2026-02-01")

    whole = api.get(f"/supervision/provenance/{world.fund}").json()
    pages = every_page(api, f"/supervision/provenance/{world.fund}", "households", limit=2)
    first = api.get(f"/supervision/provenance/{world.fund}?limit=2").json()

    assert whole["households_total"] == 3 and whole["next"] is None
    assert pages == whole["households"] and sorted(h["case_id"] for h in pages) == sorted(cases)
    assert len(first["households"]) == 2 and first["paid_fen"] == whole["paid_fen"] == 3_000


def test_a_cursor_that_no_page_gave_is_refused(api: Api, world: World) -> None:
    for path in ("suspicious-payments", "matching", "earmarks", f"provenance/{world.fund}"):
        response = api.get(f"/supervision/{path}?after=nonsense")

        assert response.status_code == 422, (path, response.text)


def test_a_report_whose_view_stopped_is_refused_and_the_others_still_answer(
    api: Api, world: World
) -> None:
    save_unappliable_receipt(api.ledger, UUID(world.city))  # no BIGINT holds its amount

    matching = api.get("/supervision/matching")
    suspicious = api.get("/supervision/suspicious-payments")
    earmarks = api.get("/supervision/earmarks")

    assert matching.status_code == 503
    assert matching.json()["view"] == "matching" and "Fund.Received" in matching.json()["detail"]
    assert suspicious.status_code == 200 and earmarks.status_code == 200
