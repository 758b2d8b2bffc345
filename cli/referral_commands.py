"""`bangfu referral`: refer a household to a government channel (转介), record the answer,
follow up, withdraw; list the open referrals with their ages; count them by channel and outcome."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table

from cli.base import app, console, open_store, refusals
from cli.recording import AsUser, Day, business_day, record
from domain.access import SYSTEM
from domain.application import Context, Ledger, Outcome
from domain.money import parse_yuan
from domain.vocabulary import ReferralChannel, ReferralDecision
from projections import Views
from projections import referrals as view
from settings import Settings

referral_app = typer.Typer(
    help="Referrals to government channels (转介): 低保, 特困供养, 医疗救助, 廉租房 ...",
    no_args_is_help=True,
)
app.add_typer(referral_app, name="referral")

Centre = Annotated[str | None, typer.Option(help="a centre's subtree (the whole tree if unset)")]


@referral_app.command("make")
def make(
    case: str,
    channel: Annotated[ReferralChannel, typer.Option(help="dibao, low_rent_housing, ...")],
    body: Annotated[str, typer.Option("--body", help="the receiving body, e.g. 朝阳区民政局")],
    note: Annotated[str, typer.Option(help="what was handed over")] = "",
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Refer an open case's household to a government channel; prints the referral's id."""

    def write(ledger: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        return ledger.make_referral(ctx, UUID(case), channel, body, note, on)

    record("Referral 转介", "case", day, as_user, write)


@referral_app.command("outcome")
def outcome(
    referral: str,
    decision: Annotated[ReferralDecision, typer.Option(help="accepted, partly_accepted, refused")],
    amount: Annotated[str | None, typer.Option(help="the amount granted, yuan")] = None,
    service: Annotated[str, typer.Option(help="the service granted")] = "",
    reason: Annotated[str, typer.Option(help="why (required for a refusal)")] = "",
    corrects: Annotated[str | None, typer.Option(help="the outcome id this corrects")] = None,
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Record the receiving body's answer (or, with --corrects, a correction of it)."""

    def write(ledger: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        fen = parse_yuan(amount) if amount is not None else None
        replaced = UUID(corrects) if corrects else None
        return ledger.record_referral_outcome(
            ctx, UUID(referral), decision, fen, service, reason, on, replaced
        )

    record("Outcome 转介结果", "referral", day, as_user, write)


@referral_app.command("follow-up")
def follow_up(
    referral: str,
    note: Annotated[str, typer.Option(help="what happened")],
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Note a follow-up of a referral (跟进)."""

    def write(ledger: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        return ledger.follow_up_referral(ctx, UUID(referral), note, on)

    record("Follow-up 跟进", "referral", day, as_user, write)


@referral_app.command("withdraw")
def withdraw(
    referral: str,
    reason: Annotated[str, typer.Option(help="why")],
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Withdraw a referral that has no answer yet."""

    def write(ledger: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        return ledger.withdraw_referral(ctx, UUID(referral), reason, on)

    record("Withdrawn 撤回", "referral", day, as_user, write)


def _views(ledger: Ledger) -> Views:
    views = Views(ledger)
    views.projector.run_once()  # the referrals view as of now, however far a projector got
    return views


@referral_app.command("list")
def list_open(
    centre: Centre = None,
    as_of: Annotated[str | None, typer.Option(help="open on this day, YYYY-MM-DD (today)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
) -> None:
    """The referrals still open on a day, oldest first, with their age in days."""
    ledger, asked = open_store(Settings()), business_day(as_of)
    with refusals("centre"):
        scope = str(ledger.centre(SYSTEM, UUID(centre)).id) if centre else None
    day = asked or ledger.today()
    rows = view.open_referrals(_views(ledger).referrals, scope, day, limit)
    table = Table(title=f"Open referrals 办理中的转介 on {day}: {len(rows)}")
    for column in ("referral", "case", "channel 渠道", "receiving body 接收单位", "on", "days"):
        table.add_column(column, justify="right" if column == "days" else "left")
    for r in rows:
        table.add_row(
            r["id"], r["case_id"], r["channel_zh"], r["receiving_body"], r["referred_on"],
            str(r["age_days"]),
        )  # fmt: skip
    console.print(table)


@referral_app.command("stats")
def stats(
    centre: Centre = None,
    date_from: Annotated[str | None, typer.Option("--from", help="referred on or after")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="referred on or before")] = None,
) -> None:
    """Referrals made in a period, per channel, counted by where each stands now."""
    ledger = open_store(Settings())
    period = view.Period(business_day(date_from), business_day(date_to))
    with refusals("centre"):
        scope = str(ledger.centre(SYSTEM, UUID(centre)).id) if centre else None
    found = view.statistics(_views(ledger).referrals, scope, period)
    table = Table(title="Referrals by channel and outcome 转介统计")
    table.add_column("channel 渠道")
    for name in (*view.COUNTS, "granted 获批金额"):
        table.add_column(name, justify="right")
    for r in [*found["rows"], found["total"] | {"channel_zh": "合计 total"}]:
        table.add_row(r["channel_zh"], *(str(r[n]) for n in view.COUNTS), r["granted"])
    console.print(table)
