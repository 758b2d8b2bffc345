"""Fuzz the API from its OpenAPI document with schemathesis, in process, and count what it found.

    python -m bench.fuzz [--store sqlite|postgres|both] [--examples 300] [--households 30]
                         [--max-time SECONDS] [--seed N] [--workers 1]

Loads the demo data set (centres, matched funds allocated down to the streets, households with
visits, payments, reversals and closures) into a fresh store, then runs every schemathesis phase
(explicit examples, coverage, fuzzing and stateful sequences that chain writes into reads) as an
admin, valid and invalid inputs alike. A case fails on a 5xx, on a status the document does not
declare, or on a body that does not match the declared schema. Prints the cases run and the
failures (with a curl command to reproduce each) per store; exits 1 if anything failed.

tests/api/test_fuzz_openapi.py runs the same harness in CI with a few examples per operation.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events
from schemathesis.engine.recorder import ScenarioRecorder
from starlette.types import ASGIApp, Receive, Scope, Send

from api.app import create_app
from domain.access import SYSTEM
from domain.vocabulary import Role
from settings import Settings
from stores import open_ledger
from tests.scratch import postgres_schema

CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance")
PHASES = ("examples", "coverage", "fuzzing", "stateful")
PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"


class WithoutLifespan:
    """The app as schemathesis calls it. Whoever made the app runs its lifespan (and with it the
    projector) in a TestClient already; schemathesis' own lifespan start and stop do nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        message = await receive()  # lifespan.startup
        await send({"type": "lifespan.startup.complete"})
        message = await receive()  # lifespan.shutdown
        assert message["type"] == "lifespan.shutdown"
        await send({"type": "lifespan.shutdown.complete"})


def config(
    token: str,
    ids: dict[str, list[str]],
    *,
    examples: int,
    phases: tuple[str, ...] = PHASES,
    seed: int | None = None,
    workers: int = 1,
    max_time: float | None = None,
) -> SchemathesisConfig:
    """Schemathesis settings: the checks, the phases, the admin's token, and the world's ids,
    which `{kind}_id` path and query parameters and body fields take most of the time (a random
    id still comes now and then, and must be a 404)."""
    names = {kind: [f"{kind}_id"] for kind in ids}
    names.get("centre", []).extend(["to_centre_id", "parent_id"])
    data: dict[str, Any] = {
        "headers": {"Authorization": f"Bearer {token}"},
        "dictionaries": {kind: {"values": values} for kind, values in ids.items()},
        "parameters": {
            f"{where}.{name}": {"dictionary": kind, "probability": 0.8}
            for kind in ids
            for name in names[kind]
            for where in ("path", "query", "body")
        },
        "generation": {"max-examples": examples, "database": "none"},
        "checks": {"enabled": False} | {check: {"enabled": True} for check in CHECKS},
        "phases": {phase: {"enabled": phase in phases} for phase in PHASES},
        "workers": workers,
        "suppress-health-check": ["all"],
        "cache": {"enabled": False},  # every run the same, nothing written beside the code
    }
    if seed is not None:
        data["seed"] = seed
    if max_time is not None:
        data["max-time"] = max_time
    return SchemathesisConfig.from_dict(data)


@dataclass
class Report:
    """What a run did: cases per phase, answers per status class, and each failing check with
    its reproduction."""

    cases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.cases.values())

    def record(self, phase: str, recorder: ScenarioRecorder) -> None:
        self.cases[phase] += len(recorder.cases)
        for interaction in recorder.interactions.values():
            if interaction.response is not None:
                self.statuses[f"{interaction.response.status_code // 100}xx"] += 1
        for case_id, checks in recorder.checks.items():
            for check in checks:
                if check.status == Status.FAILURE and check.failure_info is not None:
                    failure = check.failure_info.failure
                    self.failures.append(
                        f"{recorder.label} [{phase}, {check.name}] {failure.title}: "
                        f"{failure.message}\n    {check.failure_info.code_sample}"
                    )
                elif check.status == Status.ERROR:
                    self.errors.append(f"{recorder.label} [{phase}, {check.name}] case {case_id}")

    def summary(self) -> str:
        per_phase = ", ".join(f"{phase} {n}" for phase, n in sorted(self.cases.items()))
        answers = ", ".join(f"{status} {n}" for status, n in sorted(self.statuses.items()))
        return (
            f"{self.total} cases ({per_phase}; answered {answers}); {len(self.failures)} failures, "
            f"{len(self.errors)} errors; {self.seconds:.1f} s"
        )


def fuzz(app: ASGIApp, settings: SchemathesisConfig) -> Report:
    """Run every enabled phase over every operation of the app's OpenAPI document."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", WithoutLifespan(app), config=settings)
    report = Report()
    started = time.monotonic()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            report.record(str(getattr(event, "phase", "fuzz")), event.recorder)
        elif isinstance(event, events.NonFatalError):
            report.errors.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            raise event.exception
    report.seconds = time.monotonic() - started
    return report


@contextmanager
def store(kind: str) -> Iterator[str]:
    """A fresh SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bangfu-fuzz-") as folder:
            yield f"sqlite:///{folder}/fuzz.sqlite"
        return
    with postgres_schema(PG_DSN, "bangfu_fuzz") as url:
        yield url


def demo_ids(ledger: Any, households: int) -> tuple[str, dict[str, list[str]]]:
    """Load the demo data set; an admin token and the ids of its centres, funds, cases and
    payments (read back from the log)."""
    from cli.demo import DemoBuilder

    DemoBuilder(ledger, households).build()
    token = ledger.add_user(SYSTEM, f"fuzz-{uuid.uuid4().hex[:6]}", Role.ADMIN, None)
    kinds = {"Centre": "centre", "Fund": "fund", "Case": "case", "Payment": "payment"}
    ids: dict[str, list[str]] = {kind: [] for kind in kinds.values()}
    for notification in ledger.recorder.select_notifications(1, 1_000_000):
        aggregate = notification.topic.rpartition(":")[2].split(".")[0]
        if aggregate in kinds and notification.originator_version == 1:
            ids[kinds[aggregate]].append(str(notification.originator_id))
    return token, {kind: values[:50] for kind, values in ids.items() if values}


def run_store(kind: str, args: argparse.Namespace) -> Report:
    with store(kind) as url, tempfile.TemporaryDirectory(prefix="bangfu-fuzz-keys-") as keys:
        ledger = open_ledger(url, master_key_file=Path(keys) / "master.key")
        try:
            token, ids = demo_ids(ledger, args.households)
            settings = Settings(
                signing_key_file=Path(keys) / "signing-key.pem",
                master_key_file=Path(keys) / "master.key",
            )
            app = create_app(ledger, settings)
            with TestClient(app):  # runs the lifespan: the projector keeps the views current
                return fuzz(
                    app,
                    config(
                        token,
                        ids,
                        examples=args.examples,
                        seed=args.seed,
                        workers=args.workers,
                        max_time=args.max_time,
                    ),
                )
        finally:
            ledger.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fuzz", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--examples", type=int, default=300, help="per operation and phase")
    parser.add_argument("--households", type=int, default=30)
    parser.add_argument("--max-time", type=float, default=None, help="seconds per store")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    failed = False
    for kind in ("sqlite", "postgres") if args.store == "both" else (args.store,):
        report = run_store(kind, args)
        print(f"{kind}: {report.summary()}", flush=True)
        for line in report.failures + report.errors:
            print(f"  {line}")
        failed = failed or bool(report.failures or report.errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
