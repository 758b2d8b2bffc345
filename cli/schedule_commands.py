"""`bangfu schedule`: recurring subsidies (定期生活补助): set one up for a household, pay a month,
run a month for a centre's subtree, stop one, list them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table

from cli.base import app, console, read_views, refusals
from cli.recording import AsUser, Day, actor, business_day, record
from domain.access import Permission
from domain.application import Context, Ledger, Outcome
from domain.money import parse_yuan, yuan
from domain.schedules import MonthStatus
from domain.vocabulary import AssistanceType
from projections import schedules as view

schedule_app = typer.Typer(
    help="Recurring subsidies (定期生活补助): a household paid every month from one fund",
    no_args_is_help=True,
)
app.add_typer(schedule_app, name="schedule")

Centre = Annotated[str | None, typer.Option(help="a centre's subtree (the whole tree if unset)")]
Month = Annotated[str, typer.Option(help="the month, YYYY-MM")]


@schedule_app.command("set")
def set_up(
    case: str,
    fund: Annotated[str, typer.Option(help="the fund it draws on (earmarked for the type)")],
    start: Annotated[str, typer.Option(help="the first month, YYYY-MM")],
    months: Annotated[int, typer.Option(min=1, max=60, help="how many months")],
    kind: Annotated[AssistanceType, typer.Option("--type")] = AssistanceType.LIVING_RELIEF,
    amount: Annotated[str | None, typer.Option(help="yuan a month (the standard)")] = None,
    reason: Annotated[str, typer.Option(help="why the amount is not the standard")] = "",
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Set up a household's schedule: the standard in force for its category unless --amount
    is given with --reason; prints the schedule's id."""

    def write(ledger: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        fen = parse_yuan(amount) if amount is not None else None
        return ledger.set_schedule(
            ctx, UUID(case), UUID(fund), start, months, kind, fen, reason, on
        )

    record("Schedule 定期生活补助", "case or fund", day, as_user, write)


@schedule_app.command("stop")
def stop(
    schedule: str,
    reason: Annotated[str, typer.Option(help="why")],
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Stop a schedule by hand: it pays no more."""

    def write(ledger: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        return ledger.stop_schedule(ctx, UUID(schedule), reason, on)

    record("Stopped 停发", "schedule", day, as_user, write)


@schedule_app.command("run")
def run(
    month: Month,
    centre: Centre = None,
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Pay the month of every active schedule of the subtree due that month; running it twice
    pays once. Prints what became of each schedule; exit 1 if any was refused."""
    ledger, views, scope = read_views(centre)
    on = business_day(day)
    with refusals("schedule"):
        who = actor(ledger, as_user)
        who.require(Permission.RECORD_MONEY, ledger.centre(who, UUID(scope)).path if scope else [])
        ids = [UUID(s) for s in view.due(views.schedules, scope, month)]
        done = ledger.run_schedules(Context(who), ids, month, on)
    table = Table(title=f"Schedules run for {done.month} 定期生活补助发放: {len(done.lines)}")
    for column in ("schedule", "status 状态", "payment", "amount 金额", "reason 原因"):
        table.add_column(column, justify="right" if column.startswith("amount") else "left")
    for line in done.lines:
        table.add_row(
            str(line.schedule_id), f"{line.status.zh} {line.status.value}",
            str(line.payment_id or ""), yuan(line.amount_fen) if line.payment_id else "",
            line.reason,
        )  # fmt: skip
    console.print(table)
    counts = ", ".join(f"{s.zh} {s.value}: {done.count(s)}" for s in MonthStatus)
    console.print(f"{counts}; paid 本次发放 {yuan(done.paid_fen)} yuan")
    if done.count(MonthStatus.REFUSED):
        raise typer.Exit(1)


@schedule_app.command("list")
def list_schedules(
    centre: Centre = None,
    month: Annotated[str | None, typer.Option(help="only those whose span holds it")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
) -> None:
    """The subtree's schedules in the order they were set up, with what each has paid."""
    _, views, scope = read_views(centre)
    rows = view.listing(views.schedules, scope, month, limit)
    table = Table(title=f"Recurring subsidies 定期生活补助: {len(rows)}")
    for column in ("schedule", "case", "monthly 月额", "span", "paid 已发", "state 状态"):
        table.add_column(column)
    for r in rows:
        state = "发放中 active" if r["active"] else f"已停发 stopped {r['stopped_on']}"
        table.add_row(
            r["id"], r["case_id"], r["monthly"], f"{r['first_due_month']}..{r['end_month']}",
            f"{r['months_paid']} / {r['paid']}", state,
        )  # fmt: skip
    console.print(table)
