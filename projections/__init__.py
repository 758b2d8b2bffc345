"""Read models built from events: each module turns events into rows a user reads."""

from __future__ import annotations

from domain.application import Ledger
from projections.archive import ArchiveView
from projections.audit import AuditView
from projections.funds import FundsView
from projections.runner import Projector
from stores.sql import SqlDatabase


class Views:
    """The read models of one store, and the projector that keeps them current."""

    def __init__(self, ledger: Ledger, batch_size: int = 2000) -> None:
        db = SqlDatabase(ledger)
        self.archive = ArchiveView(db)
        self.funds = FundsView(db)
        self.audit = AuditView(db)
        self.projector = Projector(ledger, [self.archive, self.funds, self.audit], batch_size)
