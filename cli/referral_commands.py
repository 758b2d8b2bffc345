"""`bangfu referral`: refer a household to a government channel (转介), record the answer,
follow up, withdraw; list the open referrals with their ages; count them by channel and outcome."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import typer
from rich.table import Table

from cli.base import app, console, fail, open_store, refusals
from domain.access import SYSTEM, Actor
from domain.application import Context, Ledger
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

AsUser = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="the user who records it (their role and centre apply); "
        "the system operator when left out",
    ),
]
Day = Annotated[str | None, typer.Option("--date", help="the business date, YYYY-MM-DD (today)")]
Centre = Annotated[str | None, typer.Option(help="a centre's subtree (the whole tree if unset)")]


def _actor(ledger: Ledger, name: str | None) -> Actor:
    return ledger.user(name) if name else SYSTEM


def _day(text: str | None) -> date | None:
    """A date given on the command line (exit 2 with a clear line if it is not one)."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        fail(f"{text!r} is not a date written YYYY-MM-DD", 2)


def _written(what: str, new_id: UUID, position: int | None) -> None:
    console.print(f"{what}: {new_id} (log position {position})")


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
    ledger, on = open_store(Settings()), _day(day)
    with refusals("case"):
        ctx = Context(_actor(ledger, as_user))
        done = ledger.make_referral(ctx, UUID(case), channel, body, note, on)
    _written("Referral 转介", done.result.id, done.position)


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
    ledger, on = open_store(Settings()), _day(day)
    with refusals("referral"):
        ctx = Context(_actor(ledger, as_user))
        fen = parse_yuan(amount) if amount is not None else None
        done = ledger.record_referral_outcome(
            ctx,
            UUID(referral),
            decision,
            fen,
            service,
            reason,
            on,
            UUID(corrects) if corrects else None,
        )
    _written("Outcome 转介结果", done.result.id, done.position)


@referral_app.command("follow-up")
def follow_up(
    referral: str,
    note: Annotated[str, typer.Option(help="what happened")],
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Note a follow-up of a referral (跟进)."""
    ledger, on = open_store(Settings()), _day(day)
    with refusals("referral"):
        ctx = Context(_actor(ledger, as_user))
        done = ledger.follow_up_referral(ctx, UUID(referral), note, on)
    _written("Follow-up 跟进", done.result.id, done.position)


@referral_app.command("withdraw")
def withdraw(
    referral: str,
    reason: Annotated[str, typer.Option(help="why")],
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Withdraw a referral that has no answer yet."""
    ledger, on = open_store(Settings()), _day(day)
    with refusals("referral"):
        ctx = Context(_actor(ledger, as_user))
        done = ledger.withdraw_referral(ctx, UUID(referral), reason, on)
    _written("Withdrawn 撤回", done.result.id, done.position)


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
    ledger, asked = open_store(Settings()), _day(as_of)
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
    ledger, period = open_store(Settings()), view.Period(_day(date_from), _day(date_to))
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
