"""The garbage collector's hook (api/observability/gc_pauses.py) never waits: a collection can
start anywhere, also in the thread that is reading the metrics, which must not wait for itself."""

from __future__ import annotations

import gc
import threading

from api.observability.gc_pauses import GcPauseCollector


def test_collections_that_run_while_the_pauses_are_read_in_the_same_thread_do_not_wait() -> None:
    collector = GcPauseCollector()
    read = threading.Event()

    def scrape() -> None:
        for _ in range(200):
            list(collector.collect())  # allocates: with a threshold of 1, collections run inside
        read.set()

    thresholds = gc.get_threshold()
    gc.set_threshold(1)
    try:
        threading.Thread(target=scrape, daemon=True).start()
        finished = read.wait(timeout=60)
    finally:
        gc.set_threshold(*thresholds)

    assert finished, "reading the pauses waited for a collection that waited for the reading"
