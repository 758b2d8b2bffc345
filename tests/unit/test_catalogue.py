"""Every event of the ledger has one meaning, kept beside the events (domain/catalogue.py)."""

from __future__ import annotations

import importlib
import pkgutil

from eventsourcing.domain import DomainEvent, _created_event_classes

import domain
from domain.aggregate import LedgerAggregate
from domain.catalogue import CATALOGUE, event_class, kind, meaning, money_events
from domain.funds import Fund


def every_event_class() -> set[type[DomainEvent]]:
    for module in pkgutil.iter_modules(domain.__path__):
        importlib.import_module(f"domain.{module.name}")
    found: set[type[DomainEvent]] = set()
    for aggregate in LedgerAggregate.__subclasses__():
        own = [
            v
            for v in vars(aggregate).values()
            if isinstance(v, type) and issubclass(v, DomainEvent) and v.__name__ != "Event"
        ]
        first: list[object] = list(_created_event_classes.get(aggregate, []))  # the library's
        found |= {c for c in own if c.__name__ != "Created" or c in first}
    return found


def test_every_event_class_of_the_domain_has_a_meaning_and_nothing_else_does() -> None:
    classes = every_event_class()

    assert classes, "no event classes found"
    assert classes - set(CATALOGUE) == set(), "events without a meaning"
    assert set(CATALOGUE) - classes == set(), "meanings without an event"


def test_a_meaning_is_found_by_class_by_event_and_by_the_name_in_its_topic() -> None:
    assert kind(Fund.Disbursed) == "Fund.Disbursed"
    assert event_class("Fund.Disbursed") is Fund.Disbursed
    assert meaning("Fund.Disbursed") is meaning(Fund.Disbursed)
    assert meaning(Fund.Disbursed).zh == "帮扶支出"


def test_money_moves_in_and_out_of_a_fund_exactly_as_the_fund_aggregate_counts_it() -> None:
    signs = {kind(cls): leg.sign for cls, leg in money_events()}

    assert signs == {
        "Fund.Received": 1,
        "Fund.AllocatedIn": 1,
        "Fund.ReturnReceived": 1,
        "Fund.DisbursementReversed": 1,
        "Fund.AllocatedOut": -1,
        "Fund.Returned": -1,
        "Fund.Disbursed": -1,
    }
    assert all(leg.total.endswith("_fen") for _, leg in money_events())
