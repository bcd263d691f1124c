"""What an organizer picks from when building an event's candidate pairs: offers and needs labelled so a
searchable picker can find them by title, institution, company or field, and the matcher's proposals filtered by
field and cut into pages (a list of 200 proposals was one 14,000-pixel page)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from matchmaker.domain.vocab import OPEN_NEED_STATUSES, PUBLISHED_OFFER_STATUSES
from matchmaker.services.event_proposals import Proposal
from matchmaker.storage.models import Company, Institution, Need, Offer

PROPOSALS_PER_PAGE = 20


@dataclass(frozen=True)
class Option:
    """One choice of a picker: the value sent, the title shown, and what else it can be found by."""

    value: int
    title: str
    detail: str

    @property
    def label(self) -> str:
        return f"{self.title}（{self.detail}）" if self.detail else self.title


def offer_options(session: Session) -> list[Option]:
    """Published offers by title, each with its institution and field."""
    names = {i.id: i.canonical_name for i in session.exec(select(Institution))}
    stmt = select(Offer).where(col(Offer.status).in_(PUBLISHED_OFFER_STATUSES)).order_by(col(Offer.title))
    return [
        Option(o.id or 0, o.title, " · ".join(x for x in (names.get(o.institution_id, ""), o.field) if x))
        for o in session.exec(stmt)
    ]


def need_options(session: Session) -> list[Option]:
    """Open needs by title, each with its company and field."""
    stmt = (
        select(Need, Company.name)
        .join(Company, col(Company.id) == col(Need.company_id))
        .where(col(Need.status).in_(OPEN_NEED_STATUSES))
        .order_by(col(Need.title))
    )
    return [
        Option(n.id or 0, n.title, " · ".join(x for x in (company, n.field) if x))
        for n, company in session.exec(stmt)
    ]


@dataclass(frozen=True)
class ProposalPage:
    rows: list[Proposal]
    total: int
    page: int
    pages: int
    #: field of each shown proposal's need and offer, for the table
    fields: dict[tuple[int, int], str]


def proposal_page(
    session: Session,
    found: Sequence[Proposal],
    *,
    field: str = "",
    page: int = 1,
    per_page: int = PROPOSALS_PER_PAGE,
) -> ProposalPage:
    """``found`` (best first) kept when the need's or the offer's industry field is ``field`` (all when empty),
    and cut to page ``page`` (clamped to the pages there are)."""
    offer_ids = {p.offer_id for p in found}
    need_ids = {p.need_id for p in found}
    offer_field = (
        {i: f for i, f in session.exec(select(Offer.id, Offer.field).where(col(Offer.id).in_(offer_ids)))}
        if offer_ids
        else {}
    )
    need_field = (
        {i: f for i, f in session.exec(select(Need.id, Need.field).where(col(Need.id).in_(need_ids)))}
        if need_ids
        else {}
    )
    kept = [
        p for p in found if not field or field in (need_field.get(p.need_id), offer_field.get(p.offer_id))
    ]
    pages = max(1, -(-len(kept) // per_page))
    page = min(max(page, 1), pages)
    rows = kept[(page - 1) * per_page : page * per_page]
    fields = {
        (p.offer_id, p.need_id): " / ".join(
            dict.fromkeys(x for x in (need_field.get(p.need_id, ""), offer_field.get(p.offer_id, "")) if x)
        )
        for p in rows
    }
    return ProposalPage(rows, len(kept), page, pages, fields)
