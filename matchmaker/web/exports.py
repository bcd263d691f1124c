"""Spreadsheet downloads for any table: .xlsx (openpyxl) and .csv in UTF-8 with BOM, which Excel opens in Chinese."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from starlette.responses import Response

BEIJING = ZoneInfo("Asia/Shanghai")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return str(value)  # text keeps every fen; Excel floats would not
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(BEIJING).replace(
            tzinfo=None
        )  # Excel has no time zones; people read Beijing time
    return value


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [max(6, len(h) * 2 + 2) for h in headers]
    for row in rows:
        values = [_cell(v) for v in row]
        ws.append(values)
        for i, v in enumerate(values):
            if isinstance(v, (date, datetime)):
                ws.cell(ws.max_row, i + 1).number_format = "yyyy-mm-dd"
            widths[i] = min(60, max(widths[i], len(str(v)) + 2 if v is not None else 0))
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def table_response(
    fmt: str, filename_stem: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Response:
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
