"""Walk the events, the chain and the checkpoints; report the first fault and the event there."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import StoredEvent

from domain.application import Ledger
from stores.chain import GENESIS, digest, link
from supervision.checkpoints import Checkpoints
from supervision.signing import signature_valid


@dataclass(frozen=True)
class Fault:
    """Something the chain or a checkpoint does not vouch for."""

    position: int
    problem: str
    originator_id: str | None = None
    version: int | None = None
    topic: str | None = None

    def __str__(self) -> str:
        where = (
            f" (event {self.originator_id} v{self.version} {self.topic})"
            if self.originator_id
            else ""
        )
        return f"position {self.position}: {self.problem}{where}"


@dataclass
class Report:
    """What was checked and what was wrong."""

    events: int = 0
    checkpoints: int = 0
    head: str = GENESIS
    faults: list[Fault] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.faults


def _pages(ledger: Ledger, checkpoints: Checkpoints, size: int) -> Iterator[list[dict[str, Any]]]:
    """Events and chain links merged by position, a page at a time (either may have gaps)."""
    recorder: Any = ledger.recorder
    db = checkpoints.db
    events = db.table(recorder.events_table_name)
    id_column = "notification_id" if db.is_postgres else "rowid"
    after = 0
    while True:
        stored = db.query(
            f"SELECT {id_column} AS pos, originator_id, originator_version, topic, state "
            f"FROM {events} WHERE {id_column} > %s ORDER BY {id_column} LIMIT %s",
            (after, size),
        )
        links = db.query(
            f"SELECT position AS pos, digest, link FROM {checkpoints.chain} "
            "WHERE position > %s ORDER BY position LIMIT %s",
            (after, size),
        )
        if not stored and not links:
            return
        ends = [rows[-1]["pos"] for rows in (stored, links) if len(rows) == size]
        limit = min(ends) if ends else max(r["pos"] for r in stored + links)
        merged: dict[int, dict[str, Any]] = {}
        for row in stored:
            merged[row["pos"]] = row | {"digest": None, "link": None}
        for row in links:
            merged.setdefault(
                row["pos"],
                {
                    "pos": row["pos"],
                    "originator_id": None,
                    "originator_version": None,
                    "topic": None,
                    "state": None,
                },
            ).update(row)
        yield [merged[pos] for pos in sorted(merged) if pos <= limit]
        after = limit


def verify(
    ledger: Ledger,
    public_key_pem: str | None,
    page_size: int = 5000,
    progress: Callable[[int], None] = lambda n: None,
) -> Report:
    """Recompute every digest and link from the events themselves and check every checkpoint."""
    checkpoints = Checkpoints(ledger)
    signed = checkpoints.all()
    wanted = {c.position: c for c in signed}
    report = Report(checkpoints=len(signed))
    previous = GENESIS
    for page in _pages(ledger, checkpoints, page_size):
        for row in page:
            _check(row, previous, report)
            if row["originator_id"] is not None:
                state = bytes(row["state"])
                d = digest(row["originator_id"], row["originator_version"], row["topic"], state)
                previous = link(previous, row["pos"], d)
            checkpoint = wanted.pop(row["pos"], None)
            if checkpoint is not None and checkpoint.link != previous:
                report.faults.append(
                    Fault(
                        row["pos"],
                        "a signed checkpoint vouches for another "
                        "history here (the chain was rewritten)",
                    )
                )
        report.events += len(page)
        progress(len(page))
    report.head = previous
    for position in wanted:
        report.faults.append(
            Fault(
                position,
                "a signed checkpoint names a position the log no "
                "longer reaches (events were removed)",
            )
        )
    for c in signed:
        if public_key_pem is None or not signature_valid(public_key_pem, c.message(), c.signature):
            report.faults.append(
                Fault(
                    c.position,
                    f"checkpoint signature by key {c.key_id} "
                    "does not verify with the published public key",
                )
            )
    report.faults += snapshot_faults(ledger, checkpoints)
    report.faults.sort(key=lambda f: f.position)
    return report


def snapshot_faults(ledger: Ledger, checkpoints: Checkpoints) -> list[Fault]:
    """Snapshots are a cache outside the chain: each must equal its aggregate replayed from the
    (verified) events, or someone changed what the live service reads."""
    if ledger.snapshots is None:
        return []
    recorder: Any = ledger.snapshots.recorder
    table = checkpoints.db.table(recorder.events_table_name)
    transcoder = ledger.mapper.transcoder
    faults = []
    latest: dict[str, dict[str, Any]] = {}  # the live service reads only the newest one
    for row in checkpoints.db.query(f"SELECT * FROM {table}"):
        key = str(row["originator_id"])
        if key not in latest or row["originator_version"] > latest[key]["originator_version"]:
            latest[key] = row
    for row in latest.values():
        stored = StoredEvent(
            row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"])
        )
        try:
            snapshot: Any = ledger.mapper.to_domain_event(stored)
            aggregate: Any = None
            for event in ledger.events.get(snapshot.originator_id, lte=snapshot.originator_version):
                aggregate = event.mutate(aggregate)  # type: ignore[attr-defined]
            expected = transcoder.decode(transcoder.encode(type(snapshot).take(aggregate).state))
            same = expected == snapshot.state
        except Exception:  # an unreadable snapshot is as bad as a wrong one
            same = False
        if not same:
            faults.append(
                Fault(
                    0,
                    "a snapshot differs from its aggregate replayed from the "
                    "events (the cache was altered)",
                    str(row["originator_id"]),
                    row["originator_version"],
                    row["topic"],
                )
            )
    return faults


def _check(row: dict[str, Any], previous: str, report: Report) -> None:
    pos = row["pos"]
    event = (
        (str(row["originator_id"]), row["originator_version"], row["topic"])
        if row["originator_id"] is not None
        else (None, None, None)
    )
    if row["link"] is None:
        report.faults.append(
            Fault(pos, "an event with no chain link (added behind Bangfu's back?)", *event)
        )
        return
    if row["originator_id"] is None:
        report.faults.append(Fault(pos, "the chain links an event that is not there (deleted?)"))
        return
    d = digest(row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))
    if d != row["digest"]:
        report.faults.append(
            Fault(pos, "the event differs from the one the chain recorded (altered)", *event)
        )
    elif link(previous, pos, d) != row["link"]:
        report.faults.append(
            Fault(
                pos,
                "the chain link does not follow from the previous one "
                "(altered, reordered or removed before this)",
                *event,
            )
        )
