"""The `bangfu` command's shared pieces: the Typer app, consoles, opening the store."""

from __future__ import annotations

import errno
import logging
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn
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
from typer.core import TyperGroup

from bootstrap import App, bootstrap
from domain.access import SYSTEM
from domain.application import Ledger
from domain.errors import BangfuError
from projections import Views
from settings import Settings
from stores import StoreConfigError, describe
from stores.migrations import StoreSchemaError
from stores.vault import MasterKeyError


class _NamedGroup(TyperGroup):
    """The `bangfu` group; it notes the full name of the command it runs (``user add``, never
    an argument) for that command's log line."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        resolved = name, command, rest = super().resolve_command(ctx, args)
        names, tokens = [name or "bangfu"], list(rest)
        while tokens and tokens[0] in (nested := getattr(command, "commands", None) or {}):
            names.append(tokens[0])
            command = nested[tokens.pop(0)]
        ctx.meta["bangfu.command"] = " ".join(names)
        return resolved


app = typer.Typer(
    cls=_NamedGroup, help="Bangfu (帮扶): the hardship-assistance ledger.", no_args_is_help=True
)
user_app = typer.Typer(help="Users, their bearer tokens and passwords.", no_args_is_help=True)
app.add_typer(user_app, name="user")
console = Console()
err = Console(stderr=True)


@app.callback()
def _log_the_command(ctx: typer.Context) -> None:
    """Set up logging (api/observability/logs.py) and log one line when the command ends:
    its name, exit status and duration; imported here, so that `bangfu --help` stays quick."""
    from api.observability.logs import (
        COMMANDS_LOGGER,
        URL_LOGGERS,
        LogSettingsError,
        command_logged,
        configure_from,
    )

    name = ctx.meta.get("bangfu.command") or ctx.invoked_subcommand or "bangfu"
    ctx.with_resource(_logging_restored((COMMANDS_LOGGER, *URL_LOGGERS)))  # closed last
    try:
        configure_from(Settings(), name.split()[0])
    except LogSettingsError as e:
        fail(str(e), 2)
    except ValueError:  # another setting is wrong: the command itself will say which
        pass
    ctx.with_resource(command_logged(name))


@contextmanager
def _logging_restored(names: tuple[str, ...]) -> Iterator[None]:
    """Put logging back as it was when the command ends: the root logger's handlers and level
    and those of ``names``. A command run inside another program (a test's CliRunner) must not
    leave that program a handler on its own stderr, closed by then, and the root at INFO."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    levels = [(logger, logger.level) for logger in (root, *map(logging.getLogger, names))]
    try:
        yield
    finally:
        for added in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(added)
            added.close()
        for removed in [h for h in handlers if h not in root.handlers]:
            root.addHandler(removed)
        for logger, level in levels:
            logger.setLevel(level)


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
    except OPENING_ERRORS as e:
        refuse_store(settings, e)


OPENING_ERRORS = (
    StoreConfigError,
    MasterKeyError,
    StoreSchemaError,
    PersistenceError,
    psycopg.Error,
    sqlite3.Error,
    OSError,
)
"""What opening (or migrating) a store can raise that is the user's to fix."""


def refuse_store(settings: Settings, e: Exception) -> NoReturn:
    """One line for an error of OPENING_ERRORS, and exit 2."""
    if isinstance(e, StoreConfigError | MasterKeyError):
        err.print(f"[red]Configuration error:[/red] {e}")
        raise typer.Exit(2) from None
    if isinstance(e, StoreSchemaError):  # behind or newer than this code (stores/migrations.py)
        fail(f"{e} ({describe(settings.database_url)})", 2)
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
