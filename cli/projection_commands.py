"""Commands for the read models: project, projections status and rebuild."""

from __future__ import annotations

import signal
import threading
import time
from functools import partial
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, TaskID
from rich.table import Table

from cli.base import app, console, err, open_app, open_store, progress_bar
from projections import Views
from projections.rebuild import rebuild_key
from projections.view import ViewFailedError
from projections.view_errors import RebuildRunningError
from settings import Settings
from stores import describe

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
    bangfu = open_app(settings)
    views = Views(bangfu.ledger, batch_size)
    views.projector.after_run.append(bangfu.checkpoint_schedule().tick)
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
def projections_status(
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="exit 1 when a view has failed or lags more than --max-lag events (for health "
            "checks and cron)",
        ),
    ] = False,
    max_lag: Annotated[
        int | None,
        typer.Option(
            min=0, help="events a view may lag with --check (BANGFU_READY_MAX_LAG_EVENTS)"
        ),
    ] = None,
) -> None:
    """Show each view's position and lag behind the log, and the event it stopped at if it
    cannot apply one."""
    settings = Settings()
    ledger = open_store(settings)
    views = Views(ledger)
    head = ledger.recorder.max_notification_id() or 0
    failures = views.projector.failures()
    table = Table(title=f"Views 视图 (log head {head})")
    for column in ("view", "generation", "position", "lag", "failed at", "error"):
        table.add_column(column, justify="left" if column in ("view", "error") else "right")
    for view in views.projector.views:
        state = views.projector.state(view.name)
        assert state is not None
        failure = failures.get(view.name)
        table.add_row(
            view.name,
            str(state.generation),
            str(state.position),
            str(head - state.position),
            str(failure.position) if failure else "",
            escape(failure.error[:60]) if failure else "",
        )
    console.print(table)
    for view in views.projector.views:
        if rebuilding := views.projector.state(rebuild_key(view.name)):
            console.print(
                f"{view.name}: 重建中 rebuilding generation {rebuilding.generation}, at position "
                f"{rebuilding.position} of {head}; `bangfu projections rebuild {view.name}` "
                "resumes it."
            )
    for name, failure in failures.items():
        console.print(
            f"{name}: {failure.describe()} (since {failure.failed_at}, last tried "
            f"{failure.tried_at}); it is tried again every minute and on restart, and "
            f"`bangfu projections rebuild {name}` rebuilds it.",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if check:
        bound = settings.ready_max_lag_events if max_lag is None else max_lag
        behind = [
            view.name
            for view in views.projector.views
            if head - _position(views, view.name) > bound
        ]
        if failures or behind:
            err.print(
                f"[red]Not ready 未就绪:[/red] failed {', '.join(failures) or 'none'}; "
                f"more than {bound} events behind {', '.join(behind) or 'none'}"
            )
            raise typer.Exit(1)


def _position(views: Views, name: str) -> int:
    state = views.projector.state(name)
    return state.position if state else 0


@projections_app.command("rebuild")
def projections_rebuild(
    name: Annotated[
        str | None, typer.Argument(help="archive, funds or audit; all when left out")
    ] = None,
    restart: Annotated[
        bool, typer.Option("--restart", help="start afresh instead of resuming a stopped rebuild")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="events per transaction")] = 2000,
) -> None:
    """Rebuild views from the whole log beside the ones in use, then switch over; a rebuild
    that was stopped half-way resumes where it stopped."""
    ledger = open_store(Settings())
    views = Views(ledger, batch_size)
    names = [name] if name else [v.name for v in views.projector.views]
    head = ledger.recorder.max_notification_id() or 0
    for view_name in names:
        try:
            views.projector.view(view_name)
        except KeyError as e:
            err.print(f"[red]{e.args[0]}[/red]")
            raise typer.Exit(2) from None
        with progress_bar(f"Rebuilding {view_name}", head) as (progress, task):
            started = time.perf_counter()
            try:
                applied = views.projector.rebuild(
                    view_name,
                    partial(progress.advance, task),
                    restart=restart,
                    starting=partial(_starting, view_name, head, progress, task),
                )
            except RebuildRunningError as e:
                progress.stop()
                err.print(f"[red]{escape(str(e))}[/red]")
                raise typer.Exit(1) from None
            except ViewFailedError as e:
                progress.stop()
                err.print(
                    f"[red]The rebuild of {view_name} stopped: "
                    f"{escape(e.failure.describe())}[/red]\n"
                    f"The {view_name} view in use is left as it was."
                )
                raise typer.Exit(1) from None
            progress.update(task, completed=head)
        seconds = time.perf_counter() - started
        console.print(
            f"{view_name}: {applied} events in {seconds:.1f} s "
            f"({applied / max(seconds, 1e-9):,.0f} events/s)"
        )


def _starting(name: str, head: int, progress: Progress, task: TaskID, position: int) -> None:
    """Say where a rebuild resumes (a fresh one starts at 0 and says nothing)."""
    if position:
        progress.update(task, completed=position)
        console.print(f"{name}: 续建 resuming at position {position} of {head}")
