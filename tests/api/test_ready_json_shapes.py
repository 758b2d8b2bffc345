"""The lists written to JSON without FastAPI's check (api/exports.py ``ready_json``) answer
exactly what their documented response model would: on the whole demo (every kind of event in
the audit trail, closed households in the archive, payments in the timelines), each body equals
itself validated by the model and dumped again, so no row misses a field the model requires or
holds a value in another form than the model's (a field the model lacks passes through, as the
models' ``Row`` base allows under FastAPI's check too)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter

from api.app import create_app
from api.responses import CasePage, TimelineEntry
from api.responses.audit import AuditPage
from domain.access import SYSTEM
from domain.vocabulary import Role
from settings import Settings
from tests.store_templates import StoreTemplates


@pytest.fixture
def demo(
    store_url: str, tmp_path: Path, store_templates: StoreTemplates, settings: Settings
) -> Iterator[tuple[TestClient, dict[str, str], list[str]]]:
    with store_templates.demo(store_url, tmp_path, households=25) as (ledger, data):
        tokens = {
            "admin": ledger.add_user(SYSTEM, "shape-admin", Role.ADMIN, None),
            "supervisor": ledger.add_user(SYSTEM, "shape-supervisor", Role.SUPERVISOR, None),
        }
        with TestClient(create_app(ledger, settings), raise_server_exceptions=False) as client:
            yield client, tokens, [str(c) for c in data.cases]


def _as_model(model: type[BaseModel], body: Any, *, exclude_unset: bool = False) -> Any:
    return model.model_validate(body).model_dump(mode="json", exclude_unset=exclude_unset)


def _get(client: TestClient, token: str, path: str, **params: Any) -> Any:
    params.setdefault("min_position", 1)
    answer = client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    return answer.json()


def test_every_audit_page_of_the_demo_is_its_documented_model_exactly(
    demo: tuple[TestClient, dict[str, str], list[str]],
) -> None:
    client, tokens, _ = demo
    after, kinds = 0, set()
    while True:
        body = _get(client, tokens["admin"], "/audit/events", limit=200, after=after)
        assert body == _as_model(AuditPage, body)
        kinds |= {(row["aggregate"], row["type"]) for row in body["items"]}
        if body["next"] is None:
            break
        after = body["next"]
    assert len(kinds) > 20  # the demo's trail holds many kinds of event


def test_every_archive_page_with_names_and_without_is_its_documented_model_exactly(
    demo: tuple[TestClient, dict[str, str], list[str]],
) -> None:
    client, tokens, _ = demo
    for role in ("admin", "supervisor"):
        for status in (None, "exited"):
            after, seen = None, 0
            while True:
                params = {"limit": 7} | ({"after": after} if after else {})
                body = _get(client, tokens[role], "/cases", **params, **_only(status))
                assert body == _as_model(CasePage, body)
                seen += len(body["items"])
                if body["next"] is None:
                    break
                after = body["next"]
            assert seen > 0


def test_the_timeline_of_every_demo_household_is_its_documented_model_exactly(
    demo: tuple[TestClient, dict[str, str], list[str]],
) -> None:
    client, tokens, cases = demo
    entries = TypeAdapter(list[TimelineEntry])
    with_fund = 0
    for case in cases:
        body = _get(client, tokens["admin"], f"/cases/{case}/timeline")
        assert body
        assert body == entries.dump_python(
            entries.validate_python(body), mode="json", exclude_unset=True
        )
        with_fund += sum("fund_name" in row for row in body)
    assert with_fund > 0  # payments carry the fund's name, other entries leave it out


def _only(status: str | None) -> dict[str, str]:
    return {"status": status} if status else {}
