"""Fusion of the signals into one score per pair, and the reasons a person can check.

The fused value is a weighted sum of the signals as fused: text signals as z-scores against the need's own
reference statistics (see ``index.py``), structured ones as they are, in [0, 1]. The weights are data
(``seed/matching/weights.json``) fitted by ``tune`` with cross-validation, so a reader can see what counts and by
how much. The score a pair shows is that value squashed into [0, Σ weights] by a logistic curve fitted on the same
data, so ``score / Σ weights`` reads as a 0–1 closeness and ordering is unchanged. Reasons are structured
``(kind, text)`` pairs in Chinese so the UI and API render them as they like.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from matchmaker.matching.text import SEED_DIR

#: Signals that carry topic, normalised per need before fusion. ``semantic`` compares the need with the offer's
#: title + abstract, ``semantic_claims`` with title + abstract + claim 1, ``semantic_query`` with title + abstract
#: embedded in the query role (need and offer are both descriptions: the symmetric use of e5).
TEXT_SIGNALS = ("bm25", "semantic", "semantic_claims", "semantic_query", "passage", "title")
#: Structured agreement; these only reorder within a topic.
STRUCTURED_SIGNALS = ("field", "ipc", "price", "readiness", "mode", "legal")
#: The signals in the order the ablation table prints them (and of every signal array).
SIGNALS = TEXT_SIGNALS + STRUCTURED_SIGNALS

WEIGHTS_PATH = SEED_DIR / "weights.json"


@dataclass(frozen=True)
class Weights:
    """Fusion weights per signal and the cosine band used to show semantic closeness as a percentage (both
    fitted by ``tune``; the defaults are e5-small's band on the dev set, rounded)."""

    by_signal: dict[str, float]
    cosine_floor: float = 0.87
    cosine_ceiling: float = 0.94
    score_offset: float = 0.0
    score_scale: float = 1.0

    def score(self, signals: dict[str, float]) -> float:
        """The fused value of signals given by name (as fused: text signals normalised)."""
        return sum(self.by_signal.get(name, 0.0) * value for name, value in signals.items())

    def vector(self) -> np.ndarray:
        """The weights in ``SIGNALS`` order, for array-wide fusion."""
        return np.array([self.by_signal.get(name, 0.0) for name in SIGNALS])

    def total(self) -> float:
        """Σ of the positive weights: the most a shown score can be."""
        return sum(v for v in self.by_signal.values() if v > 0) or 1.0

    def display_score(self, fused: float) -> float:
        """The shown score in [0, Σ weights]: a logistic curve of the fused value (monotone, so order is kept)."""
        return self.total() / (
            1.0 + math.exp(-max(min((fused - self.score_offset) / self.score_scale, 50.0), -50.0))
        )

    def display_scores(self, fused: np.ndarray) -> np.ndarray:
        z = np.clip((fused - self.score_offset) / self.score_scale, -50.0, 50.0)
        return self.total() / (1.0 + np.exp(-z))


def load_weights(path: Path = WEIGHTS_PATH) -> Weights:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Weights(
        by_signal={k: float(v) for k, v in data["weights"].items()},
        cosine_floor=float(data.get("cosine_floor", 0.87)),
        cosine_ceiling=float(data.get("cosine_ceiling", 0.94)),
        score_offset=float(data.get("score_offset", 0.0)),
        score_scale=float(data.get("score_scale", 1.0)),
    )


def save_weights(weights: Weights, path: Path = WEIGHTS_PATH, note: str = "") -> None:
    data = {
        "_comment": note or "融合权重（由 matchmaker tune 拟合）与语义相似度的显示刻度。",
        "weights": {k: round(v, 4) for k, v in weights.by_signal.items()},
        "cosine_floor": weights.cosine_floor,
        "cosine_ceiling": weights.cosine_ceiling,
        "score_offset": round(weights.score_offset, 4),
        "score_scale": round(weights.score_scale, 4),
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Reason:
    """One checkable reason: ``kind`` is a stable code for rendering, ``text`` one Chinese phrase."""

    kind: str
    text: str


@dataclass(frozen=True)
class Match:
    """One suggested pair with its fused score, the signal values behind it and the reasons."""

    need_id: str
    offer_id: str
    score: float
    signals: dict[str, float] = field(default_factory=dict)
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class PairFacts:
    """What the reasons quote, gathered while the signals were computed."""

    shared_terms: tuple[
        tuple[str, str], ...
    ]  # (need's word, offer's word); equal unless a synonym bridged them
    semantic_percent: int
    need_field: str
    offer_field: str
    ipc_level: str
    price_wan: int | None
    budget_max_wan: int | None
    trl: int | None
    wanted_trl: int | None
    legal_status: str
    mode_ok: float


def reasons_for(facts: PairFacts, max_terms: int = 6) -> tuple[Reason, ...]:
    """The reasons, most telling first; each names its evidence so a person can verify it."""
    out: list[Reason] = []
    if facts.shared_terms:
        words = [a if a == b else f"{a}≈{b}" for a, b in facts.shared_terms[:max_terms]]
        out.append(Reason("terms", "共同关键词：" + "、".join(words)))
    out.append(Reason("semantic", f"语义相近度 {facts.semantic_percent}%"))
    if facts.need_field and facts.need_field == facts.offer_field:
        out.append(Reason("field", f"同属{facts.offer_field}领域"))
    elif facts.offer_field:
        out.append(Reason("field", f"跨领域：需求属{facts.need_field or '未填'}，成果属{facts.offer_field}"))
    if facts.ipc_level:
        out.append(Reason("ipc", f"IPC 分类 {facts.ipc_level} 与该需求最相关的成果一致"))
    if facts.price_wan is None:
        out.append(Reason("price", "价格面议"))
    elif facts.budget_max_wan is None:
        out.append(Reason("price", f"报价 {facts.price_wan} 万元，需求未填预算"))
    elif facts.price_wan <= facts.budget_max_wan:
        out.append(
            Reason("price", f"报价 {facts.price_wan} 万元，在预算上限 {facts.budget_max_wan} 万元以内")
        )
    else:
        out.append(Reason("price", f"报价 {facts.price_wan} 万元，超出预算上限 {facts.budget_max_wan} 万元"))
    if facts.trl is not None:
        if facts.wanted_trl is None:
            out.append(Reason("readiness", f"技术成熟度 TRL {facts.trl}"))
        elif facts.trl >= facts.wanted_trl:
            out.append(
                Reason("readiness", f"技术成熟度 TRL {facts.trl}，满足期望成果所需的 TRL {facts.wanted_trl}")
            )
        else:
            out.append(
                Reason("readiness", f"技术成熟度 TRL {facts.trl}，低于期望成果所需的 TRL {facts.wanted_trl}")
            )
    if facts.mode_ok == 0.0:
        out.append(Reason("mode", "成果的转化方式不在企业接受的合作方式之内"))
    if facts.legal_status == "失效":
        out.append(Reason("legal", "专利已失效"))
    elif facts.legal_status == "审中":
        out.append(Reason("legal", "专利尚在审查中，授权未定"))
    return tuple(out)
