"""Changes made to the database behind Bangfu's back are caught by `verify`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from cli.demo import DemoBuilder
from domain.application import Ledger
from domain.vocabulary import AssistanceType
from stores.chain import GENESIS, digest, link
from stores.sql import SqlDatabase
from supervision.checkpoints import Checkpoints
from supervision.signing import Signer
from supervision.verify import verify
from tests.integration.test_concurrent_payments import ADMIN, small_fund_with_cases


class Backdoor:
    """Raw SQL on the store, as someone with database access but no Bangfu account would."""

    def __init__(self, ledger: Ledger) -> None:
        self.db = SqlDatabase(ledger)
        recorder: Any = ledger.recorder
        self.events = self.db.table(recorder.events_table_name)
        self.chain = self.db.table(recorder.chain_table_name)
        self.pos = "notification_id" if self.db.is_postgres else "rowid"

    def rows(self) -> list[dict[str, Any]]:
        return self.db.query(
            f"SELECT {self.pos} AS pos, originator_id, originator_version, "
            f"topic, state FROM {self.events} ORDER BY {self.pos}"
        )

    def run(self, statement: str, params: tuple[Any, ...] = ()) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(self.db.sql(statement), params)

    def set_state(self, pos: int, state: bytes) -> None:
        self.run(f"UPDATE {self.events} SET state = %s WHERE {self.pos} = %s", (state, pos))

    def first(self, topic_end: str) -> dict[str, Any]:
        return next(r for r in self.rows() if r["topic"].endswith(topic_end))


@pytest.fixture
def signed(ledger: Ledger, tmp_path: Path) -> Iterator[tuple[Ledger, Signer, Backdoor]]:
    DemoBuilder(ledger, households=8).build()
    signer = Signer(tmp_path / "key.pem")
    Checkpoints(ledger).take(signer)
    DemoBuilder(ledger, households=6, seed=99)._centres()  # more events after the checkpoint
    yield ledger, signer, Backdoor(ledger)


def first_fault(ledger: Ledger, signer: Signer) -> Any:
    report = verify(ledger, signer.public_key_pem, page_size=50)
    assert not report.ok, "the tampering was not caught"
    return report.faults[0]


def test_an_untouched_log_verifies(signed: tuple[Ledger, Signer, Backdoor]) -> None:
    ledger, signer, _ = signed

    report = verify(ledger, signer.public_key_pem, page_size=50)

    assert report.ok and report.checkpoints == 1
    assert report.events == len(ledger.recorder.select_notifications(None, 10**6))


def test_a_changed_amount_is_caught_at_its_position(
    signed: tuple[Ledger, Signer, Backdoor],
) -> None:
    ledger, signer, backdoor = signed
    row = backdoor.first(".Disbursed")
    forged = re.sub(rb'"amount_fen":(\d+)', rb'"amount_fen":1\1', bytes(row["state"]))

    backdoor.set_state(row["pos"], forged)

    fault = first_fault(ledger, signer)
    assert fault.position == row["pos"] and "altered" in fault.problem
    assert fault.topic.endswith("Disbursed")


def test_a_deleted_event_is_caught(signed: tuple[Ledger, Signer, Backdoor]) -> None:
    ledger, signer, backdoor = signed
    row = backdoor.first(".Visited")

    backdoor.run(f"DELETE FROM {backdoor.events} WHERE {backdoor.pos} = %s", (row["pos"],))

    fault = first_fault(ledger, signer)
    assert fault.position == row["pos"] and "not there" in fault.problem


def test_an_inserted_event_is_caught(signed: tuple[Ledger, Signer, Backdoor]) -> None:
    ledger, signer, backdoor = signed
    row = backdoor.first(".Disbursed")
    oid = str(uuid4()) if backdoor.db.is_postgres else uuid4().hex

    backdoor.run(
        f"INSERT INTO {backdoor.events} (originator_id, originator_version, topic, "
        "state) VALUES (%s, 1, %s, %s)",
        (oid, row["topic"], bytes(row["state"])),
    )

    fault = first_fault(ledger, signer)
    assert "no chain link" in fault.problem


def test_two_swapped_events_are_caught(signed: tuple[Ledger, Signer, Backdoor]) -> None:
    ledger, signer, backdoor = signed
    rows = backdoor.rows()
    a, b = rows[10], rows[20]

    backdoor.set_state(a["pos"], bytes(b["state"]))
    backdoor.set_state(b["pos"], bytes(a["state"]))

    assert first_fault(ledger, signer).position == a["pos"]


def test_a_chain_rewritten_after_a_signed_checkpoint_is_caught(
    signed: tuple[Ledger, Signer, Backdoor],
) -> None:
    ledger, signer, backdoor = signed
    row = backdoor.first(".Disbursed")
    backdoor.set_state(row["pos"], bytes(row["state"]).replace(b'"amount_fen":', b'"amount_fen":9'))
    previous = GENESIS
    for r in backdoor.rows():  # recompute every digest and link, as a careful forger would
        d = digest(r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]))
        previous = link(previous, r["pos"], d)
        backdoor.run(
            f"UPDATE {backdoor.chain} SET digest = %s, link = %s WHERE position = %s",
            (d, previous, r["pos"]),
        )

    report = verify(ledger, signer.public_key_pem, page_size=50)

    assert [f.problem for f in report.faults] == [
        "a signed checkpoint vouches for another history here (the chain was rewritten)"
    ]


def test_a_forged_checkpoint_fails_its_signature(signed: tuple[Ledger, Signer, Backdoor]) -> None:
    ledger, signer, backdoor = signed
    table = Checkpoints(ledger).table

    backdoor.run(f"UPDATE {table} SET taken_at = %s", ("2020-01-01T00:00:00.000000Z",))

    assert "signature" in first_fault(ledger, signer).problem


def test_an_altered_snapshot_is_caught(ledger: Ledger, tmp_path: Path) -> None:
    fund, cases = small_fund_with_cases(ledger, 100_000_00, cases=1)
    for n in range(100):  # the fund's 100th event is snapshotted
        ledger.pay(
            ADMIN, fund, cases[0], AssistanceType.WARMTH_VISIT, 100 + n, f"P{n}", date(2026, 1, 21)
        )
    backdoor = Backdoor(ledger)
    recorder: Any = ledger.snapshots.recorder  # type: ignore[union-attr]
    snapshots = backdoor.db.table(recorder.events_table_name)
    assert backdoor.db.query(f"SELECT * FROM {snapshots}")
    signer = Signer(tmp_path / "k.pem")
    Checkpoints(ledger).take(signer)
    assert verify(ledger, signer.public_key_pem).ok

    row = next(
        r
        for r in backdoor.db.query(f"SELECT * FROM {snapshots}")
        if b'"balance_fen"' in bytes(r["state"])
    )
    forged = bytes(row["state"]).replace(b'"balance_fen":', b'"balance_fen":9')
    backdoor.run(
        f"UPDATE {snapshots} SET state = %s WHERE originator_id = %s",
        (forged, row["originator_id"]),
    )
    problems = [f.problem for f in verify(ledger, signer.public_key_pem).faults]
    assert problems == [
        "a snapshot differs from its aggregate replayed from the events (the cache was altered)"
    ]
