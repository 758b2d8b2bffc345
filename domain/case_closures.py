"""An archive's closure (结档) and its reopening on relapse (返困).

The events' fields and what they change are here; ``Case`` declares the events in its body
(their names are stored: ``Case.Closed``, ``Case.Reopened``) and takes the commands from
``CaseClosures``. ``Reopening`` is the worked example of an event that changed shape
(docs/event-versioning.md)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from domain.aggregate import Act
from domain.errors import CaseClosedError, CaseNotClosedError
from domain.text import checked_note
from domain.vocabulary import CaseStatus, ClosureReason

if TYPE_CHECKING:
    from domain.cases import Case


class Closing(Act):
    """结档: exited (脱困/解困) or cancelled (退档, death, transfer...)."""

    reason: str
    note: str

    def apply(self, case: Case) -> None:
        case.status_value = ClosureReason(self.reason).status.value
        case.closure_reason = self.reason
        if case.closed_spans is not None:
            case.closed_spans.append([self.business_date, None])


class Reopening(Act):
    """返困: a closed archive opens again. v2 records the reason of the closure it ends: after an
    exit (脱困/解困) a reopening is a relapse (返困); after a cancellation it is not. v1 events
    (Bangfu 0.1.0) did not, and are read with ``closure_reason`` None
    (docs/event-versioning.md)."""

    class_version = 2
    note: str
    closure_reason: str | None = None  # a ClosureReason value; None: not recorded (v1)

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """An event stored by 0.1.0 does not say which closure it ended."""
        state["closure_reason"] = None

    def apply(self, case: Case) -> None:
        case.status_value = CaseStatus.ACTIVE.value
        case.closure_reason = None
        if case.closed_spans:
            case.closed_spans[-1][1] = self.business_date


class CaseClosures:
    """Whether an archive is open, and the commands that close and reopen it (mixed into
    ``Case``)."""

    if TYPE_CHECKING:
        id: UUID
        status_value: str
        closure_reason: str | None
        Closed: ClassVar[type[Closing]]
        Reopened: ClassVar[type[Reopening]]

        def _trigger(
            self, event: type[Act], actor: str, business_date: date, **fields: Any
        ) -> None: ...

    @property
    def status(self) -> CaseStatus:
        return CaseStatus(self.status_value)

    @property
    def is_open(self) -> bool:
        return self.status is CaseStatus.ACTIVE

    def _require_open(self, doing: str) -> None:
        if not self.is_open:
            raise CaseClosedError(
                f"case {self.id} was closed ({self.closure_reason}); it cannot {doing}"
            )

    def close(self, reason: ClosureReason, note: str, actor: str, business_date: date) -> None:
        """Close the archive: exited (脱困/解困) or cancelled (退档, death, transfer...)."""
        self._require_open("be closed again")
        note = checked_note(note)
        self._trigger(self.Closed, actor, business_date, reason=reason.value, note=note)

    def reopen(self, note: str, actor: str, business_date: date) -> None:
        """Reopen a closed archive on relapse (返困)."""
        if self.is_open:
            raise CaseNotClosedError(f"case {self.id} is open; only a closed case is reopened")
        self._trigger(
            self.Reopened,
            actor,
            business_date,
            note=checked_note(note),
            closure_reason=self.closure_reason,
        )
