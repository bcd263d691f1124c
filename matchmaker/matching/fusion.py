"""Fusion of the signals into one score per pair, and the reasons a person can check.

The fused value is a weighted sum of the signals as fused: text signals as z-scores against the need's own
reference statistics (see ``index.py``), structured ones as they are, in [0, 1]. The weights are data
(``seed/matching/weights.json``) fitted by ``tune`` with cross-validation, so a reader can see what counts and by
how much. The score a pair shows is that value squashed into [0, Σ weights] by a logistic curve fitted on the same
data, so ``score / Σ weights`` reads as a 0–1 closeness and ordering is unchanged. Reasons are structured
``(kind, values)`` data; ``wording.py`` turns them into Chinese for pages and the API.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from matchmaker.matching.text import SEED_DIR

#: Signals that carry topic, normalised per need before fusion. ``semantic`` compares the need with the offer's
#: title + abstract, ``semantic_claims`` with title + abstract + claim 1, ``semantic_query`` with title + abstract
#: embedded in the query role (need and offer are both descriptions: the symmetric use of e5).
TEXT_SIGNALS = ("bm25", "semantic", "semantic_claims", "semantic_query", "passage", "title")
#: Structured agreement; these only reorder within a topic.
STRUCTURED_SIGNALS = ("field", "ipc", "price", "readiness", "mode", "legal", "kind")
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
    #: Platt curve of the fused value → probability that the pair is useful (grade ≥ 1), fitted by ``tune`` on
    #: cross-validated (held-out) scores; and the confidence from which a match is shown as strong.
    confidence_slope: float = 0.0
    confidence_gap: float = 0.0
    confidence_first: float = 0.0
    confidence_intercept: float = 0.0
    strong_confidence: float = 0.5

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

    def confidence(self, fused: float, best: float) -> float:
        """Calibrated probability (0–1) that the pair is useful, from its fused value and the best fused value of
        the list it is shown in (``matching.calibration``)."""
        z = (
            self.confidence_slope * fused
            + self.confidence_gap * (fused - best)
            + self.confidence_first * float(fused >= best)
            + self.confidence_intercept
        )
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def confidences(self, features: np.ndarray) -> np.ndarray:
        """:meth:`confidence` of rows of (fused value, gap below the list's best, first of the list)."""
        coefficients = np.array([self.confidence_slope, self.confidence_gap, self.confidence_first])
        z = features @ coefficients + self.confidence_intercept
        out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))
        return out

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
        confidence_slope=float(data.get("confidence", {}).get("slope", 0.0)),
        confidence_gap=float(data.get("confidence", {}).get("gap", 0.0)),
        confidence_first=float(data.get("confidence", {}).get("first", 0.0)),
        confidence_intercept=float(data.get("confidence", {}).get("intercept", 0.0)),
        strong_confidence=float(data.get("confidence", {}).get("strong", 0.5)),
    )


def save_weights(weights: Weights, path: Path = WEIGHTS_PATH, note: str = "") -> None:
    data = {
        "_comment": note or "融合权重（由 matchmaker tune 拟合）与语义相似度的显示刻度。",
        "weights": {k: round(v, 4) for k, v in weights.by_signal.items()},
        "cosine_floor": weights.cosine_floor,
        "cosine_ceiling": weights.cosine_ceiling,
        "score_offset": round(weights.score_offset, 4),
        "score_scale": round(weights.score_scale, 4),
        "confidence": {
            "slope": round(weights.confidence_slope, 4),
            "gap": round(weights.confidence_gap, 4),
            "first": round(weights.confidence_first, 4),
            "intercept": round(weights.confidence_intercept, 4),
            "strong": round(weights.strong_confidence, 4),
        },
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Reason:
    """One checkable reason as data: ``kind`` is a stable code, ``values`` the facts it quotes. Pages and the API
    word it (``matching.wording``), so a rule about what someone may see (a private budget) removes a value rather
    than editing a sentence."""

    kind: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    """One suggested pair with its fused score, the signal values behind it and the reasons."""

    need_id: str
    offer_id: str
    score: float
    signals: dict[str, float] = field(default_factory=dict)
    reasons: tuple[Reason, ...] = ()
    #: calibrated probability that the pair is useful, and whether that is enough to show it as a strong match
    confidence: float = 0.0
    strong: bool = False


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
    patent_type: str = ""
    #: what the need asks for: appearance, process or product (``signals.PatentKinds.aspect``)
    aspect: str = "product"
    kind_fit: float = 1.0


def reasons_for(facts: PairFacts, max_terms: int = 6) -> tuple[Reason, ...]:
    """The reasons, most telling first; each carries its evidence so a person can verify it."""
    out: list[Reason] = []
    if facts.shared_terms:
        out.append(Reason("terms", {"pairs": [list(p) for p in facts.shared_terms[:max_terms]]}))
    out.append(Reason("semantic", {"percent": facts.semantic_percent}))
    if facts.offer_field:
        out.append(Reason("field", {"need_field": facts.need_field, "offer_field": facts.offer_field}))
    if facts.ipc_level:
        out.append(Reason("ipc", {"level": facts.ipc_level}))
    out.append(Reason("price", {"price_wan": facts.price_wan, "budget_max_wan": facts.budget_max_wan}))
    if facts.trl is not None:
        out.append(Reason("readiness", {"trl": facts.trl, "wanted_trl": facts.wanted_trl}))
    if facts.mode_ok == 0.0:
        out.append(Reason("mode", {}))
    if facts.legal_status in ("失效", "审中"):
        out.append(Reason("legal", {"status": facts.legal_status}))
    if facts.kind_fit < 1.0:
        out.append(Reason("kind", {"patent_type": facts.patent_type, "aspect": facts.aspect}))
    return tuple(out)
