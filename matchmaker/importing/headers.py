"""Find the header row of a sheet and map its Chinese column names onto record fields.

The synonyms are data (``seed/headers.json``) because every office exports its own column names; adding a
spelling must not need a release. Matching ignores width, case and spaces, and falls back to the text without
its bracketed note (「发明人（以顿号分隔）」 → 发明人) only when the note names no unit: 合同成交额（元） and
合同成交额（万元） are different fields, and dropping 「（万元）」 would silently multiply by 10,000.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from matchmaker.importing.sheets import CellValue, ImportFileError, Sheet

DEFAULT_HEADERS_PATH = Path(__file__).resolve().parents[2] / "seed" / "headers.json"
# Title rows, notes and blank lines sit above the header; no export we know of puts more than a few there.
HEADER_SEARCH_ROWS = 15
# A title row can contain one known word by accident (「名称」); three distinct fields make a header.
MIN_HEADER_FIELDS = 3
_NOTE_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")
_UNIT_MARK = "元"
_TOTAL_LABELS = frozenset({"合计", "总计", "小计"})
_TOTAL_LABEL_MAX_CHARS = 8


def normalise_header(text: str) -> str:
    """NFKC (full-width brackets and letters → ASCII), lower case, all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


@dataclass(frozen=True)
class HeaderSynonyms:
    """Per record kind: normalised header text → field name, and each field's canonical header."""

    fields_by_header: Mapping[str, Mapping[str, str]]
    canonical_headers: Mapping[str, Mapping[str, str]]

    def field_for(self, kind: str, header: str) -> str | None:
        """The field a header names, or None; see the module docstring for the bracketed-note rule."""
        table = self.fields_by_header[kind]
        text = normalise_header(header)
        if text in table:
            return table[text]
        notes = _NOTE_RE.findall(text)
        if not notes or any(_UNIT_MARK in note for note in notes):
            return None
        return table.get(_NOTE_RE.sub("", text))

    def header_for(self, kind: str, field: str) -> str:
        """The canonical Chinese header of a field, for messages and templates."""
        return self.canonical_headers[kind][field]


def parse_header_synonyms(document: Mapping[str, object]) -> HeaderSynonyms:
    """Build the lookup from the JSON document; keys starting with ``_`` are comments."""
    fields_by_header: dict[str, dict[str, str]] = {}
    canonical: dict[str, dict[str, str]] = {}
    for kind, fields in document.items():
        if kind.startswith("_"):
            continue
        if not isinstance(fields, Mapping):
            raise TypeError(f"headers: kind {kind!r} must map fields to lists of headers")
        table: dict[str, str] = {}
        for field, headers in fields.items():
            for header in headers:
                key = normalise_header(header)
                if table.setdefault(key, field) != field:
                    raise ValueError(
                        f"headers: {header!r} is listed for both {table[key]!r} and {field!r} ({kind})"
                    )
        fields_by_header[kind] = table
        canonical[kind] = {field: headers[0] for field, headers in fields.items()}
    return HeaderSynonyms(fields_by_header, canonical)


@lru_cache(maxsize=4)
def load_header_synonyms(path: Path = DEFAULT_HEADERS_PATH) -> HeaderSynonyms:
    """Read ``seed/headers.json`` once per process."""
    return parse_header_synonyms(json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class HeaderRow:
    """Where the header is and which column feeds which field (0-based column index)."""

    row_number: int
    columns: Mapping[int, str]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Record:
    """One data row as field → raw cell value, with its spreadsheet row number."""

    row_number: int
    values: Mapping[str, CellValue]


def locate_header(
    sheet: Sheet, synonyms: HeaderSynonyms, kind: str, *, required: Collection[tuple[str, ...]]
) -> HeaderRow:
    """The first of the top rows naming at least three known fields.

    ``required`` lists groups of fields of which at least one must be present (``("amount_yuan",
    "amount_wan")``); a header without one is refused at once, naming the group's first field, rather than
    failing on every row.
    """
    for row in sheet.rows[:HEADER_SEARCH_ROWS]:
        columns: dict[int, str] = {}
        seen: dict[str, int] = {}
        notes: list[str] = []
        unknown: list[str] = []
        for index, value in enumerate(row.cells):
            if not isinstance(value, str):
                continue
            field = synonyms.field_for(kind, value)
            if field is None:
                unknown.append(value)
            elif field in seen:
                notes.append(f"第 {index + 1} 列「{value}」与第 {seen[field] + 1} 列重复，已忽略")
            else:
                seen[field] = index
                columns[index] = field
        if len(columns) < MIN_HEADER_FIELDS:
            continue
        missing = [group for group in required if not set(group) & set(seen)]
        if missing:
            names = "、".join(f"「{synonyms.header_for(kind, group[0])}」" for group in missing)
            raise ImportFileError(f"第 {row.number} 行的表头缺少必需的列：{names}")
        if unknown:
            notes.append(f"未识别的列已忽略：{'、'.join(unknown)}")
        return HeaderRow(row.number, columns, tuple(notes))
    raise ImportFileError(
        f"文件 {sheet.filename} 的前 {HEADER_SEARCH_ROWS} 行中没有找到表头，请确认表头含有"
        f"「{'」「'.join(list(synonyms.canonical_headers[kind].values())[:3])}」等列名"
    )


def records(sheet: Sheet, header: HeaderRow) -> Iterator[Record]:
    """The rows below the header as field → value.

    Skipped: rows whose mapped cells are all empty, and total rows (a cell reading 合计/总计/小计), which
    summarise the records above and are not records themselves.
    """
    for row in sheet.rows:
        if row.number <= header.row_number or _is_total_row(row.cells):
            continue
        values = {field: row.cell(index) for index, field in header.columns.items()}
        if any(value is not None for value in values.values()):
            yield Record(row.number, values)


def _is_total_row(cells: tuple[CellValue, ...]) -> bool:
    """A short cell reading 合计/总计/小计 (the length check keeps this cheap on 10,000-row files)."""
    return any(
        isinstance(cell, str)
        and len(cell) <= _TOTAL_LABEL_MAX_CHARS
        and normalise_header(cell).rstrip(":") in _TOTAL_LABELS
        for cell in cells
    )
