"""What people see of the matcher: the offers that could solve a need and the needs an offer could serve, each as
a particular actor may see it.

The index itself (building, catching up, persistence) is ``match_index``; this module ranks through it and
applies who-may-see-what. Ranking uses every field, but what is *shown* goes through ``needs.visible_need``: a
need's private budget is taken out of the price reason's values for those who may not see it (the page words
that as 需求预算未公开) and they get no ``price`` signal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from matchmaker.domain.errors import PermissionDenied
from matchmaker.domain.vocab import OPEN_NEED_STATUSES, PUBLISHED_OFFER_STATUSES
from matchmaker.matching.fusion import Match, Reason
from matchmaker.matching.wording import reason_json
from matchmaker.services import licences
from matchmaker.services import needs as need_service
from matchmaker.services.match_index import (
    MatcherState,
    ensure,
    needs_with_names,
    offers_with_names,
    state,
)
from matchmaker.services.needs import NeedView
from matchmaker.services.permissions import Actor
from matchmaker.storage.models import Offer

if TYPE_CHECKING:
    from matchmaker.bootstrap import Services

#: Roles that see the needs an offer could serve, besides the owning institution's researchers.
OFFER_MATCH_ROLES = ("organizer", "bureau", "admin")


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
    #: calibrated probability (0–1) that the pair is useful, and whether it is shown as a strong match
    confidence: float = 0.0
    strong: bool = False

    @property
    def confidence_label(self) -> str:
        """What a person reads beside the match: a plain word and the percentage."""
        word = "把握较大" if self.strong else ("把握一般" if self.confidence >= 0.3 else "把握较小")
        return f"{word} {round(100 * self.confidence)}%"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "need_id": self.need_id, "offer_id": self.offer_id, "score": round(self.score, 4),
            "relative_score": round(self.relative, 4),
            "confidence": round(self.confidence, 4), "strong": self.strong,
            "signals": {k: round(v, 4) for k, v in self.signals.items()},
            "reasons": [reason_json(r) for r in self.reasons],
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

    @property
    def strong(self) -> list[Suggestion]:
        """The matches shown first; the rest are folded under 较弱匹配."""
        return [s for s in self.items if s.strong]

    @property
    def weak(self) -> list[Suggestion]:
        return [s for s in self.items if not s.strong]


def masked(match: Match, budget_shown: bool) -> tuple[dict[str, float], tuple[Reason, ...]]:
    """Signals and reasons with the need's budget taken out when the viewer may not see it: no ``price`` signal,
    and the price reason keeps the offer's own (public) price but loses the budget."""
    if budget_shown:
        return dict(match.signals), match.reasons
    signals = {k: v for k, v in match.signals.items() if k != "price"}
    reasons = tuple(
        replace(r, values={"price_wan": r.values.get("price_wan"), "budget_hidden": True})
        if r.kind == "price"
        else r
        for r in match.reasons
    )
    return signals, reasons


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
        return rank(str(doc_id), k), index.weights.total()


def offers_for_need(services: Services, actor: Actor, view: NeedView, k: int = 10) -> MatchList:
    """Published offers that could solve a need, best first. Any actor who may see the need may see these
    (offers are public); the price reason shows the budget only if ``view`` shows it."""
    ranked = _ranked(services, "need", view.id, view.status, k)
    if isinstance(ranked, MatchList):
        return ranked
    matches, total_weight = ranked
    with services.session() as session:
        offers = {
            o.id: (o, name) for o, name in offers_with_names(session, [int(m.offer_id) for m in matches])
        }
        open_licences = licences.standing(session, [int(m.offer_id) for m in matches])
    items = []
    for m in matches:
        found = offers.get(int(m.offer_id))
        if found is None or found[0].status not in PUBLISHED_OFFER_STATUSES:
            continue
        signals, reasons = masked(m, view.budget_shown)
        if int(m.offer_id) in open_licences:
            reasons += (licences.reason_for(open_licences[int(m.offer_id)]),)
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
                confidence=m.confidence,
                strong=m.strong,
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
        rows = [n for n, _ in needs_with_names(session, [int(m.need_id) for m in matches])]
        views = {v.id: v for v in need_service.views(session, rows, actor)}
        declared = licences.standing(session, [offer.id or 0]).get(offer.id or 0)
    items = []
    for m in matches:
        view = views.get(int(m.need_id))
        if view is None or view.status not in OPEN_NEED_STATUSES:
            continue
        signals, reasons = masked(m, view.budget_shown)
        if declared is not None:
            reasons += (licences.reason_for(declared),)
        items.append(
            Suggestion(
                view.id,
                offer.id or 0,
                m.score,
                min(1.0, m.score / total_weight),
                signals,
                reasons,
                need=view,
                confidence=m.confidence,
                strong=m.strong,
            )
        )
    return MatchList("ready", items)
