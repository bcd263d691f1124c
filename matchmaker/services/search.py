"""Offer search as a use case: pick the backend, keep it current with the offers table, and search.

The index is kept current by a data version rather than by hooks: before each search one aggregate query over
published offers (count, sum and max of ids, newest ``updated_at``) is compared with the last one seen. Only when
it differs are the stored versions compared offer by offer and the changed ones re-indexed. Any code path that
publishes, edits or withdraws an offer is therefore picked up, whoever wrote it, at the cost of one cheap query.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from matchmaker.domain.vocab import PUBLISHED_OFFER_STATUSES
from matchmaker.search import (
    Hit,
    OfferDocument,
    OfferFilters,
    OfferSearch,
    SearchResult,
    mark_words,
    snippet,
)
from matchmaker.search.embedded import QueryTerms
from matchmaker.services import match_index
from matchmaker.storage.models import Institution, Offer

_LOCK = threading.Lock()


def backend(services: Any) -> OfferSearch:
    """The configured backend, created once per process: Meilisearch when ``meili_url`` is set, else embedded
    (loaded from ``var/search/embedded`` when a saved index exists)."""
    if services.offer_search is not None:
        return services.offer_search  # type: ignore[no-any-return]
    settings = services.settings
    made: OfferSearch
    if settings.meili_url:
        from matchmaker.search.meili import MeiliOfferSearch

        made = MeiliOfferSearch(settings.meili_url, settings.meili_key)
    else:
        from matchmaker.search.embedded import EmbeddedOfferSearch

        directory = settings.var_dir / "search" / "embedded"
        embedded = EmbeddedOfferSearch(directory=directory)
        embedded.load(directory)
        made = embedded
    services.offer_search = made

    def forget_version(_offer_id: int, _change: str) -> None:
        services.offer_search_version = None

    # Told after every committed offer change: forget the data version, so the next search compares.
    services.listeners.offer.append(forget_version)
    return made


def _fingerprint(session: Session) -> tuple[Any, ...]:
    row = session.exec(
        select(
            func.count(col(Offer.id)),
            func.sum(col(Offer.id)),
            func.max(col(Offer.id)),
            func.max(col(Offer.updated_at)),
        ).where(col(Offer.status).in_(PUBLISHED_OFFER_STATUSES))
    ).one()
    return tuple(str(v) for v in row)


def _version(offer: Offer) -> str:
    return offer.updated_at.isoformat() if offer.updated_at else ""


def documents(
    session: Session, offers: Sequence[Offer], vectors: Callable[[int], Sequence[float]] | None = None
) -> list[OfferDocument]:
    """What the search index holds of each offer; ``vectors`` gives an offer's embedding for a backend that
    searches vectors too (Meilisearch)."""
    names = {i.id: i.canonical_name for i in session.exec(select(Institution))}
    return [
        OfferDocument(
            id=o.id or 0,
            title=o.title,
            abstract=o.abstract,
            institution_id=o.institution_id,
            institution=names.get(o.institution_id, ""),
            field=o.field,
            patent_type=o.patent_type,
            trl=o.trl,
            price_wan=o.price_wan,
            version=_version(o),
            vector=tuple(vectors(o.id or 0)) if vectors is not None else (),
        )
        for o in offers
    ]


def _vectors_for(services: Any, search: OfferSearch) -> Callable[[int], Sequence[float]] | None:
    """The matcher's offer vectors, for Meilisearch's hybrid search (the embedded backend does not store them)."""
    if search.name != "meilisearch":
        return None
    index = match_index.ensure(services, wait=True)
    if index is None:
        return None

    def vector(offer_id: int) -> Sequence[float]:
        found = index.offer_vector(str(offer_id))
        return () if found is None else [float(v) for v in found]

    return vector


def sync(services: Any, session: Session, progress: Callable[[int, int], None] | None = None) -> int:
    """Bring the index up to the published offers; returns how many documents were added, changed or removed.

    ``progress(done, total)`` is told after each batch of re-indexed offers (the CLI draws a bar from it)."""
    with _LOCK:
        search = backend(services)
        fingerprint = _fingerprint(session)
        if services.offer_search_version == fingerprint:
            return 0
        current: dict[int, str] = {
            oid or 0: (ts.isoformat() if ts else "")
            for oid, ts in session.exec(
                select(Offer.id, Offer.updated_at).where(col(Offer.status).in_(PUBLISHED_OFFER_STATUSES))
            )
        }
        indexed = search.versions()
        changed = [oid for oid, version in current.items() if indexed.get(oid) != version]
        removed = [oid for oid in indexed if oid not in current]
        for start in range(0, len(changed), 1000):
            batch = changed[start : start + 1000]
            offers = list(session.exec(select(Offer).where(col(Offer.id).in_(batch))))
            search.index(documents(session, offers, _vectors_for(services, search)))
            if progress is not None:
                progress(start + len(batch), len(changed))
        search.remove(removed)
        search.flush()
        services.offer_search_version = fingerprint
        return len(changed) + len(removed)


@dataclass(frozen=True)
class OfferCard:
    """What a result row shows beside the highlighted title: the offer's facts, read from storage."""

    id: int
    institution: str
    field: str
    patent_type: str
    trl: int | None
    price_wan: int | None
    application_number: str
    transfer_modes: tuple[str, ...]


#: Keyword hits considered per query before the matcher orders them.
CANDIDATES = 200
#: A query of at least this many distinct terms reads as a description of a problem: then the matcher's own best
#: offers join the keyword hits even without a shared word (车间设备老是突然坏 → a gearbox fault-diagnosis patent).
#: Shorter queries are keywords (or a number) and find what contains them.
DESCRIPTION_TERMS = 3
#: How many of the matcher's best offers join a description's results.
SEMANTIC_EXTRAS = 10


def _ranked(
    services: Any, session: Session, query: str, filters: OfferFilters, page: int, per_page: int
) -> SearchResult | None:
    """The search result ordered by the matcher's fused score (the ranking of the need page), or ``None`` while
    the match index is not ready (then the backend's own order serves)."""
    index = match_index.ensure(services)
    if index is None:
        return None
    terms = QueryTerms(index.pipeline, query)
    if not terms.keys:
        return backend(services).search(query, filters, page=page, per_page=per_page)
    lock = match_index.state(services).lock
    with lock:
        analysed = index.analyse_query(query)
    vector = analysed.doc_vector.tolist()
    keyword = backend(services).search(query, filters, page=1, per_page=CANDIDATES, vector=vector)
    description = len(terms.keys) >= DESCRIPTION_TERMS
    with lock:
        matches = index.rank_query(analysed, CANDIDATES, also=[str(h.id) for h in keyword.hits])
    hits_by_id = {h.id: h for h in keyword.hits}
    extras = {int(m.offer_id) for m in matches[:SEMANTIC_EXTRAS]} if description else set()
    wanted = [int(m.offer_id) for m in matches if int(m.offer_id) in hits_by_id or int(m.offer_id) in extras]
    rows = list(session.exec(select(Offer).where(col(Offer.id).in_(wanted)))) if wanted else []
    docs = {d.id: d for d in documents(session, [o for o in rows if o.status in PUBLISHED_OFFER_STATUSES])}
    ordered = [(i, m) for m in matches if (i := int(m.offer_id)) in docs and i in set(wanted)]
    ordered = [(i, m) for i, m in ordered if filters.accepts(docs[i])]
    total = len(ordered)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    shown = ordered[(page - 1) * per_page : page * per_page]
    hits = [hits_by_id.get(i) or _hit(docs[i], m.score, terms) for i, m in shown]
    hits = [Hit(h.id, round(m.score, 4), h.title, h.snippet) for h, (_i, m) in zip(hits, shown, strict=True)]
    return SearchResult(hits, total, page, per_page, terms.surfaces)


def _hit(doc: OfferDocument, score: float, terms: QueryTerms) -> Hit:
    """A result the keyword backend did not return: marked the same way."""
    return Hit(
        doc.id, score, mark_words(doc.title, terms.words), snippet(mark_words(doc.abstract, terms.words))
    )


def search_offers(
    services: Any, session: Session, query: str, filters: OfferFilters, *, page: int = 1, per_page: int = 10
) -> tuple[SearchResult, dict[int, OfferCard]]:
    """Published offers for a query, ranked as the need page ranks offers: the backend (embedded bm25s or
    Meilisearch) supplies keyword candidates, the matcher adds its own for a description, and the matcher's fused
    score orders them all. An empty query lists offers newest first, as the backend does."""
    sync(services, session)
    ranked = _ranked(services, session, query, filters, page, per_page) if query.strip() else None
    result = ranked or backend(services).search(query, filters, page=page, per_page=per_page)
    ids = [h.id for h in result.hits]
    offers = list(session.exec(select(Offer).where(col(Offer.id).in_(ids)))) if ids else []
    names = {i.id: i.canonical_name for i in session.exec(select(Institution))}
    cards = {
        o.id or 0: OfferCard(
            id=o.id or 0,
            institution=names.get(o.institution_id, ""),
            field=o.field,
            patent_type=o.patent_type,
            trl=o.trl,
            price_wan=o.price_wan,
            application_number=o.application_number,
            transfer_modes=tuple(o.transfer_modes),
        )
        for o in offers
        if o.status in PUBLISHED_OFFER_STATUSES
    }
    return result, cards
