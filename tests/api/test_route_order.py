"""The API answers the same whatever order its routers, and the routes in each, are registered in.

The app is built with the routers as ``api.app`` lists them, then reversed (each router's routes
reversed too), then shuffled with a few seeds. For every operation of the OpenAPI document the
test sends a reachable sample (each id a UUID), the same path with a malformed id, and a method
the path does not have; every order must resolve each sample to the same endpoint and give the
same status, problem type and ``Allow`` header. No request carries a token: which endpoint a
request reaches is decided before anyone is asked who they are.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.convertors import UUIDConvertor
from starlette.routing import compile_path
from starlette.types import Receive, Scope, Send

from api.app import ROUTERS, create_app
from domain.application import Ledger
from settings import Settings
from stores import open_ledger

SAMPLE_ID = "6f1c2a7e-5b3d-4c8e-9a0f-112233445566"
PARAMETER = re.compile(r"{(\w+)}")
Answer = tuple[int, str | None, str | None, str | None]
ORDERS: dict[str, int | None] = {
    "reversed": None,
    **{f"shuffled (seed {seed})": seed for seed in (1, 2, 3)},
}


def reordered(seed: int | None) -> list[APIRouter]:
    """Copies of the app's routers in reverse order (no seed) or shuffled, each holding its
    routes in the same kind of order."""
    rng = random.Random(seed)

    def order(items: list[Any]) -> list[Any]:
        return items[::-1] if seed is None else rng.sample(items, len(items))

    return [APIRouter(routes=order(list(router.routes))) for router in order(list(ROUTERS))]


class Recorder:
    """The app, noting which route each request reached (FastAPI puts it in the scope)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.route: APIRoute | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            self.route = scope.get("route")


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    folder = tmp_path_factory.mktemp("route-order")
    the_ledger = open_ledger(f"sqlite:///{folder}/order.sqlite", master_key_file=folder / "m.key")
    yield the_ledger
    the_ledger.close()


def build(ledger: Ledger, folder: Path, routers: list[APIRouter] | None = None) -> FastAPI:
    settings = Settings(signing_key_file=folder / "k.pem", master_key_file=folder / "m.key")
    return (
        create_app(ledger, settings) if routers is None else create_app(ledger, settings, routers)
    )


def operations(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(
        (method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item
    )


def requests(app: FastAPI) -> list[tuple[str, str]]:
    """Per operation: the sample, the sample with each id malformed, and a method it lacks."""
    out = []
    for method, template in operations(app):
        sample = PARAMETER.sub(SAMPLE_ID, template)
        out += [(method, sample), ("DELETE", sample)]
        if PARAMETER.search(template):
            out.append((method, PARAMETER.sub("not-a-uuid", template)))
    return sorted(set(out))


def answers(app: FastAPI, calls: list[tuple[str, str]]) -> dict[tuple[str, str], Answer]:
    """What each call gets: status, the endpoint it reached, problem type, Allow header."""
    recorder = Recorder(app)
    client = TestClient(recorder, raise_server_exceptions=False)
    out: dict[tuple[str, str], Answer] = {}
    for method, path in calls:
        recorder.route = None
        response = client.request(method, path, json={} if method == "POST" else None)
        reached = recorder.route if response.status_code != 405 else None  # 405: no endpoint
        endpoint = reached.name if reached else None
        problem = response.json().get("type") if response.status_code >= 400 else None
        out[method, path] = (response.status_code, endpoint, problem, response.headers.get("allow"))
    return out


def test_every_sample_request_reaches_the_route_of_its_own_template(
    ledger: Ledger, tmp_path: Path
) -> None:
    app = build(ledger, tmp_path)
    recorder = Recorder(app)
    client = TestClient(recorder, raise_server_exceptions=False)

    reached = {}
    for method, template in operations(app):
        client.request(method, PARAMETER.sub(SAMPLE_ID, template), json={})
        route = recorder.route
        reached[method, template] = (method, route.path_format) if route else None

    strays = {operation: route for operation, route in reached.items() if route != operation}
    assert len(reached) >= 40
    assert not strays, f"operations whose sample reached another route: {strays}"


@pytest.mark.parametrize("order", ORDERS)
def test_every_request_is_answered_the_same_whatever_the_order_of_registration(
    ledger: Ledger, tmp_path: Path, order: str
) -> None:
    normal = build(ledger, tmp_path)
    calls = requests(normal)
    expected = answers(normal, calls)

    got = answers(build(ledger, tmp_path, reordered(ORDERS[order])), calls)

    differences = {
        call: (expected[call], got[call]) for call in calls if got[call] != expected[call]
    }
    assert not differences, "\n".join(
        f"{c}: {a} in normal order, {b} {order}" for c, (a, b) in differences.items()
    )
    assert expected["GET", "/cases/summary"][1] == "summary"


def test_a_malformed_id_is_a_422_naming_the_parameter(ledger: Ledger, tmp_path: Path) -> None:
    client = TestClient(build(ledger, tmp_path, reordered(ORDERS["reversed"])))

    response = client.get("/cases/not-a-uuid/timeline")

    body = response.json()
    assert (response.status_code, body["type"]) == (422, "urn:bangfu:problem:validation-failed")
    assert [e["field"] for e in body["errors"]] == ["path.case_id"]
    assert "UUID" in body["detail"]


def test_a_wrong_method_lists_every_method_the_path_has(ledger: Ledger, tmp_path: Path) -> None:
    client = TestClient(build(ledger, tmp_path))

    on_funds = client.delete("/funds")
    on_cases = client.put("/cases")

    assert (on_funds.status_code, on_funds.headers["allow"]) == (405, "GET, POST")
    assert (on_cases.status_code, on_cases.headers["allow"]) == (405, "GET, POST")
    assert on_funds.headers["content-type"] == "application/problem+json"


def test_every_path_parameter_is_a_typed_id_so_none_can_capture_a_static_segment() -> None:
    untyped = [
        f"{sorted(route.methods or ())} {route.path}: {name}"
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for name, convertor in compile_path(route.path)[2].items()
        if not isinstance(convertor, UUIDConvertor)
    ]

    assert not untyped, f"path parameters without the uuid convertor: {untyped}"
