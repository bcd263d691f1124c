"""Preview a registered-contract export: every row validated, duplicate registration numbers found.

Duplicates are judged on the normalised registration number (NFKC, no whitespace) against the stored
contracts first (``ExistingContracts``, filled by the service) and then the earlier valid rows of the file:
the first occurrence wins, and re-importing a file adds nothing (CONTRACTS.md).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from matchmaker.domain.cells import cell_text
from matchmaker.domain.contracts import ContractDraft, validate_contract
from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.institutions import InstitutionResolver
from matchmaker.importing.headers import HeaderSynonyms
from matchmaker.importing.kinds import CONTRACT
from matchmaker.importing.recognisers import recognisers
from matchmaker.importing.report import ContractImportReport, RowResult
from matchmaker.importing.rows import (
    Choices,
    QuestionBook,
    column_infos,
    identity,
    match_town,
    missing_labels,
    read_rows,
)
from matchmaker.importing.sheets import Sheet


@dataclass(frozen=True)
class ExistingContracts:
    """Stored contracts as the service reads them: normalised registration number → reference text
    (e.g. 「已登记合同 #12」)."""

    by_registration_number: Mapping[str, str] = field(default_factory=dict)


def preview_contracts(
    sheet: Sheet,
    *,
    normalizer: InstitutionResolver,
    towns: Collection[str],
    existing: ExistingContracts,
    synonyms: HeaderSynonyms | None = None,
    choices: Choices | None = None,
    profile: str | None = None,
) -> ContractImportReport:
    """Every data row as valid / error / duplicate; a total row (合计) is skipped, not counted. When a required
    field has no column, no row is checked and the report lists the missing fields for the mapping step."""
    detection, rows = read_rows(
        sheet,
        CONTRACT,
        recognisers(lambda text: normalizer.resolve(text).canonical is not None),
        choices=choices,
        synonyms=synonyms,
    )
    header_fields = dict(
        filename=sheet.filename,
        header_row=detection.header_row,
        notes=detection.notes,
        kind=CONTRACT.name,
        columns=column_infos(CONTRACT, detection),
        missing=missing_labels(CONTRACT, detection),
        mapping=tuple(detection.mapping.items()),
        profile=profile,
    )
    if detection.missing:
        return ContractImportReport(results=(), **header_fields)  # type: ignore[arg-type]
    first_row_by_number: dict[str, int] = {}
    results: list[RowResult[ContractDraft]] = []
    book = QuestionBook(CONTRACT)
    for prepared in rows:
        record = prepared.record
        ident = identity(CONTRACT, record)
        try:
            raw = dict(prepared.raw)
            if raw.get("town") is not None:
                raw["town"] = match_town(cell_text(raw["town"]), towns)
            draft = validate_contract(raw, normalizer=normalizer, towns=towns)
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
    return ContractImportReport(results=tuple(results), questions=book.questions(), **header_fields)  # type: ignore[arg-type]
