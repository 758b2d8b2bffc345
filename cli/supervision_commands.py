"""Commands for fund supervision: checkpoint, verify, audit packages, erasure."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from api.observability.verifications import Verifications
from cli.base import app, console, err, fail, open_app, open_store, progress_bar, refusals
from domain.access import SYSTEM
from domain.cases import Case
from domain.errors import BangfuError
from settings import Settings
from supervision.package import DestinationError, check_destination
from supervision.package import export as export_package
from supervision.package_verify import verify_package
from supervision.records import from_ledger, is_
from supervision.scope import Scope
from supervision.signing import ExpectedKey
from supervision.verify import verify as verify_chain


@app.command()
def checkpoint() -> None:
    """Sign the chain's head now with the configured Ed25519 key."""
    bangfu = open_app(Settings())
    taken = bangfu.checkpoints.take(bangfu.signer)
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
    bangfu = open_app(Settings())
    ledger = bangfu.ledger
    pem = public_key.read_text() if public_key else bangfu.signer.public_key_pem
    head = ledger.recorder.max_notification_id() or 0
    started = time.perf_counter()
    with progress_bar("Verifying 校验", head) as (progress, task):
        report = verify_chain(ledger, pem, progress=partial(progress.advance, task))
    seconds = time.perf_counter() - started
    console.print(
        f"Checked {report.events} events and {report.checkpoints} signed checkpoints "
        f"in {seconds:.1f} s; head link {report.head}"
    )
    for key_id, count in report.keys.items():  # each key by the key history (keys list)
        console.print(f"  key 签名密钥 {key_id}: {count} checkpoint(s)", highlight=False)
    if report.ok:
        Verifications(ledger).record(head)  # /metrics: bangfu_chain_verified_age_seconds
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
    yes: Annotated[bool, typer.Option("--yes", help="erase without asking to confirm")] = False,
) -> None:
    """Destroy a household's key: its personal data becomes unreadable everywhere, while
    balances, flows, the chain and every signed checkpoint still verify. Asks first unless
    --yes is given; with no answer (no terminal) nothing is erased and it exits 1."""
    ledger = open_store(Settings())
    with refusals("case"):
        case_id = UUID(case)
        ledger.case(SYSTEM, case_id)  # an unknown case is refused before anything is asked
    if not yes:
        try:
            confirmed = typer.confirm(
                f"Erase the personal data of case {case_id} for good (its key is destroyed)?",
                default=False,
            )
        except typer.Abort:  # no terminal to answer from
            confirmed = False
        if not confirmed:
            fail(f"Nothing erased: case {case_id} keeps its personal data.")
    with refusals("case"):
        ledger.erase_personal_data(SYSTEM, case_id, reason)
    console.print(f"The personal data of case {case_id} is erased (its key was destroyed).")


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
    """Write an audit package: events, chain proofs, signed checkpoint, public key, figures.

    The zip is written with mode 0600 through a temporary file renamed into place; a symbolic
    link at --out is refused. Nothing is signed or read until the scope and --out are checked."""
    settings = Settings()
    scope = Scope(fund_id=fund, centre_id=centre, date_from=date_from, date_to=date_to)
    try:
        scope.check()
        check_destination(out)
    except BangfuError as e:
        fail(e.detail, 2)
    except DestinationError as e:
        fail(str(e), 2)
    bangfu = open_app(settings)
    ledger = bangfu.ledger
    if ledger.is_empty():
        fail("The log is empty; there is nothing to export yet.")
    personal = None
    if with_personal_data:
        records = scope.select(list(from_ledger(ledger)))
        sealed = {UUID(r["id"]): r["person_sealed"] for r in records if is_(r, Case.Registered)}
        personal = ledger.read_personal_data(SYSTEM, sealed, f"audit package {out.name}")
    signer = bangfu.signer
    try:
        manifest = export_package(ledger, signer, out, scope, personal)
    except DestinationError as e:
        fail(str(e), 2)
    except BangfuError as e:
        fail(e.detail)
    console.print(
        f"Wrote {out}: {manifest['events']} events, proven up to the checkpoint at "
        f"position {manifest['checkpoint']['position']}, signed by key {signer.key_id} "
        f"(fingerprint {signer.fingerprint}).",
        soft_wrap=True,
        highlight=False,
    )


@audit_app.command("verify")
def audit_verify(
    file: Path,
    public_key: Annotated[
        Path | None,
        typer.Option(help="a PEM public key the package must be signed with (as published)"),
    ] = None,
    key_id: Annotated[
        str | None, typer.Option(help="the 16-hex key id it must be signed with")
    ] = None,
    fingerprint: Annotated[
        str | None,
        typer.Option(help="the 64-hex fingerprint (SHA-256 of the PEM) it must be signed with"),
    ] = None,
) -> None:
    """Check an audit package offline; exit 1 if anything does not hold. Pin the key the ledger
    publishes (--public-key, --key-id or --fingerprint): without a pin, a package re-signed
    with any other key also verifies."""
    expected = _expected_key(public_key, key_id, fingerprint)
    verdict = verify_package(file, expected)
    if not verdict.readable:
        fail(f"{file} is not a readable audit package: {verdict.problems[0]}")
    if verdict.key_id is not None:
        console.print(
            f"Signed by key {verdict.key_id}, fingerprint {verdict.fingerprint}"
            + (" (the pinned key)" if expected is not None and verdict.ok else ""),
            soft_wrap=True,
            highlight=False,
        )
    if expected is None:
        err.print(
            "[yellow]Warning: the signing key was not pinned, so a package re-signed with any "
            "key would pass too. Compare the fingerprint above with the one the ledger "
            "publishes (GET /audit/public-key), or pass --public-key, --key-id or "
            "--fingerprint.[/yellow]",
            soft_wrap=True,
        )
    if verdict.ok:
        console.print(
            f"[green]{file}: {verdict.events} events verified; the chain reaches the "
            f"signed checkpoint at position {verdict.checkpoint_position}; every "
            "computed figure matches.[/green]"
        )
        return
    console.print(f"[red]{file} does not verify:[/red]")
    for problem in verdict.problems:
        console.print(f"  {problem}", soft_wrap=True, highlight=False, markup=False)
    raise typer.Exit(1)


def _expected_key(
    public_key: Path | None, key_id: str | None, fingerprint: str | None
) -> ExpectedKey | None:
    """The pin the options give (exit 2 on a malformed one), or None when none is given."""
    if public_key is None and key_id is None and fingerprint is None:
        return None
    try:
        pem = public_key.read_text() if public_key is not None else None
    except (OSError, UnicodeDecodeError) as e:
        fail(f"cannot read the public key {public_key}: {getattr(e, 'strerror', None) or e}", 2)
    try:
        return ExpectedKey(
            public_key_pem=pem,
            key_id=key_id.strip() if key_id is not None else None,
            fingerprint="".join(fingerprint.replace(":", "").split())
            if fingerprint is not None
            else None,
        )
    except ValueError as e:
        fail(f"--public-key/--key-id/--fingerprint: {e}", 2)
