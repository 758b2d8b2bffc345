"""The supervision reports benchmark runs end to end on a small history of each store, and
every report it times agrees with its recomputation from the events (no time is asserted)."""

from __future__ import annotations

from bench.reports import run


def test_the_reports_benchmark_runs_on_a_small_history_and_its_reports_agree(
    store_url: str,
) -> None:
    rows = run(store_url, events=1_500, samples=2, irregulars=10, checking=True)

    timed = [what for what, count, _ in rows if count == "2 calls"]
    assert len(timed) == 11
    assert rows[-1] == (
        "each report equals its recomputation from the events",
        "",
        "matching, suspicious payments, earmarks, provenance, conservation",
    )
    assert [what for what, *_ in rows if what.startswith("memory")] == [
        "memory of the process before the reports",
        "memory of the process after the reports",
    ]
