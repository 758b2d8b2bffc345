"""`bangfu backup data|keys` and `bangfu restore`: the data and the keys backed up apart, and a
restore that destroys again every erased household's key, then verifies the chain."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from rich.progress import Progress, TaskID

from cli.base import app, console, err, fail, open_app, progress_bar, refusals
from settings import Settings
from stores import StoreConfigError, describe
from stores.backup import BackupError, Manifest, backup_data
from stores.backup import Progress as PageProgress
from stores.backup_keys import backup_keys, keys_backup_erasures
from stores.erasure_record import Erasure, ErasureRecord, ErasureRecordError
from stores.restore import check_backup, check_target, note_erasures, restore_data

backup_app = typer.Typer(
    help="Back up the data, and the keys apart from it (备份).", no_args_is_help=True
)
app.add_typer(backup_app, name="backup")


@contextmanager
def _refusals() -> Iterator[None]:
    """A refused backup or restore, or a store or file that fails, as one red line (exit 1)."""
    try:
        yield
    except (BackupError, ErasureRecordError, StoreConfigError) as e:
        fail(str(e))
    except (psycopg.Error, sqlite3.Error, OSError) as e:
        fail(" ".join(str(e).split()) or type(e).__name__)


def _pages(progress: Progress, task: TaskID) -> PageProgress:
    return lambda done, total: progress.update(task, completed=done, total=total or None)


@backup_app.command("data")
def backup_data_command(
    out: Annotated[Path, typer.Argument(help="the backup file to write (never overwritten)")],
) -> None:
    """Back up the store (pg_dump of its schema, or SQLite's online backup), check the copy,
    and write its manifest (SHA-256, head position, event count) beside it. The keys are not
    in it: back them up with `bangfu backup keys`, and keep the two apart."""
    settings = Settings()
    with _refusals(), progress_bar("Backing up 备份") as (progress, task):
        manifest = backup_data(settings.database_url, out, _pages(progress, task))
    console.print(
        f"Backed up {describe(settings.database_url)} to {out} 已备份: {manifest.events} events, "
        f"head position {manifest.head_position}, SHA-256 {manifest.sha256[:16]}…; "
        f"manifest {Manifest.path(out)}"
    )
    err.print(
        "[yellow]The keys are not in this backup: run `bangfu backup keys` too, and store the "
        "two apart 密钥须另行备份并分开保存.[/yellow]"
    )


@backup_app.command("keys")
def backup_keys_command(
    out: Annotated[
        Path, typer.Argument(help="a new folder, or a tarball when the name ends in .tar.gz")
    ],
) -> None:
    """Copy the signing keys, the master key file and the erasure record (each with their
    retired versions) to OUT, mode 600, with a manifest."""
    settings = Settings()
    master_file = None if settings.master_key else settings.master_key_file
    with _refusals():
        manifest = backup_keys(
            out, settings.signing_key_file, master_file, settings.erasure_record_path
        )
    console.print(
        f"Backed up {len(manifest['files'])} key files and {manifest['erasures']} recorded "
        f"erasures to {out} (mode 600) 密钥已备份."
    )
    if settings.master_key:
        err.print("[yellow]The master key comes from BANGFU_MASTER_KEY: keep it too.[/yellow]")
    err.print(
        "[yellow]Store this apart from the data backups 与数据备份分开保存: whoever holds both "
        "can read every household's personal data that was not erased.[/yellow]"
    )


@app.command()
def restore(
    data: Annotated[Path, typer.Argument(help="a file written by `bangfu backup data`")],
    keys: Annotated[
        Path | None,
        typer.Option(help="a keys backup whose erasure record is re-applied too"),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="replace a store that holds events")
    ] = False,
) -> None:
    """Restore a data backup in place of the store, destroy again the key of every erasure in
    the erasure record (and in --keys' record), then verify the chain. Stop `bangfu serve`
    and `bangfu project` first. Exits 1 if the backup is refused or verification fails."""
    settings = Settings()
    record = ErasureRecord(settings.erasure_record_path)
    with _refusals():
        manifest = check_backup(data)
        check_target(settings.database_url, manifest, force=force)
        had_record = record.path.exists()
        record.add_missing(keys_backup_erasures(keys) if keys else [])
        erasures = record.entries()
        with progress_bar("Restoring 恢复") as (progress, task):
            destroyed = restore_data(settings.database_url, data, erasures, _pages(progress, task))
    console.print(
        f"Restored {describe(settings.database_url)} from {data} 已恢复: {manifest.events} "
        f"events, head position {manifest.head_position}, backed up {manifest.created_at}."
    )
    console.print(
        f"Re-applied {len(erasures)} recorded erasures 重新执行删除: {destroyed} household keys "
        "that the backup still held are destroyed again."
    )
    if not had_record and keys is None:
        err.print(
            f"[yellow]There is no erasure record at {record.path} and no --keys was given: "
            "erasures made after this backup were not re-applied. Restore again with --force "
            "--keys <the newest keys backup>.[/yellow]"
        )
    _note_and_verify(settings, erasures)


def _note_and_verify(settings: Settings, erasures: list[Erasure]) -> None:
    """Record in the ledger the erasures its events lack, then run `bangfu verify`."""
    bangfu = open_app(settings)  # exits 2 with a clear line if the master key does not fit
    try:
        with refusals("case"):
            noted = note_erasures(bangfu.ledger, erasures)
    finally:
        bangfu.close()
    if noted:
        console.print(
            f"Recorded {noted} erasures in the ledger that were made after the backup was taken."
        )
    console.print(
        "The read models came back with the data; `bangfu serve` or `bangfu project` projects "
        "what was recorded since."
    )
    if not settings.signing_key_file.exists():
        fail(
            f"Not verified: the signing key is not at {settings.signing_key_file}; put it back "
            "from the keys backup, then run `bangfu verify`."
        )
    from cli.supervision_commands import verify

    verify(public_key=None)  # prints the verdict; exit 1 at any fault
