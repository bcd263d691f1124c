"""Preview the bureau's two company-side imports: technology needs (企业技术需求征集表) and a company directory.

Companies are matched by 统一社会信用代码, never by name (names are written a dozen ways; the code is checked
by its GB 32100 check characters). A need row of a company not on the platform creates the company too, so
such a row also needs the company's town and field. Duplicates: a company whose code is stored or was in an
earlier row; a need with the same company and the same title (stored or earlier). Nothing here writes.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from matchmaker.domain.cells import cell_text, squeeze
from matchmaker.domain.companies import CompanyDraft, validate_company
from matchmaker.domain.contracts import parse_date
from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.domain.identifiers import IdentifierError, parse_credit_code
from matchmaker.domain.needs import NeedDraft, validate_need
from matchmaker.domain.offers import title_key
from matchmaker.importing.kinds import COMPANY, NEED
from matchmaker.importing.recognisers import recognisers
from matchmaker.importing.report import ImportReport, RowResult
from matchmaker.importing.rows import (
    Choices,
    Prepared,
    QuestionBook,
    column_infos,
    identity,
    match_town,
    missing_labels,
    read_rows,
)
from matchmaker.importing.sheets import Sheet

NEW_COMPANY_FIELDS = {"name": "企业名称", "town": "所在镇（街道）", "field": "所属领域"}
_RANGE = re.compile(r"^(\d+)(?:万元|万)?(?:~|-|–|—|至|到)(\d+)(?:万元|万)?$")
_SINGLE = re.compile(r"^(?:不超过|不高于|最多|约)?(\d+)(?:万元|万)?(?:以内|以下|左右)?$")


@dataclass(frozen=True)
class KnownCompanies:
    """Stored companies by credit code: (id, name), and per code the title keys of its needs."""

    by_code: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    need_titles: Mapping[str, Collection[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class NeedRow:
    """A valid need row: the need, and its company (stored: ``company_id``; new: ``company``)."""

    need: NeedDraft
    credit_code: str
    company_name: str
    company_id: int | None = None
    company: CompanyDraft | None = None

    @property
    def title(self) -> str:
        return self.need.title


def preview_companies(
    sheet: Sheet,
    *,
    towns: Collection[str],
    fields: Collection[str],
    known: KnownCompanies,
    choices: Choices | None = None,
    profile: str | None = None,
) -> ImportReport[CompanyDraft]:
    """Each row a valid new company, an error, or a duplicate of a stored company or an earlier row."""
    detection, rows = read_rows(sheet, COMPANY, recognisers(), choices=choices)
    head = _head(
        sheet,
        COMPANY.name,
        detection,
        column_infos(COMPANY, detection),
        missing_labels(COMPANY, detection),
        profile,
    )
    if detection.missing:
        return ImportReport(results=(), **head)  # type: ignore[arg-type]
    book = QuestionBook(COMPANY)
    seen: dict[str, int] = {}
    results: list[RowResult[CompanyDraft]] = []
    for prepared in rows:
        record = prepared.record
        raw = dict(prepared.raw)
        raw["town"] = match_town(cell_text(raw.get("town")), towns)
        ident = identity(COMPANY, record)
        try:
            draft = validate_company(raw, towns=towns, fields=fields)
        except ValidationFailed as failed:
            book.note(prepared, failed.errors)
            results.append(_error(record.row_number, failed.errors, ident, record.cells))
            continue
        stored = known.by_code.get(draft.credit_code)
        if stored is not None or draft.credit_code in seen:
            of = f"已登记企业「{stored[1]}」" if stored else f"第{seen[draft.credit_code]}行"
            results.append(RowResult(record.row_number, "duplicate", draft, duplicate_of=of, identity=ident))
            continue
        seen[draft.credit_code] = record.row_number
        results.append(RowResult(record.row_number, "valid", draft, identity=ident))
    return ImportReport(results=tuple(results), questions=book.questions(), **head)  # type: ignore[arg-type]


def preview_needs(
    sheet: Sheet,
    *,
    towns: Collection[str],
    fields: Collection[str],
    today: date,
    known: KnownCompanies,
    choices: Choices | None = None,
    profile: str | None = None,
) -> ImportReport[NeedRow]:
    """Each 征集表 row a valid need (of a stored or a new company), an error, or a duplicate."""
    detection, rows = read_rows(sheet, NEED, recognisers(), choices=choices)
    head = _head(
        sheet, NEED.name, detection, column_infos(NEED, detection), missing_labels(NEED, detection), profile
    )
    if detection.missing:
        return ImportReport(results=(), **head)  # type: ignore[arg-type]
    book = QuestionBook(NEED)
    titles: dict[str, dict[str, int]] = {}
    new_companies: dict[str, CompanyDraft] = {}
    results: list[RowResult[NeedRow]] = []
    for prepared in rows:
        record = prepared.record
        ident = identity(NEED, record)
        errors: list[FieldError] = []
        warnings: list[str] = []
        code = _code(prepared, errors)
        name = cell_text(prepared.raw.get("company_name"))
        stored = known.by_code.get(code) if code else None
        company: CompanyDraft | None = None
        if code and stored is None and code not in new_companies:
            company = _new_company(prepared, name, code, towns, fields, errors)
        elif stored is not None and name and squeeze(name) != squeeze(stored[1]):
            warnings.append(
                f"企业名称「{name}」与信用代码登记的「{stored[1]}」不同，已按信用代码归入「{stored[1]}」"
            )
        try:
            need = validate_need(_raw_need(prepared, warnings), fields=fields, today=today)
        except ValidationFailed as failed:
            errors = [*errors, *failed.errors]
            need = None
        if errors or need is None:
            book.note(prepared, errors)
            results.append(_error(record.row_number, errors, ident, record.cells))
            continue
        if company is not None:
            new_companies[code] = company
        key = title_key(need.title)
        earlier = titles.setdefault(code, {}).get(key)
        if earlier is not None or key in {title_key(t) for t in known.need_titles.get(code, ())}:
            of = (
                f"第{earlier}行"
                if earlier is not None
                else f"「{stored[1] if stored else name}」已发布的同名需求"
            )
            row = NeedRow(need, code, stored[1] if stored else name, stored[0] if stored else None)
            results.append(RowResult(record.row_number, "duplicate", row, duplicate_of=of, identity=ident))
            continue
        titles[code][key] = record.row_number
        row = NeedRow(
            need,
            code,
            stored[1] if stored else (new_companies[code].name),
            stored[0] if stored else None,
            company,
        )
        results.append(RowResult(record.row_number, "valid", row, warnings=tuple(warnings), identity=ident))
    return ImportReport(results=tuple(results), questions=book.questions(), **head)  # type: ignore[arg-type]


def _head(sheet, kind, detection, columns, missing, profile) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "filename": sheet.filename,
        "header_row": detection.header_row,
        "notes": detection.notes,
        "kind": kind,
        "columns": columns,
        "missing": missing,
        "mapping": tuple(detection.mapping.items()),
        "profile": profile,
    }


def _error(row: int, errors: Collection[FieldError], ident, cells) -> RowResult:  # type: ignore[no-untyped-def,type-arg]
    return RowResult(row, "error", errors=tuple(errors), identity=ident, source=cells)


def _code(prepared: Prepared, errors: list[FieldError]) -> str:
    text = cell_text(prepared.raw.get("credit_code"))
    if not text:
        errors.append(FieldError("credit_code", "统一社会信用代码不能为空，企业按信用代码对应"))
        return ""
    try:
        return parse_credit_code(text)
    except IdentifierError as exc:
        errors.append(FieldError("credit_code", exc.message))
        return ""


def _new_company(
    prepared: Prepared,
    name: str,
    code: str,
    towns: Collection[str],
    fields: Collection[str],
    errors: list[FieldError],
) -> CompanyDraft | None:
    """A company not yet on the platform is created from the row: it needs name, town and field."""
    raw = {
        "name": name,
        "credit_code": code,
        "town": match_town(cell_text(prepared.raw.get("town")), towns),
        "field": prepared.raw.get("field"),
    }
    try:
        return validate_company(raw, towns=towns, fields=fields)
    except ValidationFailed as failed:
        for error in failed.errors:
            if error.field == "credit_code":
                continue
            label = NEW_COMPANY_FIELDS.get(error.field, "")
            if label and not cell_text(raw.get(error.field)):
                errors.append(FieldError(error.field, f"企业尚未在平台登记，需填写{label}"))
            else:
                errors.append(FieldError(error.field, f"企业尚未在平台登记：{error.message}"))
        return None


def _raw_need(prepared: Prepared, warnings: list[str]) -> dict[str, object]:
    """The 征集表's cells as ``validate_need`` reads them: one budget cell → range, contact from two cells."""
    raw = dict(prepared.raw)
    budget = squeeze(cell_text(raw.pop("budget_wan", None)))
    if not budget or budget == "面议":
        raw["budget_negotiable"] = "1"
    elif match := _RANGE.match(budget):
        raw["budget_min_wan"], raw["budget_max_wan"] = match[1], match[2]
    elif match := _SINGLE.match(budget):
        raw["budget_max_wan"] = match[1]
    else:
        raw["budget_min_wan"] = budget  # the validator names what is wrong with it
    contact = " ".join(cell_text(raw.pop(k, None)) for k in ("contact_name", "contact_phone")).strip()
    raw["contact"] = contact
    if isinstance(raw.get("deadline"), str):
        try:
            raw["deadline"] = parse_date(raw["deadline"])
        except ValueError:
            pass  # the validator says 截止日期「…」应为 年-月-日
    if not cell_text(raw.get("coop_modes")):
        raw["coop_modes"] = "合作开发"  # the 征集表 asks for the problem; said in the preview, not silently
        warnings.append("合作方式未填写，已按“合作开发”登记，企业可在需求页修改")
    return raw
