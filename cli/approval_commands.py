"""`bangfu approval`: maker-checker (支付审批). Request a payment (the fund reserves it), approve,
reject or void it; an approver's queue; the history of a subtree, fund or case; expiry."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table

from cli.base import app, console, open_store, read_views, refusals
from cli.recording import AsUser, Day, actor, record
from domain.application import Context, Ledger, Outcome
from domain.money import parse_yuan
from domain.vocabulary import AssistanceType
from projections import Views
from projections import approvals as view
from settings import Settings

approval_app = typer.Typer(
    help="Maker-checker (支付审批): payment requests, their checkers, queues and expiry.",
    no_args_is_help=True,
)
app.add_typer(approval_app, name="approval")
Reason = Annotated[str, typer.Option(help="why")]
COLUMNS = (
    "request",
    "case",
    "type 类型",
    "amount 金额",
    "by 申请人",
    "on",
    "until",
    "level, status 状态",
)


@approval_app.command("request")
def request(
    fund: Annotated[str, typer.Option(help="the fund that pays")],
    case: Annotated[str, typer.Option(help="the household's case")],
    kind: Annotated[AssistanceType, typer.Option("--type", help="medical_relief, ...")],
    amount: Annotated[str, typer.Option(help="yuan, e.g. 25000.00")],
    reference: Annotated[str, typer.Option(help="the voucher or note")] = "",
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Ask for a payment: the fund reserves it until a checker decides; prints the request's id."""

    def write(ledger: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        fen = parse_yuan(amount)
        return ledger.request_payment(ctx, UUID(fund), UUID(case), kind, fen, reference, on)

    record("Payment request 支付申请", "fund or case", day, as_user, write)


@approval_app.command("approve")
def approve(request_id: str, day: Day = None, as_user: AsUser = None) -> None:
    """Approve a request (not its maker): the money moves; prints the payment's id."""

    def write(ledger: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        return ledger.approve_payment_request(ctx, UUID(request_id), on)

    record("Approved 批准, payment", "request", day, as_user, write)


@approval_app.command("reject")
def reject(request_id: str, reason: Reason, day: Day = None, as_user: AsUser = None) -> None:
    """Reject a request with the reason; its reservation is released."""

    def write(ledger: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        return ledger.reject_payment_request(ctx, UUID(request_id), reason, on)

    record("Rejected 驳回", "request", day, as_user, write)


@approval_app.command("void")
def void(request_id: str, reason: Reason, day: Day = None, as_user: AsUser = None) -> None:
    """Void a request (its maker, or a checker) with the reason; its reservation is released."""

    def write(ledger: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        return ledger.void_payment_request(ctx, UUID(request_id), reason, on)

    record("Voided 作废", "request", day, as_user, write)


def _views(ledger: Ledger) -> Views:
    views = Views(ledger)
    views.projector.run_once()  # the approvals view as of now, however far a projector got
    return views


def _print(title: str, rows: list[dict[str, Any]]) -> None:
    table = Table(title=f"{title}: {len(rows)}")
    for column in COLUMNS:
        table.add_column(column, justify="right" if column.startswith("amount") else "left")
    for r in rows:
        table.add_row(
            r["id"], r["case_id"], r["assistance_type_zh"], r["amount"], r["requested_by"],
            r["requested_on"], r["valid_until"], f"{r['level_zh']} {r['status_zh']}",
        )  # fmt: skip
    console.print(table)


@approval_app.command("queue")
def queue(as_user: Annotated[str, typer.Option("--as", help="the approver")]) -> None:
    """The pending requests this user may decide today, oldest first."""
    ledger = open_store(Settings())
    with refusals("user"):
        who = actor(ledger, as_user)
    day = ledger.today()
    centre = str(who.centre_id) if who.centre_id else None
    rows = view.queue(_views(ledger).approvals, who.name, centre, day, 100_000)
    _print(f"Requests {who.name} may decide 待审批 on {day}", rows)


@approval_app.command("history")
def history(
    centre: Annotated[str | None, typer.Option(help="a centre's subtree (whole tree)")] = None,
    fund: Annotated[str | None, typer.Option(help="one fund's requests")] = None,
    case: Annotated[str | None, typer.Option(help="one case's requests")] = None,
) -> None:
    """The requests of a subtree, fund or case, whatever became of them."""
    _, views, scope = read_views(centre)
    rows = view.history(views.approvals, scope, fund, case, 100_000)
    _print("Payment requests 支付申请", rows)


@approval_app.command("expire")
def expire(as_user: AsUser = None) -> None:
    """Record as expired every pending request past its last day (the user's subtree);
    their reservations are released."""
    ledger = open_store(Settings())
    with refusals("request"):
        ctx = Context(actor(ledger, as_user))
        centre = str(ctx.actor.centre_id) if ctx.actor.centre_id else None
        overdue = view.overdue(_views(ledger).approvals, centre, ledger.today())
        done = ledger.expire_payment_requests(ctx, [UUID(i) for i in overdue])
    console.print(f"Expired 过期: {len(done)} request(s) on {ledger.today()}")
    for request_id in done:
        console.print(str(request_id))
