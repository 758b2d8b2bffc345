"""`bangfu application ...`: filing (申请 → 审核 → 入户核查 → 收入核对 → 公示 → 建档) step by step,
and the overdue list (限时办结); `bangfu case member|transfer`: a household's changes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from pydantic import ValidationError
from rich.table import Table

from api.filing_schemas import ApplicationIn, household_of
from cli.base import app, console, fail, read_views
from cli.recording import AsUser, Day, business_day, record
from domain.application import Context, Ledger, Outcome
from domain.households import Member, MonthlyAmount
from domain.money import parse_yuan
from domain.policy_parameters import SchoolLevel
from domain.vocabulary import Category, Employment
from projections import filing

application_app = typer.Typer(
    help="Filing (建档): applications step by step, and the overdue list.", no_args_is_help=True
)
case_app = typer.Typer(
    help="A household's changes: members, transfer (转档).", no_args_is_help=True
)
member_app = typer.Typer(help="Members joining, leaving, dying (一户一档).", no_args_is_help=True)
app.add_typer(application_app, name="application")
app.add_typer(case_app, name="case")
case_app.add_typer(member_app, name="member")

Note = Annotated[str, typer.Option(help="a note")]
Amounts = Annotated[list[str] | None, typer.Option(help="LABEL=YUAN, e.g. 工资=2400.00")]


def _amounts(given: list[str] | None, what: str) -> tuple[MonthlyAmount, ...] | None:
    if given is None:
        return None
    found = []
    for text in given:
        label, _, amount = text.partition("=")
        found.append(MonthlyAmount.checked(label, parse_yuan(amount, allow_zero=True), what))
    return tuple(found)


@application_app.command("apply")
def apply(
    file: Annotated[Path, typer.Argument(help="the application as POST /applications takes it")],
    as_user: AsUser = None,
) -> None:
    """申请: record an application from a JSON file; prints its id."""
    try:
        body = ApplicationIn.model_validate_json(file.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as e:
        fail(f"cannot read the application in {file}: {' '.join(str(e).split())[:600]}", 2)

    def write(lg: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        return lg.receive_application(
            ctx, body.centre_id, household_of(body), body.note, body.business_date or on
        )

    record("Application 建档申请", "centre", None, as_user, write)


@application_app.command("review")
def review(application: str, note: Note = "", day: Day = None, as_user: AsUser = None) -> None:
    """审核: the papers were checked."""
    record(
        "Reviewed 审核", "application", day, as_user,
        lambda lg, ctx, on: lg.review_application(ctx, UUID(application), note, on),
    )  # fmt: skip


@application_app.command("visit")
def visit(
    application: str,
    visitor: Annotated[list[str], typer.Option(help="who visited (repeat)")],
    findings: Annotated[str, typer.Option(help="what they found")],
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """入户核查: the home visit and its findings."""
    record(
        "Visited 入户核查", "application", day, as_user,
        lambda lg, ctx, on: lg.record_application_visit(
            ctx, UUID(application), visitor, findings, on
        ),
    )  # fmt: skip


@application_app.command("income-check")
def income_check(
    application: str,
    income: Amounts = None,
    cost: Amounts = None,
    note: Note = "",
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """收入核对: incomes and hardship costs as checked (as declared if none given)."""

    def write(lg: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        found = (_amounts(income, "income"), _amounts(cost, "hardship cost"))
        return lg.check_application_income(ctx, UUID(application), *found, note, on)

    record("Income checked 收入核对", "application", day, as_user, write)


@application_app.command("notice")
def notice(
    application: str,
    place: Annotated[str, typer.Option(help="where it is posted")],
    ends: Annotated[str | None, typer.Option(help="its last day (the policy's shortest)")] = None,
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """公示 from the business date for at least the local policy's days."""
    record(
        "Notice 公示", "application", day, as_user,
        lambda lg, ctx, on: lg.post_application_notice(
            ctx, UUID(application), place, business_day(ends), on
        ),
    )  # fmt: skip


@application_app.command("object")
def object_(application: str, note: Note, day: Day = None, as_user: AsUser = None) -> None:
    """An objection raised during the notice (异议); prints its id."""
    record(
        "Objection 异议", "application", day, as_user,
        lambda lg, ctx, on: lg.raise_objection(ctx, UUID(application), note, on),
    )  # fmt: skip


@application_app.command("handle")
def handle(
    application: str,
    objection: str,
    upheld: Annotated[bool, typer.Option("--upheld/--dismissed", help="does it hold?")],
    note: Note,
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """How an objection was handled."""
    record(
        "Handled 异议处理", "application or objection", day, as_user,
        lambda lg, ctx, on: lg.handle_objection(
            ctx, UUID(application), UUID(objection), upheld, note, on
        ),
    )  # fmt: skip


@application_app.command("file")
def file_(
    application: str,
    category: Annotated[Category | None, typer.Option(help="another than computed")] = None,
    reason: Annotated[str, typer.Option(help="why another category")] = "",
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """建档: open the archive; prints its id (the category computed against the line)."""
    record(
        "Filed 建档", "application", day, as_user,
        lambda lg, ctx, on: lg.file_application(ctx, UUID(application), category, reason, on),
    )  # fmt: skip


@application_app.command("reject")
def reject(
    application: str,
    reason: Annotated[str, typer.Option(help="why")],
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """不予建档 at the step reached."""
    record(
        "Rejected 不予建档", "application", day, as_user,
        lambda lg, ctx, on: lg.reject_application(ctx, UUID(application), reason, on),
    )  # fmt: skip


@application_app.command("list")
def list_applications(
    centre: Annotated[str | None, typer.Option(help="a centre's subtree (all if unset)")] = None,
    overdue: Annotated[bool, typer.Option(help="only those past their deadline")] = False,
    as_of: Annotated[str | None, typer.Option(help="the day judged on (today)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
) -> None:
    """The applications of a subtree; with --overdue the 限时办结 list."""
    asked = business_day(as_of)
    ledger, views, scope = read_views(centre)
    day = asked or ledger.today()
    f = filing.ApplicationFilter(scope, None, day if overdue else None)
    rows = filing.applications(views.filing, f, day, limit)
    table = Table(title=f"Applications 建档申请 on {day}: {len(rows)}")
    for column in ("application", "stage 环节", "first receiver 首问", "due 时限", "overdue 超期"):
        table.add_column(column)
    for r in rows:
        overdue_days = str(r["days_overdue"]) if r["due_on"] else ""
        table.add_row(r["id"], r["stage_zh"], r["first_receiver"], r["due_on"] or "", overdue_days)
    console.print(table)


@member_app.command("join")
def join(
    case: str,
    name: Annotated[str, typer.Option()],
    id_number: Annotated[str, typer.Option()],
    relation: Annotated[str, typer.Option(help="配偶, 子女, 父母 ...")],
    employment: Annotated[Employment, typer.Option()],
    school_level: Annotated[SchoolLevel | None, typer.Option()] = None,
    note: Note = "",
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """A member joins the household; prints the member's id."""

    def write(lg: Ledger, ctx: Context, on: date | None) -> Outcome[Any]:
        member = Member.checked(name, id_number, relation, employment, None, school_level)
        return lg.add_member(ctx, UUID(case), member, note, on)

    record("Member joined 家庭成员增加", "case", day, as_user, write)


@member_app.command("leave")
def leave(
    case: str, member: str, reason: Annotated[str, typer.Option()], day: Day = None,
    as_user: AsUser = None,
) -> None:  # fmt: skip
    """A member leaves the household, with the reason."""
    record(
        "Member left 家庭成员减少", "case or member", day, as_user,
        lambda lg, ctx, on: lg.remove_member(ctx, UUID(case), UUID(member), False, reason, on),
    )  # fmt: skip


@member_app.command("death")
def death(case: str, member: str, note: Note = "", day: Day = None, as_user: AsUser = None) -> None:
    """A member of the household died."""
    record(
        "Member died 家庭成员死亡", "case or member", day, as_user,
        lambda lg, ctx, on: lg.remove_member(ctx, UUID(case), UUID(member), True, note, on),
    )  # fmt: skip


@case_app.command("transfer")
def transfer(
    case: str,
    to: Annotated[str, typer.Option("--to", help="the centre it goes to")],
    note: Note = "",
    day: Day = None,
    as_user: AsUser = None,
) -> None:
    """转档: the archive moves to another centre, with its history."""
    record(
        "Transferred 转档", "case or centre", day, as_user,
        lambda lg, ctx, on: lg.transfer_case(ctx, UUID(case), UUID(to), note, on),
    )  # fmt: skip
