"""bench/scale.py's views stage: every view brought to the head of a kept store by a rebuild,
each timed beside the decoded read of the same log in the same run; then what `bangfu serve`
would otherwise do first (fund snapshots, a signed checkpoint at the head).

Resumes: a view already at the head with its figure in figures-views.json is skipped, and a
rebuild stopped half-way carries on from its saved position (projections/rebuild.py).
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any
from uuid import UUID

from bench.projections import rate, read_log
from bootstrap import App
from projections import Views
from stores.log import LogReader

if TYPE_CHECKING:
    from bench.scale import Run

SNAPSHOT_AT = 100  # events of one aggregate, as the product's snapshotting interval


def stage_views(run: Run) -> None:
    ledger = run.open()
    path = run.data_dir / "figures-views.json"
    figures: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    figures.setdefault("views", {})
    figures.setdefault("load_average_start", run.load_average())
    try:
        head = LogReader(ledger).head()
        run.renice_backends()
        if figures.get("decoded_read", {}).get("head") != head:
            run.log(f"views: reading the whole log ({head:,} events), raw then decoded")
            raw_n, raw_s = read_log(ledger, decode=False)  # type: ignore[arg-type]
            dec_n, dec_s = read_log(ledger, decode=True)  # type: ignore[arg-type]
            figures["raw_read"] = {"events": raw_n, "seconds": raw_s, "rate": rate(raw_n, raw_s)}
            figures["decoded_read"] = {
                "head": head,
                "events": dec_n,
                "seconds": dec_s,
                "rate": rate(dec_n, dec_s),
            }
            run.figures("views", figures)
            run.log(f"views: decoded read {rate(dec_n, dec_s):,.0f} events/s")
        views = Views(ledger)
        for view in views.projector.views:
            state = views.projector.state(view.name)
            if view.name in figures["views"] and state is not None and state.position >= head:
                continue
            run.renice_backends()
            run.log(f"views: rebuilding {view.name}")
            started = time.perf_counter()
            applied = views.projector.rebuild(view.name)
            seconds = time.perf_counter() - started
            view_rate = rate(applied, seconds)
            figures["views"][view.name] = {
                "applied": applied,
                "seconds": seconds,
                "rate": view_rate,
                "ratio_decoded": view_rate / figures["decoded_read"]["rate"],
                "load_average": run.load_average(),
            }
            run.figures("views", figures)
            run.log(
                f"views: {view.name} {applied:,} events in {seconds:,.0f} s = {view_rate:,.0f}/s"
                f" = {figures['views'][view.name]['ratio_decoded']:.2f}x decoded read"
            )
        figures["snapshots"] = snapshot_long_streams(run, ledger)
        app = App(run.settings, ledger)
        checkpoint = app.checkpoints.take(app.signer)
        figures["checkpoint_position"] = checkpoint.position if checkpoint else None
        figures["load_average_end"] = run.load_average()
        run.figures("views", figures)
    finally:
        ledger.close()


def snapshot_long_streams(run: Run, ledger: Any) -> int:
    """A snapshot of every aggregate with SNAPSHOT_AT events or more (the funds), as the
    product's ledger would have taken while writing; the generator takes none."""
    table = ledger.recorder.events_table_name
    with ledger.recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(
            f"SELECT originator_id, max(originator_version) AS v FROM {table} "
            f"GROUP BY originator_id HAVING count(*) >= {SNAPSHOT_AT}"
        )
        long = [(row["originator_id"], row["v"]) for row in cursor.fetchall()]
    taken = 0
    for originator_id, version in long:
        have = ledger.snapshots.get(UUID(str(originator_id)), desc=True, limit=1)
        if any(s.originator_version == version for s in have):
            continue
        ledger.take_snapshot(UUID(str(originator_id)))
        taken += 1
    run.log(f"views: {taken} snapshots taken ({len(long)} aggregates of {SNAPSHOT_AT}+ events)")
    return len(long)
