"""What the store holds for a roster's rows, read a chunk at a time ahead of its turn: whether
each row was paid (its payment id exists), its household, the household's bank account, and
for an import the row's card sealed under the household's key. A chunk's rows are split among a
few threads; each part is one read of all its streams (domain/bulk_reads.py) and one look-up of
its households' keys."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from threading import Lock
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.bank_accounts import BankAccount, masked
from domain.bulk_reads import BulkReads
from domain.cases import Case
from domain.funds import Fund
from domain.policy import PolicyBook
from domain.rosters import RosterRow
from domain.use_cases.policy import PolicyUseCases
from domain.writes import Context

A = TypeVar("A", bound=Aggregate)


@dataclass
class RosterRun:
    """What one dry run or import keeps from row to row."""

    actor_only: Context  # each row is its own idempotent write: no request's key
    funds: dict[UUID, Fund | None] = field(default_factory=dict)  # the copies rows are tried on
    books: dict[tuple[UUID, ...], PolicyBook] = field(default_factory=dict)
    year_totals: dict[tuple[UUID, str, int], int] = field(default_factory=dict)
    written: set[UUID] = field(default_factory=set)  # saved by this import: read again
    reading: Lock = field(default_factory=Lock)  # one reader of each centre's policy


@dataclass(frozen=True)
class Found:
    """What the store holds for a row: whether it was paid, its case, its household's bank
    account, and (for an import) its card's keyed hash, and the card sealed as (ciphertext,
    keyed hash, masked tail) unless it is the card already on record."""

    paid: bool = False
    case: Case | None = None
    account: BankAccount | None = None
    card_ref: str | None = None
    sealed: tuple[str, str, str] | None = None


class RosterReads(BulkReads, PolicyUseCases):
    """Reads a roster's rows from the store ahead of the checks."""

    roster_readers = 4  # threads that read a chunk's rows ahead, each a part of the chunk

    def _read_ahead(
        self, pool: ThreadPoolExecutor, run: RosterRun, rows: list[RosterRow], seal: bool
    ) -> list[Future[list[Found]]]:
        size = -(-len(rows) // self.roster_readers)
        return [
            pool.submit(self._look_up, run, rows[n : n + size], seal)
            for n in range(0, len(rows), size)
        ]

    def _look_up(self, run: RosterRun, rows: Sequence[RosterRow], seal: bool) -> list[Found]:
        """Each row's payment, case and bank account, read at once; the policy at each case's
        centre; and (``seal``) each card sealed under its household's key, unless it is the card
        on record."""
        ids = {r.payment_id for r in rows} | {r.case_id for r in rows}
        ids |= {r.account_id for r in rows if r.bank_card}
        loaded = self._load_many(ids)
        found: list[Found] = []
        cards: list[tuple[int, RosterRow]] = []  # rows whose card is to be sealed
        for row in rows:
            case = loaded.get(row.case_id)
            if row.payment_id in loaded or not isinstance(case, Case):
                found.append(Found(paid=row.payment_id in loaded))
                continue
            path = tuple(case.centre_path)
            with run.reading:
                if path not in run.books:
                    run.books[path] = self.policy_book(case.centre_path)
            account = loaded.get(row.account_id)
            account = account if isinstance(account, BankAccount) else None
            if not (row.bank_card and seal) or case.personal_data_erased:
                found.append(Found(case=case, account=account))
                continue
            ref = self._vault().person_ref(f"bank card {row.bank_card}")
            if account is None or account.account_ref != ref:
                cards.append((len(found), row))
            found.append(Found(False, case, account, ref))
        sealed = self._vault().seal_many([(row.case_id, _card(row)) for _, row in cards])
        for (n, row), blob in zip(cards, sealed, strict=True):
            found[n] = replace(
                found[n], sealed=(blob, found[n].card_ref or "", masked(row.bank_card))
            )
        return found

    def _sealed(self, row: RosterRow, ref: str) -> tuple[str, str, str]:
        """The row's card sealed under its household's key: (ciphertext, keyed hash, tail)."""
        return (self._vault().seal(row.case_id, _card(row)), ref, masked(row.bank_card))

    def _latest(self, run: RosterRun, cls: type[A], aggregate_id: UUID, read: A | None) -> A | None:
        """The aggregate as read ahead, or as this import saved it since (read again)."""
        if aggregate_id not in run.written:
            return read
        found = self.committed.get(aggregate_id) or self._load(aggregate_id)
        return found if isinstance(found, cls) else None


def _card(row: RosterRow) -> dict[str, str]:
    """What is sealed of a row's card."""
    return {"bank_card": row.bank_card, "holder": row.name}
