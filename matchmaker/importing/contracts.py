"""Preview a registered-contract export: every row validated, duplicate registration numbers found.

Duplicates are judged on the normalised registration number (NFKC, no whitespace) against the stored
contracts first (``ExistingContracts``, filled by the service) and then the earlier valid rows of the file:
the first occurrence wins, and re-importing a file adds nothing (CONTRACTS.md).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from matchmaker.domain.contracts import ContractDraft, InstitutionResolver, validate_contract
from matchmaker.domain.errors import ValidationFailed
from matchmaker.importing.headers import HeaderSynonyms, load_header_synonyms, locate_header, records
from matchmaker.importing.report import ContractImportReport, RowResult
from matchmaker.importing.sheets import Sheet

# Columns without which every row would fail: refuse the file once instead.
REQUIRED_COLUMNS = (
    ("registration_number",),
    ("title",),
    ("contract_type",),
    ("seller",),
    ("buyer",),
    ("buyer_credit_code",),
    ("amount_yuan", "amount_wan"),
    ("signed_on",),
    ("registered_on",),
)


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
) -> ContractImportReport:
    """Every data row as valid / error / duplicate; a total row (合计) is skipped, not counted."""
    header = locate_header(sheet, synonyms or load_header_synonyms(), "contract", required=REQUIRED_COLUMNS)
    first_row_by_number: dict[str, int] = {}
    results: list[RowResult[ContractDraft]] = []
    for record in records(sheet, header):
        try:
            draft = validate_contract(record.values, normalizer=normalizer, towns=towns)
        except ValidationFailed as failed:
            results.append(RowResult(record.row_number, "error", errors=tuple(failed.errors)))
            continue
        number = draft.registration_number
        stored = existing.by_registration_number.get(number)
        earlier = first_row_by_number.get(number)
        if stored is not None or earlier is not None:
            of = stored if stored is not None else f"第{earlier}行"
            results.append(
                RowResult(record.row_number, "duplicate", draft, warnings=draft.warnings, duplicate_of=of)
            )
            continue
        first_row_by_number[number] = record.row_number
        results.append(RowResult(record.row_number, "valid", draft, warnings=draft.warnings))
    return ContractImportReport(sheet.filename, header.row_number, tuple(results), header.notes)
