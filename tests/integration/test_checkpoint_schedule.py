"""Checkpoints are taken automatically every N events or after a time, whichever comes first."""

from __future__ import annotations

from pathlib import Path

from cli.demo import DemoBuilder
from domain.application import Ledger
from supervision.checkpoints import Checkpoints, Scheduler
from supervision.signing import Signer


def centres_and_scheduler(
    ledger: Ledger, folder: Path, every_events: int, every_seconds: float
) -> tuple[DemoBuilder, Scheduler]:
    """The demo's centres (10 events), and a scheduler of checkpoints due as given."""
    builder = DemoBuilder(ledger, households=5)
    builder._centres()
    signer = Signer(folder / "k.pem")
    scheduler = Scheduler(Checkpoints(ledger), signer, every_events, every_seconds)
    return builder, scheduler


def test_a_checkpoint_is_taken_once_enough_events_have_arrived(
    ledger: Ledger, tmp_path: Path
) -> None:
    builder, scheduler = centres_and_scheduler(
        ledger, tmp_path, every_events=20, every_seconds=10_000
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
    builder, scheduler = centres_and_scheduler(
        ledger, tmp_path, every_events=10_000, every_seconds=0
    )
    scheduler.tick()
    builder._centres()

    later = scheduler.tick()

    assert later is not None and later.position == 20


def test_an_export_that_signs_a_position_the_scheduler_signed_meanwhile_gets_the_stored_checkpoint(
    ledger: Ledger, tmp_path: Path
) -> None:
    _, scheduler = centres_and_scheduler(
        ledger, tmp_path, every_events=10_000, every_seconds=10_000
    )
    export = Checkpoints(ledger)
    extend = export.scope_chain.extend

    def scheduler_signs_first(position: int) -> str:
        scheduler.checkpoints.sign_at(scheduler.signer, position)  # between the look and the insert
        return extend(position)

    export.scope_chain.extend = scheduler_signs_first  # type: ignore[method-assign,assignment]

    signed = export.sign_at(Signer(tmp_path / "k.pem"), 10)

    assert Checkpoints(ledger).all() == [signed]
