"""Maker-checker (支付审批) over HTTP: a request reserves, its maker's own approval is refused
as problem+json and writes nothing, a checker at the fund's centre approves from the queue; an
overdue request is refused and expired, its reservation released."""

from __future__ import annotations

from uuid import UUID

from domain.vocabulary import Role
from tests.api.support import Api, World


def staff(api: Api, world: World) -> None:
    """Two finance staff of the city (whose fund pays), one of the district below it."""
    for name, centre in (("maker", world.city), ("checker", world.city), ("fin-d", world.district)):
        api.user(name, Role.FINANCE, UUID(centre))


def available(api: Api, fund: str) -> tuple[str, str, str]:
    """The fund's balance, reserved and available amounts, as GET /funds/{id} shows them."""
    shown = api.get(f"/funds/{fund}").json()
    return shown["balance"], shown["reserved"], shown["available"]


def ask(api: Api, world: World, amount: str, **more: str) -> str:
    body = {"fund_id": world.fund, "case_id": world.case, "assistance_type": "living_relief"}
    return api.created("/payment-requests", body | {"amount": amount} | more, "maker")


def test_the_maker_cannot_approve_and_a_checker_of_the_funds_centre_approves_from_the_queue(
    api: Api, world: World
) -> None:
    staff(api, world)
    request = ask(api, world, "800.00", reference="临时困难")
    assert available(api, world.fund) == ("10000.00", "800.00", "9200.00")
    head = api.ledger.recorder.max_notification_id()

    own = api.post(f"/payment-requests/{request}/approval", {}, "maker")

    assert own.status_code == 403
    assert own.headers["content-type"] == "application/problem+json"
    assert own.json()["type"] == "urn:bangfu:problem:self-approval"
    assert api.ledger.recorder.max_notification_id() == head  # nothing written
    queued = {
        who: [r["id"] for r in api.view("/approvals/queue", who).json()["items"]]
        for who in ("maker", "checker", "fin-d")
    }
    assert queued == {"maker": [], "checker": [request], "fin-d": []}  # the fund is the city's
    assert api.post(f"/payment-requests/{request}/approval", {}, "fin-d").status_code == 403

    paid = api.post(f"/payment-requests/{request}/approval", {}, "checker")

    assert paid.status_code == 201, paid.text
    assert available(api, world.fund) == ("9200.00", "0.00", "9200.00")
    one = api.get(f"/payment-requests/{request}", "fin-d").json()
    assert (one["status"], one["status_zh"], one["amount"]) == ("approved", "已批准", "800.00")
    assert (one["requested_by"], one["decided_by"]) == ("maker", "checker")
    assert one["payment_id"] == paid.json()["id"]
    assert api.get(f"/payments/{one['payment_id']}").json()["amount"] == "800.00"
    history = api.view("/payment-requests", "checker", fund_id=world.fund).json()["items"]
    assert [(r["id"], r["status"], r["level"]) for r in history] == [
        (request, "approved", "centre")
    ]


def test_an_overdue_request_is_refused_then_expired_and_its_reservation_released(
    api: Api, world: World
) -> None:
    staff(api, world)
    request = ask(api, world, "500.00", business_date="2026-01-10")  # approvable to 9 February
    assert available(api, world.fund) == ("10000.00", "500.00", "9500.00")

    late = api.post(f"/payment-requests/{request}/approval", {}, "checker")
    assert (late.status_code, late.json()["type"]) == (409, "urn:bangfu:problem:request-expired")
    expired = api.post("/approvals/expire", {}, "checker")

    assert expired.status_code == 201, expired.text
    assert expired.json()["expired"] == [request]
    assert available(api, world.fund) == ("10000.00", "0.00", "10000.00")
    one = api.get(f"/payment-requests/{request}", "maker").json()
    assert (one["status"], one["decided_by"], one["valid_until"]) == (
        "expired", "checker", "2026-02-09"
    )  # fmt: skip
    assert api.post("/approvals/expire", {}, "checker").json()["expired"] == []
