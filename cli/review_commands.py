"""`bangfu income record`, `bangfu review`, `bangfu cases review-due|exit-candidates|statistics`:
dynamic management (动态管理) from the command line."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table

from cli.base import app, console, open_store, read_views, refusals
from cli.recording import AsUser, Day, actor, business_day, record
from domain.access import SYSTEM
from domain.application import Context, Ledger, Outcome
from domain.incomes import Incomes, Member
from domain.money import parse_yuan
from domain.use_cases.review import Review
from domain.vocabulary import Category, Cause, HouseholdFlag
from projections import dynamics_lists, dynamics_statistics, referrals
from settings import Settings

income_app = typer.Typer(help="A household's monthly incomes (收入登记).", no_args_is_help=True)
cases_app = typer.Typer(
    help="Lists of the archive (动态管理): reviews due, exit candidates, statistics.",
    no_args_is_help=True,
)
app.add_typer(income_app, name="income")
app.add_typer(cases_app, name="cases")

Centre = Annotated[str | None, typer.Option(help="a centre's subtree (the whole tree if unset)")]
AsOf = Annotated[str | None, typer.Option(help="the day the list is for, YYYY-MM-DD (today)")]
Size = Annotated[int, typer.Option("--size", help="people in the household")]
Income = Annotated[str, typer.Option(help="the household's income in the month, yuan")]
Hardship = Annotated[str, typer.Option(help="medical, disaster, accident costs, yuan")]
Members = Annotated[
    list[str] | None,
    typer.Option("--member", help="RELATION:YUAN[:employed], e.g. 配偶:1200.00:employed"),
]


def _incomes(size: int, income: str, hardship: str, members: list[str] | None) -> Incomes:
    """The figures as given on the command line (a BangfuError for a bad one)."""
    parsed = []
    for text in members or []:
        relation, _, rest = text.partition(":")
        amount, _, employed = rest.partition(":")
        parsed.append(Member(relation, parse_yuan(amount, allow_zero=True), employed != ""))
    return Incomes(
        size, parse_yuan(income, allow_zero=True), parse_yuan(hardship, allow_zero=True),
        tuple(parsed),
    )  # fmt: skip


@income_app.command("record")
def record_income(
    case: str,
    month: Annotated[str, typer.Option(help="the month, YYYY-MM")],
    size: Size,
    income: Income,
    hardship: Hardship = "0",
    member: Members = None,
    note: Annotated[str, typer.Option(help="where the figures come from")] = "",
    corrects: Annotated[str | None, typer.Option(help="the record id this corrects")] = None,
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Record a household's incomes for a month (or, with --corrects, a correction)."""

    def write(ledger: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        found = _incomes(size, income, hardship, member)
        fixed = UUID(corrects) if corrects else None
        return ledger.record_income(ctx, UUID(case), month, found, note, on, fixed)

    record("Income record 收入登记", "case or record", day, as_user, write)


@app.command("review")
def review(
    case: str,
    size: Size,
    income: Income,
    hardship: Hardship = "0",
    member: Members = None,
    cause: Annotated[Cause | None, typer.Option(help="primary cause (as it was)")] = None,
    secondary: Annotated[list[Cause] | None, typer.Option(help="as they were")] = None,
    flag: Annotated[list[HouseholdFlag] | None, typer.Option(help="as they were")] = None,
    category: Annotated[Category | None, typer.Option(help="override the computed")] = None,
    reason: Annotated[str, typer.Option(help="why the category is overridden")] = "",
    note: Annotated[str, typer.Option(help="what the review found")] = "",
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """Review an archive (复核): the category is computed from the incomes against the 低保
    line in force at its centre on the day, unless --category overrides it with --reason."""
    ledger, on = open_store(Settings()), business_day(day)
    with refusals("case"):
        found = Review(
            _incomes(size, income, hardship, member),
            cause,
            None if secondary is None else tuple(secondary),
            None if flag is None else tuple(flag),
            category,
            reason,
            note,
        )
        done = ledger.review_case(Context(actor(ledger, as_user)), UUID(case), found, on)
        now = Category(ledger.case(SYSTEM, UUID(case)).category)
    console.print(
        f"Review 复核: {done.result.id} (log position {done.position}): {now.value} {now.zh}"
    )


@cases_app.command("review-due")
def review_due(
    centre: Centre = None,
    as_of: AsOf = None,
    within: Annotated[int, typer.Option(min=0, max=366, help="due within days")] = 30,
) -> None:
    """Active archives whose annual review is overdue or due soon, most overdue first."""
    ledger, views, scope = read_views(centre)
    day = business_day(as_of) or ledger.today()
    rows = dynamics_lists.review_due(views.dynamics, scope, day, within)
    table = Table(title=f"Reviews due 应复核 on {day}: {len(rows)}")
    for column in ("case", "category 类别", "last reviewed 最近复核", "due 应复核", "days"):
        table.add_column(column, justify="right" if column == "days" else "left")
    for r in rows:
        table.add_row(
            r["case_id"], r["category"], r["last_reviewed_on"], r["due_on"], str(r["days_left"])
        )
    console.print(table)


@cases_app.command("exit-candidates")
def exit_candidates(centre: Centre = None, as_of: AsOf = None) -> None:
    """Active archives whose per-capita income was above the line long enough to exit (脱困)."""
    ledger, views, scope = read_views(centre)
    day = business_day(as_of) or ledger.today()
    rows = dynamics_lists.exit_candidates(views.dynamics, scope, day)
    table = Table(title=f"Exit candidates 脱困候选 on {day}: {len(rows)}")
    for column in ("case", "category 类别", "months 月数", "from 起", "to 止"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["case_id"], r["category"], f"{r['months_above']}/{r['required_months']}",
            r["from_month"], r["to_month"],
        )  # fmt: skip
    console.print(table)


@cases_app.command("statistics")
def statistics(
    centre: Centre = None,
    date_from: Annotated[str | None, typer.Option("--from", help="from this day")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="to this day (today)")] = None,
) -> None:
    """The archive at the end of the period and what happened in it; referrals made."""
    ledger, views, scope = read_views(centre)
    start, end = business_day(date_from), business_day(date_to) or ledger.today()
    found = dynamics_statistics.statistics(views.dynamics, scope, start, end)
    made = referrals.statistics(views.referrals, scope, referrals.Period(start, end))
    table = Table(title=f"Archive statistics 档案统计 {start or '…'} – {end}")
    for column in ("section 分组", "item 项目", "count 数量"):
        table.add_column(column, justify="right" if column.startswith("count") else "left")
    for r in dynamics_statistics.flat(found, made):
        table.add_row(r["section_zh"], r["item_zh"], str(r["count"]))
    console.print(table)
