"""Helpers for API tests: a client that calls as a named user, and request bodies."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx
from fastapi.testclient import TestClient

from domain.access import SYSTEM
from domain.application import Ledger
from domain.id_numbers import make_id_number
from domain.vocabulary import Role


class Api:
    """Calls the API as a named user; remembers tokens."""

    def __init__(self, client: TestClient, ledger: Ledger) -> None:
        self.client, self.ledger = client, ledger
        self.tokens: dict[str, str] = {}
        self.position = 0  # the log position of the last write, for read-your-writes

    def user(self, name: str, role: Role, centre: UUID | None = None) -> str:
        self.tokens[name] = self.ledger.add_user(SYSTEM, name, role, centre)
        return name

    def headers(self, as_: str | None, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[as_]}"} if as_ else {}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def post(
        self, path: str, body: Any, as_: str | None = "admin", key: str | None = None
    ) -> httpx.Response:
        response: httpx.Response = self.client.post(path, json=body, headers=self.headers(as_, key))
        if response.status_code == 201 and response.json().get("position"):
            self.position = max(self.position, response.json()["position"])
        return response

    def get(self, path: str, as_: str | None = "admin") -> httpx.Response:
        response: httpx.Response = self.client.get(path, headers=self.headers(as_))
        return response

    def view(self, path: str, as_: str | None = "admin", **params: Any) -> httpx.Response:
        """Read a view after it has caught up with this client's writes."""
        response: httpx.Response = self.client.get(
            path, params={"min_position": self.position, **params}, headers=self.headers(as_)
        )
        return response

    def created(self, path: str, body: Any, as_: str = "admin") -> str:
        response = self.post(path, body, as_)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


@dataclass
class World:
    """City → two districts → a street; a city fund holding ¥10,000; a case on the street."""

    city: str
    district: str
    other_district: str
    street: str
    fund: str
    case: str


_people = itertools.count(1)  # a new person for every call, across every test of a run


def person(seq: int | None = None) -> dict[str, str]:
    """A person whose ID number no other call gives (999 a birth day, then the next day)."""
    n = next(_people) if seq is None else seq
    born = date(1970, 1, 1) + timedelta(days=(n - 1) // 998)
    return {
        "name": f"测试{n}",
        "id_number": make_id_number("220104", born, (n - 1) % 998 + 1),
        "phone": "13800000000",
    }


def case_body(centre: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "centre_id": centre,
        "category": "deep_hardship",
        "primary_cause": "serious_illness",
        "secondary_causes": ["laid_off_unemployed"],
        "household_size": 3,
        "per_capita_monthly_income": "650.00",
        "flags": ["zero_employment_family"],
        "person": person(),
        "business_date": "2026-01-05",
    }
    return body | overrides


def centre_tree(api: Api) -> tuple[str, str, str, str]:
    """长春市 → 朝阳区 and 南关区 → 红旗街道 under 朝阳区: the city, the districts, the street."""
    city = api.created("/centres", {"name": "长春市帮扶中心", "level": "prefecture"})
    district = api.created("/centres", {"name": "朝阳区", "level": "county", "parent_id": city})
    other = api.created("/centres", {"name": "南关区", "level": "county", "parent_id": city})
    street = api.created("/centres", {"name": "红旗街道", "level": "street", "parent_id": district})
    return city, district, other, street


def central_fund(api: Api, centre: str, amount: str, **receipt: str) -> str:
    """The centre's central special fund (living relief, warmth visits), holding ``amount``."""
    fund = api.created(
        "/funds",
        {
            "centre_id": centre,
            "name": "中央财政专项帮扶资金",
            "source": "central_special_fund",
            "fiscal_year": 2026,
            "purposes": ["living_relief", "warmth_visit"],
        },
    )
    receipt = {"amount": amount, "payer": "财政部"} | receipt | {"business_date": "2026-01-02"}
    api.created(f"/funds/{fund}/receipts", receipt)
    return fund


def payment_body(
    fund: str, case: str, amount: str, business_date: str, **more: str
) -> dict[str, Any]:
    """A living-relief payment of ``amount`` yuan from ``fund`` to ``case``."""
    paid = {"fund_id": fund, "case_id": case, "assistance_type": "living_relief"}
    return paid | {"amount": amount, "business_date": business_date} | more
