"""Supervision of personal data: recorded reads and erasure by destroying a household's key."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.access import GRANTS, Actor, Permission
from domain.cases import Case
from domain.data_access import PersonalDataRead
from domain.errors import (
    CaseNotFoundError,
)
from domain.results import Created
from domain.writes import Change, Context, LedgerCore, Outcome


class SupervisionUseCases(LedgerCore):
    """Reading and erasing sealed personal data."""

    def read_personal_data(
        self, actor: Actor, sealed: dict[UUID, str], purpose: str
    ) -> dict[UUID, dict[str, Any] | None]:
        """Decrypt households' personal data and record who read whose, and why.

        The caller has checked that these cases lie in the user's subtree; a household whose
        key was destroyed reads as None."""
        actor.require(Permission.READ_PERSONAL_DATA)
        if not sealed:
            return {}

        # committed with the writes of the moment, before anything is shown
        def change() -> Change[Created]:
            read = PersonalDataRead(
                case_ids=list(sealed), purpose=purpose, actor=actor.name, business_date=self.today()
            )
            return Change(Created(read.id), [read])

        self._write(Context(actor), change, creates_only=True)  # a new record, read nothing
        return self._vault().open_many(sealed)

    def may_read_personal_data(self, actor: Actor) -> bool:
        return Permission.READ_PERSONAL_DATA in GRANTS[actor.role]

    def erase_personal_data(self, actor: Actor, case_id: UUID, reason: str) -> Outcome[Created]:
        """Destroy the household's key: its personal data becomes unreadable everywhere, while
        every event, balance, chain link and checkpoint stays as it was.

        The erasure is recorded first and the key destroyed after, so a failure in between
        leaves a record and a key that the next attempt destroys, never a silent loss."""
        case = self._get(Case, case_id, CaseNotFoundError)
        actor.require(Permission.MANAGE_CENTRES, case.centre_path)

        def change() -> Change[Created]:
            fresh = self._get(Case, case_id, CaseNotFoundError)
            fresh.note_erasure(reason, actor.name, self.today())
            return Change(Created(case_id), [fresh])

        outcome = self._write(Context(actor), change, case_id)
        self._vault().erase(case.id, actor.name)
        return outcome
