"""A history for the reports benchmark: bench/generate.py's households, written fast (their
keys sealed in bulk), then irregular payments through the use cases, so that every check of
suspicious payments has findings."""

from __future__ import annotations

import secrets
from datetime import date
from uuid import UUID

from bench.bulk_vault import BulkVault
from bench.forged import paid_before_filing
from bench.generate import BenchLedger, Generated, generate
from domain.access import Actor
from domain.application import Context, Ledger
from domain.cases import Assessment
from domain.vocabulary import AssistanceType, Category, Cause, ClosureReason, Role
from stores import store_env
from stores.sql import SqlDatabase
from stores.vault import Vault

ADMIN = Context(Actor("bench-auditor", Role.ADMIN))


def write_history(url: str, events: int, irregulars: int) -> tuple[BenchLedger, Generated]:
    """About ``events`` events on the (empty) store at ``url``, and ``irregulars`` irregular
    households; the ledger is left open."""
    ledger, master = BenchLedger(env=store_env(url)), secrets.token_bytes(32)
    ledger.vault = vault = BulkVault(SqlDatabase(ledger), lambda create: master)
    data = generate(ledger, events)
    vault.flush()
    ledger.vault = Vault(SqlDatabase(ledger), lambda create: master)  # as the API has it
    irregular(ledger, data, irregulars)
    return ledger, data


def irregular(ledger: Ledger, data: Generated, households: int) -> None:
    """Repeats, payments above standard, before filing and after closure for ``households``
    households of five streets, through the use cases (a payment before filing, which they now
    refuse, written as its events)."""
    funds = [data.street_funds[4 * s] for s in range(5)]
    for fund in funds:
        ledger.receive(ADMIN, fund, 10_000_000_00, "财政", "追加", date(2026, 1, 6))
    deep = Assessment(Category.DEEP_HARDSHIP, Cause.SERIOUS_ILLNESS, (), 2, 300_00, ())
    for k in range(min(households, len(data.cases) // 100 * 5)):
        n = (k // 5) * 100 + k % 5
        fund, case, kind = funds[n % 100], data.cases[n], k % 5

        def pay(what: AssistanceType, fen: int, day: date, f: UUID = fund, c: UUID = case) -> None:
            ledger.pay(ADMIN, f, c, what, fen, "bench", day)

        if kind == 0:  # the same aid twice, days apart
            pay(AssistanceType.WARMTH_VISIT, 100_00, date(2026, 3, 1))
            pay(AssistanceType.WARMTH_VISIT, 100_00, date(2026, 3, 6))
        elif kind == 1:  # deep hardship, paid above 12 months of the 低保 line
            ledger.reassess(ADMIN, case, deep, "", date(2026, 2, 1))
            for month in (2, 6, 9):
                pay(AssistanceType.LIVING_RELIEF, 3_300_00, date(2026, month, 3))
        elif kind == 2:  # education aid above the cap
            pay(AssistanceType.EDUCATION_AID, 12_000_00, date(2026, 9, 1))
        elif kind == 3:  # paid before the case was filed (refused today: as an old store has it)
            paid_before_filing(ledger, fund, case, 10_00, date(2024, 6, 1))
        else:  # paid, then closed on an earlier date
            pay(AssistanceType.LIVING_RELIEF, 200_00, date(2026, 5, 1))
            ledger.close_case(ADMIN, case, ClosureReason.DECEASED, "", date(2026, 4, 1))
