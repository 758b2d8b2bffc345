"""`bangfu serve | demo | user add | user token`."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.app import create_app
from api.settings import Settings
from cli.demo import DemoBuilder, DemoData, reissue_tokens
from domain.access import SYSTEM
from domain.application import Ledger
from domain.errors import BangfuError
from domain.vocabulary import Role
from projections import Views
from stores import StoreConfigError, describe, open_ledger
from supervision.checkpoints import Checkpoints, Scheduler
from supervision.package import Scope, verify_package
from supervision.package import export as export_package
from supervision.records import from_ledger
from supervision.signing import Signer
from supervision.verify import verify as verify_chain

app = typer.Typer(help="Bangfu (帮扶): the hardship-assistance ledger.", no_args_is_help=True)
user_app = typer.Typer(help="Users and their bearer tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")
console = Console()
err = Console(stderr=True)


def _ledger(settings: Settings) -> Ledger:
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


def load_demo(ledger: Ledger, households: int) -> DemoData:
    with Progress(
        TextColumn("[bold]Loading demo data 演示数据"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    ) as progress:
        task = progress.add_task("demo", total=None)
        builder = DemoBuilder(ledger, households, tick=lambda n: progress.advance(task, n))
        progress.update(task, total=builder.steps())
        data = builder.build()
        progress.update(task, completed=builder.steps())
    return data


def _print_tokens(tokens: dict[str, str], base_url: str | None = None) -> None:
    table = Table(title="Demo users 演示用户 (tokens are shown once)")
    table.add_column("user")
    table.add_column("token")
    for name, token in tokens.items():
        table.add_row(name, token)
    console.print(table)
    if base_url:
        console.print(
            f"Try: curl -H 'Authorization: Bearer {tokens['demo-auditor']}' {base_url}/vocabulary"
        )


@app.command()
def demo(
    households: Annotated[
        int, typer.Option(min=5, max=10_000_000, help="how many archived households")
    ] = 300,
) -> None:
    """Load a realistic demo data set into an empty store and print a token per role."""
    settings = Settings()
    ledger = _ledger(settings)
    if not ledger.is_empty():
        err.print(
            f"[red]The store ({describe(settings.database_url)}) already holds events;[/red] "
            "the demo loads only into an empty store. Point BANGFU_DATABASE_URL "
            "elsewhere, or use `bangfu serve --demo` to reuse it."
        )
        raise typer.Exit(1)
    data = load_demo(ledger, households)
    console.print(
        f"Loaded {len(data.centres)} centres, {len(data.funds)} funds, "
        f"{len(data.cases)} households into {describe(settings.database_url)}."
    )
    console.print(f"Root centre 市帮扶中心: {data.root_centre_id}")
    _print_tokens(data.tokens)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    with_demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="load the demo data set if the store is empty, "
            "else print new tokens for the demo users",
        ),
    ] = False,
) -> None:
    """Start the HTTP API (OpenAPI at /docs)."""
    settings = Settings()
    ledger = _ledger(settings)
    host, port = host or settings.host, port or settings.port
    base_url = f"http://{host}:{port}"
    if with_demo:
        if ledger.is_empty():
            _print_tokens(load_demo(ledger, 300).tokens, base_url)
        else:
            try:
                _print_tokens(reissue_tokens(ledger), base_url)
            except BangfuError:
                err.print(
                    "[yellow]This store holds data but no demo users;[/yellow] "
                    "add a user with `bangfu user add NAME --role admin`."
                )
    console.print(
        f"Bangfu 帮扶 on {describe(settings.database_url)}: open {base_url}/docs in a browser"
    )
    uvicorn.run(create_app(ledger, settings), host=host, port=port, log_level="info")


@user_app.command("add")
def user_add(
    name: str,
    role: Annotated[Role, typer.Option(help="admin, finance, caseworker, supervisor or auditor")],
    centre: Annotated[
        str | None, typer.Option(help="limit the user to this centre's subtree")
    ] = None,
) -> None:
    """Add a user; prints the bearer token once, on the last line (only a hash is kept)."""
    ledger = _ledger(Settings())
    with refusals("centre"):
        token = ledger.add_user(SYSTEM, name, role, UUID(centre) if centre else None)
    err.print(f"User {name} ({role.value} {role.zh}) added. Their token, shown only now:")
    print(token)


@user_app.command("token")
def user_token(name: str) -> None:
    """Issue a new token for a user (the old one stops working); prints it on the last line."""
    ledger = _ledger(Settings())
    with refusals("user"):
        token = ledger.issue_token(SYSTEM, name)
    print(token)


projections_app = typer.Typer(
    help="The read models (views) built from the log.", no_args_is_help=True
)
app.add_typer(projections_app, name="projections")


@app.command()
def project(
    poll: Annotated[float, typer.Option(help="seconds between looks at the log")] = 0.5,
    batch_size: Annotated[int, typer.Option(min=1, help="events per transaction")] = 2000,
) -> None:
    """Run the projections as their own process (serve with BANGFU_PROJECT_IN_PROCESS=false)."""
    settings = Settings()
    ledger = _ledger(settings)
    views = Views(ledger, batch_size)
    views.projector.after_run.append(
        Scheduler(
            Checkpoints(ledger),
            Signer(settings.signing_key_file),
            settings.checkpoint_every_events,
            settings.checkpoint_every_seconds,
        ).tick
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    console.print(
        f"Projecting {describe(settings.database_url)} into "
        f"{', '.join(v.name for v in views.projector.views)}; Ctrl-C to stop."
    )
    try:
        views.projector.run_forever(stop, poll)
    except KeyboardInterrupt:
        stop.set()


@projections_app.command("status")
def projections_status() -> None:
    """Show each view's position and lag behind the log."""
    ledger = _ledger(Settings())
    views = Views(ledger)
    head = ledger.recorder.max_notification_id() or 0
    table = Table(title=f"Views 视图 (log head {head})")
    for column in ("view", "generation", "position", "lag"):
        table.add_column(column, justify="right" if column != "view" else "left")
    for view in views.projector.views:
        state = views.projector.state(view.name)
        assert state is not None
        table.add_row(
            view.name, str(state.generation), str(state.position), str(head - state.position)
        )
    console.print(table)


@projections_app.command("rebuild")
def projections_rebuild(
    name: Annotated[
        str | None, typer.Argument(help="archive, funds or audit; all when left out")
    ] = None,
) -> None:
    """Rebuild views from the whole log beside the ones in use, then switch over."""
    ledger = _ledger(Settings())
    views = Views(ledger)
    names = [name] if name else [v.name for v in views.projector.views]
    head = ledger.recorder.max_notification_id() or 0
    for view_name in names:
        try:
            views.projector.view(view_name)
        except KeyError as e:
            err.print(f"[red]{e.args[0]}[/red]")
            raise typer.Exit(2) from None
        with Progress(
            TextColumn(f"[bold]Rebuilding {view_name}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
        ) as progress:
            task = progress.add_task(view_name, total=head)
            started = time.perf_counter()
            applied = views.projector.rebuild(view_name, partial(progress.advance, task))
            progress.update(task, completed=head)
        seconds = time.perf_counter() - started
        console.print(
            f"{view_name}: {applied} events in {seconds:.1f} s "
            f"({applied / max(seconds, 1e-9):,.0f} events/s)"
        )


@app.command()
def checkpoint() -> None:
    """Sign the chain's head now with the configured Ed25519 key."""
    settings = Settings()
    taken = Checkpoints(_ledger(settings)).take(Signer(settings.signing_key_file))
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
    ledger = _ledger(settings)
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
    ledger = _ledger(Settings())
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
    ledger = _ledger(settings)
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
