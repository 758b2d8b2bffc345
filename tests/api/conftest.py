"""An API client on a real store, with an admin user and a small centre tree."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.application import Ledger
from domain.vocabulary import Role
from settings import Settings
from tests.api.support import Api, World, case_body


@pytest.fixture
def api(ledger: Ledger, settings: Settings) -> Iterator[Api]:
    with TestClient(create_app(ledger, settings), raise_server_exceptions=False) as client:
        the_api = Api(client, ledger)
        the_api.user("admin", Role.ADMIN)
        yield the_api


@pytest.fixture
def world(api: Api) -> World:
    city = api.created("/centres", {"name": "长春市帮扶中心", "level": "prefecture"})
    district = api.created("/centres", {"name": "朝阳区", "level": "county", "parent_id": city})
    other = api.created("/centres", {"name": "南关区", "level": "county", "parent_id": city})
    street = api.created("/centres", {"name": "红旗街道", "level": "street", "parent_id": district})
    fund = api.created(
        "/funds",
        {
            "centre_id": city,
            "name": "中央财政专项帮扶资金",
            "source": "central_special_fund",
            "fiscal_year": 2026,
            "purposes": ["living_relief", "warmth_visit"],
        },
    )
    api.created(
        f"/funds/{fund}/receipts",
        {
            "amount": "10000.00",
            "payer": "财政部",
            "reference": "CZ-1",
            "business_date": "2026-01-02",
        },
    )
    case = api.created("/cases", case_body(street))
    return World(city, district, other, street, fund, case)
