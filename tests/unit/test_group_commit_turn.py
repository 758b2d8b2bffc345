"""The group committer's turn (domain/group_commit.py): a leader waits for the writers' turn
BEFORE it takes the waiting commands, so those that arrive meanwhile join its batch; and a turn
that cannot be had refuses the commands instead of leaving their callers waiting."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from domain.group_commit import GroupCommitter, Job


def test_commands_that_arrive_while_the_leader_waits_for_its_turn_join_its_batch() -> None:
    batches: list[int] = []
    released = threading.Event()
    entered = threading.Event()

    @contextmanager
    def turn() -> Iterator[None]:
        entered.set()
        released.wait(timeout=30)
        yield

    def run(batch: list[Job[Any]]) -> None:
        batches.append(len(batch))
        for job in batch:
            job.resolve("ok")

    committer = GroupCommitter(run, turn=turn)
    threads = [threading.Thread(target=committer.submit, args=(Job(lambda: None),))]
    threads[0].start()
    assert entered.wait(timeout=30)  # the first caller leads, and waits for the turn
    for _ in range(2):
        threads.append(threading.Thread(target=committer.submit, args=(Job(lambda: None),)))
        threads[-1].start()
    for _ in range(3000):  # until the other two wait behind it (bounded)
        if committer.waiting == 3:
            break
        time.sleep(0.01)
    released.set()
    for t in threads:
        t.join(timeout=30)

    assert batches == [3]
    assert committer.batches == 1 and committer.jobs == 3


def test_a_turn_that_cannot_be_had_refuses_the_waiting_commands() -> None:
    @contextmanager
    def turn() -> Iterator[None]:
        raise ConnectionError("the store is down")
        yield

    def run(batch: list[Job[Any]]) -> None:
        raise AssertionError("no batch runs without the turn")

    committer = GroupCommitter(run, turn=turn)
    with pytest.raises(ConnectionError, match="the store is down"):
        committer.submit(Job(lambda: None))
    assert committer.waiting == 0
