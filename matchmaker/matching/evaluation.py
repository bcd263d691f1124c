"""Offline evaluation on a labelled set (offers.jsonl, needs.jsonl, qrels.tsv), never on the app's database.

Metrics follow the set's README: MRR@10 (first offer of grade ≥ 1), strict MRR@10 (first of grade 2), nDCG@10 with
the grade as gain and the ideal ordering taken from the qrels. Offer → needs uses the same qrels read the other
way: for each offer judged relevant to some need, rank all needs.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from matchmaker.matching import calibration as cal
from matchmaker.matching.docs import NeedDoc, OfferDoc, need_from_json, offer_from_json
from matchmaker.matching.embedding import CachedEmbedder, Embedder, VectorCache
from matchmaker.matching.fusion import SIGNALS, Weights, load_weights
from matchmaker.matching.index import MatchIndex

Qrels = dict[str, dict[str, int]]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Dataset:
    offers: list[OfferDoc]
    needs: list[NeedDoc]
    qrels: Qrels  # need id → offer id → grade


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_offers(path: Path) -> list[OfferDoc]:
    """Offers from ``offers.jsonl`` (the labelled-set format) or from a seed file such as ``seed/demo/offers.json``
    (``{"offers": [...]}``, rows without ids: they are numbered ``<file stem>-1``, ``-2`` …)."""
    if path.suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))["offers"]
        return [offer_from_json({"id": f"{path.stem}-{i}", **row}) for i, row in enumerate(rows, 1)]
    return [offer_from_json(r) for r in read_jsonl(path)]


def load_dataset(data_dir: str | Path) -> Dataset:
    root = Path(data_dir)
    qrels: Qrels = defaultdict(dict)
    for line in (root / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            need_id, offer_id, grade = line.split("\t")
            qrels[need_id][offer_id] = int(grade)
    return Dataset(
        offers=[offer_from_json(r) for r in read_jsonl(root / "offers.jsonl")],
        needs=[need_from_json(r) for r in read_jsonl(root / "needs.jsonl")],
        qrels=dict(qrels),
    )


def mrr_at_10(ranked: Sequence[str], grades: dict[str, int], min_grade: int = 1) -> float:
    for rank, doc_id in enumerate(ranked[:10], 1):
        if grades.get(doc_id, 0) >= min_grade:
            return 1.0 / rank
    return 0.0


def ndcg_at_10(ranked: Sequence[str], grades: dict[str, int]) -> float:
    dcg = sum(grades.get(d, 0) / math.log2(i + 1) for i, d in enumerate(ranked[:10], 1))
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, 1))
    return dcg / idcg if idcg > 0 else 0.0


def offer_qrels(qrels: Qrels) -> Qrels:
    """The same judgements read offer → needs."""
    out: Qrels = defaultdict(dict)
    for need_id, grades in qrels.items():
        for offer_id, grade in grades.items():
            out[offer_id][need_id] = grade
    return dict(out)


def summarise(rankings: dict[str, list[str]], qrels: Qrels) -> dict[str, float]:
    """Mean MRR@10, strict MRR@10, nDCG@10 and the count of queries with no grade-2 result in the top 10."""
    judged = [q for q in rankings if any(g > 0 for g in qrels.get(q, {}).values())]
    if not judged:
        return {"mrr@10": 0.0, "strict_mrr@10": 0.0, "ndcg@10": 0.0, "without_grade2_in_top10": 0}
    mrr = [mrr_at_10(rankings[q], qrels[q]) for q in judged]
    strict = [mrr_at_10(rankings[q], qrels[q], 2) for q in judged]
    ndcg = [ndcg_at_10(rankings[q], qrels[q]) for q in judged]
    has_grade2 = [q for q in judged if 2 in qrels[q].values()]
    return {
        "mrr@10": float(np.mean(mrr)),
        "strict_mrr@10": float(np.mean(strict)),
        "ndcg@10": float(np.mean(ndcg)),
        "without_grade2_in_top10": sum(1 for q in has_grade2 if mrr_at_10(rankings[q], qrels[q], 2) == 0.0),
    }


@dataclass
class SignalTable:
    """Every signal for every need × offer pair as fused: ``values[n, o, s]`` in the order of ``SIGNALS``.

    Text signals are the per-need z-scores the index fuses; each is monotone in its raw value for a need, so
    ranking by one column alone is that signal's ablation.
    """

    need_ids: list[str]
    offer_ids: list[str]
    values: np.ndarray

    def rankings(self, weights: np.ndarray, rows: Sequence[int] | None = None) -> dict[str, list[str]]:
        rows = range(len(self.need_ids)) if rows is None else rows
        out = {}
        for r in rows:
            scores = self.values[r] @ weights
            order = np.lexsort((np.arange(len(self.offer_ids)), -scores))[:10]
            out[self.need_ids[r]] = [self.offer_ids[i] for i in order]
        return out

    def reverse_rankings(self, weights: np.ndarray) -> dict[str, list[str]]:
        scores = self.values @ weights  # needs × offers
        out = {}
        for c, offer_id in enumerate(self.offer_ids):
            order = np.lexsort((np.arange(len(self.need_ids)), -scores[:, c]))[:10]
            out[offer_id] = [self.need_ids[i] for i in order]
        return out


def build_index(
    dataset: Dataset,
    embedder: Embedder,
    cache_dir: str | Path,
    weights: Weights | None = None,
    extra_offers: Sequence[OfferDoc] = (),
    progress: bool = True,
) -> MatchIndex:
    """A fresh index of the set (and distractors), embeddings through the on-disk cache."""
    cached = CachedEmbedder(embedder, VectorCache(cache_dir), progress=progress)
    index = MatchIndex(cached, weights)
    index.add_offers([*dataset.offers, *extra_offers])
    index.add_needs(dataset.needs)
    return index


def signal_table(index: MatchIndex, dataset: Dataset) -> SignalTable:
    """All signals of all pairs, as fused (the evaluation set is small: 50 × 150, one block)."""
    offers = list(index.offers.values())
    need_ids = [n.id for n in dataset.needs]
    _raw, fused = index.signal_block([index.needs[i] for i in need_ids], offers)
    return SignalTable(need_ids, [o.doc.id for o in offers], fused)


def figures(table: SignalTable, weights: np.ndarray, qrels: Qrels) -> dict[str, float]:
    need = summarise(table.rankings(weights), qrels)
    offer = summarise(table.reverse_rankings(weights), offer_qrels(qrels))
    return {
        "mrr@10": need["mrr@10"],
        "ndcg@10": need["ndcg@10"],
        "strict_mrr@10": need["strict_mrr@10"],
        "needs_without_grade2_in_top10": need["without_grade2_in_top10"],
        "offer_mrr@10": offer["mrr@10"],
        "offer_ndcg@10": offer["ndcg@10"],
    }


def confidence_figures(table: SignalTable, weights: Weights, qrels: Qrels) -> dict[str, float]:
    """How honest the shown confidence is on the pairs a list shows (each need's top 10): ``ece`` (10-bin expected
    calibration error against grade ≥ 1) and ``strong_precision`` (share of pairs shown as strong that are grade ≥
    1), with how many pairs were shown as strong."""
    grades = np.array([[qrels.get(n, {}).get(o, 0) for o in table.offer_ids] for n in table.need_ids])
    features, useful = cal.shown_pairs(table.values, grades, weights.vector(), range(len(table.need_ids)))
    confidence = weights.confidences(features)
    precision, count = cal.strong_precision(confidence, useful, weights.strong_confidence)
    return {
        "ece": cal.expected_calibration_error(confidence, useful),
        "strong_precision": precision,
        "strong_pairs": count,
        "needs_without_strong": int(
            sum(
                1
                for r in range(len(table.need_ids))
                if not (confidence[r * cal.SHOWN : (r + 1) * cal.SHOWN] >= weights.strong_confidence).any()
            )
        ),
    }


def evaluate(
    data_dir: str | Path,
    embedder: Embedder,
    cache_dir: str | Path,
    weights: Weights | None = None,
    distractors: str | Path | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Fused figures, each signal alone (ablation), and, given distractor offers, the same with them added.

    Distractors are unlabelled: any of them that would in fact solve a need counts as irrelevant, so figures
    with distractors are a lower bound.
    """
    weights = weights or load_weights()
    dataset = load_dataset(data_dir)
    index = build_index(dataset, embedder, cache_dir, weights, progress=progress)
    table = signal_table(index, dataset)
    w = weights.vector()
    result: dict[str, Any] = dict(figures(table, w, dataset.qrels))
    result.update(confidence_figures(table, weights, dataset.qrels))
    result["signals"] = {
        name: figures(table, np.eye(len(SIGNALS))[i], dataset.qrels) for i, name in enumerate(SIGNALS)
    }
    result["offers"] = len(dataset.offers)
    result["needs"] = len(dataset.needs)
    if distractors is not None:
        extra = read_offers(Path(distractors))
        known = {o.id for o in dataset.offers}
        extra = [o for o in extra if o.id not in known]
        big = build_index(dataset, embedder, cache_dir, weights, extra, progress)
        big_table = signal_table(big, dataset)
        result["with_distractors"] = {
            "distractor_offers": len(extra),
            **figures(big_table, w, dataset.qrels),
            **confidence_figures(big_table, weights, dataset.qrels),
        }
    return result


def format_table(result: dict[str, Any]) -> str:
    """A table for people: fused figures, then one row per signal alone."""
    cols = (
        "mrr@10",
        "ndcg@10",
        "strict_mrr@10",
        "needs_without_grade2_in_top10",
        "offer_mrr@10",
        "offer_ndcg@10",
    )
    heads = ("MRR@10", "nDCG@10", "strict MRR", "no grade-2", "offer MRR", "offer nDCG")

    def row(name: str, fig: dict[str, float]) -> str:
        cells = [f"{fig[c]:>10d}" if isinstance(fig[c], int) else f"{fig[c]:>10.3f}" for c in cols]
        return f"{name:<22}" + "".join(f" {c:>10}" for c in cells)

    lines = [f"{'':<22}" + "".join(f" {h:>10}" for h in heads)]
    lines.append(row("fused", result))
    for name, fig in result["signals"].items():
        lines.append(row(f"  {name} alone", fig))
    lines.append(
        f"confidence of the shown pairs: ECE {result['ece']:.3f}, strong precision {result['strong_precision']:.3f}"
        f" ({result['strong_pairs']} pairs shown as strong; {result['needs_without_strong']} needs with none)"
    )
    if "with_distractors" in result:
        fig = result["with_distractors"]
        lines.append(row(f"fused +{fig['distractor_offers']} distractors", fig))
        lines.append(
            "(with distractors: a lower bound — unlabelled distractors that are in fact relevant count as misses)"
        )
    return "\n".join(lines)
