"""Every error is RFC 9457 problem+json; no input makes the server fail with 500."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from starlette.requests import Request

from api.problems import on_domain_error
from domain.errors import SignInLockedError
from tests.api.support import Api, World


def test_a_problem_has_type_title_status_detail_and_instance(api: Api, world: World) -> None:
    response = api.get(f"/cases/{world.fund}")

    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert set(body) >= {"type", "title", "status", "detail", "instance"}
    assert (body["status"], body["instance"]) == (404, f"/cases/{world.fund}")


def test_malformed_json_is_422(api: Api, world: World) -> None:
    response = api.client.post(
        "/centres",
        content=b"{not json",
        headers=api.headers("admin") | {"content-type": "application/json"},
    )

    assert response.status_code == 422
    assert response.json()["type"] == "urn:bangfu:problem:validation-failed"


def test_an_unknown_route_and_a_wrong_method_are_problems_too(api: Api) -> None:
    missing = api.get("/nowhere")
    wrong = api.client.delete("/centres", headers=api.headers("admin"))

    assert (missing.status_code, missing.headers["content-type"]) == (
        404,
        "application/problem+json",
    )
    assert wrong.status_code == 405


def test_a_malformed_id_in_the_path_is_422(api: Api) -> None:
    assert api.get("/funds/not-a-uuid").status_code == 422


def test_an_unknown_field_is_refused_rather_than_ignored(api: Api, world: World) -> None:
    response = api.post(
        f"/funds/{world.fund}/receipts",
        {"amount": "1.00", "payer": "x", "business_date": "2026-01-01", "amout": "2.00"},
    )

    assert response.status_code == 422


GARBAGE: list[object] = [
    None,
    [],
    "x",
    0,
    {"": ""},
    {"amount": {"$gt": 0}},
    {"business_date": "2026-02-30"},
    {"to_centre_id": "'; DROP TABLE"},
    {"fund_id": None, "case_id": []},
    {"reason": "x" * 100_000},
]
PATHS = [
    "/centres",
    "/funds",
    "/cases",
    "/payments",
    "/funds/{fund}/receipts",
    "/funds/{fund}/allocations",
    "/funds/{fund}/returns",
    "/cases/{case}/visits",
    "/cases/{case}/closure",
    "/cases/{case}/reopening",
    "/cases/{case}/reassessments",
    "/payments/{fund}/reversal",
]


@pytest.mark.parametrize("path", PATHS)
def test_garbage_bodies_are_4xx_never_500(api: Api, world: World, path: str) -> None:
    url = path.format(fund=world.fund, case=world.case)
    before = api.ledger.recorder.max_notification_id()

    statuses = {api.post(url, body).status_code for body in GARBAGE}

    assert all(400 <= s < 500 for s in statuses), statuses
    assert api.ledger.recorder.max_notification_id() == before


def test_a_locked_sign_in_is_429_sign_in_locked_and_says_when_to_retry() -> None:
    now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    request = Request({"type": "http", "method": "POST", "path": "/sign-in", "headers": []})

    response = asyncio.run(
        on_domain_error(request, SignInLockedError(now + timedelta(minutes=15), now))
    )

    body = orjson.loads(bytes(response.body))
    assert response.status_code == 429
    assert response.headers["retry-after"] == "900"
    assert (body["type"], body["title"]) == (
        "urn:bangfu:problem:sign-in-locked",
        "Too many failed sign-ins",
    )
    assert "2026-03-02 01:15:00 UTC" in body["detail"]
