"""Lists as CSV or XLSX, the spreadsheets finance staff live in, with Chinese headers on request."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from starlette.responses import Response

Format = Literal["json", "csv", "xlsx"]
Lang = Literal["en", "zh"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Column:
    """A column of an export: the row key, the English and the Chinese header."""

    def __init__(self, key: str, en: str, zh: str) -> None:
        self.key, self.en, self.zh = key, en, zh


def cell(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def tabular(
    rows: Sequence[dict[str, Any]], columns: Sequence[Column], fmt: Format, lang: Lang, name: str
) -> Response:
    """Render rows as a CSV (UTF-8 with BOM, so Excel shows Chinese) or an XLSX download."""
    headers = [c.zh if lang == "zh" else c.en for c in columns]
    values = [[cell(row.get(c.key)) for c in columns] for row in rows]
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
    for row in values:
        sheet.append(row)
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
