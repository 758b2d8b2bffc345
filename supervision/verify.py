"""Walk the events, the chain and the checkpoints; report the first fault and the event there."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import StoredEvent

from domain.application import Ledger
from stores.chain import GENESIS, digest, link
from stores.log import Entry, LogReader
from supervision.checkpoints import Checkpoint, Checkpoints
from supervision.key_history import keys_in, trusted
from supervision.scope_chain import facts, scope_digest
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
    keys: dict[str, int] = field(default_factory=dict)  # key id: checkpoints it signed

    @property
    def ok(self) -> bool:
        return not self.faults


def verify(
    ledger: Ledger,
    public_keys: str | Mapping[str, str] | None,
    page_size: int = 5000,
    progress: Callable[[int], None] = lambda n: None,
) -> Report:
    """Recompute every digest and link from the events themselves and check every checkpoint
    with the key its key id names. ``public_keys`` are the keys trusted (PEM text of one key or
    several, or PEMs by key id; None trusts none): each earlier key they succeeded, by the key
    history's chain of succession signatures (supervision/key_history.py), is trusted too."""
    checkpoints = Checkpoints(ledger)
    signed = checkpoints.all()
    wanted: dict[int, list[Checkpoint]] = {}
    for c in signed:
        wanted.setdefault(c.position, []).append(c)
    report = Report(checkpoints=len(signed))
    previous = scoped = GENESIS  # the event chain's link and the scope chain's
    reader = LogReader(ledger, page_size)
    for page in reader.with_links(checkpoints.db, checkpoints.chain):
        for row in page:
            _check(row, previous, report)
            if row.topic is not None:
                state = row.state or b""
                d = digest(row.originator_id, row.originator_version or 0, row.topic, state)
                previous = link(previous, row.position, d)
                try:
                    d2 = scope_digest(facts(row.originator_id, row.topic, state), d)
                except (ValueError, KeyError, TypeError):
                    d2 = "unreadable"
                scoped = link(scoped, row.position, d2)
            for checkpoint in wanted.pop(row.position, []):
                if checkpoint.link != (previous if checkpoint.version == 1 else scoped):
                    report.faults.append(
                        Fault(
                            row.position,
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
    report.faults += _signature_faults(checkpoints, signed, public_keys, report)
    report.faults += snapshot_faults(ledger, checkpoints)
    report.faults.sort(key=lambda f: f.position)
    return report


def _signature_faults(
    checkpoints: Checkpoints,
    signed: list[Checkpoint],
    public_keys: str | Mapping[str, str] | None,
    report: Report,
) -> list[Fault]:
    """Each checkpoint checked with the trusted key its key id names; ``report.keys`` counts
    the checkpoints each key signed."""
    faults = []
    try:
        anchors = keys_in(public_keys) if isinstance(public_keys, str) else dict(public_keys or {})
    except ValueError as e:
        faults.append(Fault(0, f"the public key given to trust is unusable ({e})"))
        anchors = {}
    keys = trusted(anchors, checkpoints.keys.all())
    for c in signed:
        report.keys[c.key_id] = report.keys.get(c.key_id, 0) + 1
        pem = keys.get(c.key_id)
        if pem is None:
            problem = "is by an unknown key: neither a trusted key nor one it succeeded"
        elif not signature_valid(pem, c.message(), c.signature):
            problem = "does not verify with that key"
        else:
            continue
        faults.append(Fault(c.position, f"the checkpoint signature by key {c.key_id} {problem}"))
    return faults


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


def _digest(row: Entry) -> str:
    return digest(row.originator_id, row.originator_version or 0, row.topic or "", row.state or b"")


def _check(row: Entry, previous: str, report: Report) -> None:
    pos = row.position
    event = (
        (str(row.originator_id), row.originator_version, row.topic)
        if row.topic is not None
        else (None, None, None)
    )
    if row.link is None:
        report.faults.append(
            Fault(pos, "an event with no chain link (added behind Bangfu's back?)", *event)
        )
        return
    if row.topic is None:
        report.faults.append(Fault(pos, "the chain links an event that is not there (deleted?)"))
        return
    d = _digest(row)
    if d != row.digest:
        report.faults.append(
            Fault(pos, "the event differs from the one the chain recorded (altered)", *event)
        )
    elif link(previous, pos, d) != row.link:
        report.faults.append(
            Fault(
                pos,
                "the chain link does not follow from the previous one "
                "(altered, reordered or removed before this)",
                *event,
            )
        )
