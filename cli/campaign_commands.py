"""`bangfu campaign`: open a campaign (两节送温暖, 金秋助学, 夏送清凉, 春风行动), visit and pay its
households, record why one was not reached, read its coverage, close it, list campaigns."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table

from cli.base import app, console, fail, read_views, refusals
from cli.recording import AsUser, Day, actor, business_day, record
from domain.application import Context, Ledger, Outcome
from domain.campaign_terms import ExceptionReason, Excuse, Plan
from domain.money import parse_yuan
from domain.policy_parameters import SchoolLevel
from domain.vocabulary import AssistanceType, CampaignKind
from projections import campaign_coverage as view

campaign_app = typer.Typer(
    help="Campaigns (帮扶活动): 两节送温暖, 金秋助学, 夏送清凉, 春风行动.", no_args_is_help=True
)
app.add_typer(campaign_app, name="campaign")

Centre = Annotated[str | None, typer.Option(help="a centre's subtree (the whole tree if unset)")]


def _yuan(text: str | None) -> int | None:
    return parse_yuan(text) if text is not None else None


def _standards(given: list[str]) -> dict[str, int]:
    """``SUBJECT=YUAN`` pairs (deep_hardship=500, undergraduate=3000)."""
    found: dict[str, int] = {}
    for pair in given:
        subject, _, amount = pair.partition("=")
        if not amount:
            fail(f"{pair!r} is not SUBJECT=YUAN, e.g. deep_hardship=500", 2)
        found[subject.strip()] = parse_yuan(amount.strip())
    return found


@campaign_app.command("open")
def open_(
    centre: Annotated[str, typer.Option(help="the centre whose subtree it reaches")],
    kind: Annotated[CampaignKind, typer.Option(help="spring_festival_warmth, ...")],
    name: Annotated[str, typer.Option(help="e.g. 2027年两节送温暖")],
    starts: Annotated[str, typer.Option("--from", help="the window's first day, YYYY-MM-DD")],
    ends: Annotated[str, typer.Option("--to", help="the window's last day, YYYY-MM-DD")],
    fund: Annotated[list[str], typer.Option(help="a fund it draws on (repeat for more)")],
    budget: Annotated[str, typer.Option(help="the budget, yuan")],
    standard: Annotated[
        list[str] | None, typer.Option(help="SUBJECT=YUAN, e.g. deep_hardship=500 (repeat)")
    ] = None,
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Open a campaign at a centre; prints its id."""
    window = (business_day(starts), business_day(ends))

    def write(ledger: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        assert window[0] and window[1]
        funds = [UUID(f) for f in fund]
        plan = Plan(
            kind, name, (window[0], window[1]), parse_yuan(budget), _standards(standard or [])
        )
        return ledger.open_campaign(ctx, UUID(centre), plan, funds, on)

    record("Campaign 帮扶活动", "centre or fund", day, as_user, write)


@campaign_app.command("visit")
def visit(
    campaign: str,
    case: str,
    visitor: Annotated[list[str], typer.Option(help="a visitor's name (repeat for more)")],
    notes: Annotated[str, typer.Option(help="what was seen and given")] = "",
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """A visit (走访慰问) to a household of the campaign; prints the visit's id."""

    def write(ledger: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        return ledger.campaign_visit(ctx, UUID(campaign), UUID(case), visitor, notes, (), on)

    record("Visit 走访慰问", "campaign or case", day, as_user, write)


@campaign_app.command("pay")
def pay(
    campaign: str,
    case: str,
    fund: Annotated[str, typer.Option(help="one of the campaign's funds")],
    amount: Annotated[str | None, typer.Option(help="yuan (the standard if left out)")] = None,
    school_level: Annotated[SchoolLevel | None, typer.Option(help="金秋助学")] = None,
    kind: Annotated[AssistanceType | None, typer.Option("--type", help="assistance type")] = None,
    goods: Annotated[str | None, typer.Option(help="goods given, valued at the amount")] = None,
    reference: Annotated[str, typer.Option(help="voucher or note")] = "",
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Pay a household of the campaign from one of its funds; prints the payment's id."""

    def write(ledger: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        return ledger.campaign_payment(
            ctx, UUID(campaign), UUID(case), UUID(fund), _yuan(amount), on,
            school_level=school_level, assistance_type=kind, goods=goods, reference=reference,
        )  # fmt: skip

    record("Payment 活动发放", "campaign, case or fund", day, as_user, write)


@campaign_app.command("exception")
def exception(
    campaign: str,
    case: str,
    reason: Annotated[ExceptionReason, typer.Option(help="refused, moved_away, unreachable ...")],
    note: Annotated[str, typer.Option(help="what happened (required for other)")] = "",
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Record why a household of the campaign is not reached."""

    def write(ledger: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        excuse = Excuse(reason, note)
        return ledger.note_campaign_exception(ctx, UUID(campaign), UUID(case), excuse, on)

    record("Exception 未覆盖原因", "campaign or case", day, as_user, write)


@campaign_app.command("close")
def close(
    campaign: str,
    reason: Annotated[
        list[str] | None, typer.Option(help="CASE=REASON[:NOTE] for a household not reached")
    ] = None,
    note: Annotated[str, typer.Option(help="a closing note")] = "",
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Close a campaign: each household not reached needs a reason (recorded or given)."""
    ledger, views, _ = read_views(None)
    given: dict[UUID, Excuse] = {}
    with refusals("campaign or case"):
        for pair in reason or []:
            case, _, why = pair.partition("=")
            code, _, text = why.partition(":")
            given[UUID(case)] = Excuse(ExceptionReason(code), text)
        unreached = [UUID(c) for c in view.unreached_cases(views.campaigns, str(UUID(campaign)))]
        ctx = Context(actor(ledger, as_user))
        done = ledger.close_campaign(ctx, UUID(campaign), unreached, given, note, business_day(day))
    console.print(f"Closed 活动结束: {done.result.id} (log position {done.position})")


@campaign_app.command("coverage")
def coverage(campaign: str, centre: Centre = None) -> None:
    """Coverage per centre (visited, paid, both, neither) and the households not reached."""
    _, views, scope = read_views(centre)
    with refusals("campaign"):
        found = view.coverage(views.campaigns, str(UUID(campaign)), scope)
    if found is None:
        fail(f"no campaign has the id {campaign}")
    c = found["campaign"]
    table = Table(
        title=f"{c['name']} ({c['kind_zh']}, {c['status_zh']}): ¥{c['spent']} of ¥{c['budget']}"
    )
    counts = ("households", "visited", "paid", "both", "neither", "exceptions")
    table.add_column("centre 帮扶中心")
    for name in (*counts, "paid 发放金额"):
        table.add_column(name, justify="right")
    for r in [*found["centres"], found["total"] | {"centre_name": "合计 total"}]:
        table.add_row(
            r["centre_name"] or r["centre_id"], *(str(r[k]) for k in counts), r["paid_amount"]
        )
    console.print(table)
    missed = Table(title=f"Not reached 未覆盖: {len(found['unreached'])}")
    for column in ("case 档案", "centre 帮扶中心", "reason 原因", "note 说明"):
        missed.add_column(column)
    for h in found["unreached"]:
        missed.add_row(h["case_id"], h["centre_name"] or "", h["reason_zh"] or "—", h["note"])
    console.print(missed)


@campaign_app.command("list")
def list_(
    centre: Centre = None,
    status: Annotated[str | None, typer.Option(help="open or closed")] = None,
) -> None:
    """The campaigns of a subtree and those above it that reach it."""
    _, views, scope = read_views(centre)
    rows = view.campaigns(views.campaigns, scope, status)
    table = Table(title=f"Campaigns 帮扶活动: {len(rows)}")
    for column in ("campaign", "kind 类型", "name 名称", "window 时间", "status", "used 已用"):
        table.add_column(column)
    for r in rows:
        window = f"{r['starts_on']}..{r['ends_on']}"
        used = f"¥{r['spent']} / ¥{r['budget']}"
        table.add_row(r["id"], r["kind_zh"], r["name"], window, r["status_zh"], used)
    console.print(table)
