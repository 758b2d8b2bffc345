"""What a reader of a view is told when the view is behind, or has stopped at an event it
cannot apply (projections/view.py re-exports both), and what a second rebuild of a view is told."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from projections.failures import ViewFailure


class ViewBehindError(Exception):
    """The view has not reached the asked-for log position in time."""

    def __init__(self, view: str, position: int, wanted: int, message: str | None = None) -> None:
        super().__init__(
            message
            or f"the {view} view is at log position {position}, not yet at {wanted}; "
            "try again shortly"
        )
        self.view, self.position, self.wanted = view, position, wanted


class ViewFailedError(ViewBehindError):
    """The view stopped at an event it cannot apply, short of the asked-for log position."""

    def __init__(self, position: int, failure: ViewFailure, wanted: int) -> None:
        super().__init__(
            failure.view,
            position,
            wanted,
            f"the {failure.view} view stopped at log position {position}: {failure.describe()}; "
            f"it is tried again now and then, and `bangfu projections rebuild {failure.view}` "
            "rebuilds it",
        )
        self.failure = failure


class RebuildRunningError(RuntimeError):
    """A rebuild of this view is running in another process (or thread): a second one would
    build the same generation's tables over it, so it is refused at once."""

    def __init__(self, view: str) -> None:
        super().__init__(
            f"a rebuild of the {view} view is running elsewhere; it switches readers over when "
            "it is done (`bangfu projections status` shows it), or, if it was stopped, the "
            "next rebuild resumes it"
        )
        self.view = view
