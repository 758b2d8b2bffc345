"""A household's bank account (银行账户), to which the bank pays its subsidies: one per case.

The card number is personal data: it is stored only sealed under the household's own key
(domain/privacy.py), so erasing that key makes it unreadable; beside it the account keeps a keyed
hash of the number (to tell a new card from the same one without opening it) and a masked tail
("****1234") that may be shown to anyone who may see the case.
"""

from __future__ import annotations

import re
from datetime import date
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import Act, LedgerAggregate
from domain.errors import InvalidInputError
from domain.text import checked

_ACCOUNTS = uuid5(NAMESPACE_URL, "https://bangfu.example/bank-accounts")
_CARD = re.compile(r"[0-9]{12,19}")


def bank_account_id(case_id: UUID) -> UUID:
    """The one bank account a household has: its id follows from the case's."""
    return uuid5(_ACCOUNTS, str(case_id))


def card_number(text: str) -> str:
    """A bank card number as written (spaces and dashes allowed between digits), checked."""
    number = re.sub(r"[ \-]", "", checked(text, "the bank card number", max_length=40))
    if not _CARD.fullmatch(number):
        raise InvalidInputError("a bank card number has 12 to 19 digits (银行卡号应为12至19位数字)")
    return number


def masked(number: str) -> str:
    """The last four digits of a card, the rest hidden: "****1234"."""
    return "****" + number[-4:]


class BankAccount(LedgerAggregate):
    """Where a household is paid; a new card replaces the old one (both stay on record)."""

    class Replaced(Act):
        """银行账户变更: another card replaces the one on record."""

        account_sealed: str
        account_ref: str
        masked: str
        source: str

        def apply(self, account: BankAccount) -> None:
            account.account_sealed, account.account_ref = self.account_sealed, self.account_ref
            account.masked, account.source = self.masked, self.source
            account.changed_on = self.business_date

    Recorded: ClassVar[type[LedgerAggregate.Event]]  # made by @event on __init__ below

    @event("Recorded")
    def __init__(
        self,
        id: UUID,
        case_id: UUID,
        centre_id: UUID,
        centre_path: list[UUID],
        account_sealed: str,
        account_ref: str,
        masked: str,
        source: str,
        actor: str,
        business_date: date,
    ) -> None:
        self.case_id, self.centre_id, self.centre_path = case_id, centre_id, list(centre_path)
        self.account_sealed, self.account_ref = account_sealed, account_ref
        self.masked, self.source = masked, source
        self.changed_on = business_date

    @classmethod
    def record(
        cls,
        case_id: UUID,
        centre_path: list[UUID],
        sealed: tuple[str, str, str],
        source: str,
        actor: str,
        business_date: date,
    ) -> BankAccount:
        """The household's first account: ``sealed`` is (ciphertext, keyed hash, masked tail)."""
        account_sealed, account_ref, tail = sealed
        return cls(
            id=bank_account_id(case_id),
            case_id=case_id,
            centre_id=centre_path[-1],
            centre_path=centre_path,
            account_sealed=account_sealed,
            account_ref=account_ref,
            masked=tail,
            source=checked(source, "where the account came from"),
            actor=actor,
            business_date=business_date,
        )

    def replace(
        self, sealed: tuple[str, str, str], source: str, actor: str, business_date: date
    ) -> bool:
        """Put another card on record; False (and nothing recorded) when it is the same one."""
        account_sealed, account_ref, tail = sealed
        if account_ref == self.account_ref:
            return False
        self._trigger(
            self.Replaced,
            actor,
            business_date,
            account_sealed=account_sealed,
            account_ref=account_ref,
            masked=tail,
            source=checked(source, "where the account came from"),
        )
        return True
