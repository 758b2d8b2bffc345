"""Audit packages built for the web app's visitors: each built in the background (as GET
/supervision/package builds it), then checked by the verifier `bangfu audit verify` runs, pinned
to the key this server publishes; the newest few kept in memory for their download."""

from __future__ import annotations

import logging
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from domain.application import Ledger
from domain.errors import BangfuError, NotFoundError
from supervision.package import computed, package_bytes
from supervision.package_verify import Verdict, verify_package
from supervision.scope import Scope
from supervision.signing import ExpectedKey, Signer

log = logging.getLogger(__name__)
KEEP = 20  # packages kept for download, the oldest dropped first
_CREATING = threading.Lock()


class PackageJobNotFoundError(NotFoundError):
    """No package of this visitor has this id (or it was dropped to make room)."""


@dataclass(frozen=True)
class Check:
    """One check of the verifier: its name (a message key), whether it held, and what it found."""

    key: str
    ok: bool
    problems: tuple[str, ...] = ()


@dataclass
class PackageJob:
    """A package being built, or built and verified, for one visitor."""

    owner: str
    scope: Scope
    started: datetime
    names: dict[str, str | None] = field(default_factory=dict)  # the fund's and centre's
    id: UUID = field(default_factory=uuid4)
    state: str = "building"  # building, done or failed
    body: bytes | None = None
    verdict: Verdict | None = None
    checks: list[Check] = field(default_factory=list)
    error: str | None = None
    finished: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.verdict is not None and self.verdict.ok


def _figures(scope: Scope) -> list[str]:
    """The figures a package states that the verifier recomputes (their file names)."""
    return list(computed([], scope))


def checks_of(verdict: Verdict, scope: Scope) -> list[Check]:
    """The verifier's findings as one line per check, each problem under the check it fails."""
    tests: list[tuple[str, Any]] = [
        (
            "audit.check.files",
            lambda p: (
                "does not match its hash in manifest.json" in p
                or "but not in its manifest" in p
                or "in the manifest but missing" in p
            ),
        ),
        ("audit.check.manifest", lambda p: p.startswith("manifest.json's signature")),
        (
            "audit.check.complete",
            lambda p: "of the scope are missing" in p or "outside the scope" in p,
        ),
        (
            "audit.check.checkpoints",
            lambda p: (
                p.startswith("the checkpoint at position") or p.startswith("checkpoint.json is")
            ),
        ),
        ("audit.check.events", lambda p: p.startswith("event at position")),
        ("audit.check.positions", lambda p: p.startswith("events.jsonl does not hold")),
        ("audit.check.chain", lambda p: "does not reach the signed checkpoint" in p),
        ("audit.check.signature", lambda p: p.startswith("the checkpoint: its signature")),
        (
            "audit.check.key",
            lambda p: p.startswith("public-key.pem") or "not the expected key" in p,
        ),
    ]
    for name in _figures(scope):
        tests.append(
            (
                f"audit.check.figure.{name}",
                lambda p, n=name: (
                    f"computed/{n}.json" in p or p.startswith("the figures cannot be recomputed")
                ),
            )
        )
    if not verdict.readable:
        return [Check("audit.check.readable", False, tuple(verdict.problems))]
    checks, claimed = [Check("audit.check.readable", True)], set()
    for key, test in tests:
        found = tuple(p for p in verdict.problems if test(p))
        claimed |= set(found)
        checks.append(Check(key, not found, found))
    rest = tuple(p for p in verdict.problems if p not in claimed)
    if rest:
        checks.append(Check("audit.check.other", False, rest))
    return checks


def build(job: PackageJob, ledger: Ledger, signer: Signer) -> None:
    """Build the package, verify it as a stranger would (pinned to this server's key), keep it."""
    try:
        body = package_bytes(ledger, signer, job.scope)
        with tempfile.TemporaryDirectory(prefix="bangfu-package-") as folder:
            path = Path(folder) / "audit-package.zip"
            path.write_bytes(body)
            verdict = verify_package(path, ExpectedKey(public_key_pem=signer.public_key_pem))
        job.body, job.verdict, job.checks = body, verdict, checks_of(verdict, job.scope)
        job.state = "done"
    except BangfuError as error:
        job.error, job.state = error.detail, "failed"
    except Exception:  # a bug: said on the page, and logged in full
        log.exception("building audit package %s failed", job.id)
        job.error, job.state = None, "failed"
    finally:
        job.finished = ledger.clock.now()


class PackageJobs:
    """The packages of this process, newest last; each visible only to the user who asked."""

    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self._jobs: OrderedDict[UUID, PackageJob] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, job: PackageJob) -> PackageJob:
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self.keep:
                self._jobs.popitem(last=False)
        return job

    def get(self, job_id: UUID, owner: str) -> PackageJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise PackageJobNotFoundError(f"no audit package {job_id} of yours is kept here")
        return job

    def of(self, owner: str) -> list[PackageJob]:
        """The visitor's packages, newest first."""
        with self._lock:
            return [j for j in reversed(self._jobs.values()) if j.owner == owner]


def jobs_of(state: Any) -> PackageJobs:
    """The app's package jobs (made on first use, kept on ``app.state``)."""
    with _CREATING:
        jobs = getattr(state, "audit_packages", None)
        if jobs is None:
            jobs = PackageJobs()
            state.audit_packages = jobs
    return jobs
