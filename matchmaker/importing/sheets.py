"""Read an uploaded spreadsheet (.xlsx or .csv) into plain rows that keep Excel's row numbers.

Why this shape: every message of an import names a row as the user sees it in Excel, so each row carries its
1-based spreadsheet row number (for a CSV: the record number, which is the row Excel shows when it opens the
file). Blank rows are dropped but never renumber the rest.

Cell values are plain Python: ``str`` (stripped, never empty), ``int``, ``Decimal`` (a fractional number cell,
read from its shortest decimal repr so money never passes through float arithmetic), ``date`` / ``datetime``
(real date cells), ``time``, or ``None`` for an empty cell. Hidden columns are read like visible ones: their
data is real, and read-only mode (needed for 10,000-row files) cannot see column visibility anyway.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath

import openpyxl

from matchmaker.domain.errors import MatchmakerError

CellValue = str | int | Decimal | date | datetime | time | None

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: Rows beyond this are refused (configurable: ``MATCHMAKER_MAX_IMPORT_ROWS``); reading stops at the first extra.
DEFAULT_MAX_ROWS = 50_000
# An .xlsx is a zip of XML; a text-heavy sheet compresses about 5–10×, so 20× the upload limit still admits any
# honest file while refusing a zip bomb before openpyxl inflates it.
_MAX_INFLATION = 20
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ""})
_DELIMITERS = (",", "\t", ";")
_SNIFF_LINES = 20
_ALLOWED_CONTROLS = frozenset("\t\n\r")


class ImportFileError(MatchmakerError):
    """The file as a whole cannot be imported (not a spreadsheet, empty, too big, no header)."""

    title = "文件无法导入"


@dataclass(frozen=True)
class SheetRow:
    """One non-blank row; ``number`` is the row number Excel shows (1-based)."""

    number: int
    cells: tuple[CellValue, ...]

    def cell(self, column: int) -> CellValue:
        """Value of the 0-based ``column``, ``None`` beyond the row's last filled cell."""
        return self.cells[column] if column < len(self.cells) else None


@dataclass(frozen=True)
class Sheet:
    """The non-blank rows of the first visible worksheet (or of the CSV), in order."""

    filename: str
    rows: tuple[SheetRow, ...]


def check_upload(data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """The cheap checks, before a file is kept or parsed: size, emptiness, legacy .xls, and for an .xlsx the
    inflated size from the zip directory alone (a 485 KB file inflating to 200 MB is refused here)."""
    if len(data) > max_bytes:
        raise ImportFileError(
            f"文件 {filename} 大小为 {_megabytes(len(data))}，超过上限 {_megabytes(max_bytes)}，请拆分后再导入"
        )
    if not data.strip():
        raise ImportFileError(f"文件 {filename} 是空的")
    if data.startswith(_OLE_MAGIC):
        raise ImportFileError(f"文件 {filename} 是旧版 Excel（.xls）格式，请在 Excel 中另存为 .xlsx 后再导入")
    suffix = PurePath(filename).suffix.lower()
    if data.startswith(_ZIP_MAGIC):
        _check_inflated(data, filename, max_bytes)
    elif suffix in _XLSX_SUFFIXES:
        raise ImportFileError(f"文件 {filename} 不是有效的 Excel（.xlsx）文件")
    elif suffix not in _TEXT_SUFFIXES:
        raise ImportFileError(f"文件 {filename} 不是表格文件，只能导入 .xlsx 或 .csv 文件")


def read_sheet(
    data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES, max_rows: int = DEFAULT_MAX_ROWS
) -> Sheet:
    """Read .xlsx or .csv bytes; every failure is an ``ImportFileError`` with one Chinese sentence.

    The format is decided by content (a zip is an .xlsx, an OLE file is a legacy .xls) so a mislabelled file
    still gets the right message; CSV text may be UTF-8 with or without BOM, UTF-16 with BOM, or GBK/GB18030.
    """
    check_upload(data, filename, max_bytes=max_bytes)
    if data.startswith(_ZIP_MAGIC):
        rows = _read_xlsx(data, filename, max_rows)
    else:
        rows = _read_csv(data, filename, max_rows)
    if not rows:
        raise ImportFileError(f"文件 {filename} 中没有任何数据")
    return Sheet(filename=filename, rows=tuple(rows))


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


# --- .xlsx --------------------------------------------------------------------------------------------------


def _too_many_rows(filename: str, max_rows: int) -> ImportFileError:
    return ImportFileError(f"文件 {filename} 超过 {max_rows:,} 行数据的上限，请拆分成几个文件后再导入")


def _check_inflated(data: bytes, filename: str, max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportFileError(f"文件 {filename} 不是有效的 Excel（.xlsx）文件") from exc
    if inflated > max_bytes * _MAX_INFLATION:
        raise ImportFileError(
            f"文件 {filename} 解压后超过 {_megabytes(max_bytes * _MAX_INFLATION)}，请拆分后再导入"
        )


def _read_xlsx(data: bytes, filename: str, max_rows: int) -> list[SheetRow]:
    try:
        return _xlsx_rows(data, filename, max_rows)
    except ImportFileError:
        raise
    # openpyxl reports a malformed package through many unrelated exception types (KeyError, TypeError, XML
    # parse errors, ...); at this boundary every one of them means the same thing to the user.
    except Exception as exc:
        raise ImportFileError(f"文件 {filename} 不是有效的 Excel（.xlsx）文件，或已损坏") from exc


def _xlsx_rows(data: bytes, filename: str, max_rows: int) -> list[SheetRow]:
    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it does not read; none of that matters for the values.
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
            rows: list[SheetRow] = []
            for worksheet in visible:
                # Exported files often carry a wrong <dimension>; resetting makes read-only mode read to the end.
                worksheet.reset_dimensions()
                tops, below = _vertical_merges(data, getattr(worksheet, "_worksheet_path", ""))
                carried: dict[tuple[int, int], CellValue] = {}
                for number, values in enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1):
                    cells = [_xlsx_value(v) for v in values]
                    for column in tops.get(number, ()):
                        carried[(number, column)] = cells[column] if column < len(cells) else None
                    for column, first in below.get(number, ()):
                        cells.extend([None] * (column + 1 - len(cells)))
                        cells[column] = carried.get((first, column))
                    row = _trim(tuple(cells))
                    if row:
                        rows.append(SheetRow(number, row))
                        if len(rows) > max_rows + 1:  # the header row is not a data row
                            raise _too_many_rows(filename, max_rows)
                if rows:
                    break
            return rows
        finally:
            workbook.close()


_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _vertical_merges(
    data: bytes, member: str
) -> tuple[dict[int, list[int]], dict[int, list[tuple[int, int]]]]:
    """Cells merged down a column (one 权利人 for several rows). Read-only mode gives the value only to the top
    cell, so the reader repeats it in the rows below: (top row → columns, lower row → (column, top row)).
    Horizontal merges (a title over the table) stay as they are."""
    tops: dict[int, list[int]] = {}
    below: dict[int, list[tuple[int, int]]] = {}
    if not member:
        return tops, below
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            xml = archive.read(member.lstrip("/"))
        except KeyError:
            return tops, below
    for left, first, right, last in _MERGE.findall(xml):
        if left == right and int(last) > int(first):
            column = _column_index(left.decode())
            tops.setdefault(int(first), []).append(column)
            for number in range(int(first) + 1, int(last) + 1):
                below.setdefault(number, []).append((column, int(first)))
    return tops, below


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _xlsx_value(value: object) -> CellValue:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer():
            return int(value)
        return Decimal(repr(value))
    if isinstance(value, datetime):
        return value.date() if value.time() == time() else value
    if isinstance(value, (date, time)):
        return value
    if isinstance(value, Decimal):
        return value
    text = str(value).strip()
    return text or None


def _trim(cells: tuple[CellValue, ...]) -> tuple[CellValue, ...]:
    """Drop trailing empty cells; an all-empty row becomes ``()``."""
    end = len(cells)
    while end and cells[end - 1] is None:
        end -= 1
    return cells[:end]


# --- .csv ---------------------------------------------------------------------------------------------------


def _read_csv(data: bytes, filename: str, max_rows: int) -> list[SheetRow]:
    text = _decode(data, filename)
    if any(ord(ch) < 32 and ch not in _ALLOWED_CONTROLS for ch in text):
        raise ImportFileError(f"文件 {filename} 不是文本表格（含有二进制内容），只能导入 .xlsx 或 .csv 文件")
    delimiter = _sniff_delimiter(text)
    rows: list[SheetRow] = []
    try:
        for number, record in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
        ):
            cells = _trim(tuple((field.strip() or None) for field in record))
            if cells:
                rows.append(SheetRow(number, cells))
                if len(rows) > max_rows + 1:
                    raise _too_many_rows(filename, max_rows)
    except csv.Error as exc:
        raise ImportFileError(f"文件 {filename} 的 CSV 格式有误：{exc}") from exc
    return rows


def _decode(data: bytes, filename: str) -> str:
    """UTF-8 (BOM or not) first, then GB18030, the superset of the GBK that Chinese Excel writes."""
    if data.startswith(codecs.BOM_UTF8):
        candidates: tuple[tuple[bytes, str], ...] = ((data[len(codecs.BOM_UTF8) :], "utf-8"),)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ((data, "utf-16"),)
    else:
        candidates = ((data, "utf-8"), (data, "gb18030"))
    for payload, encoding in candidates:
        try:
            return payload.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"文件 {filename} 的文字编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV")


def _sniff_delimiter(text: str) -> str:
    """The separator that occurs most in the first lines; commas win ties (the CSV Excel writes in China)."""
    head = text.splitlines()[:_SNIFF_LINES]
    counts = {d: sum(line.count(d) for line in head) for d in _DELIMITERS}
    return max(_DELIMITERS, key=lambda d: counts[d])
