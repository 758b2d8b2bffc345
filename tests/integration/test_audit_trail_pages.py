"""A page of the audit trail of a centre subtree (projections/audit.py) is the trail's events of
that subtree in log order, whichever way it is read: a street by its own index, a district's
few centres page by page merged, a city or the province in log order filtered."""

from __future__ import annotations

from typing import Any

import pytest

from bench.generate import Generated, generate
from domain.application import Ledger
from projections import Views
from projections.audit import MERGED, AuditFilter, events
from projections.runner import Projector


@pytest.fixture
def trail(ledger: Ledger) -> tuple[Views, Generated]:
    views = Views(ledger)
    generated = generate(ledger, 2_000)
    Projector(ledger, [views.projector.view("audit")], 500).run_once()
    return views, generated


def subtree(views: Views, centre_id: str) -> set[str]:
    with views.audit.reading() as (cursor, g):
        rows = views.audit.fetch(
            cursor,
            f"SELECT centre_id FROM {views.audit.table('audit_centres', g)} WHERE ancestor_id = %s",
            (centre_id,),
        )
    return {r["centre_id"] for r in rows}


def every_page(views: Views, f: AuditFilter, limit: int) -> list[dict[str, Any]]:
    rows, after = [], 0
    while page := events(views.audit, f, limit, after):
        assert len(page) <= limit
        rows += page
        after = page[-1]["position"]
    return rows


def test_the_pages_of_a_subtree_of_any_size_are_its_events_in_log_order(
    trail: tuple[Views, Generated],
) -> None:
    views, generated = trail
    everything = every_page(views, AuditFilter(), 500)
    sizes = {}

    for centre in (str(c) for c in generated.centres):
        centres = subtree(views, centre)
        sizes[len(centres)] = centre
    assert min(sizes) == 1 and any(1 < n <= MERGED for n in sizes) and max(sizes) > MERGED

    for size, centre in sorted(sizes.items()):
        expected = [r for r in everything if r["centre_id"] in subtree(views, centre)]
        assert every_page(views, AuditFilter(centre_id=centre), 7) == expected, size
        kind = expected[len(expected) // 2]["type"]
        assert every_page(views, AuditFilter(centre_id=centre, type=kind), 5) == [
            r for r in expected if r["type"] == kind
        ], size


def test_a_centre_unknown_to_the_trail_has_an_empty_page(trail: tuple[Views, Generated]) -> None:
    views, _ = trail

    assert events(views.audit, AuditFilter(centre_id="no-such-centre"), 50) == []
