"""What every command that records something shares: ``--as`` (the acting user) and ``--date``
(the business date), and one write run as that user, its refusals turned into one line and an
exit code, its new id and log position printed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import typer

from cli.base import console, fail, open_store, refusals
from domain.access import SYSTEM, Actor
from domain.application import Context, Ledger, Outcome
from settings import Settings

AsUser = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="the user who records it (their role and centre apply); "
        "the system operator when left out",
    ),
]
Day = Annotated[str | None, typer.Option("--date", help="the business date, YYYY-MM-DD (today)")]
Write = Callable[[Ledger, Context, date | None], Outcome[Any]]
"""A write on the ledger, as a user, on a business date (None: today)."""


def actor(ledger: Ledger, name: str | None) -> Actor:
    """The user of this name, or the system operator when none is named."""
    return ledger.user(name) if name else SYSTEM


def business_day(text: str | None) -> date | None:
    """A date given on the command line (exit 2 with a clear line if it is not one)."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        fail(f"{text!r} is not a date written YYYY-MM-DD", 2)


def record(what: str, of: str, day: str | None, as_user: str | None, write: Write) -> None:
    """Run one write as the user (the system operator if none) on the day given (today if
    none) and print the id it answers; a bad ``of`` id or a refusal exits with one line."""
    ledger, on = open_store(Settings()), business_day(day)
    with refusals(of):
        done = write(ledger, Context(actor(ledger, as_user)), on)
    console.print(f"{what}: {done.result.id} (log position {done.position})")
