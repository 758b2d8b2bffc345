"""Rosters in (花名册), bank files out (银行代发) and the bank's return files in (回盘).

A roster is uploaded as a file (multipart, XLSX or CSV with Chinese or English headers; the
template is at ``/rosters/template.xlsx``): ``/rosters/validate`` answers what an import would do
with each row, saving nothing; ``/rosters/import`` pays every valid row. A row's key (the
roster's name and its 序号, else its row number) is its payment's idempotency key, so importing
the same roster again pays nothing twice, whoever imports it; no Idempotency-Key is needed.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import PurePath
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, File, Form, Query, UploadFile
from starlette.responses import Response

from api import columns
from api.deps import ActorDep, DateFrom, DateTo, Day, LedgerDep
from api.exports import XLSX, Column, Format, Lang, tabular
from api.roster_files import (
    MAX_FILE_BYTES,
    BankFileOut,
    BankReturnsOut,
    RosterReportOut,
    RosterTemplateOut,
    bank_file_out,
    bank_lines,
    read_table,
    report_out,
    return_lines,
    returns_out,
    row_out,
    template_xlsx,
)
from api.routers import listing
from domain.application import Context, Ledger
from domain.errors import InvalidInputError
from domain.rosters import FIELDS, RosterReport, parse_roster

router = APIRouter(prefix="/rosters", tags=["rosters 花名册"])

Upload = Annotated[UploadFile, File(description="the file: XLSX, or CSV in UTF-8 or GB18030")]
FundField = Annotated[
    UUID | None,
    Form(description="the fund the roster pays from (rows may name their own in 资金编号)"),
]
RosterName = Annotated[
    str | None,
    Form(
        max_length=100,
        description="the roster's name, the first part of each row's key (the file's name "
        "without its extension if left out): the same name and row, the same payment",
    ),
]
BusinessDay = Annotated[
    Day | None, Form(description="the business date of rows that give none (today if unset)")
]


@router.get("/template.xlsx", **listing(RosterTemplateOut, "The roster template"))
def template(actor: ActorDep, format: Format = "xlsx", lang: Lang = "zh") -> Any:
    """The roster template (花名册模板): an XLSX workbook with the columns in Chinese and a
    sheet saying what each is (the default); its header line as CSV; or the columns as JSON."""
    if format == "json":
        return {"columns": [asdict(f) for f in FIELDS]}
    if format == "csv":
        heads = [Column(f.key, f.en, f.zh) for f in FIELDS]
        return tabular([], heads, format, lang, "roster-template")
    return Response(
        template_xlsx(),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="roster-template.xlsx"'},
    )


def _uploaded(file: UploadFile) -> tuple[bytes, str]:
    data = file.file.read(MAX_FILE_BYTES + 1)
    return data, file.filename or ""


def _roster_report(
    ledger: Ledger,
    actor: ActorDep,
    file: UploadFile,
    fund_id: UUID | None,
    roster: str | None,
    business_date: date | None,
    dry_run: bool,
) -> RosterReport:
    data, filename = _uploaded(file)
    name = roster or PurePath(filename).stem or "roster"
    parsed = parse_roster(read_table(data, filename), name, fund_id, business_date)
    run = ledger.check_roster if dry_run else ledger.import_roster
    return run(Context(actor), parsed)


def _answer(report: RosterReport, format: Format, lang: Lang) -> Any:
    if format == "json":
        return report_out(report)
    rows = [row_out(r) for r in report.rows]
    kind = "roster-check" if report.dry_run else "roster-import"
    return tabular(rows, columns.ROSTER_REPORT, format, lang, kind)


@router.post("/validate", **listing(RosterReportOut, "The dry run's report, row by row"))
def validate(
    actor: ActorDep,
    ledger: LedgerDep,
    file: Upload,
    fund_id: FundField = None,
    roster: RosterName = None,
    business_date: BusinessDay = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """A dry run (finance): each row's fate as an import would decide it now, with the row
    number and the reason in Chinese and English (unknown archive, closed case, above the
    standard, outside the fund's earmark, the fund's balance running out over the rows, a bad
    amount, a missing field, a row key twice); nothing is saved."""
    report = _roster_report(ledger, actor, file, fund_id, roster, business_date, True)
    return _answer(report, format, lang)


@router.post("/import", **listing(RosterReportOut, "The import's report, row by row"))
def import_roster(
    actor: ActorDep,
    ledger: LedgerDep,
    file: Upload,
    fund_id: FundField = None,
    roster: RosterName = None,
    business_date: BusinessDay = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """Pay every valid row of the roster (finance), many rows in one transaction; a row paid
    before (the same roster name and row key) is skipped; a 银行卡号 records the household's
    bank account, sealed. Answers every row: recorded, skipped or refused, and why."""
    report = _roster_report(ledger, actor, file, fund_id, roster, business_date, False)
    return _answer(report, format, lang)


@router.get("/bank-file", **listing(BankFileOut, "The bank payment file"))
def bank_file(
    actor: ActorDep,
    ledger: LedgerDep,
    fund_id: Annotated[UUID, Query(description="the fund that paid")],
    date_from: DateFrom = None,
    date_to: DateTo = None,
    roster: Annotated[
        str | None, Query(max_length=100, description="only the payments this roster asked for")
    ] = None,
    format: Format = "json",
    lang: Lang = "zh",
) -> Any:
    """The bank payment file (银行代发文件) of a fund's payments in a period, not reversed:
    payee, bank card, amount and reference (the payment's id, which the return file quotes).
    Names and cards are personal data: the read is recorded (finance staff who may pay from
    the fund may make it; the payments it leaves out are listed with the reason)."""
    if date_from and date_to and date_from > date_to:
        raise InvalidInputError(f"the period from {date_from} to {date_to} is empty")
    found = ledger.bank_file(actor, fund_id, date_from, date_to, roster)
    if format != "json":
        return tabular(bank_lines(found), columns.BANK_FILE, format, lang, "bank-file")
    return bank_file_out(found)


@router.post("/bank-returns", **listing(BankReturnsOut, "What became of each returned line"))
def bank_returns(
    actor: ActorDep,
    ledger: LedgerDep,
    file: Upload,
    business_date: BusinessDay = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """Import the bank's return file (回盘: 业务参考号, 处理结果, 失败原因): each failed line
    reverses its payment with the bank's reason; a payment reversed before is left as it is,
    so importing the same file again reverses nothing more."""
    data, filename = _uploaded(file)
    reports = ledger.import_bank_returns(Context(actor), read_table(data, filename), business_date)
    if format != "json":
        return tabular(return_lines(reports), columns.BANK_RETURNS, format, lang, "bank-returns")
    return returns_out(reports)
