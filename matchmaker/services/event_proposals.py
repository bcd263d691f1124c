"""Candidate pairs the matcher proposes for a docking event (organizers' 由匹配推荐配对).

Each open need (or each chosen one) contributes its best offers through the index's candidate retrieval, so the
cost grows with the needs, not with needs × offers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import col, select

from matchmaker.matching.fusion import Match
from matchmaker.matching.themes import NO_THEME, Theme, on_theme
from matchmaker.matching.wording import reason_text
from matchmaker.services.match_index import ensure, state
from matchmaker.storage.models import Event, Need, Offer

if TYPE_CHECKING:
    from matchmaker.bootstrap import Services

#: How the pairs were found, shown on the page and stored with each pair's reasons.
MATCHER_METHOD = "匹配引擎"
#: Offers per need considered for a docking event's proposals.
PROPOSALS_PER_NEED = 20


@dataclass(frozen=True)
class Proposal:
    offer_id: int
    need_id: int
    offer_title: str
    need_title: str
    #: relative score, 0–1
    score: float
    reasons: tuple[str, ...]
    method: str = MATCHER_METHOD


def theme_of(event: Event) -> Theme:
    """The event's theme as the matcher uses it (empty when the organizer set none)."""
    return Theme(fields=tuple(event.theme_fields or ()), keywords=tuple(event.theme_keywords or ()))


def propose(
    services: Services,
    *,
    min_score: float,
    need_ids: Sequence[int] = (),
    limit: int = 200,
    theme: Theme = NO_THEME,
) -> list[Proposal]:
    """Pairs of open needs and published offers whose relative score (0–1) is at least ``min_score``, best first;
    only the given needs when ``need_ids`` is set, and only pairs on the event's ``theme`` (on-theme pairs
    weighed first, ``matching.themes``) when it has one. Waits for a first build: an organizer asked for
    proposals, and an empty list would read as "no matches"."""
    index = ensure(services, wait=True)
    if index is None:
        return []
    st = state(services)
    found: list[Match] = []
    with st.lock:
        wanted = [str(i) for i in need_ids if str(i) in index.needs] if need_ids else list(index.needs)
        total = index.weights.total()
        for need_id in wanted:
            found += [
                m for m in index.rank_offers(need_id, PROPOSALS_PER_NEED) if m.score >= min_score * total
            ]
        found.sort(key=lambda m: (-m.score, int(m.need_id), int(m.offer_id)))
        if theme:
            needs = {m.need_id: index.needs[m.need_id].doc for m in found}
            offers = {m.offer_id: index.offers[m.offer_id].doc for m in found}
            found = on_theme(theme, found, needs, offers, total)
    found = found[:limit]
    offer_ids = {int(m.offer_id) for m in found}
    need_ids_found = {int(m.need_id) for m in found}
    with services.session() as session:
        offer_titles = {
            i: t for i, t in session.exec(select(Offer.id, Offer.title).where(col(Offer.id).in_(offer_ids)))
        }
        need_titles = {
            i: t for i, t in session.exec(select(Need.id, Need.title).where(col(Need.id).in_(need_ids_found)))
        }
    return [
        Proposal(
            offer_id=int(m.offer_id),
            need_id=int(m.need_id),
            offer_title=offer_titles.get(int(m.offer_id), ""),
            need_title=need_titles.get(int(m.need_id), ""),
            score=round(min(1.0, m.score / total), 3),
            reasons=tuple(reason_text(r) for r in m.reasons),
        )
        for m in found
    ]
