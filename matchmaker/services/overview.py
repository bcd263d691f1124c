"""The platform at a glance: how many offers, needs, parties, events and contracts the home page counts."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from matchmaker.domain.vocab import PUBLISHED_OFFER_STATUSES
from matchmaker.storage.models import Company, Contract, Event, Institution, Need, Offer, User


def platform_counts(session: Session) -> dict[str, int]:
    """Published offers, open needs and live (not voided) contracts; every institution, company, event, user."""

    def count(stmt: object) -> int:
        return int(session.exec(stmt).one())  # type: ignore[call-overload]

    return {
        "offers": count(
            select(func.count()).select_from(Offer).where(col(Offer.status).in_(PUBLISHED_OFFER_STATUSES))
        ),
        "needs": count(select(func.count()).select_from(Need).where(Need.status == "开放")),
        "institutions": count(select(func.count()).select_from(Institution)),
        "companies": count(select(func.count()).select_from(Company)),
        "events": count(select(func.count()).select_from(Event)),
        "contracts": count(select(func.count()).select_from(Contract).where(Contract.voided == False)),
        "users": count(select(func.count()).select_from(User)),
    }
