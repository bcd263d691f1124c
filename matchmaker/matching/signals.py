"""The matcher's signals, each a small scorer returning a value in [0, 1] for one need × offer pair.

Each is testable on its own and each appears in the ablation table. Keyword relevance is BM25 (Lucene variant,
the formula bm25s uses) normalised by its own upper bound for the query, so a value means the same for a short and
a long need and the same pair scores the same whichever side asked.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

#: BM25 parameters (Okapi defaults; the evaluation set's README measures its baseline with the same).
BM25_K1 = 1.5
BM25_B = 0.75

_IPC_CODE = re.compile(r"^\s*([A-H]\d{2}[A-Z])\s*(\d+)\s*/\s*(\d+)")


class KeywordStats:
    """Term statistics of one side's documents (offers or needs), kept current as documents come and go.

    bm25s scores whole corpora fast but is built once; this keeps the per-document counts so a single pair can
    be scored exactly at any time, including documents added after the last bm25s build.
    """

    def __init__(self) -> None:
        self.tf: dict[str, Counter[str]] = {}
        self.length: dict[str, int] = {}
        self.df: Counter[str] = Counter()
        self.total_length = 0

    def add(self, doc_id: str, keys: Sequence[str]) -> None:
        self.remove(doc_id)
        counts = Counter(keys)
        self.tf[doc_id] = counts
        self.length[doc_id] = len(keys)
        self.df.update(counts.keys())
        self.total_length += len(keys)

    def remove(self, doc_id: str) -> None:
        counts = self.tf.pop(doc_id, None)
        if counts is None:
            return
        self.df.subtract(counts.keys())
        self.total_length -= self.length.pop(doc_id)

    def idf(self, key: str) -> float:
        n = len(self.tf)
        df = self.df.get(key, 0)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def query_weights(self, query_keys: Iterable[str]) -> dict[str, float]:
        """IDF of each distinct query key: what a full match of that key is worth."""
        return {key: self.idf(key) for key in dict.fromkeys(query_keys)}

    def bm25(self, query_weights: dict[str, float], doc_id: str) -> tuple[float, list[str]]:
        """BM25 of a document divided by the query's upper bound (Σ idf), and the keys that matched."""
        counts = self.tf.get(doc_id)
        if not counts or not query_weights:
            return 0.0, []
        average = self.total_length / max(len(self.tf), 1)
        norm = BM25_K1 * (1.0 - BM25_B + BM25_B * self.length[doc_id] / max(average, 1e-9))
        score = 0.0
        matched: list[str] = []
        for key, weight in query_weights.items():
            tf = counts.get(key, 0)
            if tf:
                score += weight * tf / (tf + norm)
                matched.append(key)
        bound = sum(query_weights.values())
        return (score / bound if bound > 0 else 0.0), matched


def passage_similarity(query_passages: np.ndarray, doc_passages: np.ndarray, top: int = 2) -> float:
    """Mean of the best ``top`` need-passage × offer-passage cosines.

    A need usually states its problem in one or two sentences among several of context; the offer solves it in
    one sentence among several of method. Whole-document vectors blur both; the best sentence pairs do not.
    """
    return float(passage_similarities(query_passages, doc_passages, [doc_passages.shape[0]], top)[0])


def passage_similarities(
    query_passages: np.ndarray, stacked: np.ndarray, lengths: Sequence[int], top: int = 2
) -> np.ndarray:
    """:func:`passage_similarity` for many documents whose passages are stacked in one matrix (``lengths`` rows
    each, in order): one matrix product and one segment maximum, which is what the index calls per need."""
    sizes = np.asarray(lengths)
    out = np.zeros(len(sizes), dtype=np.float32)
    present = sizes > 0
    if query_passages.size == 0 or not present.any():
        return out
    sims = query_passages.astype(np.float32) @ stacked.astype(np.float32).T
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))[present]
    best_per_query = np.maximum.reduceat(sims, starts, axis=1)  # query passages × documents
    k = min(top, best_per_query.shape[0])
    best = -np.sort(-best_per_query, axis=0)[:k]
    out[present] = best.mean(axis=0)
    return out


def calibrate_cosine(cosine: float | np.ndarray, floor: float, ceiling: float) -> float | np.ndarray:
    """Map a cosine band to 0–1 (one value or an array of them): e5's cosines crowd into a narrow band, measured
    by ``tune`` (``cosine_band``) and kept in ``weights.json``."""
    calibrated = np.clip((np.asarray(cosine) - floor) / (ceiling - floor), 0.0, 1.0)
    return float(calibrated) if calibrated.ndim == 0 else calibrated


def title_similarity(query_keys: Sequence[str], title_keys: Sequence[str]) -> float:
    """Fuzzy overlap of canonical terms (rapidfuzz token-set ratio), 0–1; catches reordered or partial titles."""
    return float(
        title_similarities([" ".join(dict.fromkeys(query_keys))], [" ".join(dict.fromkeys(title_keys))])[0, 0]
    )


def title_similarities(query_texts: Sequence[str], title_texts: Sequence[str]) -> np.ndarray:
    """:func:`title_similarity` of every query × title, each given as space-joined distinct terms: one rapidfuzz
    ``cdist`` call in C (what the index calls for a candidate block)."""
    ratios = process.cdist(query_texts, title_texts, scorer=fuzz.token_set_ratio, dtype=np.float32)
    empty_query = np.array([not q for q in query_texts])[:, None]
    empty_title = np.array([not t for t in title_texts])[None, :]
    return np.where(empty_query | empty_title, 0.0, ratios / 100.0)


def field_agreement(need_field: str, offer_field: str) -> float:
    """1 when both name the same industry field. Weak on purpose: solutions often come from another field."""
    return 1.0 if need_field and need_field == offer_field else 0.0


@dataclass(frozen=True)
class IpcCode:
    subclass: str
    group: str


def parse_ipc(code: str) -> IpcCode | None:
    """``H01M 10/42`` → subclass H01M, main group H01M 10. Locarno classes (designs) have no IPC and give None."""
    match = _IPC_CODE.match(code.upper())
    if not match:
        return None
    return IpcCode(subclass=match.group(1), group=f"{match.group(1)} {int(match.group(2))}")


def ipc_profile(weighted_codes: Iterable[tuple[Sequence[str], float]]) -> dict[str, float]:
    """Subclass and group weights of a set of offers' IPC codes, normalised so the strongest is 1.

    A need carries no IPC; its profile comes from the offers its text matches best, so agreement at group level
    (H01M 10) says more than at subclass level (H01M).
    """
    weights: defaultdict[str, float] = defaultdict(float)
    for codes, weight in weighted_codes:
        seen: set[str] = set()
        for code in codes:
            parsed = parse_ipc(code)
            if parsed is None:
                continue
            for level in (parsed.subclass, parsed.group):
                if level not in seen:
                    weights[level] += weight
                    seen.add(level)
    top = max(weights.values(), default=0.0)
    return {k: v / top for k, v in weights.items()} if top > 0 else {}


def ipc_agreement(codes: Sequence[str], profile: dict[str, float]) -> tuple[float, str]:
    """Best agreement of an offer's codes with a profile: full weight at group level, half at subclass."""
    best, best_level = 0.0, ""
    for code in codes:
        parsed = parse_ipc(code)
        if parsed is None:
            continue
        for level, factor in ((parsed.group, 1.0), (parsed.subclass, 0.5)):
            value = profile.get(level, 0.0) * factor
            if value > best:
                best, best_level = value, level
    return best, best_level


def price_fit(price_wan: int | None, budget_min_wan: int | None, budget_max_wan: int | None) -> float:
    """1 within budget, 0.5 when either side is open (面议 / no budget) or up to 50% over, else 0."""
    if price_wan is None or budget_max_wan is None:
        return 0.5
    if price_wan <= budget_max_wan:
        return 1.0
    if price_wan * 2 <= budget_max_wan * 3:
        return 0.5
    return 0.0


def wanted_trl(expected_outcome: str, readiness_by_word: dict[str, int]) -> int | None:
    """The readiness an outcome implies (样机 → 6, 小试 → 4 …): the highest level any of its words asks for."""
    levels = [level for word, level in readiness_by_word.items() if word in expected_outcome]
    return max(levels) if levels else None


def readiness_fit(trl: int | None, wanted: int | None) -> float:
    """1 when the offer is at least as mature as the outcome needs, minus a quarter per missing TRL level."""
    if trl is None or wanted is None:
        return 0.5
    return max(0.0, 1.0 - max(0, wanted - trl) / 4.0)


#: A need accepting 许可 accepts every kind of licence an offer may grant.
_MODE_FAMILY = {"独占许可": "许可", "排他许可": "许可", "普通许可": "许可"}


def mode_fit(transfer_modes: Sequence[str], coop_modes: Sequence[str]) -> float:
    """1 when some transfer mode of the offer is a cooperation mode the company accepts, 0.5 when unknown."""
    if not transfer_modes or not coop_modes:
        return 0.5
    offered = {_MODE_FAMILY.get(mode, mode) for mode in transfer_modes}
    return 1.0 if offered & set(coop_modes) else 0.0


def legal_fit(legal_status: str) -> float:
    """有效 1, 审中 0.5 (may still be refused), 失效 0 (anyone may use it: little to buy); unknown 0.5."""
    return {"有效": 1.0, "审中": 0.5, "失效": 0.0}.get(legal_status, 0.5)


@dataclass(frozen=True)
class PatentKinds:
    """What each patent type can protect, against what a need asks for (``seed/matching/patent_kinds.json``)."""

    appearance_words: tuple[str, ...]
    process_words: tuple[str, ...]
    fit: dict[str, dict[str, float]]

    def aspect(self, text: str) -> str:
        """``appearance`` (a shape or look), ``process`` (a method, recipe or parameters) or ``product``."""
        if any(w in text for w in self.appearance_words):
            return "appearance"
        if any(w in text for w in self.process_words):
            return "process"
        return "product"

    def kind_fit(self, patent_type: str, aspect: str) -> float:
        """1 when the patent type protects what the need asks for; a design patent offers a shape only, a utility
        model a structure but no method; unknown types count as fitting."""
        return self.fit.get(patent_type, {}).get(aspect, 1.0)


def load_patent_kinds(path: Path) -> PatentKinds:
    data = json.loads(path.read_text(encoding="utf-8"))
    return PatentKinds(tuple(data["appearance_words"]), tuple(data["process_words"]), data["fit"])
