"""Lists as CSV or XLSX, the spreadsheets finance staff live in, with Chinese headers on request.

Every cell of every export passes through ``cell``, the one place that makes it safe to open:
text never starts like a formula (OWASP's advice on CSV injection: a leading ``= + - @``, tab or
carriage return gets a ``'`` in front), holds no character a workbook refuses, and is stored in
XLSX as a string; money columns come out as numbers in XLSX and as plain yuan strings in CSV.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, time
from decimal import Decimal
from typing import Any, Literal

import orjson
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING, Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from starlette.responses import Response

Format = Literal["json", "csv", "xlsx"]
Lang = Literal["en", "zh"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


MONEY_FORMAT = "#,##0.00"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")  # OWASP: a cell starting so may be run
_YUAN = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class Column:
    """A column of an export: the row key, the English and the Chinese header; ``money`` marks
    a column of yuan strings, written as numbers in XLSX."""

    def __init__(self, key: str, en: str, zh: str, *, money: bool = False) -> None:
        self.key, self.en, self.zh, self.money = key, en, zh, money


def safe_text(text: str) -> str:
    """Text a spreadsheet shows as it is: no control character a workbook refuses (each becomes
    U+FFFD), and a ``'`` in front when it would otherwise start like a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def cell(value: Any, money: bool = False, fmt: Format = "csv") -> Any:
    """The value to write: numbers and dates as they are, a money column's yuan string as a
    Decimal in XLSX (as the plain string in CSV), anything else as safe text."""
    if value is None or isinstance(value, int | float | Decimal | date | time):
        return value
    if money and isinstance(value, str) and _YUAN.fullmatch(value):
        return Decimal(value) if fmt == "xlsx" else value
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return safe_text(str(value))


def page(rows: Sequence[dict[str, Any]], limit: int, key: str) -> dict[str, Any]:
    """A page of a list as JSON: its rows, and ``next`` (the last row's ``key``, to pass as
    ``after``) when the page is full."""
    return {"items": rows, "next": rows[-1][key] if len(rows) == limit else None}


def ready_json(content: Any) -> Response:
    """``content`` written to JSON as it is, without FastAPI's check of it against the route's
    response model (which stays the documented shape). Only for the lists read most (archive
    pages, audit pages, timelines), whose views give rows in exactly that shape already:
    checking fifty rows again cost a fifth of an audit page's time, and
    tests/api/test_ready_json_shapes.py holds each such route to its model."""
    return Response(orjson.dumps(content), media_type="application/json")


def tabular(
    rows: Sequence[dict[str, Any]], columns: Sequence[Column], fmt: Format, lang: Lang, name: str
) -> Response:
    """Render rows as a CSV (UTF-8 with BOM, so Excel shows Chinese) or an XLSX download."""
    headers = [c.zh if lang == "zh" else c.en for c in columns]
    values = [[cell(row.get(c.key), c.money, fmt) for c in columns] for row in rows]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(values)
        return Response(
            ("\ufeff" + out.getvalue()).encode(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = name[:31]
    sheet.append(headers)
    for r, row in enumerate(values, start=2):
        sheet.append(
            [
                _xlsx_cell(sheet, r, n, value, c.money)
                for n, (value, c) in enumerate(zip(row, columns, strict=True), start=1)
            ]
        )
    for n, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = max(12, len(header) * 2 + 2)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(
        buffer.getvalue(),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


def _xlsx_cell(sheet: Worksheet, row: int, column: int, value: Any, money: bool) -> Cell:
    """A cell holding ``value``: text always as a string (never a formula, an error code or a
    number), money with two decimals and thousands separators."""
    c = Cell(sheet, row=row, column=column, value=value)
    if isinstance(value, str):
        c.data_type = TYPE_STRING
    elif money and isinstance(value, Decimal):
        c.number_format = MONEY_FORMAT
    return c
