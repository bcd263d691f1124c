"""A plain score for a pair an organizer picked by hand: same field, shared two-character pieces, price in budget.

The matcher ranks pairs it finds itself; a hand-picked pair may involve a need or offer it does not index (a
company without a need, a draft). This gives such a pair a value the schedule can weigh, with reasons a person can
check, without segmenting or embedding anything.
"""

from __future__ import annotations

import re

from matchmaker.matching.docs import NeedDoc, OfferDoc

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


def _terms(text: str) -> set[str]:
    """Overlapping two-character pieces of the Chinese runs of ``text`` (no segmenter needed)."""
    pieces: set[str] = set()
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        pieces.update(run[i : i + 2] for i in range(len(run) - 1))
    return pieces - _STOP


def overlap_score(offer: OfferDoc, need: NeedDoc) -> tuple[float, tuple[str, ...]]:
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
