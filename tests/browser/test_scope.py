"""A caseworker works in one district: another district's household is refused by URL too, and
its page shows nothing of it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _case_ids(v) -> set[str]:
    """The households the signed-in user may list, through the JSON API with the page's
    session (the same rules the pages use)."""
    answer = v.context.request.get(f"{v.server.url}/cases?limit=1000")
    assert answer.ok, answer.text()
    return {row["id"] for row in answer.json()["items"]}


def test_a_caseworker_cannot_open_another_districts_household_by_url(visit):
    supervisor = visit("zh")
    supervisor.sign_in("demo-supervisor")
    caseworker = visit("en")
    caseworker.sign_in("demo-caseworker")
    everyone, own = _case_ids(supervisor), _case_ids(caseworker)
    elsewhere = sorted(everyone - own)[0]

    refused = caseworker.go(f"/app/households/{elsewhere}")

    assert own and own < everyone
    assert refused.status == 403
    assert caseworker.page.locator("h1").inner_text().startswith("Not allowed")
    assert elsewhere not in caseworker.page.content().split("<main", 1)[1].split("</h1>", 1)[1]
    assert caseworker.go(f"/app/archive/{elsewhere}").status == 403
    assert caseworker.go(f"/app/households/{sorted(own)[0]}").status == 200
    caseworker.screenshot("refused-other-district")
