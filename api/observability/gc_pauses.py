"""How long Python's garbage collector stops this process (every thread of a server waits),
and a server's settings that make its long pauses rare.

One ``gc.callbacks`` hook per process (however many apps the process builds) times each
collection; /metrics shows them as ``bangfu_gc_pause_seconds`` by generation, and a pause longer
than ``SLOW`` is logged: a request that took that long for no reason of its own shows up there.

Why servers pause: objects alive when a young collection runs (a request's rows in flight on
40 handler threads, the write path's kept aggregates) are promoted to the oldest generation, and
once those promotions reach a quarter of it CPython scans the whole heap, finding nothing to free
in a server whose garbage goes by reference counts. ``settle_heap`` (``bangfu serve``, each
worker) freezes what start-up made, which no collection needs to scan again, and lets 50,000
objects accumulate before a young collection instead of 700, so that a request's objects are
mostly gone by the time one runs and far fewer reach the old generation.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client.core import HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger("bangfu.gc")
log.addHandler(logging.NullHandler())  # no stray lines where logging is not configured

SLOW = 0.1  # seconds: a pause this long is logged
BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
SERVING_THRESHOLDS = (50_000, 20, 10)  # CPython's defaults: (700, 10, 10)


class _Pauses:
    """The process's collections: counts by bucket and generation, and their sum.

    The hook takes no lock: a collection starts wherever an allocation triggers it, also in a
    thread holding any lock (reading these counts, say), so a lock here could wait for itself.
    None is needed: one collection runs at a time, so only one hook call updates the counts at
    a time, and a reader copies them (a copy taken in the middle of an update is off by that
    one collection until the next read)."""

    def __init__(self) -> None:
        self.counts = [[0] * (len(BUCKETS) + 1) for _ in range(3)]
        self.sums = [0.0, 0.0, 0.0]
        self.started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
            return
        seconds = time.perf_counter() - self.started
        generation = int(info.get("generation", 0))
        bucket = next((i for i, b in enumerate(BUCKETS) if seconds <= b), len(BUCKETS))
        self.counts[generation][bucket] += 1
        self.sums[generation] += seconds
        if seconds > SLOW:
            log.warning(
                "gc pause",
                extra={
                    "generation": generation,
                    "ms": round(seconds * 1000, 1),
                    "collected": info.get("collected", 0),
                },
            )


_PAUSES = _Pauses()
_HOOKED = threading.Lock()


def _hook() -> None:
    with _HOOKED:
        if _PAUSES not in gc.callbacks:
            gc.callbacks.append(_PAUSES)


class GcPauseCollector(Collector):
    """``bangfu_gc_pause_seconds``: this process's collections, by generation."""

    def __init__(self) -> None:
        _hook()

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        family = HistogramMetricFamily(
            "bangfu_gc_pause_seconds",
            "Time Python's garbage collector stopped this process, by generation",
            labels=["generation"],
        )
        counts, sums = [list(c) for c in _PAUSES.counts], list(_PAUSES.sums)
        bounds = [*map(str, BUCKETS), "+Inf"]
        for generation in range(3):
            running, buckets = 0, []
            for bound, n in zip(bounds, counts[generation], strict=True):
                running += n
                buckets.append((bound, running))
            family.add_metric([str(generation)], buckets, sums[generation])
        yield family


def settle_heap() -> None:
    """For a server process, once its app is built (see the module): collect what start-up
    left, move every object alive now out of the collector's sight for good, and collect young
    objects less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SERVING_THRESHOLDS)
