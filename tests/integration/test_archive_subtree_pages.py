"""Archive pages read the page's ids first (from an index where one covers the filter), then the
rows: every filter and the paging by case id give what a scan of every case would."""

from __future__ import annotations

from datetime import date

from bench.generate import generate
from domain.application import Ledger
from projections import Views, archive


def every_page(views: Views, f: archive.ArchiveFilter, limit: int) -> list[dict[str, object]]:
    rows, after = [], None
    while page := archive.list_cases(views.archive, f, limit=limit, after=after):
        rows += page
        after = str(page[-1]["id"])
    return rows


def test_paged_subtree_and_category_filters_list_exactly_the_matching_cases_in_id_order(
    ledger: Ledger,
) -> None:
    g = generate(ledger, 1500)
    views = Views(ledger)
    views.projector.run_once()
    everything = archive.list_cases(views.archive, archive.ArchiveFilter(), limit=10_000)
    district, street = str(g.centres[1]), str(g.centres[11])
    streets_of_district = {str(c) for c in g.centres[11:21]}  # the first district's ten streets
    since = date(2026, 6, 1)
    chosen = every_page(
        views,
        archive.ArchiveFilter(
            centre_id=district, category="deep_hardship", not_visited_since=since
        ),
        limit=3,
    )
    expected = [
        r
        for r in everything
        if r["centre_id"] in streets_of_district
        and r["category"] == "deep_hardship"
        and (r["last_visit_on"] is None or str(r["last_visit_on"]) < since.isoformat())
    ]
    assert chosen == expected and chosen
    active = every_page(views, archive.ArchiveFilter(centre_id=street, status="active"), 4)
    assert active == [r for r in everything if r["centre_id"] == street] and active
    assert [r["id"] for r in everything] == sorted(r["id"] for r in everything)


def test_a_centre_the_archive_does_not_know_has_an_empty_page_and_no_counts(
    ledger: Ledger,
) -> None:
    generate(ledger, 300)
    views = Views(ledger)
    views.projector.run_once()
    nowhere = archive.ArchiveFilter(centre_id="00000000-0000-0000-0000-000000000000")
    assert archive.list_cases(views.archive, nowhere) == []
    assert archive.summary(views.archive, nowhere) == {
        "category": {},
        "primary_cause": {},
        "status": {},
    }
