"""The records the matcher works on: plain dataclasses that services fill from database rows.

Prices and budgets are integer 万元 (``None`` = 面议 / not given), as everywhere in the project.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OfferDoc:
    """A patent offer (专利成果) as the matcher sees it."""

    id: str
    title: str
    abstract: str
    claims: str = ""
    ipc: tuple[str, ...] = ()
    field: str = ""
    patent_type: str = ""
    legal_status: str = ""
    transfer_modes: tuple[str, ...] = ()
    price_wan: int | None = None
    trl: int | None = None
    institution: str = ""
    inventors: tuple[str, ...] = ()


@dataclass(frozen=True)
class NeedDoc:
    """A technology need (技术需求) as the matcher sees it."""

    id: str
    title: str
    description: str
    expected_outcome: str = ""
    field: str = ""
    budget_min_wan: int | None = None
    budget_max_wan: int | None = None
    coop_modes: tuple[str, ...] = ()
    company: str = ""


def offer_from_json(row: dict[str, object]) -> OfferDoc:
    """An offer from one line of ``offers.jsonl`` (the evaluation-set format)."""
    return OfferDoc(
        id=str(row["id"]),
        title=str(row.get("title", "")),
        abstract=str(row.get("abstract", "")),
        claims=str(row.get("claims", "") or ""),
        ipc=tuple(row.get("ipc", ()) or ()),  # type: ignore[arg-type]
        field=str(row.get("field", "")),
        patent_type=str(row.get("patent_type", "")),
        legal_status=str(row.get("legal_status", "")),
        transfer_modes=tuple(row.get("transfer_modes", ()) or ()),  # type: ignore[arg-type]
        price_wan=row.get("price_wan"),  # type: ignore[arg-type]
        trl=row.get("trl"),  # type: ignore[arg-type]
        institution=str(row.get("institution", "")),
        inventors=tuple(row.get("inventors", ()) or ()),  # type: ignore[arg-type]
    )


def need_from_json(row: dict[str, object]) -> NeedDoc:
    """A need from one line of ``needs.jsonl`` (the evaluation-set format)."""
    return NeedDoc(
        id=str(row["id"]),
        title=str(row.get("title", "")),
        description=str(row.get("description", "")),
        expected_outcome=str(row.get("expected_outcome", "")),
        field=str(row.get("field", "")),
        budget_min_wan=row.get("budget_min_wan"),  # type: ignore[arg-type]
        budget_max_wan=row.get("budget_max_wan"),  # type: ignore[arg-type]
        coop_modes=tuple(row.get("coop_modes", ()) or ()),  # type: ignore[arg-type]
        company=str(row.get("company", "")),
    )
