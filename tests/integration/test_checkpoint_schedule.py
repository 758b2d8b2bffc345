"""Checkpoints are taken automatically every N events or after a time, whichever comes first."""

from __future__ import annotations

from pathlib import Path

from cli.demo import DemoBuilder
from domain.application import Ledger
from supervision.checkpoints import Checkpoints, Scheduler
from supervision.signing import Signer


def test_a_checkpoint_is_taken_once_enough_events_have_arrived(
    ledger: Ledger, tmp_path: Path
) -> None:
    builder = DemoBuilder(ledger, households=5)
    builder._centres()
    scheduler = Scheduler(
        Checkpoints(ledger), Signer(tmp_path / "k.pem"), every_events=20, every_seconds=10_000
    )

    first = scheduler.tick()
    second = scheduler.tick()
    builder._centres()  # 10 more events: not yet due
    third = scheduler.tick()
    builder._centres()
    builder._centres()  # 20 more: due
    fourth = scheduler.tick()

    assert first is not None and first.position == 10
    assert second is None and third is None
    assert fourth is not None and fourth.position == 40
    assert [c.position for c in Checkpoints(ledger).all()] == [10, 40]


def test_a_checkpoint_is_taken_after_the_interval_even_for_a_few_events(
    ledger: Ledger, tmp_path: Path
) -> None:
    builder = DemoBuilder(ledger, households=5)
    builder._centres()
    scheduler = Scheduler(
        Checkpoints(ledger), Signer(tmp_path / "k.pem"), every_events=10_000, every_seconds=0
    )
    scheduler.tick()
    builder._centres()

    later = scheduler.tick()

    assert later is not None and later.position == 20
