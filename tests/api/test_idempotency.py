"""Idempotency-Key: a repeated write returns the first result and writes nothing new."""

from __future__ import annotations

from domain.vocabulary import Role
from tests.api.support import Api, World

RECEIPT = {"amount": "100.00", "payer": "财政部", "business_date": "2026-01-03"}


def test_the_same_key_and_body_return_the_first_result_and_write_nothing(
    api: Api, world: World
) -> None:
    first = api.post(f"/funds/{world.fund}/receipts", RECEIPT, key="k-1")
    position = api.ledger.recorder.max_notification_id()

    again = api.post(f"/funds/{world.fund}/receipts", dict(reversed(RECEIPT.items())), key="k-1")

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["replayed"] is True and "replayed" not in first.json()
    assert api.ledger.recorder.max_notification_id() == position
    assert api.get(f"/funds/{world.fund}").json()["balance"] == "10100.00"


def test_the_same_key_with_another_body_is_409(api: Api, world: World) -> None:
    api.post(f"/funds/{world.fund}/receipts", RECEIPT, key="k-2")

    other = api.post(f"/funds/{world.fund}/receipts", RECEIPT | {"amount": "200.00"}, key="k-2")

    assert other.status_code == 409
    assert other.json()["type"] == "urn:bangfu:problem:idempotency-key-reused"
    assert api.get(f"/funds/{world.fund}").json()["balance"] == "10100.00"


def test_a_key_used_on_another_path_is_409(api: Api, world: World) -> None:
    api.post(f"/funds/{world.fund}/receipts", RECEIPT, key="k-3")

    other = api.post(
        f"/funds/{world.fund}/returns",
        {"amount": "100.00", "business_date": "2026-01-03"},
        key="k-3",
    )

    assert other.status_code == 409


def test_keys_belong_to_their_user(api: Api, world: World) -> None:
    finance = api.user("finance", Role.FINANCE)
    api.post(f"/funds/{world.fund}/receipts", RECEIPT, key="shared")

    theirs = api.post(f"/funds/{world.fund}/receipts", RECEIPT, key="shared", as_=finance)

    assert theirs.status_code == 201
    assert api.get(f"/funds/{world.fund}").json()["balance"] == "10200.00"


def test_a_refused_write_does_not_burn_its_key(api: Api, world: World) -> None:
    refused = api.post(
        f"/funds/{world.fund}/returns",
        {"amount": "99999.00", "business_date": "2026-01-03"},
        key="k-4",
    )

    retried = api.post(
        f"/funds/{world.fund}/returns",
        {"amount": "99999.00", "business_date": "2026-01-03"},
        key="k-4",
    )

    assert refused.status_code == retried.status_code == 409
    assert retried.json()["type"] == "urn:bangfu:problem:insufficient-funds"


def test_payments_are_idempotent_too(api: Api, world: World) -> None:
    body = {
        "fund_id": world.fund,
        "case_id": world.case,
        "assistance_type": "living_relief",
        "amount": "500.00",
        "business_date": "2026-01-25",
    }

    first = api.post("/payments", body, key="pay-1")
    again = api.post("/payments", body, key="pay-1")

    assert first.json()["id"] == again.json()["id"]
    assert api.get(f"/funds/{world.fund}").json()["balance"] == "9500.00"
