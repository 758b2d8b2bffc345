"""Hostile requests that fuzzing found to fail with 500 or to be silently accepted: each is
refused with 422 problem+json before it reaches a store (both stores, via the `api` fixture)."""

from __future__ import annotations

import httpx
import pytest

from tests.api.support import Api, World

HUGE = str(2**70)  # too large for an SQLite INTEGER and for PostgreSQL's BIGINT


def post_raw(api: Api, path: str, body: bytes) -> httpx.Response:
    """POST these exact bytes as JSON, as the admin."""
    headers = api.headers("admin") | {"content-type": "application/json"}
    response: httpx.Response = api.client.post(path, content=body, headers=headers)
    return response


def refused(response: httpx.Response, field: str | None = None) -> None:
    assert response.status_code == 422, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:bangfu:problem:validation-failed"
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/cases?year={huge}", "query.year"),
        ("/cases?year=1200", "query.year"),
        ("/funds?fiscal_year={huge}", "query.fiscal_year"),
        ("/funds?fiscal_year=-5", "query.fiscal_year"),
        ("/reports/year-end?centre_id={city}&fiscal_year={huge}", "query.fiscal_year"),
        ("/audit/events?after={huge}", "query.after"),
        ("/funds/{fund}/postings?after={huge}", "query.after"),
        ("/cases?min_position={huge}", "query.min_position"),
    ],
)
def test_integer_query_parameters_out_of_range_are_422(
    api: Api, world: World, path: str, field: str
) -> None:
    url = path.format(huge=HUGE, city=world.city, fund=world.fund)

    refused(api.get(url), field)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/audit/events?recorded_from=0001-01-01", "query.recorded_from"),
        ("/audit/events?recorded_to=9999-12-31T23:59:59-01:00", "query.recorded_to"),
        ("/funds/{fund}/balance?known_at=0001-01-01T00:00:00%2B08:00", "query.known_at"),
        ("/funds/{fund}/balance?as_of=0001-01-01", "query.as_of"),
        ("/cases?not_visited_since=9999-12-31", "query.not_visited_since"),
        ("/supervision/provenance/{fund}?as_of=1900-01-01", "query.as_of"),
    ],
)
def test_dates_and_times_outside_the_business_window_are_422(
    api: Api, world: World, path: str, field: str
) -> None:
    refused(api.get(path.format(fund=world.fund)), field)


def test_dates_at_the_edges_of_the_window_are_accepted(api: Api, world: World) -> None:
    assert api.get("/audit/events?recorded_from=1949-01-01&recorded_to=2200-12-31").is_success
    assert api.get(f"/funds/{world.fund}/balance?as_of=2200-12-31").is_success


def test_a_matching_ratio_with_thousands_of_digits_is_422(api: Api, world: World) -> None:
    refused(api.get("/supervision/matching?ratio=1:" + "9" * 5000), "query.ratio")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/audit/events?by=%00", "query.by"),
        ("/audit/events?type=Paid%00x", "query.type"),
        ("/cases?after=%00", "query.after"),
        ("/funds?after=a%01b", "query.after"),
        ("/audit/events?by=x%7F", "query.by"),
        ("/audit/events?by=%C2%85", "query.by"),  # NEL, a C1 control character
        ("/audit/events?%00=1", "query"),
        ("/cases/%00", "path"),
        ("/nowhere%0A", "path"),
    ],
)
def test_nul_and_control_characters_in_the_path_or_query_are_422(
    api: Api, world: World, path: str, field: str
) -> None:
    refused(api.get(path), field)


def test_a_control_character_is_refused_even_without_a_token(api: Api) -> None:
    refused(api.get("/audit/events?by=%00", as_=None), "query.by")


def test_ordinary_text_in_the_query_is_still_accepted(api: Api, world: World) -> None:
    response = api.get("/audit/events?by=%E5%BC%A0%20%E4%B8%89&type=Paid")

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "a", "name": "b", "level": "prefecture"}',
        b'{"name": "a", "level": "prefecture", "parent_id": null, "parent_id": null}',
    ],
)
def test_duplicate_keys_in_a_json_body_are_422_and_nothing_is_written(
    api: Api, world: World, body: bytes
) -> None:
    before = api.ledger.recorder.max_notification_id()

    response = post_raw(api, "/centres", body)

    refused(response)
    assert "duplicate" in response.json()["detail"]
    assert api.ledger.recorder.max_notification_id() == before


def test_a_duplicate_key_in_a_nested_object_is_422(api: Api, world: World) -> None:
    body = (
        b'{"centre_id": "%s", "category": "deep_hardship", "primary_cause": "serious_illness",'
        b' "household_size": 3, "per_capita_monthly_income": "650.00",'
        b' "person": {"name": "a", "id_number": "x", "id_number": "y"}}' % world.street.encode()
    )

    response = post_raw(api, "/cases", body)

    refused(response, "person.id_number")


def test_the_same_key_in_sibling_objects_is_not_a_duplicate(api: Api, world: World) -> None:
    body = (
        b'{"business_date": "2026-01-10", "visitors": ["x"],'
        b' "goods": [{"item": "rice", "value": "50.00"}, {"item": "oil", "value": "30.00"}]}'
    )

    response = post_raw(api, f"/cases/{world.case}/visits", body)

    assert response.status_code == 201, response.text


@pytest.mark.parametrize("body", [b'{"name": "\xff\xfe", "level": "prefecture"}', b"\x80{"])
def test_a_body_that_is_not_utf_8_is_422_not_400(api: Api, body: bytes) -> None:
    response = post_raw(api, "/centres", body)

    refused(response, "body")
