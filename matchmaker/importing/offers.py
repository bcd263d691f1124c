"""Preview a patent-offer spreadsheet: every row validated, duplicates found, nothing written.

Duplicates (issue 4): the same patent (same bare digits, whatever the CN/ZL prefix or spacing) is certain; a
near-identical title from the same institution is *probable* and waits for a person's confirmation. Both are
looked for among the stored offers first (``ExistingOffers``, filled by the service from the database) and
then among the earlier valid rows of the file, so the first occurrence wins and a re-import adds nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.domain.offers import (
    NEAR_DUPLICATE_MIN_RATIO,
    InstitutionResolver,
    OfferDraft,
    near_duplicate_keys,
    title_key,
    validate_offer,
)
from matchmaker.importing.headers import HeaderSynonyms, Record, load_header_synonyms, locate_header, records
from matchmaker.importing.report import ImportReport, RowResult
from matchmaker.importing.sheets import Sheet

PROBABLE_SUFFIX = "（标题几乎相同，需人工确认）"


@dataclass(frozen=True)
class ExistingOffers:
    """What the database already holds, as the service reads it: patent key → reference text (e.g.
    「已有成果 #17」), and per canonical institution its (title, reference) pairs."""

    by_patent_key: Mapping[str, str] = field(default_factory=dict)
    titles_by_institution: Mapping[str, Sequence[tuple[str, str]]] = field(default_factory=dict)


class _TitleIndex:
    """Titles per institution, searched with rapidfuzz's C loop and then the insertion-only rule."""

    def __init__(self) -> None:
        self._keys: dict[str, list[str]] = {}
        self._refs: dict[str, list[str]] = {}

    def add(self, institution: str, title: str, ref: str) -> None:
        self._keys.setdefault(institution, []).append(title_key(title))
        self._refs.setdefault(institution, []).append(ref)

    def find(self, institution: str, title: str) -> str | None:
        """Reference of the earliest near-identical title of the same institution, or None."""
        keys = self._keys.get(institution)
        if not keys:
            return None
        key = title_key(title)
        for candidate, _score, index in process.extract_iter(
            key, keys, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE_MIN_RATIO
        ):
            if near_duplicate_keys(key, candidate):
                return self._refs[institution][index]
        return None


def preview_offers(
    sheet: Sheet,
    *,
    normalizer: InstitutionResolver,
    fields: Collection[str],
    existing: ExistingOffers,
    default_institution: str | None = None,
    only_institution: str | None = None,
    synonyms: HeaderSynonyms | None = None,
) -> ImportReport[OfferDraft]:
    """Every data row as valid / error / duplicate.

    ``default_institution`` fills rows without an owner (the CLI's ``--institution``); ``only_institution``
    (a canonical name) restricts a researcher's upload to their own institution: other rows are errors.
    """
    table = synonyms or load_header_synonyms()
    required = [("title",), ("application_number",)]
    if default_institution is None:
        required.append(("institution",))
    header = locate_header(sheet, table, "offer", required=required)

    stored_titles = _TitleIndex()
    for institution, pairs in existing.titles_by_institution.items():
        for title, ref in pairs:
            stored_titles.add(institution, title, ref)
    file_titles = _TitleIndex()
    file_keys: dict[str, str] = {}

    results: list[RowResult[OfferDraft]] = []
    for record in records(sheet, header):
        raw = _raw_offer(record, default_institution)
        try:
            draft = validate_offer(raw, fields=fields, normalizer=normalizer)
        except ValidationFailed as failed:
            errors = failed.errors + _ownership_errors(raw, normalizer, only_institution, None)
            results.append(RowResult(record.row_number, "error", errors=tuple(errors)))
            continue
        ownership = _ownership_errors(raw, normalizer, only_institution, draft.institution)
        if ownership:
            results.append(RowResult(record.row_number, "error", draft, tuple(ownership), draft.warnings))
            continue
        key = draft.patent_key
        certain = existing.by_patent_key.get(key) or file_keys.get(key)
        probable = None
        if certain is None:
            probable = stored_titles.find(draft.institution, draft.title) or file_titles.find(
                draft.institution, draft.title
            )
        if certain is not None or probable is not None:
            results.append(
                RowResult(
                    record.row_number,
                    "duplicate",
                    draft,
                    warnings=draft.warnings,
                    duplicate_of=certain or f"{probable}{PROBABLE_SUFFIX}",
                    probable=certain is None,
                )
            )
            continue
        here = f"第{record.row_number}行"
        file_keys[key] = here
        file_titles.add(draft.institution, draft.title, here)
        results.append(RowResult(record.row_number, "valid", draft, warnings=draft.warnings))
    return ImportReport(sheet.filename, header.row_number, tuple(results), header.notes)


def _raw_offer(record: Record, default_institution: str | None) -> dict[str, object]:
    """Cells → the raw mapping ``validate_offer`` reads; 联系人 and 联系电话 columns form one contact."""
    raw: dict[str, object] = dict(record.values)
    contact_parts = [raw.pop(name, None) for name in ("contact_name", "contact_phone")]
    contact = " ".join(str(part) for part in (*contact_parts, raw.get("contact")) if part is not None)
    raw["contact"] = contact
    if raw.get("institution") is None and default_institution is not None:
        raw["institution"] = default_institution
    return raw


def _ownership_errors(
    raw: Mapping[str, object],
    normalizer: InstitutionResolver,
    only_institution: str | None,
    canonical: str | None,
) -> list[FieldError]:
    """A researcher may only import offers of their own institution; say so on each other row."""
    if only_institution is None:
        return []
    if canonical is None:
        typed = str(raw.get("institution") or "").strip()
        canonical = normalizer.resolve(typed).canonical if typed else None
        if canonical is None:
            return []  # the row already has "unknown institution" or "empty" from validation
    if canonical == only_institution:
        return []
    return [
        FieldError("institution", f"只能导入本单位（{only_institution}）的成果，本行权利人为「{canonical}」")
    ]
