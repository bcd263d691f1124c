"""What every import does between the sheet and its validator, whatever the kind.

``read_rows`` detects the columns (``importing.columns``) and turns each data row into the raw mapping a
domain validator reads: controlled values rewritten from ``seed/values.json`` and the person's answers,
negotiable-price phrases to 面议, TRL spellings to a number. ``QuestionBook`` turns the values the validator
then refused into one question per distinct value.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from matchmaker.domain.cells import cell_text
from matchmaker.domain.errors import FieldError
from matchmaker.importing.columns import Detection, Record, detect, records
from matchmaker.importing.headers import HeaderSynonyms, load_header_synonyms
from matchmaker.importing.kinds import ImportKind
from matchmaker.importing.recognisers import Recogniser
from matchmaker.importing.report import ColumnInfo, Question
from matchmaker.importing.sheets import Sheet
from matchmaker.importing.values import Answers, ValueTables, load_value_tables, normalise_value, value_key

PRICE_FIELDS = frozenset({"price_wan", "budget_wan"})
_TOWN_PREFIXES = ("江苏省", "常州市", "溧阳市")
_TOWN_SUFFIXES = ("街道", "镇", "乡")


@dataclass(frozen=True)
class Choices:
    """What the person (or a profile) decided: field → header, vocabulary → {value key → canonical}."""

    columns: Mapping[str, str] = field(default_factory=dict)
    answers: Answers = field(default_factory=dict)
    reason: str = "按您的指定"


@dataclass(frozen=True)
class Prepared:
    record: Record
    raw: dict[str, object]
    unknown: Mapping[str, tuple[str, ...]]


def read_rows(
    sheet: Sheet,
    kind: ImportKind,
    recognisers: Mapping[str, Recogniser],
    *,
    choices: Choices | None = None,
    optional: Collection[str] = (),
    synonyms: HeaderSynonyms | None = None,
    tables: ValueTables | None = None,
) -> tuple[Detection, Iterator[Prepared]]:
    """The detection, and (lazily) every data row prepared for validation."""
    chosen = choices or Choices()
    detection = detect(
        sheet,
        kind,
        synonyms or load_header_synonyms(),
        recognisers,
        overrides=chosen.columns,
        override_reason=chosen.reason,
        optional=optional,
    )
    value_tables = tables or load_value_tables()

    def prepared() -> Iterator[Prepared]:
        for record in records(sheet, kind, detection):
            yield prepare(record, kind, value_tables, chosen.answers)

    return detection, prepared()


def prepare(record: Record, kind: ImportKind, tables: ValueTables, answers: Answers) -> Prepared:
    raw: dict[str, object] = dict(record.values)
    unknown: dict[str, tuple[str, ...]] = {}
    for name, value in record.values.items():
        if value is None:
            continue
        spec = kind.field(name)
        if spec.vocabulary is not None:
            found = normalise_value(tables, spec.vocabulary, value, answers)
            raw[name] = found.value
            if found.unknown:
                unknown[name] = found.unknown
        elif name in PRICE_FIELDS and isinstance(value, str) and tables.is_negotiable(value):
            raw[name] = "面议"
        elif name == "trl" and isinstance(value, str):
            raw[name] = tables.trl_text(value)
    return Prepared(record, raw, unknown)


def identity(kind: ImportKind, record: Record) -> tuple[tuple[str, str], ...]:
    """The identifying cells of a row (title, number …) as (label, text), for messages beside an error."""
    return tuple(
        (spec.label, cell_text(record.values.get(spec.name)))
        for spec in kind.fields
        if spec.identifying and cell_text(record.values.get(spec.name))
    )


class QuestionBook:
    """Collects refused values of controlled fields: one question per (field, value), with its rows."""

    def __init__(self, kind: ImportKind, tables: ValueTables | None = None) -> None:
        self.kind = kind
        self.tables = tables or load_value_tables()
        self._rows: dict[tuple[str, str], list[int]] = {}
        self._shown: dict[tuple[str, str], str] = {}

    def note(self, prepared: Prepared, errors: Sequence[FieldError]) -> None:
        refused = {e.field for e in errors}
        for name, parts in prepared.unknown.items():
            if name not in refused:
                continue
            for part in parts:
                key = (name, value_key(part))
                self._rows.setdefault(key, []).append(prepared.record.row_number)
                self._shown.setdefault(key, part)

    def questions(self) -> tuple[Question, ...]:
        out = []
        for (name, key), rows in self._rows.items():
            spec = self.kind.field(name)
            assert spec.vocabulary is not None
            vocabulary = self.tables.vocabularies[spec.vocabulary]
            out.append(
                Question(
                    name,
                    spec.vocabulary,
                    spec.label,
                    self._shown[(name, key)],
                    tuple(rows),
                    vocabulary.canonical,
                )
            )
        return tuple(out)


def column_infos(kind: ImportKind, detection: Detection) -> tuple[ColumnInfo, ...]:
    labels = kind.labels
    return tuple(
        ColumnInfo(c.letter, c.header, c.field, labels.get(c.field or ""), c.reason, c.samples, c.index)
        for c in detection.columns
    )


def missing_labels(kind: ImportKind, detection: Detection) -> tuple[str, ...]:
    labels = kind.labels
    return tuple("或".join(labels[name] for name in group) for group in detection.missing)


def field_named(kind: ImportKind, text: str, synonyms: HeaderSynonyms | None = None) -> str:
    """A field by its internal name, its label or any header synonym; ``ValueError`` with a Chinese sentence."""
    wanted = text.strip()
    for spec in kind.fields:
        if wanted in (spec.name, spec.label):
            return spec.name
    table = synonyms or load_header_synonyms()
    found = table.field_for(kind.name, wanted) if kind.name in table.fields_by_header else None
    if found is not None and found in kind.labels:
        return found
    raise ValueError(f"{kind.label}没有名为「{wanted}」的字段，可用：{'、'.join(kind.labels.values())}")


def parse_decisions(
    kind_name: str, maps: Sequence[str], values: Sequence[str]
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """``字段=列名`` items and ``字段:原值=平台值`` items as (columns, answers)."""
    from matchmaker.importing.kinds import KINDS

    kind = KINDS[kind_name]
    columns: dict[str, str] = {}
    for item in maps:
        name, sep, header = item.replace("＝", "=").partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--map「{item}」应写成 字段=列名，如 专利名称=发明名称")
        columns[field_named(kind, name)] = header.strip()
    answers: dict[str, dict[str, str]] = {}
    tables = load_value_tables()
    for item in values:
        head, sep, target = item.replace("＝", "=").partition("=")
        name, colon, original = head.replace("：", ":").partition(":")
        if not sep or not colon or not original.strip():
            raise ValueError(f"--value「{item}」应写成 字段:原值=平台值，如 法律状态:专利权有效=有效")
        spec = kind.field(field_named(kind, name))
        if spec.vocabulary is None:
            raise ValueError(f"{spec.label}不是有固定取值的字段，不需要 --value")
        choices = tables.vocabularies[spec.vocabulary].canonical
        if target.strip() not in choices:
            raise ValueError(f"{spec.label}的取值应为{'、'.join(choices)}之一，不是「{target.strip()}」")
        answers.setdefault(spec.vocabulary, {})[value_key(original)] = target.strip()
    return columns, answers


def match_town(text: str, towns: Collection[str]) -> str:
    """「天目湖」「溧阳市埭头镇」「溧城」 → the town of the list (镇/街道 added, the city dropped) when exactly one
    fits; otherwise the text unchanged, for the validator to name."""
    key = "".join(unicodedata.normalize("NFKC", text).split())
    for prefix in _TOWN_PREFIXES:
        key = key.removeprefix(prefix)
    if key in towns:
        return key
    for suffix in _TOWN_SUFFIXES:
        if key + suffix in towns:
            return key + suffix
    fitting = [t for t in towns if t.startswith(key) or key.startswith(t)] if len(key) >= 2 else []
    return fitting[0] if len(fitting) == 1 else text.strip()
