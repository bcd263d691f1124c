"""Preview a patent-offer spreadsheet: every row validated, duplicates found, nothing written.

Duplicates (issue 4): the same patent (same bare digits, whatever the CN/ZL prefix or spacing) is certain; a
near-identical title from the same institution is *probable* and waits for a person's confirmation. Both are
looked for among the stored offers first (``ExistingOffers``, filled by the service from the database) and
then among the earlier valid rows of the file, so the first occurrence wins and a re-import adds nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.domain.institutions import InstitutionResolver
from matchmaker.domain.offers import (
    OfferDraft,
    near_duplicate_keys,
    title_key,
    validate_offer,
)
from matchmaker.importing.headers import HeaderSynonyms
from matchmaker.importing.kinds import OFFER
from matchmaker.importing.recognisers import recognisers
from matchmaker.importing.report import ImportReport, RowResult
from matchmaker.importing.rows import Choices, QuestionBook, column_infos, identity, missing_labels, read_rows
from matchmaker.importing.sheets import Sheet

PROBABLE_SUFFIX = "（标题几乎相同，需人工确认）"


@dataclass(frozen=True)
class ExistingOffers:
    """What the database already holds, as the service reads it: patent key → reference text (e.g.
    「已有成果 #17」), and per canonical institution its (title, reference) pairs."""

    by_patent_key: Mapping[str, str] = field(default_factory=dict)
    titles_by_institution: Mapping[str, Sequence[tuple[str, str]]] = field(default_factory=dict)


class _TitleIndex:
    """Titles of one institution, searched without comparing every pair (10,000-row files).

    A near-identical pair is the shorter title with one run of characters inserted, so the two share at least
    half of the shorter title as a prefix or as a suffix; and the ratio ≥ 90 rule bounds the shorter length
    to at least 9/11 of the longer. Each title is filed under its own half-prefix and half-suffix, and under
    those a shorter partner would have; a lookup collects candidates both ways and
    ``near_duplicate_keys`` decides.
    """

    def __init__(self) -> None:
        self._keys: list[str] = []
        self._refs: list[str] = []
        self._by_own_half: dict[tuple[str, str], list[int]] = {}
        self._by_partner_half: dict[tuple[str, str], list[int]] = {}

    def add(self, key: str, ref: str) -> None:
        index = len(self._keys)
        self._keys.append(key)
        self._refs.append(ref)
        for half in _halves(key, len(key)):
            self._by_own_half.setdefault(half, []).append(index)
        for length in _partner_lengths(len(key)):
            for half in _halves(key, length):
                self._by_partner_half.setdefault(half, []).append(index)

    def find(self, key: str) -> str | None:
        """Reference of the earliest near-identical title, or None."""
        if not key:
            return None
        candidates: set[int] = set()
        for half in _halves(key, len(key)):  # stored titles as long as this one or longer
            candidates.update(self._by_partner_half.get(half, ()))
        for length in _partner_lengths(len(key)):  # stored titles as long as this one or shorter
            for half in _halves(key, length):
                candidates.update(self._by_own_half.get(half, ()))
        for index in sorted(candidates):
            if near_duplicate_keys(key, self._keys[index]):
                return self._refs[index]
        return None


def _halves(key: str, length: int) -> tuple[tuple[str, str], tuple[str, str]]:
    """The prefix and suffix covering half (rounded up) of a title of ``length`` characters."""
    half = (length + 1) // 2
    return ("<", key[:half]), (">", key[-half:])


def _partner_lengths(length: int) -> range:
    """Lengths of a title that is this one minus an insertion within the ratio ≥ 90 bound (9/11 of it)."""
    return range(-(-9 * length // 11), length + 1)


def preview_offers(
    sheet: Sheet,
    *,
    normalizer: InstitutionResolver,
    fields: Collection[str],
    existing: ExistingOffers,
    default_institution: str | None = None,
    only_institution: str | None = None,
    synonyms: HeaderSynonyms | None = None,
    choices: Choices | None = None,
    profile: str | None = None,
) -> ImportReport[OfferDraft]:
    """Every data row as valid / error / duplicate.

    ``default_institution`` fills rows without an owner (the CLI's ``--institution``); ``only_institution``
    (a canonical name) restricts a researcher's upload to their own institution: other rows are errors.
    ``choices`` are the person's column mapping and value answers (or an import profile's). When a required
    field has no column, no row is checked: the report lists the missing fields for the mapping step.
    """
    optional = {"institution"} if default_institution is not None else set()
    detection, rows = read_rows(
        sheet,
        OFFER,
        recognisers(lambda text: normalizer.resolve(text).canonical is not None),
        choices=choices,
        optional=optional,
        synonyms=synonyms,
    )
    header_fields = dict(
        filename=sheet.filename,
        header_row=detection.header_row,
        notes=detection.notes,
        kind=OFFER.name,
        columns=column_infos(OFFER, detection),
        missing=missing_labels(OFFER, detection),
        mapping=tuple(detection.mapping.items()),
        profile=profile,
    )
    if detection.missing:
        return ImportReport(results=(), **header_fields)  # type: ignore[arg-type]

    stored_titles: dict[str, _TitleIndex] = {}
    for institution, pairs in existing.titles_by_institution.items():
        index = stored_titles.setdefault(institution, _TitleIndex())
        for title, ref in pairs:
            index.add(title_key(title), ref)
    file_titles: dict[str, _TitleIndex] = {}
    file_keys: dict[str, str] = {}
    book = QuestionBook(OFFER)

    results: list[RowResult[OfferDraft]] = []
    for prepared in rows:
        record = prepared.record
        raw = _raw_offer(prepared.raw, default_institution)
        ident = identity(OFFER, record)
        try:
            draft = validate_offer(raw, fields=fields, normalizer=normalizer)
        except ValidationFailed as failed:
            errors = failed.errors + _ownership_errors(raw, normalizer, only_institution, None)
            book.note(prepared, errors)
            results.append(
                RowResult(
                    record.row_number, "error", errors=tuple(errors), identity=ident, source=record.cells
                )
            )
            continue
        ownership = _ownership_errors(raw, normalizer, only_institution, draft.institution)
        if ownership:
            results.append(
                RowResult(
                    record.row_number,
                    "error",
                    draft,
                    tuple(ownership),
                    draft.warnings,
                    identity=ident,
                    source=record.cells,
                )
            )
            continue
        key = draft.patent_key
        certain = existing.by_patent_key.get(key) or file_keys.get(key)
        key_of_title = title_key(draft.title)
        probable = None
        if certain is None:
            probable = _find(stored_titles, draft.institution, key_of_title) or _find(
                file_titles, draft.institution, key_of_title
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
                    identity=ident,
                )
            )
            continue
        here = f"第{record.row_number}行"
        file_keys[key] = here
        file_titles.setdefault(draft.institution, _TitleIndex()).add(key_of_title, here)
        results.append(RowResult(record.row_number, "valid", draft, warnings=draft.warnings, identity=ident))
    return ImportReport(results=tuple(results), questions=book.questions(), **header_fields)  # type: ignore[arg-type]


def _find(indexes: Mapping[str, _TitleIndex], institution: str, key: str) -> str | None:
    index = indexes.get(institution)
    return index.find(key) if index is not None else None


def _raw_offer(values: Mapping[str, object], default_institution: str | None) -> dict[str, object]:
    """Cells → the raw mapping ``validate_offer`` reads; 联系人 and 联系电话 columns form one contact."""
    raw: dict[str, object] = dict(values)
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
