"""Fitting the fusion weights on labelled data, with cross-validation by need.

The fit is coordinate ascent over a small grid of non-negative weights, maximising nDCG@10 plus strict MRR@10
(the first offer that solves the need). Non-negative on purpose: a signal may be switched off, never turned
against its meaning (a lapsed patent is never preferred). Folds split the needs, never the offers, and the held-out
figures of every fold are reported beside the in-sample ones: the labelled data we are judged on is not ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matchmaker.matching.embedding import Embedder
from matchmaker.matching.evaluation import (
    Qrels,
    SignalTable,
    build_index,
    figures,
    load_dataset,
    signal_table,
    summarise,
)
from matchmaker.matching.fusion import SIGNALS, WEIGHTS_PATH, Weights, load_weights, save_weights

#: Candidate values of one weight (signals lie in [0, 1]; the text signals are the ones near 1).
GRID = (0.0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
PASSES = 3
#: Policy floors the fit may not go below: a lapsed patent (失效) is always demoted a little, whatever the data say.
MIN_WEIGHT = {"legal": 0.02}


@dataclass(frozen=True)
class FoldResult:
    fold: int
    held_out_needs: int
    weights: dict[str, float]
    held_out: dict[str, float]


def objective(table: SignalTable, weights: np.ndarray, qrels: Qrels, rows: Sequence[int]) -> float:
    s = summarise(table.rankings(weights, rows), qrels)
    return s["ndcg@10"] + s["strict_mrr@10"] + 0.5 * s["mrr@10"]


def fit(table: SignalTable, qrels: Qrels, rows: Sequence[int], start: np.ndarray) -> np.ndarray:
    """Coordinate ascent from ``start``; ties keep the smaller weight (the simpler model)."""
    weights = start.copy()
    best = objective(table, weights, qrels, rows)
    for _ in range(PASSES):
        improved = False
        for s in range(len(SIGNALS)):
            floor = MIN_WEIGHT.get(SIGNALS[s], 0.0)
            for value in (v for v in GRID if v >= floor):
                trial = weights.copy()
                trial[s] = value
                if not trial.any():
                    continue
                score = objective(table, trial, qrels, rows)
                if score > best + 1e-9 or (abs(score - best) <= 1e-9 and value < weights[s]):
                    best, weights, improved = score, trial, True
        if not improved:
            break
    return weights


def folds_of(n: int, folds: int, seed: int = 7) -> list[list[int]]:
    order = np.random.default_rng(seed).permutation(n)
    return [sorted(int(i) for i in order[f::folds]) for f in range(folds)]


def cross_validate(table: SignalTable, qrels: Qrels, folds: int, start: np.ndarray) -> tuple[list[FoldResult], dict]:
    """Per-fold held-out figures and the figures of all held-out rankings pooled (each need ranked once)."""
    results: list[FoldResult] = []
    pooled: dict[str, list[str]] = {}
    everyone = range(len(table.need_ids))
    for f, held in enumerate(folds_of(len(table.need_ids), folds)):
        train = [r for r in everyone if r not in set(held)]
        weights = fit(table, qrels, train, start)
        ranked = table.rankings(weights, held)
        pooled.update(ranked)
        results.append(
            FoldResult(f + 1, len(held), dict(zip(SIGNALS, weights.tolist(), strict=True)), summarise(ranked, qrels))
        )
    return results, summarise(pooled, qrels)


def tune(
    data_dir: str | Path,
    embedder: Embedder,
    cache_dir: str | Path,
    folds: int = 5,
    weights_path: Path | None = WEIGHTS_PATH,
    progress: bool = True,
) -> dict[str, object]:
    """Fit on all needs (written to ``weights_path``), and report cross-validated held-out figures."""
    current = load_weights()
    dataset = load_dataset(data_dir)
    index = build_index(dataset, embedder, cache_dir, current)
    table = signal_table(index, dataset, progress)
    start = np.array([max(current.by_signal.get(s, 0.0), MIN_WEIGHT.get(s, 0.0)) for s in SIGNALS])
    per_fold, pooled = cross_validate(table, dataset.qrels, folds, start)
    fitted = fit(table, dataset.qrels, range(len(table.need_ids)), start)
    weights = Weights(dict(zip(SIGNALS, fitted.tolist(), strict=True)), current.cosine_floor, current.cosine_ceiling)
    if weights_path is not None:
        save_weights(weights, weights_path, note=f"由 matchmaker tune 在 {len(dataset.needs)} 条需求上拟合（{folds} 折交叉验证）。")
    return {
        "weights": weights.by_signal,
        "in_sample": figures(table, fitted, dataset.qrels),
        "cross_validated": pooled,
        "folds": [
            {"fold": r.fold, "held_out_needs": r.held_out_needs, "weights": r.weights, **r.held_out} for r in per_fold
        ],
    }


def format_tuning(result: dict[str, object]) -> str:
    lines = ["fold  needs   MRR@10  nDCG@10  strict  no-grade-2"]
    for f in result["folds"]:  # type: ignore[union-attr]
        lines.append(
            f"{f['fold']:>4} {f['held_out_needs']:>6} {f['mrr@10']:>8.3f} {f['ndcg@10']:>8.3f}"
            f" {f['strict_mrr@10']:>7.3f} {f['without_grade2_in_top10']:>11d}"
        )
    cv, ins = result["cross_validated"], result["in_sample"]
    lines.append(
        f"held-out (pooled)  {cv['mrr@10']:.3f}  {cv['ndcg@10']:.3f}  {cv['strict_mrr@10']:.3f}"  # type: ignore[index]
        f"  {cv['without_grade2_in_top10']}"  # type: ignore[index]
    )
    lines.append(
        f"in-sample          {ins['mrr@10']:.3f}  {ins['ndcg@10']:.3f}  {ins['strict_mrr@10']:.3f}"  # type: ignore[index]
        f"  {ins['needs_without_grade2_in_top10']}"  # type: ignore[index]
    )
    lines.append("weights: " + ", ".join(f"{k}={v:g}" for k, v in result["weights"].items()))  # type: ignore[union-attr]
    return "\n".join(lines)
