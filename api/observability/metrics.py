"""Prometheus metrics of one app, in a registry of its own (tests build many apps in a process).

Counted as requests are answered (``RequestLog`` in requests.py calls ``HttpMetrics.observe``):

* ``bangfu_http_requests_total{method,route,status}`` and
  ``bangfu_http_request_duration_seconds{method,route,status}`` (a histogram): ``route`` is the
  route template (``/funds/{fund_id}``), never the path, and ``unmatched`` for a path no route
  serves, so ids and personal data never become labels and the series stay few.

Read from the store when /metrics is scraped (``StoreCollector``), a few indexed queries:

* ``bangfu_store_up``: 1 when the store answered this scrape's queries, else 0 (then only the
  pool's figures follow);
* ``bangfu_log_head_position``: the newest event's log position, i.e. how many events the log
  holds (positions may have small gaps on PostgreSQL);
* ``bangfu_events_appended_total{event}``: events appended to the log since this process
  started, by class (``Fund.Disbursed``), counted at each scrape from the events committed
  after the previous scrape (at most ``MAX_PER_SCRAPE`` a scrape; the rest at the next), by any
  process: with several servers on one store, aggregate with ``max``, not ``sum``;
* ``bangfu_projection_position{view}``, ``bangfu_projection_lag_events{view}`` (log head minus
  position), ``bangfu_projection_failed{view}`` (1 while the view is stopped at an event it
  cannot apply) and ``bangfu_projections_failed``;
* ``bangfu_checkpoint_age_seconds`` and ``bangfu_checkpoint_position`` (the newest signed
  checkpoint), ``bangfu_chain_verified_age_seconds`` and ``bangfu_chain_verified_position``
  (the last `bangfu verify` that found no fault; absent until one has);
* ``bangfu_db_pool_size``, ``_available``, ``_max``, ``_waiting``: PostgreSQL's connection pool
  (nothing on SQLite);
* ``bangfu_write_commands_total``, ``bangfu_write_batches_total`` (the transactions group commit
  saved them in) and ``bangfu_write_races_lost_total`` (batches decided again because another
  process changed first what they read or wrote): this process's own, so sum them over
  several servers; a count of lost races that grows with the commands means the processes
  fight over the same records (a hot fund paid through two servers: on PostgreSQL the
  writers' turns should keep it near zero);
* ``bangfu_gc_pause_seconds{generation}``: how long Python's garbage collector stopped this
  process (api/observability/gc_pauses.py; a pause over 100 ms is also logged);
* ``bangfu_process_id``: tells the workers of ``bangfu serve --workers N`` apart;
* ``process_*``: this process's memory, CPU and open files.

/metrics asks for no sign-in unless ``BANGFU_METRICS_TOKEN`` is set (then a bearer token): it
shows only aggregate numbers, route templates, view and event class names; no personal data.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter as Tally
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from psycopg_pool import ConnectionPool

from api.observability.gc_pauses import GcPauseCollector
from api.observability.verifications import Verifications, parse_stamp
from bootstrap import App
from domain.application import Ledger
from stores.log import LogReader

__all__ = ["CONTENT_TYPE_LATEST", "HttpMetrics", "Metrics", "StoreCollector"]

log = logging.getLogger("bangfu.metrics")

MAX_PER_SCRAPE = 50_000
PAGE = 5_000


class HttpMetrics:
    """Requests and their latency, by method, route template and status."""

    def __init__(self, registry: CollectorRegistry) -> None:
        labels = ("method", "route", "status")
        self.requests = Counter(
            "bangfu_http_requests", "HTTP requests answered", labels, registry=registry
        )
        self.latency = Histogram(
            "bangfu_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer",
            labels,
            registry=registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        code = str(status)
        self.requests.labels(method, route, code).inc()
        self.latency.labels(method, route, code).observe(seconds)


class AppendedEvents:
    """Events appended to the log since this object was made, by class, counted on demand."""

    def __init__(self, ledger: Ledger) -> None:
        self.reader = LogReader(ledger, page_size=PAGE)
        self.after = self.reader.head()
        self.counts: Tally[str] = Tally()
        self._lock = threading.Lock()

    def count(self, head: int) -> dict[str, int]:
        """The counts, once the events up to ``head`` (at most MAX_PER_SCRAPE more) are in."""
        with self._lock:
            budget = MAX_PER_SCRAPE
            while self.after < head and budget > 0:
                page = self.reader.page(self.after, min(PAGE, budget))
                if not page:
                    break
                self.counts.update((e.topic or "").rpartition(":")[2] for e in page)
                self.after, budget = page[-1].position, budget - len(page)
            return dict(self.counts)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class StoreCollector(Collector):
    """The figures read from the store and the pool at each scrape."""

    def __init__(self, bangfu: App) -> None:
        self.bangfu = bangfu
        self.appended = AppendedEvents(bangfu.ledger)
        self.verifications = Verifications(bangfu.ledger)

    def describe(self) -> Iterable[Metric]:
        return []  # nothing to check against other collectors; do not query at registration

    def collect(self) -> Iterator[Metric]:
        yield from self._writes()
        yield from self._pool()
        try:
            families = list(self._store())
        except Exception as error:  # the store is down: say so, rather than fail the scrape
            log.warning("metrics: the store did not answer: %s", type(error).__name__)
            yield _gauge("bangfu_store_up", "Whether the store answered this scrape", 0)
            return
        yield _gauge("bangfu_store_up", "Whether the store answered this scrape", 1)
        yield from families

    def _store(self) -> Iterator[Metric]:
        ledger, projector = self.bangfu.ledger, self.bangfu.views.projector
        head = ledger.recorder.max_notification_id() or 0
        yield _gauge("bangfu_log_head_position", "The newest event's log position", head)
        appended = CounterMetricFamily(
            "bangfu_events_appended",
            "Events appended to the log since this process started, by class",
            labels=["event"],
        )
        for event, count in sorted(self.appended.count(head).items()):
            appended.add_metric([event], count)
        yield appended
        yield from self._projections(head, projector.states(), set(projector.failures()))
        yield from self._checkpoint()
        verified = self.verifications.last()
        if verified is not None:
            age = time.time() - verified.at.timestamp()
            yield _gauge(
                "bangfu_chain_verified_age_seconds",
                "Seconds since `bangfu verify` last found the chain intact",
                age,
            )
            yield _gauge(
                "bangfu_chain_verified_position",
                "The log position that verification reached",
                verified.position,
            )

    def _projections(self, head: int, states: dict[str, Any], failed: set[str]) -> Iterator[Metric]:
        position = GaugeMetricFamily(
            "bangfu_projection_position", "The log position a view has applied", labels=["view"]
        )
        lag = GaugeMetricFamily(
            "bangfu_projection_lag_events", "Log positions a view is behind", labels=["view"]
        )
        stopped = GaugeMetricFamily(
            "bangfu_projection_failed",
            "1 while a view is stopped at an event it cannot apply",
            labels=["view"],
        )
        for view in self.bangfu.views.projector.views:
            state = states.get(view.name)
            at = state.position if state is not None else 0
            position.add_metric([view.name], at)
            lag.add_metric([view.name], max(head - at, 0))
            stopped.add_metric([view.name], int(view.name in failed))
        yield from (position, lag, stopped)
        yield _gauge(
            "bangfu_projections_failed", "Views stopped at an event they cannot apply", len(failed)
        )

    def _checkpoint(self) -> Iterator[Metric]:
        checkpoints = self.bangfu.checkpoints
        row = checkpoints.db.one(
            f"SELECT position, taken_at FROM {checkpoints.table} ORDER BY position DESC LIMIT 1"
        )
        if row is None:
            return
        age = time.time() - parse_stamp(row["taken_at"]).timestamp()
        yield _gauge("bangfu_checkpoint_age_seconds", "Seconds since the newest checkpoint", age)
        yield _gauge(
            "bangfu_checkpoint_position",
            "The log position the newest checkpoint signs",
            int(row["position"]),
        )

    def _writes(self) -> Iterator[Metric]:
        ledger = self.bangfu.ledger
        yield _gauge(
            "bangfu_process_id", "This process's id (tells serve workers apart)", os.getpid()
        )
        for name, value, documentation in (
            (
                "commands",
                ledger.committer.jobs + ledger.creations.jobs,
                "Write commands this process decided",
            ),
            (
                "batches",
                ledger.committer.batches + ledger.creations.batches,
                "Transactions group commit saved them in",
            ),
            (
                "races_lost",
                ledger.lost_races,
                "Batches decided again: another process changed first what they read or wrote",
            ),
        ):
            yield CounterMetricFamily(f"bangfu_write_{name}", documentation, value=value)

    def _pool(self) -> Iterator[Metric]:
        pool = getattr(getattr(self.bangfu.ledger.factory, "datastore", None), "pool", None)
        if not isinstance(pool, ConnectionPool):
            return  # SQLite: no pool
        stats = pool.get_stats()
        for name, key, documentation in (
            ("size", "pool_size", "Connections the pool holds, busy or idle"),
            ("available", "pool_available", "Idle connections ready for use"),
            ("max", "pool_max", "The most connections the pool may open"),
            ("waiting", "requests_waiting", "Callers waiting for a connection"),
        ):
            yield _gauge(f"bangfu_db_pool_{name}", documentation, stats.get(key, 0))


class Metrics:
    """One app's registry: the request metrics, the store's figures and the process's."""

    def __init__(self, bangfu: App) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.http = HttpMetrics(self.registry)
        self.store = StoreCollector(bangfu)
        self.registry.register(self.store)
        self.registry.register(GcPauseCollector())
        ProcessCollector(registry=self.registry)

    def exposition(self) -> bytes:
        """Every metric in Prometheus's text format."""
        return generate_latest(self.registry)
