"""`bangfu roster`: the roster template, a dry run (check) and an import of a roster (花名册),
the bank payment file of a fund's payments, and the import of the bank's return file (回盘)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.table import Table

from api import columns
from api.exports import Column, Format, tabular
from api.roster_files import (
    bank_lines,
    read_table,
    return_lines,
    row_out,
    template_xlsx,
)
from cli.base import app, console, fail, open_store, progress_bar, refusals
from cli.recording import AsUser, Day, actor, business_day
from domain.application import Context
from domain.money import yuan
from domain.rosters import RosterReport, RowStatus, parse_roster
from settings import Settings

roster_app = typer.Typer(
    help="Rosters in (花名册), bank payment files out (银行代发), bank return files in (回盘).",
    no_args_is_help=True,
)
app.add_typer(roster_app, name="roster")

FundOption = Annotated[
    str | None, typer.Option("--fund", help="the fund the roster pays from (or a 资金编号 column)")
]
RosterOption = Annotated[
    str | None,
    typer.Option(
        "--roster", help="the roster's name, part of each row's key (the file's name if unset)"
    ),
]
ReportOption = Annotated[
    Path | None, typer.Option("--report", help="also write the report to a .csv or .xlsx file")
]


def _read(file: Path) -> list[list[str]]:
    if not file.is_file():
        fail(f"{file} is not a file", 2)
    with refusals("file"):
        return read_table(file.read_bytes(), file.name)
    raise AssertionError("unreachable")  # pragma: no cover - refusals exits


def _write(out: Path, rows: list[dict[str, object]], cols: list[Column], name: str) -> None:
    """Rows as a spreadsheet (CSV or XLSX by the file's extension), with Chinese headers."""
    fmt: Format = "xlsx" if out.suffix.lower() == ".xlsx" else "csv"
    out.write_bytes(bytes(tabular(rows, cols, fmt, "zh", name).body))
    console.print(f"wrote {out}")


@roster_app.command("template")
def template(
    out: Annotated[Path, typer.Argument(help="where to write it, e.g. 花名册.xlsx")],
) -> None:
    """Write the roster template (花名册模板): its columns, and a sheet that says what each is."""
    out.write_bytes(template_xlsx())
    console.print(f"wrote {out}")


def _run(
    file: Path,
    fund: str | None,
    roster: str | None,
    day: str | None,
    as_user: str | None,
    dry_run: bool,
    report_file: Path | None,
) -> None:
    ledger, on = open_store(Settings()), business_day(day)
    table = _read(file)
    with refusals("fund"):
        parsed = parse_roster(table, roster or file.stem, UUID(fund) if fund else None, on)
        ctx = Context(actor(ledger, as_user))
        total = len(parsed.rows)
        with progress_bar("花名册 roster" if not dry_run else "校验 checking", total) as (
            bar,
            task,
        ):
            run = ledger.check_roster if dry_run else ledger.import_roster
            report = run(ctx, parsed, lambda n: bar.advance(task, n))
    _show(report)
    if report_file is not None:
        _write(report_file, [row_out(r) for r in report.rows], columns.ROSTER_REPORT, "roster")
    if report.count(RowStatus.REFUSED):
        raise typer.Exit(1)


def _show(report: RosterReport) -> None:
    """The rows not paid, with their reasons, then the counts."""
    shown = [r for r in report.rows if r.status in (RowStatus.REFUSED, RowStatus.SKIPPED)]
    if shown:
        table = Table(title=f"花名册 {report.roster}: rows not paid 未支付的行")
        for column in ("row 行", "key 序号", "status 结果", "reason 原因"):
            table.add_column(column)
        for r in shown[:1000]:
            table.add_row(str(r.row), r.key, r.status.zh, r.message)
        console.print(table)
    verb = "would pay 可导入" if report.dry_run else "recorded 已记录"
    status = RowStatus.VALID if report.dry_run else RowStatus.RECORDED
    console.print(
        f"{verb}: {report.count(status)} rows, ¥{yuan(report.amount_fen(status))}; "
        f"skipped 已跳过: {report.count(RowStatus.SKIPPED)}; "
        f"refused 有误: {report.count(RowStatus.REFUSED)}"
    )


@roster_app.command("check")
def check(
    file: Path,
    fund: FundOption = None,
    roster: RosterOption = None,
    day: Day = None,
    as_user: AsUser = None,
    report: ReportOption = None,
) -> None:
    """A dry run: each row's fate as an import would decide it now; nothing is saved (exit 1
    when a row is refused)."""
    _run(file, fund, roster, day, as_user, True, report)


@roster_app.command("import")
def import_(
    file: Path,
    fund: FundOption = None,
    roster: RosterOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check only, as `check`")] = False,
    day: Day = None,
    as_user: AsUser = None,
    report: ReportOption = None,
) -> None:
    """Pay every valid row once (the same roster and row key pay nothing twice), with a
    progress bar; report what was skipped or refused and why (exit 1 when a row is refused)."""
    _run(file, fund, roster, day, as_user, dry_run, report)


@roster_app.command("bank-file")
def bank_file(
    out: Annotated[Path, typer.Option("--out", help="the bank file to write, .xlsx or .csv")],
    fund: Annotated[str, typer.Option("--fund", help="the fund that paid")],
    date_from: Annotated[str | None, typer.Option("--from", help="paid on or after")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="paid on or before")] = None,
    roster: Annotated[str | None, typer.Option(help="only this roster's payments")] = None,
    as_user: AsUser = None,
) -> None:
    """Write the bank payment file (payee, bank card, amount, reference) of a fund's payments
    in a period, not reversed; the read of the households' personal data is recorded."""
    ledger = open_store(Settings())
    first, last = business_day(date_from), business_day(date_to)
    with refusals("fund"):
        found = ledger.bank_file(actor(ledger, as_user), UUID(fund), first, last, roster)
    _write(out, bank_lines(found), columns.BANK_FILE, "bank-file")
    total = sum(line.amount_fen for line in found.lines)
    console.print(f"{len(found.lines)} lines 笔, ¥{yuan(total)}")
    for payment_id, reason in found.left_out:
        console.print(f"left out 未列入: {payment_id} {reason}")


@roster_app.command("bank-return")
def bank_return(
    file: Path,
    day: Day = None,
    as_user: AsUser = None,
    report: ReportOption = None,
) -> None:
    """Import the bank's return file (业务参考号, 处理结果, 失败原因): each failed line
    reverses its payment with the bank's reason, once."""
    ledger, on = open_store(Settings()), business_day(day)
    table = _read(file)
    with refusals("payment"):
        reports = ledger.import_bank_returns(Context(actor(ledger, as_user)), table, on)
    shown = Table(title="回盘 bank return")
    for column in ("row 行", "reference 业务参考号", "status 结果", "detail 说明"):
        shown.add_column(column)
    for r in reports:
        shown.add_row(str(r.row), r.reference, f"{r.status.zh} {r.status.value}", r.detail)
    console.print(shown)
    if report is not None:
        _write(report, return_lines(reports), columns.BANK_RETURNS, "bank-returns")
