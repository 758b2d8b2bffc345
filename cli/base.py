"""The `bangfu` command's shared pieces: the Typer app, consoles, opening the store."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn
from uuid import UUID

import psycopg
import typer
from eventsourcing.persistence import PersistenceError
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from bootstrap import App, bootstrap
from domain.access import SYSTEM
from domain.application import Ledger
from domain.errors import BangfuError
from projections import Views
from settings import Settings
from stores import StoreConfigError, describe
from stores.vault import MasterKeyError

app = typer.Typer(help="Bangfu (帮扶): the hardship-assistance ledger.", no_args_is_help=True)
user_app = typer.Typer(help="Users, their bearer tokens and passwords.", no_args_is_help=True)
app.add_typer(user_app, name="user")
console = Console()
err = Console(stderr=True)


@contextmanager
def progress_bar(label: str, total: int | None = None) -> Iterator[tuple[Progress, TaskID]]:
    """The one progress bar of long work (demo load, rebuild, verify), on stderr."""
    with Progress(
        TextColumn(f"[bold]{escape(label)}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    ) as progress:
        yield progress, progress.add_task(label, total=total)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one line on stderr (never wrapped, no markup read from ``message``) and exit."""
    err.print(f"[red]{escape(message)}[/red]", soft_wrap=True)
    raise typer.Exit(code)


def open_store(settings: Settings) -> Ledger:
    """The ledger on the store the settings name (see ``open_app``)."""
    return open_app(settings).ledger


def open_app(settings: Settings) -> App:
    """Bangfu as the settings describe it (bootstrap.py); a clear message (exit 2) if the URL
    is wrong, the master key does not fit, or the database cannot be reached or opened."""
    try:
        return bootstrap(settings)
    except (StoreConfigError, MasterKeyError) as e:
        err.print(f"[red]Configuration error:[/red] {e}")
        raise typer.Exit(2) from None
    except (PersistenceError, psycopg.Error, OSError) as e:
        reason = " ".join(str(e).split()) or type(e).__name__
        fail(f"cannot reach the database ({describe(settings.database_url)}): {reason}", 2)


def check_can_listen(host: str, port: int) -> None:
    """Exit 1 with one line unless ``host:port`` can be bound now, as the server will bind it."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as e:
        fail(f"cannot listen on {host}:{port}: {e.strerror or e}")
    for family, kind, proto, _, address in found:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio does
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as e:
                in_use = e.errno == errno.EADDRINUSE
                fail(f"cannot listen on {host}:{port}: {'the port is in use' if in_use else e}")


@contextmanager
def refusals(what: str) -> Iterator[None]:
    """Turn a bad id or a refusal by the ledger into a clear message and an exit code."""
    try:
        yield
    except BangfuError as e:
        err.print(f"[red]{e.detail}[/red]")
        raise typer.Exit(1) from None
    except ValueError:
        err.print(f"[red]that is not a {what} id (a UUID)[/red]")
        raise typer.Exit(2) from None


def read_views(centre: str | None) -> tuple[Ledger, Views, str | None]:
    """The store, its views brought up to now (however far a projector got), and the id of
    the centre whose subtree is asked for (None: the whole tree; exit 2 on a bad id)."""
    ledger = open_store(Settings())
    with refusals("centre"):
        scope = str(ledger.centre(SYSTEM, UUID(centre)).id) if centre else None
    views = Views(ledger)
    views.projector.run_once()
    return ledger, views, scope
