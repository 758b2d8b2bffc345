"""Roster and bank files as people exchange them: reading an uploaded XLSX or CSV, the roster
template, and the reports of a roster import and of a bank's return file as JSON rows and as the
rows of a spreadsheet (api/exports.py renders those)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from uuid import UUID

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from pydantic import BaseModel

from api.responses.base import Yuan
from domain.errors import InvalidInputError
from domain.money import yuan
from domain.rosters import FIELDS, RosterReport, RowReport, RowStatus
from domain.use_cases.bank_files import BankFile, ReturnReport, ReturnStatus

MAX_FILE_BYTES = 50 * 1024 * 1024
TEXT_FORMAT = "@"  # a spreadsheet's text cells: a card number keeps every digit


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """The rows of an XLSX workbook's first sheet or of a CSV file (UTF-8 with or without a BOM,
    else GB18030, as Excel saves it in China), each cell as text."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInputError(f"a file is at most {MAX_FILE_BYTES // 1024 // 1024} MB")
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return _xlsx_rows(data)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInputError("the file is neither UTF-8 nor GB18030 text, nor an XLSX workbook")
    try:
        return [list(r) for r in csv.reader(io.StringIO(text))]
    except csv.Error as e:
        raise InvalidInputError(f"the file is not CSV: {e}") from None


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            rows = book.worksheets[0].iter_rows(values_only=True)
            return [[_text(v) for v in row] for row in rows]
        finally:
            book.close()
    except Exception as e:  # zipfile, XML and openpyxl each refuse a bad file their own way
        reason = " ".join(str(e).split())[:200] or type(e).__name__
        raise InvalidInputError(f"the file is not a readable XLSX workbook: {reason}") from None


def _text(value: Any) -> str:
    """A cell as text: whole numbers without ".0", dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def template_xlsx() -> bytes:
    """The roster template: the headers in Chinese (the text columns kept as text), and a sheet
    that says what each column is."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "花名册"
    sheet.append([f.zh for f in FIELDS])
    for n, f in enumerate(FIELDS, start=1):
        column = sheet.column_dimensions[get_column_letter(n)]
        column.width = 40 if f.key in ("case_id", "fund_id") else 16
        if f.key in ("key", "case_id", "fund_id", "bank_card", "business_date"):
            column.number_format = TEXT_FORMAT
    notes = book.create_sheet("说明 notes")
    notes.append(["列名 column", "English", "必填 required", "也可写作 also accepted"])
    for f in FIELDS:
        notes.append([f.zh, f.en, "是 yes" if f.required else "", ", ".join(f.aliases)])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- what the API answers ------------------------------------------------------------------------
class RosterColumnOut(BaseModel):
    """A column of a roster: its key, its Chinese and English headers, other names it has."""

    key: str
    zh: str
    en: str
    required: bool
    aliases: list[str]


class RosterTemplateOut(BaseModel):
    """The columns of a roster, in the template's order."""

    columns: list[RosterColumnOut]


class RosterRowOut(BaseModel):
    """One row of a roster and what became of it (with the reason, when it was not paid)."""

    row: int
    key: str
    status: str
    status_zh: str
    problem: str | None
    problem_zh: str | None
    detail: str
    message: str
    case_id: UUID | None
    amount: Yuan | None
    payment_id: UUID | None


class RosterReportOut(BaseModel):
    """A dry run's or an import's report: counts by status, amounts, and every row."""

    roster: str
    dry_run: bool
    counts: dict[str, int]
    amount_valid: Yuan
    amount_recorded: Yuan
    rows: list[RosterRowOut]


def row_out(r: RowReport) -> dict[str, Any]:
    return {
        "row": r.row,
        "key": r.key,
        "status": r.status.value,
        "status_zh": r.status.zh,
        "problem": r.problem.value if r.problem else None,
        "problem_zh": r.problem.zh if r.problem else None,
        "detail": r.detail,
        "message": r.message,
        "case_id": r.case_id,
        "amount": yuan(r.amount_fen) if r.amount_fen is not None else None,
        "payment_id": r.payment_id,
    }


def report_out(report: RosterReport) -> dict[str, Any]:
    return {
        "roster": report.roster,
        "dry_run": report.dry_run,
        "counts": {s.value: report.count(s) for s in RowStatus},
        "amount_valid": yuan(report.amount_fen(RowStatus.VALID)),
        "amount_recorded": yuan(report.amount_fen(RowStatus.RECORDED)),
        "rows": [row_out(r) for r in report.rows],
    }


class BankLineOut(BaseModel):
    """A line of the bank payment file; ``reference`` is the payment's id, which the bank's
    return file quotes."""

    number: int
    payee: str
    bank_card: str
    amount: Yuan
    reference: str
    memo: str
    business_date: str
    case_id: UUID


class LeftOutOut(BaseModel):
    payment_id: UUID
    reason: str


class BankFileOut(BaseModel):
    """The bank payment file: its lines, their total, and the payments left out and why."""

    lines: list[BankLineOut]
    total: Yuan
    left_out: list[LeftOutOut]


def bank_lines(found: BankFile) -> list[dict[str, Any]]:
    return [
        {
            "number": n,
            "payee": line.payee,
            "bank_card": line.bank_card,
            "amount": yuan(line.amount_fen),
            "reference": str(line.payment_id),
            "memo": line.reference,
            "business_date": line.business_date.isoformat(),
            "case_id": line.case_id,
        }
        for n, line in enumerate(found.lines, start=1)
    ]


def bank_file_out(found: BankFile) -> dict[str, Any]:
    return {
        "lines": bank_lines(found),
        "total": yuan(sum(line.amount_fen for line in found.lines)),
        "left_out": [{"payment_id": p, "reason": why} for p, why in found.left_out],
    }


class ReturnLineOut(BaseModel):
    """A line of the bank's return file and what became of it."""

    row: int
    reference: str
    status: str
    status_zh: str
    detail: str
    reversal_id: UUID | None


class BankReturnsOut(BaseModel):
    counts: dict[str, int]
    lines: list[ReturnLineOut]


def return_lines(reports: list[ReturnReport]) -> list[dict[str, Any]]:
    return [
        {
            "row": r.row,
            "reference": r.reference,
            "status": r.status.value,
            "status_zh": r.status.zh,
            "detail": r.detail,
            "reversal_id": r.reversal_id,
        }
        for r in reports
    ]


def returns_out(reports: list[ReturnReport]) -> dict[str, Any]:
    counts = {s.value: sum(1 for r in reports if r.status is s) for s in ReturnStatus}
    return {"counts": counts, "lines": return_lines(reports)}
