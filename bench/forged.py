"""Events no use case would write, for benchmarks and tests of the reports that must still find
them in a store altered behind the domain's back (or written by an older release whose rules
were looser)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.application import Ledger
from domain.cases import Case
from domain.funds import Fund
from domain.payments import Payment
from domain.vocabulary import AssistanceType


def paid_before_filing(ledger: Ledger, fund_id: UUID, case_id: UUID, fen: int, on: date) -> UUID:
    """A living-relief payment dated ``on``, before the household's filing (which the domain
    refuses), written as its three events directly; the payment's id."""
    fund: Fund = ledger.repository.get(fund_id)
    case: Case = ledger.repository.get(case_id)
    kind, payment_id = AssistanceType.LIVING_RELIEF, uuid4()
    day: dict[str, Any] = {"actor": "old", "business_date": on}
    paid: dict[str, Any] = {"payment_id": payment_id, "assistance_type": kind.value}
    case.trigger_event(Case.AssistanceReceived, fund_id=fund_id, amount_fen=fen, **paid, **day)
    fund.trigger_event(
        Fund.Disbursed, case_id=case_id, amount_fen=fen, reference="early", **paid, **day
    )
    payment = Payment(
        id=payment_id, fund_id=fund_id, case_id=case_id, centre_id=case.centre_id,
        centre_path=case.centre_path, assistance_type=kind.value, amount_fen=fen,
        reference="early", actor="old", business_date=on,
    )  # fmt: skip
    ledger.save(fund, case, payment)
    return payment_id
