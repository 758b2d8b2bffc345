"""The money rules over HTTP: a backdated payment that would overdraw a past balance, one dated
before the household's filing and one above the approval threshold are each refused as RFC 9457
problem+json, naming the rule, and write nothing."""

from __future__ import annotations

from tests.api.support import Api, World
from tests.api.support import payment_body as payment


def refused(api: Api, body: dict[str, str], problem: str) -> str:
    head = api.ledger.recorder.max_notification_id()
    answer = api.post("/payments", body)
    assert answer.status_code == 409, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == f"urn:bangfu:problem:{problem}"
    assert api.ledger.recorder.max_notification_id() == head  # nothing written
    return str(answer.json()["detail"])


def test_payments_breaking_the_auditors_rules_are_refused_and_write_nothing(
    api: Api, world: World
) -> None:
    # the fund received ¥10,000 on 2 Jan and ¥5,000 more on 1 Mar; the case was filed 5 Jan
    more = {"amount": "5000.00", "payer": "省财政", "business_date": "2026-03-01"}
    api.created(f"/funds/{world.fund}/receipts", more)

    early = payment(world.fund, world.case, "100.00", "2026-01-04")
    assert "早于建档" in refused(api, early, "payment-outside-case")
    backdated = payment(world.fund, world.case, "12000.00", "2026-02-01")  # ¥10,000 on 1 Feb
    assert "倒签透支" in refused(api, backdated, "backdated-overdraft")
    api.created(
        "/policy",
        {"centre_id": world.city, "parameter": "approval_above", "value": "1000.00",
         "effective_from": "2026-01-01", "reason": "资金审批制度"},
    )  # fmt: skip
    large = payment(world.fund, world.case, "1000.01", "2026-03-02")
    assert "须审批" in refused(api, large, "approval-required")

    api.created("/payments", payment(world.fund, world.case, "1000.00", "2026-03-02"))
    assert api.get(f"/funds/{world.fund}").json()["balance"] == "14000.00"
