"""The `bangfu` command's shared pieces: the Typer app, consoles, opening the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from api.settings import Settings
from domain.application import Ledger
from domain.errors import BangfuError
from stores import StoreConfigError, open_ledger

app = typer.Typer(help="Bangfu (帮扶): the hardship-assistance ledger.", no_args_is_help=True)
user_app = typer.Typer(help="Users and their bearer tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")
console = Console()
err = Console(stderr=True)


def open_store(settings: Settings) -> Ledger:
    """The store the settings name, with its vault; a clear message if the URL is wrong."""
    try:
        return open_ledger(
            settings.database_url,
            create_tables=settings.create_tables,
            master_key=settings.master_key,
            master_key_file=settings.master_key_file,
        )
    except StoreConfigError as e:
        err.print(f"[red]Configuration error:[/red] {e}")
        raise typer.Exit(2) from None


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
