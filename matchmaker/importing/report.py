"""What a preview found, row by row, in the shape the UI lists and ``--json`` prints.

A row is exactly one of: valid (its draft will be committed), error (one ``FieldError`` per problem), or
duplicate (of an earlier row or of a stored record; the draft is kept so a person can confirm a *probable*
duplicate, a near-identical title, and commit it anyway). Nothing here writes anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, Literal, TypeVar

from matchmaker.domain.contracts import ContractDraft
from matchmaker.domain.errors import FieldError

DraftT = TypeVar("DraftT")
RowStatus = Literal["valid", "error", "duplicate"]


@dataclass(frozen=True)
class RowResult(Generic[DraftT]):
    """One data row; ``row`` is the spreadsheet row number as Excel shows it."""

    row: int
    status: RowStatus
    draft: DraftT | None = None
    errors: tuple[FieldError, ...] = ()
    warnings: tuple[str, ...] = ()
    duplicate_of: str | None = None
    probable: bool = False
    #: (label, value) of the identifying cells (title, number), shown beside an error.
    identity: tuple[tuple[str, str], ...] = ()
    #: The row's cells as read, kept for error rows so they can be downloaded, fixed and re-uploaded.
    source: tuple[object, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class ColumnInfo:
    """What the preview says about one column: letter, header, the field it feeds (label) and why."""

    letter: str
    header: str
    field: str | None
    label: str | None
    reason: str
    samples: tuple[str, ...] = ()
    index: int = 0


@dataclass(frozen=True)
class Question:
    """A value no spelling matched and the validator refused: asked once, whatever the number of rows."""

    field: str
    vocabulary: str
    label: str
    value: str
    rows: tuple[int, ...]
    choices: tuple[str, ...]


@dataclass(frozen=True)
class ImportReport(Generic[DraftT]):
    """All rows of one file; ``notes`` are file-level remarks (ignored or repeated columns)."""

    filename: str
    header_row: int
    results: tuple[RowResult[DraftT], ...]
    notes: tuple[str, ...] = ()
    kind: str = ""
    columns: tuple[ColumnInfo, ...] = ()
    #: Labels of required fields without a column: the preview asks for a mapping instead of checking rows.
    missing: tuple[str, ...] = ()
    questions: tuple[Question, ...] = ()
    #: field → header text of the columns used: what a confirmed import profile keeps.
    mapping: tuple[tuple[str, str], ...] = ()
    profile: str | None = None

    @property
    def needs_mapping(self) -> bool:
        return bool(self.missing)

    @property
    def headers(self) -> list[str]:
        """Header texts in column order, for the error download."""
        return [c.header for c in self.columns]

    def with_status(self, status: RowStatus) -> list[RowResult[DraftT]]:
        return [r for r in self.results if r.status == status]

    @property
    def valid_drafts(self) -> list[DraftT]:
        """The drafts a commit stores, in file order."""
        return [r.draft for r in self.results if r.status == "valid" and r.draft is not None]

    def to_json(self, committed: int) -> dict[str, object]:
        """The ``--json`` object of issue 4: counts, then errors and duplicates with Excel row numbers."""
        document: dict[str, object] = {
            "rows": len(self.results),
            "valid": len(self.valid_drafts),
            "committed": committed,
            "errors": [
                {"row": r.row, "field": e.field, "message": e.message}
                for r in self.with_status("error")
                for e in r.errors
            ],
            "duplicates": [{"row": r.row, "of": r.duplicate_of} for r in self.with_status("duplicate")],
        }
        if self.missing:
            document["missing"] = list(self.missing)
        if self.questions:
            document["questions"] = [
                {"field": q.field, "value": q.value, "rows": list(q.rows), "choices": list(q.choices)}
                for q in self.questions
            ]
        return document


@dataclass(frozen=True)
class ContractImportReport(ImportReport[ContractDraft]):
    """A contract import adds the exact turnover of its valid rows and their warnings (issue 7)."""

    @property
    def total_yuan(self) -> Decimal:
        return _exact_sum(d.amount_yuan for d in self.valid_drafts)

    @property
    def technology_total_yuan(self) -> Decimal:
        return _exact_sum(d.technology_amount_yuan for d in self.valid_drafts)

    def to_json(self, committed: int) -> dict[str, object]:
        """Issue 4's shape plus ``total_yuan`` (decimal string, to the 分) and per-row ``warnings``."""
        document = super().to_json(committed)
        document["total_yuan"] = format(self.total_yuan, "f")
        document["warnings"] = [
            {"row": r.row, "message": message} for r in self.with_status("valid") for message in r.warnings
        ]
        return document


def _exact_sum(amounts: Iterable[Decimal]) -> Decimal:
    """Decimal addition from 0.00, so an empty file totals "0.00" and no float ever enters."""
    return sum(amounts, Decimal("0.00"))
