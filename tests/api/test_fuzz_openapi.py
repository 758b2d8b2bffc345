"""Fuzz every operation of the OpenAPI document with schemathesis, in process, on PostgreSQL.

Each operation gets its explicit examples and a few generated cases, valid and invalid, as an
admin of a small world. Schemathesis' coverage cases (boundaries, missing and wrong-typed values:
about 7,300 cases and 95 s) run in `python -m bench.fuzz`, not in the suite.
A case fails on any 5xx, on a status the document does not declare, or on a body that does not
match the declared schema. What the fuzzing aims at is the HTTP layer (parsing, validation,
statuses, response schemas), the same code whichever store is behind it, so the suite runs it
on PostgreSQL alone, the production store; every other API test covers both stores, and
`python -m bench.fuzz --store both` runs the same harness much longer on each store, with the
coverage and stateful phases too. BANGFU_FUZZ_EXAMPLES sets the generated cases per operation."""

from __future__ import annotations

import os

import pytest

from bench.fuzz import config, fuzz
from tests.api.support import Api, World

EXAMPLES = int(os.environ.get("BANGFU_FUZZ_EXAMPLES", "5"))


def world_ids(api: Api, world: World) -> dict[str, list[str]]:
    """The world's ids, with a payment and a reversed one to read and reverse."""
    payment = {
        "fund_id": world.fund,
        "case_id": world.case,
        "assistance_type": "living_relief",
        "amount": "100.00",
        "business_date": "2026-01-20",
    }
    paid = api.created("/payments", payment)
    reversed_ = api.created("/payments", payment | {"business_date": "2026-01-21"})
    assert api.post(f"/payments/{reversed_}/reversal", {"reason": "wrong household"}).is_success
    return {
        "fund": [world.fund],
        "case": [world.case],
        "centre": [world.city, world.district, world.street],
        "payment": [paid, reversed_],
    }


@pytest.mark.parametrize("store_url", ["postgres"], indirect=True)
def test_every_operation_survives_fuzzing(api: Api, world: World) -> None:
    settings = config(
        api.tokens["admin"],
        world_ids(api, world),
        examples=EXAMPLES,
        phases=("examples", "fuzzing"),
        seed=2026,
    )

    report = fuzz(api.client.app, settings)

    print(report.summary())
    assert report.total > 0
    assert not report.failures, "\n".join(report.failures)
    assert not report.errors, "\n".join(report.errors)
