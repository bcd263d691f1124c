"""Candidate pairs proposed for a docking event: the app's matcher when it is wired in, else 简易匹配.

The matcher library (``matchmaker.matching``) needs an index built by an app-level service
(``matchmaker/services/matching.py``). Until that service offers ``propose_pairs``, this adapter scores
need↔offer pairs itself with a deliberately simple, explainable rule — same industry field, shared
two-character terms between the need and the offer, budget against price — and labels the method 简易匹配
on the page, so nobody mistakes it for the real matcher.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from matchmaker.domain.vocab import OPEN_NEED_STATUSES, PUBLISHED_OFFER_STATUSES
from matchmaker.storage.models import Need, Offer

SIMPLE_METHOD = "简易匹配"
MATCHER_METHOD = "匹配引擎"

# Two-character pieces that say nothing about the technology.
_STOP = frozenset(
    [
        "一种",
        "及其",
        "方法",
        "装置",
        "系统",
        "制备",
        "应用",
        "技术",
        "问题",
        "我们",
        "公司",
        "需要",
        "希望",
        "进行",
        "能够",
        "一个",
        "用于",
        "基于",
        "以及",
        "通过",
        "其中",
        "发明",
        "本发",
        "明公",
        "公开",
        "提供",
        "实现",
        "使用",
        "产品",
        "生产",
        "现在",
        "目前",
        "没有",
        "什么",
        "怎么",
        "可以",
        "如何",
    ]
)


@dataclass(frozen=True)
class Proposal:
    offer_id: int
    need_id: int
    offer_title: str
    need_title: str
    score: float
    reasons: tuple[str, ...]
    method: str


def _terms(text: str) -> set[str]:
    """Overlapping two-character pieces of the Chinese runs of ``text`` (no segmenter needed)."""
    pieces: set[str] = set()
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        pieces.update(run[i : i + 2] for i in range(len(run) - 1))
    return pieces - _STOP


def simple_score(offer: Offer, need: Need) -> tuple[float, tuple[str, ...]]:
    """0..1 from field agreement (0.4), shared terms (up to 0.5) and price within budget (0.1), with the
    reasons a person can check."""
    reasons: list[str] = []
    score = 0.0
    if offer.field and offer.field == need.field:
        score += 0.4
        reasons.append(f"同属产业领域「{offer.field}」")
    need_terms = _terms(f"{need.title} {need.description} {need.expected_outcome}")
    offer_terms = _terms(f"{offer.title} {offer.abstract}")
    shared = sorted(need_terms & offer_terms)
    if shared and need_terms:
        score += min(0.5, 0.5 * len(shared) / max(6, len(need_terms) ** 0.5 * 2))
        reasons.append("共同词语：" + "、".join(shared[:6]))
    if (
        offer.price_wan is not None
        and need.budget_max_wan is not None
        and offer.price_wan <= need.budget_max_wan
    ):
        score += 0.1
        reasons.append(f"报价 {offer.price_wan} 万元在预算之内")
    return round(min(score, 1.0), 3), tuple(reasons)


def _matcher_service() -> object | None:
    try:
        module = importlib.import_module("matchmaker.services.matching")
    except ImportError:
        return None
    return module if hasattr(module, "propose_pairs") else None


def propose(
    session: Session,
    services: object,
    *,
    min_score: float,
    need_ids: Sequence[int] = (),
    limit: int = 200,
) -> tuple[str, list[Proposal]]:
    """Pairs of open needs and published offers scoring at least ``min_score``, best first, with the method
    used. When ``need_ids`` is given only those needs are considered."""
    service = _matcher_service()
    if service is not None:
        found = service.propose_pairs(
            session,
            services,
            min_score=min_score,
            need_ids=list(need_ids),  # type: ignore[attr-defined]
            limit=limit,
        )
        return MATCHER_METHOD, [Proposal(**item) if isinstance(item, dict) else item for item in found]
    needs_stmt = select(Need).where(col(Need.status).in_(OPEN_NEED_STATUSES))
    if need_ids:
        needs_stmt = select(Need).where(col(Need.id).in_(list(need_ids)))
    needs = list(session.exec(needs_stmt.order_by(col(Need.id))))
    offers = list(
        session.exec(
            select(Offer).where(col(Offer.status).in_(PUBLISHED_OFFER_STATUSES)).order_by(col(Offer.id))
        )
    )
    found_pairs: list[Proposal] = []
    for need in needs:
        for offer in offers:
            score, reasons = simple_score(offer, need)
            if score >= min_score and offer.id is not None and need.id is not None:
                found_pairs.append(
                    Proposal(offer.id, need.id, offer.title, need.title, score, reasons, SIMPLE_METHOD)
                )
    found_pairs.sort(key=lambda p: (-p.score, p.need_id, p.offer_id))
    return SIMPLE_METHOD, found_pairs[:limit]
