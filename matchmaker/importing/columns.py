"""Find the header row and decide which column feeds which field: by header wording, then by content.

Order of evidence, strongest first: a mapping the person gave (``--map``, the mapping step, an import
profile); the header text equal to a synonym in ``seed/headers.json``; the header without its bracketed note
(units are read from the note); a synonym contained in the header or nearly equal to it (「法律状态/事件」,
「参考价格」, 「可转化方式」); and for a field still without a column, the column whose values pass the
field's recogniser (``importing.recognisers``). Every decision carries its reason for the preview, every
column not taken is listed, and a required field left without a column is reported as *missing* (the mapping
step asks for it) rather than refusing the file.

Units (元 / 万元) come from the header's note, a unit row right under the header, or a note row above it
(「金额单位：万元」); values are converted to the unit the validator reads, exactly (no float).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rapidfuzz import fuzz

from matchmaker.domain.cells import cell_text
from matchmaker.importing.headers import HeaderSynonyms, normalise_header
from matchmaker.importing.kinds import ImportKind
from matchmaker.importing.recognisers import DESCRIPTIONS, Recogniser
from matchmaker.importing.sheets import CellValue, ImportFileError, Sheet, SheetRow

HEADER_SEARCH_ROWS = 15
MIN_HEADER_FIELDS = 3
CONTENT_SAMPLE_ROWS = 60
CONTENT_MIN_SHARE = 0.6
FUZZY_MIN_RATIO = 80
SAMPLE_VALUES = 3
#: Recognisers precise enough to say "the row above these values is a header", whatever its wording.
STRONG_RECOGNISERS = ("application_number", "credit_code", "registration_number")

_NOTE_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>")
_MARKS = "*※#＊:："
_TOTAL_LABELS = frozenset({"合计", "总计", "小计", "累计", "总额", "合计金额"})
_NOTE_PREFIXES = (
    "注:",
    "注：",
    "说明",
    "备注",
    "填表",
    "制表",
    "审核",
    "填报",
    "※",
    "数据来源",
    "统计时间",
    "导出",
)
_UNIT_WORDS = {"元": "元", "万元": "万元", "万": "万元", "人民币元": "元", "单位元": "元", "单位万元": "万元"}


def header_parts(text: str) -> tuple[str, str, str | None]:
    """(full key, base key without notes and unit, unit named by the header or None)."""
    full = normalise_header(text).strip(_MARKS)
    notes = _NOTE_RE.findall(full)
    base = _NOTE_RE.sub("", full).strip(_MARKS)
    unit = None
    for note in notes:
        if "万" in note:
            unit = "万元"
        elif "元" in note and unit is None:
            unit = "元"
    for suffix, named in (("/万元", "万元"), ("万元", "万元"), ("/元", "元")):
        if base.endswith(suffix) and len(base) > len(suffix) + 1:
            base, unit = base[: -len(suffix)].rstrip("/"), unit or named
            break
    return full, base or full, unit


@dataclass(frozen=True)
class _Synonyms:
    """One kind's synonyms keyed for the three header tests."""

    full: Mapping[str, str]
    base: Mapping[str, tuple[tuple[str, str | None], ...]]

    def match(self, text: str) -> tuple[str, str, str | None] | None:
        """(field, how, unit) or None; ``how`` is the reason shown in the preview."""
        full, base, unit = header_parts(text)
        if not full:
            return None
        if full in self.full:
            return self.full[full], f"表头「{text}」", unit
        candidates = self.base.get(base)
        if candidates:
            chosen = next((c for c in candidates if c[1] == unit), None) or next(
                (c for c in candidates if c[1] is None), candidates[0]
            )
            return chosen[0], f"表头「{text}」", unit
        contained = [
            (len(key), f)
            for key, options in self.base.items()
            if len(key) >= 2 and key in base
            for f, _ in options
        ]
        if contained:
            longest = max(size for size, _ in contained)
            fields = {f for size, f in contained if size == longest}
            if len(fields) == 1 and longest * 3 >= len(base):
                return fields.pop(), f"表头「{text}」含“{_key_for(self.base, longest, base)}”", unit
        if len(base) >= 3:
            scored = [
                (fuzz.ratio(base, key), f)
                for key, options in self.base.items()
                if len(key) >= 3
                for f, _ in options
            ]
            best = max((s for s, _ in scored), default=0)
            fields = {f for s, f in scored if s == best}
            if best >= FUZZY_MIN_RATIO and len(fields) == 1:
                return fields.pop(), f"表头「{text}」与常见写法相近", unit
        return None


def _key_for(base: Mapping[str, object], size: int, text: str) -> str:
    return next(key for key in base if len(key) == size and key in text)


def _synonyms(synonyms: HeaderSynonyms, kind: str) -> _Synonyms:
    full: dict[str, str] = {}
    base: dict[str, list[tuple[str, str | None]]] = {}
    for header, field_name in synonyms.fields_by_header[kind].items():
        key, base_key, unit = header_parts(header)
        full[key] = field_name
        options = base.setdefault(base_key, [])
        if (field_name, unit) not in options:
            options.append((field_name, unit))
    return _Synonyms(full, {k: tuple(v) for k, v in base.items()})


@dataclass(frozen=True)
class Column:
    """One column of the header row: the field it feeds (or None), why, its unit and a few sample values."""

    index: int
    header: str
    field: str | None
    reason: str
    unit: str | None = None
    samples: tuple[str, ...] = ()

    @property
    def letter(self) -> str:
        return column_letter(self.index)


def column_letter(index: int) -> str:
    """0 → A, 26 → AA, as Excel names columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Detection:
    """Where the header is, what each column feeds, and which required fields have no column yet."""

    kind: str
    header_row: int
    columns: tuple[Column, ...]
    missing: tuple[tuple[str, ...], ...] = ()
    notes: tuple[str, ...] = ()
    skip_rows: frozenset[int] = field(default_factory=frozenset)

    @property
    def by_field(self) -> dict[str, Column]:
        return {c.field: c for c in self.columns if c.field is not None}

    @property
    def ignored(self) -> list[Column]:
        return [c for c in self.columns if c.field is None]

    @property
    def mapping(self) -> dict[str, str]:
        """field → header text: what an import profile keeps."""
        return {c.field: c.header for c in self.columns if c.field is not None}


@dataclass(frozen=True)
class Record:
    """One data row as field → value (units converted), with its spreadsheet row and all its cells."""

    row_number: int
    values: Mapping[str, CellValue]
    cells: tuple[CellValue, ...] = ()


def detect(
    sheet: Sheet,
    kind: ImportKind,
    synonyms: HeaderSynonyms,
    recognisers: Mapping[str, Recogniser],
    *,
    overrides: Mapping[str, str] | None = None,
    override_reason: str = "按您的指定",
    optional: Collection[str] = (),
) -> Detection:
    """Decide the columns of ``sheet`` for ``kind``. Raises ``ImportFileError`` only when no header row is
    found at all, or an override names a column the header does not have."""
    table = _synonyms(synonyms, kind.name)
    strong = [recognisers[n] for n in STRONG_RECOGNISERS if n in recognisers]
    header, matches = _find_header(
        sheet, table, [normalise_header(v) for v in (overrides or {}).values() if v], strong
    )
    index_of_row = {row.number: i for i, row in enumerate(sheet.rows)}
    position = index_of_row[header.number]
    sheet_unit = _unit_note(sheet.rows[:position])
    skip: set[int] = set()
    row_units: dict[int, str] = {}
    if position + 1 < len(sheet.rows):
        unit_row = _unit_row(sheet.rows[position + 1])
        if unit_row is not None:
            row_units = unit_row
            skip.add(sheet.rows[position + 1].number)
    data = [r for r in sheet.rows[position + 1 :] if r.number not in skip][:CONTENT_SAMPLE_ROWS]
    data = [r for r in data if not _is_total_row(r.cells) and not _is_note_row(r.cells)]

    headers = {i: cell_text(v) for i, v in enumerate(header.cells) if cell_text(v)}
    chosen: dict[str, tuple[int, str, int]] = {}  # field → (column, reason, strength)
    units: dict[int, str | None] = {}
    notes: list[str] = []
    rejected: dict[int, str] = {}
    for index, text in headers.items():
        found = matches.get(index)
        if found is None:
            continue
        field_name, how, unit = found
        units[index] = unit
        strength = 2 if how == f"表头「{text}」" else 1
        if field_name not in kind.labels:
            continue
        previous = chosen.get(field_name)
        if previous is None or strength > previous[2]:
            if previous is not None:
                rejected[previous[0]] = f"与第 {index + 1} 列「{text}」同为{kind.labels[field_name]}，已忽略"
            chosen[field_name] = (index, how, strength)
        else:
            rejected[index] = (
                f"与第 {previous[0] + 1} 列「{headers[previous[0]]}」同为{kind.labels[field_name]}，已忽略"
            )
            notes.append(f"第 {index + 1} 列「{text}」与第 {previous[0] + 1} 列重复，已忽略")

    def share(column: int, recogniser: Recogniser) -> float:
        values = [row.cell(column) for row in data if row.cell(column) is not None]
        if not values:
            return 0.0
        return sum(1 for v in values if recogniser(v)) / len(values)

    taken = {c for c, _, _ in chosen.values()}
    for spec in kind.fields:
        if spec.content is None or spec.content not in recognisers:
            continue
        recogniser = recognisers[spec.content]
        description = DESCRIPTIONS.get(spec.content, spec.content)
        free = [c for c in headers if c not in taken]
        current = chosen.get(spec.name)
        if current is not None:
            fit = share(current[0], recogniser)
            if fit >= CONTENT_MIN_SHARE:
                chosen[spec.name] = (current[0], f"{current[1]}，{fit:.0%} 的值是{description}", current[2])
                continue
            if current[2] == 2 or fit > 0:
                continue
        group = next((g for g in kind.alternatives if spec.name in g), (spec.name,))
        if current is None and any(other in chosen for other in group):
            continue  # the other unit's column is there (合同成交额 in 万元)
        same_kind = [s for s in kind.fields if s.content == spec.content and s.name not in chosen]
        fits = sorted(((share(c, recogniser), c) for c in free), key=lambda p: (-p[0], p[1]))
        good = [(s, c) for s, c in fits if s >= CONTENT_MIN_SHARE]
        if not good or (len(same_kind) > 1 and current is None):
            continue  # several date fields and date columns: which is which is for a person to say
        best_share, best = good[0]
        if current is not None:
            rejected[current[0]] = f"内容不像{description}，已改用第 {best + 1} 列"
            taken.discard(current[0])
        chosen[spec.name] = (
            best,
            f"按内容：第 {best + 1} 列「{headers[best]}」{best_share:.0%} 的值是{description}",
            1,
        )
        taken.add(best)

    if overrides:
        _apply_overrides(kind, headers, overrides, chosen, rejected, override_reason)

    field_of = {c: f for f, (c, _, _) in chosen.items()}
    reason_of = {c: r for _, (c, r, _) in chosen.items()}
    columns: list[Column] = []
    for index, text in headers.items():
        samples = tuple(
            dict.fromkeys(cell_text(row.cell(index)) for row in data if row.cell(index) is not None)
        )[:SAMPLE_VALUES]
        unit = units.get(index) or row_units.get(index) or sheet_unit
        name = field_of.get(index)
        reason = reason_of.get(index) or rejected.get(index) or "未识别，已忽略"
        if name is not None and unit is not None and kind.field(name).unit is None:
            unit = None
        if name is not None and unit is not None and unit != kind.field(name).unit:
            reason += f"；单位为{unit}，已换算为{kind.field(name).unit}"
        columns.append(Column(index, text, name, reason, unit if name else None, samples))
    unknown = [c.header for c in columns if c.field is None and c.index not in rejected]
    if unknown:
        notes.append(f"未识别的列已忽略：{'、'.join(unknown)}")
    present = set(field_of.values())
    missing = tuple(g for g in kind.required_groups(frozenset(optional)) if not set(g) & present)
    return Detection(kind.name, header.number, tuple(columns), missing, tuple(notes), frozenset(skip))


def _find_header(
    sheet: Sheet, table: _Synonyms, named: Collection[str] = (), strong: Collection[Recogniser] = ()
) -> tuple[SheetRow, dict[int, tuple[str, str, str | None]]]:
    """The first top row naming three known fields; failing that, the header-like row (three or more text
    cells) naming the most fields or columns the person named, or the first header-like row above a column
    of application numbers or credit codes, so the mapping step can ask for the rest."""
    best: tuple[int, SheetRow, dict[int, tuple[str, str, str | None]]] | None = None
    plain: tuple[SheetRow, dict[int, tuple[str, str, str | None]]] | None = None
    for position, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        matches: dict[int, tuple[str, str, str | None]] = {}
        texts = 0
        for index, value in enumerate(row.cells):
            if isinstance(value, str):
                texts += 1
                found = table.match(value)
                if found is not None:
                    matches[index] = found
        fields = len({m[0] for m in matches.values()})
        if fields >= MIN_HEADER_FIELDS:
            return row, matches
        score = fields + sum(1 for v in row.cells if isinstance(v, str) and normalise_header(v) in named)
        if texts >= MIN_HEADER_FIELDS and score and (best is None or score > best[0]):
            best = (score, row, matches)
        if (
            plain is None
            and texts >= MIN_HEADER_FIELDS
            and texts == sum(1 for v in row.cells if v is not None)
        ):
            below = sheet.rows[position + 1 : position + 1 + CONTENT_SAMPLE_ROWS]
            for column in range(len(row.cells)):
                values = [r.cell(column) for r in below if r.cell(column) is not None]
                if values and any(
                    sum(map(test, values)) >= CONTENT_MIN_SHARE * len(values) for test in strong
                ):
                    plain = (row, matches)
                    break
    if best is not None:
        return best[1], best[2]
    if plain is not None:
        return plain
    canonical = list(dict.fromkeys(f for f in table.full.values()))
    raise ImportFileError(
        f"文件 {sheet.filename} 的前 {HEADER_SEARCH_ROWS} 行中没有找到表头，请确认表头含有"
        f"「{'」「'.join(_canonical_headers(table, canonical[:3]))}」等列名"
    )


def _canonical_headers(table: _Synonyms, fields: list[str]) -> list[str]:
    first: dict[str, str] = {}
    for header, name in table.full.items():
        first.setdefault(name, header)
    return [first[f] for f in fields]


def _apply_overrides(
    kind: ImportKind,
    headers: Mapping[int, str],
    overrides: Mapping[str, str],
    chosen: dict[str, tuple[int, str, int]],
    rejected: dict[int, str],
    reason: str,
) -> None:
    """field → header text (or Excel column letter); the column is taken from whatever field had it."""
    by_text = {normalise_header(t): i for i, t in headers.items()}
    by_letter = {column_letter(i): i for i in headers}
    for name, wanted in overrides.items():
        if name not in kind.labels:
            continue
        if not wanted:
            chosen.pop(name, None)
            continue
        index = by_text.get(normalise_header(wanted))
        if index is None:
            index = by_letter.get(wanted.strip().upper())
        if index is None:
            raise ImportFileError(
                f"指定给{kind.labels[name]}的列「{wanted}」不在表头中；表头的列有：{'、'.join(headers.values())}"
            )
        for other, (column, _, _) in list(chosen.items()):
            if column == index or other == name:
                del chosen[other]
        rejected.pop(index, None)
        chosen[name] = (index, f"{reason}：「{headers[index]}」", 3)


def _unit_note(rows: Collection[SheetRow]) -> str | None:
    """「单位：万元」「金额单位:元」 in a title or note row above the header."""
    for row in rows:
        for cell in row.cells:
            text = normalise_header(cell_text(cell))
            if "单位" in text:
                after = text.split("单位", 1)[1]
                if "万元" in after or after.lstrip(":：").startswith("万"):
                    return "万元"
                if "元" in after:
                    return "元"
    return None


def _unit_row(row: SheetRow) -> dict[int, str] | None:
    """A row under the header holding only units (「元」「（万元）」): column → unit."""
    units: dict[int, str] = {}
    for index, cell in enumerate(row.cells):
        if cell is None:
            continue
        if not isinstance(cell, str):
            return None
        key = _NOTE_RE.sub(lambda m: m.group(0)[1:-1], normalise_header(cell)).replace(":", "").strip("()")
        if key not in _UNIT_WORDS:
            return None
        units[index] = _UNIT_WORDS[key]
    return units or None


def _is_total_row(cells: tuple[CellValue, ...]) -> bool:
    return any(
        isinstance(cell, str) and len(cell) <= 8 and normalise_header(cell).strip(":：") in _TOTAL_LABELS
        for cell in cells
    )


def _is_note_row(cells: tuple[CellValue, ...]) -> bool:
    """A single text cell starting like a footnote (「注：」「制表人」「数据来源」)."""
    filled = [c for c in cells if c is not None]
    return len(filled) == 1 and isinstance(filled[0], str) and filled[0].lstrip().startswith(_NOTE_PREFIXES)


def records(sheet: Sheet, kind: ImportKind, detection: Detection) -> Iterator[Record]:
    """Rows below the header as field → value, skipping blank, total, footnote and unit rows."""
    mapped = [
        (c.index, c.field, _converter(c.unit, kind.field(c.field).unit)) for c in detection.columns if c.field
    ]
    for row in sheet.rows:
        if row.number <= detection.header_row or row.number in detection.skip_rows:
            continue
        if _is_total_row(row.cells) or _is_note_row(row.cells):
            continue
        values = {name: convert(row.cell(index)) for index, name, convert in mapped}
        if any(value is not None for value in values.values()):
            yield Record(row.number, values, row.cells)


def _converter(have: str | None, want: str | None):  # type: ignore[no-untyped-def]
    if have is None or want is None or have == want:
        return _same
    return _wan_to_yuan if want == "元" else _yuan_to_wan


def _same(value: CellValue) -> CellValue:
    return value


def _wan_to_yuan(value: CellValue) -> CellValue:
    """A 万元 cell for a 元 validator: the amount text with a 万 suffix (``parse_yuan`` scales it exactly)."""
    if value is None:
        return None
    text = cell_text(value)
    if isinstance(value, str) and (
        text.endswith(("万", "万元", "元")) or not any(ch.isdigit() for ch in text)
    ):
        return value
    return f"{text}万"


def _yuan_to_wan(value: CellValue) -> CellValue:
    """A 元 cell for a 万元 validator: divided by 10,000 exactly; text that is no number passes unchanged."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", cell_text(value)).replace(",", "").removesuffix("元")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return value
    wan = number.scaleb(-4)
    return int(wan) if wan == wan.to_integral_value() else wan.normalize()
