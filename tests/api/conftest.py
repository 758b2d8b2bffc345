"""An API client on a real store, with an admin user and a small centre tree."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.application import Ledger
from domain.vocabulary import Role
from settings import Settings
from tests.api.support import Api, World, case_body, central_fund, centre_tree


@pytest.fixture
def api(ledger: Ledger, settings: Settings) -> Iterator[Api]:
    with TestClient(create_app(ledger, settings), raise_server_exceptions=False) as client:
        the_api = Api(client, ledger)
        the_api.user("admin", Role.ADMIN)
        yield the_api


@pytest.fixture
def world(api: Api) -> World:
    city, district, other, street = centre_tree(api)
    fund = central_fund(api, city, "10000.00", reference="CZ-1")
    case = api.created("/cases", case_body(street))
    return World(city, district, other, street, fund, case)
