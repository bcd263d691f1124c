"""The one writer of spreadsheet downloads: .xlsx (openpyxl) and .csv in UTF-8 with BOM, which Excel opens in Chinese.

Every table export goes through ``table_response`` so three rules hold everywhere:
- text is text: a cell whose value starts with ``=`` is never a formula in the .xlsx, and in the .csv a value that a
  spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return) gets a leading ``'``
  (OWASP's advice for CSV injection): a need titled ``=HYPERLINK(…)`` cannot run in the organizer's Excel;
- money (``Decimal``) is a number with a number format showing its places, so SUM in Excel adds it up to the fen;
- control characters that .xlsx cannot hold are dropped rather than failing the download.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from starlette.responses import Response

from matchmaker.domain.local_time import local_time

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: First characters that make Excel, LibreOffice or WPS read a CSV field as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def _cell(value: Any) -> Any:
    """A table value as a spreadsheet value: lists joined, aware times in Beijing time, other types kept."""
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Excel has no time zones; people read Beijing time.
        return local_time(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def money_format(amount: Decimal) -> str:
    """An Excel number format showing exactly the places the amount carries (2 for 元, 4 or 6 for 亿元)."""
    exponent = amount.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "#,##0." + "0" * places if places else "#,##0"


def csv_text(value: Any) -> str:
    """A table value as a CSV field; text that would start a formula is neutralised with a leading quote."""
    value = _cell(value)
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (int, float, date)):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    for column, header in enumerate(headers, 1):
        ws.cell(1, column, header).font = Font(bold=True)
    widths = [max(6, len(h) * 2 + 2) for h in headers]
    for row_index, row in enumerate(rows, 2):
        for i, raw in enumerate(row):
            value = _cell(raw)
            cell = ws.cell(row_index, i + 1)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.value = value
                cell.data_type = "s"  # openpyxl would store "=…" as a formula
            else:
                cell.value = value
                if isinstance(value, Decimal):
                    cell.number_format = money_format(value)
                elif isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
            if i < len(widths):
                widths[i] = min(60, max(widths[i], len(str(value)) + 2 if value is not None else 0))
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([csv_text(h) for h in headers])
    for row in rows:
        writer.writerow([csv_text(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def table_response(
    fmt: str, filename_stem: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Response:
    """The export of one table as ``fmt`` (``csv``, else .xlsx): the only way pages hand out spreadsheets."""
    if fmt == "csv":
        return Response(
            csv_bytes(headers, rows),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": _disposition(f"{filename_stem}.csv")},
        )
    return Response(
        xlsx_bytes(filename_stem, headers, rows),
        media_type=XLSX,
        headers={"content-disposition": _disposition(f"{filename_stem}.xlsx")},
    )
