"""Commands for fund supervision: checkpoint, verify, audit packages, erasure."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.settings import Settings
from cli.base import app, console, err, open_store, refusals
from domain.access import SYSTEM
from supervision.checkpoints import Checkpoints
from supervision.package import Scope, verify_package
from supervision.package import export as export_package
from supervision.records import from_ledger
from supervision.signing import Signer
from supervision.verify import verify as verify_chain


@app.command()
def checkpoint() -> None:
    """Sign the chain's head now with the configured Ed25519 key."""
    settings = Settings()
    taken = Checkpoints(open_store(settings)).take(Signer(settings.signing_key_file))
    if taken is None:
        err.print("The log is empty; there is nothing to sign yet.")
        raise typer.Exit(1)
    console.print(
        f"Checkpoint at position {taken.position}: link {taken.link}, "
        f"{taken.taken_at}, key {taken.key_id}"
    )


@app.command()
def verify(
    public_key: Annotated[
        Path | None,
        typer.Option(help="a PEM public key to trust (default: the configured signing key's)"),
    ] = None,
) -> None:
    """Walk the hash chain and the signed checkpoints; exit 1 at any fault."""
    settings = Settings()
    ledger = open_store(settings)
    pem = public_key.read_text() if public_key else Signer(settings.signing_key_file).public_key_pem
    head = ledger.recorder.max_notification_id() or 0
    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]Verifying 校验"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    ) as progress:
        task = progress.add_task("verify", total=head)
        report = verify_chain(ledger, pem, progress=partial(progress.advance, task))
    seconds = time.perf_counter() - started
    console.print(
        f"Checked {report.events} events and {report.checkpoints} signed checkpoints "
        f"in {seconds:.1f} s; head link {report.head}"
    )
    if report.ok:
        console.print(
            "[green]The log is intact: every event links into the chain, and every "
            "checkpoint verifies.[/green]"
        )
        return
    console.print(f"[red]{len(report.faults)} fault(s). The first:[/red] {report.faults[0]}")
    for fault in report.faults[1:20]:
        console.print(f"  {fault}")
    raise typer.Exit(1)


@app.command("erase-personal-data")
def erase_personal_data(
    case: str,
    reason: Annotated[
        str, typer.Option(help="why, e.g. the 10-year retention ended")
    ] = "retention period ended",
) -> None:
    """Destroy a household's key: its personal data becomes unreadable everywhere, while
    balances, flows, the chain and every signed checkpoint still verify."""
    ledger = open_store(Settings())
    with refusals("case"):
        ledger.erase_personal_data(SYSTEM, UUID(case), reason)
    console.print(f"The personal data of case {case} is erased (its key was destroyed).")


audit_app = typer.Typer(help="Audit packages anyone can verify offline.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("export")
def audit_export(
    out: Annotated[Path, typer.Option(help="the zip file to write")],
    fund: Annotated[str | None, typer.Option(help="a fund and its descendants")] = None,
    centre: Annotated[str | None, typer.Option(help="a centre and its subtree")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="first date (ISO)")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="last date (ISO)")] = None,
    with_personal_data: Annotated[
        bool, typer.Option(help="include decrypted personal data (recorded as a read)")
    ] = False,
) -> None:
    """Write an audit package: events, chain proofs, signed checkpoint, public key, figures."""
    settings = Settings()
    ledger = open_store(settings)
    scope = Scope(fund_id=fund, centre_id=centre, date_from=date_from, date_to=date_to)
    personal = None
    if with_personal_data:
        records = scope.select(list(from_ledger(ledger)))
        sealed = {
            UUID(r["id"]): r["person_sealed"] for r in records if r["kind"] == "Case.Registered"
        }
        personal = ledger.read_personal_data(SYSTEM, sealed, f"audit package {out.name}")
    manifest = export_package(ledger, Signer(settings.signing_key_file), out, scope, personal)
    console.print(
        f"Wrote {out}: {manifest['events']} events, proven up to the checkpoint at "
        f"position {manifest['checkpoint_position']}."
    )


@audit_app.command("verify")
def audit_verify(file: Path) -> None:
    """Check an audit package offline; exit 1 if anything does not hold."""
    verdict = verify_package(file)
    if verdict.ok:
        console.print(
            f"[green]{file}: {verdict.events} events verified; the chain reaches the "
            f"signed checkpoint at position {verdict.checkpoint_position}; every "
            "computed figure matches.[/green]"
        )
        return
    console.print(f"[red]{file} does not verify:[/red]")
    for problem in verdict.problems:
        console.print(f"  {problem}")
    raise typer.Exit(1)
