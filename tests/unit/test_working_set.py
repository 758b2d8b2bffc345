"""What a batch's working set notes about its reads: the version at which it found each
aggregate, whether it came from what the process remembered, and what it found absent."""

from __future__ import annotations

from copy import deepcopy
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.working_set import Committed, WorkingSet


class Jar(Aggregate):
    """A stand-in aggregate: a jar of beans."""

    def __init__(self) -> None:
        self.beans = 0

    @event("Filled")
    def fill(self, beans: int) -> None:
        self.beans += beans


def saved_jar(fills: int) -> Jar:
    jar = Jar()
    for _ in range(fills):
        jar.fill(1)
    jar.collect_events()
    return jar


class Store:
    """The aggregates a load finds, and the ids it was asked for."""

    def __init__(self, *jars: Jar) -> None:
        self.jars = {jar.id: jar for jar in jars}
        self.asked: list[UUID] = []

    def load(self, aggregate_id: UUID) -> Aggregate | None:
        self.asked.append(aggregate_id)
        return self.jars.get(aggregate_id)


def test_a_passed_command_expects_what_it_only_read_at_the_version_it_read() -> None:
    read, written, nowhere = saved_jar(fills=2), saved_jar(fills=4), uuid4()
    committed = Committed()
    committed.put([read])
    working = WorkingSet(Store(written).load, committed)

    working.begin()
    assert working.find(read.id) is not None
    assert working.find(nowhere) is None
    changed = working.find(written.id)
    assert isinstance(changed, Jar)
    changed.fill(1)
    working.keep([changed])

    assert working.expected_versions({written.id}) == {read.id: 3, nowhere: 0}


def test_a_refused_command_hands_back_the_remembered_entries_its_refusal_rested_on() -> None:
    remembered, loaded = saved_jar(fills=1), saved_jar(fills=1)
    committed = Committed()
    committed.put([remembered])
    working = WorkingSet(Store(loaded).load, committed)

    working.begin()
    working.find(remembered.id)
    working.find(loaded.id)
    reads = working.undo()

    assert reads == {remembered.id: 2}  # the loaded one is current already
    assert working.expected_versions(set()) == {}  # a refused command's reads are not checked


def test_two_commands_that_saw_two_versions_of_one_aggregate_never_pass_the_check() -> None:
    jar = saved_jar(fills=1)
    store, committed = Store(jar), Committed()
    working = WorkingSet(store.load, committed)
    working.begin()
    working.find(jar.id)
    working.keep([])
    newer = deepcopy(jar)
    newer.fill(1)
    newer.collect_events()
    committed.put([newer])  # loaded ahead by another caller, between the two commands

    working.begin()
    working.find(jar.id)
    working.keep([])

    assert working.expected_versions(set()) == {jar.id: -1}


def test_an_absence_is_remembered_and_then_no_longer_asked_of_the_store() -> None:
    nowhere = uuid4()
    store, committed = Store(), Committed()
    first = WorkingSet(store.load, committed)
    first.begin()
    first.find(nowhere)
    first.find(nowhere)
    first.keep([])
    committed.put_absent(first.absences())

    second = WorkingSet(store.load, committed)
    second.begin()
    assert second.find(nowhere) is None
    second.keep([])

    assert store.asked == [nowhere]  # once, by the first batch
    assert second.expected_versions(set()) == {nowhere: 0}  # checked at the save all the same
    assert nowhere in committed and committed.get(nowhere) is None


def test_a_fresh_working_set_loads_everything_from_the_store() -> None:
    jar = saved_jar(fills=1)
    store, committed = Store(jar), Committed()
    committed.put([jar])
    working = WorkingSet(store.load, committed, fresh=True)

    working.begin()
    working.find(jar.id)

    assert store.asked == [jar.id]
    assert working.undo() == {}  # nothing it read was remembered: nothing to check again
