"""Evaluating and tuning the matcher on the platform's own judgements (``matchmaker eval/tune --judgements``).

The pool is the saved index plus every judged offer and need that is no longer matchable, so the figures describe
the matcher rather than today's statuses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func
from sqlmodel import Session, col, select

from matchmaker.matching.evaluation import summarise
from matchmaker.matching.index import MatchIndex
from matchmaker.matching.tuning import Preferences, need_preferences
from matchmaker.services.match_index import (
    embedder,
    ensure,
    index_dir,
    need_doc,
    needs_with_names,
    offer_doc,
    offers_with_names,
    save,
    state,
)
from matchmaker.storage.models import Judgement

if TYPE_CHECKING:
    from matchmaker.bootstrap import Services


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
        save(services, st)  # listener updates are not saved one by one; the copy must include them
    with services.session() as session:
        qrels = judged_grades(session)
        judgements = int(session.exec(select(func.count(col(Judgement.id)))).one())
        judged_offers = {int(o) for grades in qrels.values() for o in grades}
        offers = offers_with_names(session, judged_offers) if judged_offers else []
        needs = needs_with_names(session, [int(n) for n in qrels]) if qrels else []
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
