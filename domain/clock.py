"""Time is passed in: business dates are days in Asia/Shanghai, recorded times are UTC instants.

The Ledger holds a Clock and lends it to every command it runs (``use_clock``); aggregates stamp
their events from the clock in use, so a test that passes a FixedClock chooses both clocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

BUSINESS_ZONE = "Asia/Shanghai"


class Clock(Protocol):
    """Tells the time: ``now()`` an aware instant, ``today()`` the business date."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


@dataclass(frozen=True)
class SystemClock:
    """The machine's clock; business dates in the configured zone (Asia/Shanghai by default)."""

    zone: str = BUSINESS_ZONE

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.zone)).date()


@dataclass
class FixedClock:
    """A clock that stands still until moved (for tests and replays)."""

    moment: datetime
    zone: str = BUSINESS_ZONE
    step: timedelta = field(default=timedelta(0))

    def now(self) -> datetime:
        current = self.moment
        self.moment += self.step
        return current

    def today(self) -> date:
        return self.moment.astimezone(ZoneInfo(self.zone)).date()

    def advance(self, by: timedelta) -> None:
        self.moment += by


EARLIEST_BUSINESS_DATE = date(1949, 10, 1)
LATEST_AHEAD = timedelta(days=366)


def check_business_date(day: date, today: date) -> date:
    """A business date lies between 1949-10-01 and a year from today; anything else is a typo."""
    from domain.errors import InvalidInputError

    if not EARLIEST_BUSINESS_DATE <= day <= today + LATEST_AHEAD:
        raise InvalidInputError(
            f"the business date {day.isoformat()} is outside the ledger's window "
            f"({EARLIEST_BUSINESS_DATE.isoformat()} to a year from today)"
        )
    return day


_SYSTEM = SystemClock()
_in_use: ContextVar[Clock | None] = ContextVar("bangfu_clock", default=None)


def clock_in_use() -> Clock:
    """The clock that stamps events now (the Ledger's, inside a command)."""
    return _in_use.get() or _SYSTEM


@contextmanager
def use_clock(clock: Clock) -> Iterator[None]:
    """Stamp the events created in this block with ``clock``."""
    token = _in_use.set(clock)
    try:
        yield
    finally:
        _in_use.reset(token)
