"""Preview a pledge register export (the patent office's 专利权质押登记 list, or a bank's own sheet).

The kind is a declaration like the others (``importing.kinds``): header synonyms in ``seed/headers.json``
under ``pledge``, the 领域 column through ``seed/values.json``, columns found by content when the wording is new
(credit codes, dates, amounts, cells of patent numbers). Duplicates are judged on the normalised registration
number against the stored register first, then the earlier rows of the file; re-importing adds nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from matchmaker.domain.cells import cell_text
from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.pledges import PLEDGE_STATUSES, PledgeDraft, parse_patents, validate_pledge
from matchmaker.importing.headers import HeaderSynonyms
from matchmaker.importing.kinds import FieldSpec, ImportKind, register_kind
from matchmaker.importing.recognisers import recognisers
from matchmaker.importing.report import ImportReport, RowResult
from matchmaker.importing.rows import Choices, QuestionBook, column_infos, identity, missing_labels, read_rows
from matchmaker.importing.sheets import Sheet

PLEDGE = register_kind(
    ImportKind(
        "pledge",
        "专利权质押登记",
        (
            FieldSpec("registration_number", "质押登记号", required=True, identifying=True),
            FieldSpec("pledgor", "出质人", required=True, identifying=True),
            FieldSpec("pledgor_credit_code", "出质人统一社会信用代码", required=True, content="credit_code"),
            FieldSpec("pledgee", "质权人", required=True),
            FieldSpec("pledgee_kind", "质权人类型"),
            FieldSpec("patents", "出质专利", required=True, content="pledged_patents"),
            FieldSpec("main_ipc", "主分类号"),
            FieldSpec("amount_yuan", "担保债权数额（元）", required=True, content="amount", unit="元"),
            FieldSpec("amount_wan", "担保债权数额（万元）", required=True, unit="万元"),
            FieldSpec("registered_on", "登记日期", required=True, content="date"),
            FieldSpec("debt_term", "债务期限"),
            FieldSpec("debt_from", "债务起始日"),
            FieldSpec("debt_to", "债务到期日"),
            FieldSpec("status", "状态"),
            FieldSpec("cancelled_on", "注销日期"),
            FieldSpec("field", "所属领域", vocabulary="field"),
            FieldSpec("town", "所在镇（街道）"),
        ),
        alternatives=(("amount_yuan", "amount_wan"),),
    )
)


def is_pledged_patents(value: object) -> bool:
    """A cell listing one or more patent numbers, every one with a correct check character."""
    text = cell_text(value)
    if len(text) < 8:
        return False
    patents, problems = parse_patents(text)
    return bool(patents) and not problems


@dataclass(frozen=True)
class ExistingPledges:
    """Stored registrations as the service reads them: registration number → reference text."""

    by_registration_number: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PledgeImportReport(ImportReport[PledgeDraft]):
    """A pledge import adds the exact secured total of its valid rows."""

    @property
    def total_yuan(self) -> Decimal:
        return sum((d.amount_yuan for d in self.valid_drafts), Decimal("0.00"))

    def to_json(self, committed: int) -> dict[str, object]:
        document = super().to_json(committed)
        document["total_yuan"] = format(self.total_yuan, "f")
        return document


def preview_pledges(
    sheet: Sheet,
    *,
    towns: Collection[str],
    fields: Collection[str],
    existing: ExistingPledges,
    synonyms: HeaderSynonyms | None = None,
    choices: Choices | None = None,
    profile: str | None = None,
) -> PledgeImportReport:
    """Every data row as valid / error / duplicate. A registry row keeps its status (登记, 变更, or 注销 with
    its date). When a required field has no column, no row is checked and the report lists what is missing."""
    found = recognisers()
    found["pledged_patents"] = is_pledged_patents
    detection, rows = read_rows(sheet, PLEDGE, found, choices=choices, synonyms=synonyms)
    header_fields = dict(
        filename=sheet.filename,
        header_row=detection.header_row,
        notes=detection.notes,
        kind=PLEDGE.name,
        columns=column_infos(PLEDGE, detection),
        missing=missing_labels(PLEDGE, detection),
        mapping=tuple(detection.mapping.items()),
        profile=profile,
    )
    if detection.missing:
        return PledgeImportReport(results=(), **header_fields)  # type: ignore[arg-type]
    first_row_by_number: dict[str, int] = {}
    results: list[RowResult[PledgeDraft]] = []
    book = QuestionBook(PLEDGE)
    for prepared in rows:
        record = prepared.record
        ident = identity(PLEDGE, record)
        try:
            draft = validate_pledge(prepared.raw, towns=towns, fields=fields, statuses=PLEDGE_STATUSES)
        except ValidationFailed as failed:
            book.note(prepared, failed.errors)
            results.append(
                RowResult(
                    record.row_number,
                    "error",
                    errors=tuple(failed.errors),
                    identity=ident,
                    source=record.cells,
                )
            )
            continue
        number = draft.registration_number
        stored = existing.by_registration_number.get(number)
        earlier = first_row_by_number.get(number)
        if stored is not None or earlier is not None:
            of = stored if stored is not None else f"第{earlier}行"
            results.append(
                RowResult(
                    record.row_number,
                    "duplicate",
                    draft,
                    warnings=draft.warnings,
                    duplicate_of=of,
                    identity=ident,
                )
            )
            continue
        first_row_by_number[number] = record.row_number
        results.append(RowResult(record.row_number, "valid", draft, warnings=draft.warnings, identity=ident))
    return PledgeImportReport(results=tuple(results), questions=book.questions(), **header_fields)  # type: ignore[arg-type]
