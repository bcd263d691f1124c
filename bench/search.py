"""Offer search at scale: 100,000 generated offers on the embedded backend.

Prints the index build time (segmentation + bm25s matrix), save and load times of the persisted index under a
temporary var/, and p50/p95 latency of a few hundred searches — keywords, plain descriptions, and both with
filters — each returning the first page of ten with highlights, as the search page asks for it.

    .venv/bin/python bench/search.py [--offers 100000] [--queries 400] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from matchmaker.search import OfferDocument, OfferFilters
from matchmaker.search.embedded import EmbeddedOfferSearch

FIELDS = ["动力电池", "绿色储能", "新能源", "智能装备", "新材料", "现代农业", "生物医药", "电子信息"]
INSTITUTIONS = {1: "南京航空航天大学天目湖校区", 2: "东南大学溧阳研究院", 3: "重庆大学溧阳研究院"}
PATENT_TYPES = ["发明"] * 6 + ["实用新型"] * 3 + ["外观设计"]
OBJECTS = [
    "锂离子电池隔膜", "磷酸铁锂正极材料", "硅碳负极", "固态电解质", "电池包液冷板", "储能变流器", "光伏组件", "逆变器",
    "电解液添加剂", "极片辊压机", "电芯化成设备", "钠离子电池正极", "氢燃料电池双极板", "电池管理系统", "储能电站消防系统",
    "铝合金压铸件", "伺服电机", "减速器", "工业机器人关节", "数控机床主轴", "激光焊接头", "视觉检测系统", "水产养殖增氧系统",
    "茶叶加工设备", "稻麦收割机", "青虾饲料", "碳纤维复合材料", "气凝胶隔热垫", "石墨烯导热膜", "陶瓷涂层", "生物降解薄膜",
    "智能电表", "充电桩", "风电叶片", "热泵机组", "废旧电池回收装置", "电机定子", "轴承保持架", "传感器封装结构",
]  # fmt: skip
QUALIFIERS = [
    "高压实", "长循环", "耐高温", "低成本", "高倍率", "轻量化", "高精度", "低能耗", "快速", "自适应", "柔性", "高安全",
    "大容量", "模块化", "免维护", "低温", "高导热", "阻燃", "环保型", "一体化",
]  # fmt: skip
KINDS = [
    "及其制备方法",
    "的制造方法",
    "的控制方法",
    "的检测装置",
    "的在线监测系统",
    "的结构",
    "的改性方法",
    "的回收工艺",
]
PROBLEMS = [
    "循环寿命短", "高温存储产气", "热失控蔓延", "厚度回弹", "内阻偏高", "低温容量衰减", "表面起泡", "振动噪声大",
    "能耗偏高", "良品率低", "寿命不足", "散热不均", "腐蚀严重", "精度漂移", "溶解氧不足", "成本过高",
]  # fmt: skip
EFFECTS = [
    "容量保持率提高到90%以上", "成本降低约三成", "良品率提升明显", "能耗下降20%", "可直接用于现有产线", "寿命延长一倍",
    "检测时间缩短到秒级", "满足车规级可靠性要求", "便于自动化生产", "安全性显著提高",
]  # fmt: skip
MEANS = [
    "采用两段烧结并引入掺杂元素", "在表面构建复合包覆层", "通过多传感器融合与分级预警模型", "优化流道截面与冷却液分配",
    "以机器视觉识别缺陷并闭环调整工艺参数", "控制固溶温度和升温速率", "利用有限元模型预测变形并在线补偿",
    "在隔膜表面涂覆勃姆石陶瓷层", "引入成膜添加剂抑制电解液分解", "采用永磁同步电机与矢量控制",
]  # fmt: skip
DESCRIPTIONS = [
    "我们的电芯放一周就鼓起来，想减少产气", "极片辊压后放一晚上又变厚了，想提前算出回弹量", "模组里一个电芯起火，旁边的跟着烧",
    "压铸件热处理后表面起泡，强度又不够", "池塘夏天晚上缺氧，虾容易死", "储能柜夏天温度太高，电池衰减快",
    "机器人关节用久了精度漂移", "光伏板灰尘多，清洗费水费人工", "伺服电机噪声大，客户投诉", "废旧电池拆解效率低，污染大",
]  # fmt: skip


def generate(n: int, rng: random.Random) -> list[OfferDocument]:
    docs = []
    for i in range(1, n + 1):
        obj, qual = rng.choice(OBJECTS), rng.choice(QUALIFIERS)
        title = f"一种{qual}{obj}{rng.choice(KINDS)}"
        abstract = (
            f"本发明公开了{title[2:]}。针对现有{obj}{rng.choice(PROBLEMS)}的问题，{rng.choice(MEANS)}，"
            f"并结合{rng.choice(QUALIFIERS)}{rng.choice(OBJECTS)}的工艺特点进行改进。"
            f"试验表明，{rng.choice(EFFECTS)}，且{rng.choice(EFFECTS)}。"
        )
        institution_id = rng.choice(list(INSTITUTIONS))
        docs.append(
            OfferDocument(
                id=i,
                title=title,
                abstract=abstract,
                institution_id=institution_id,
                institution=INSTITUTIONS[institution_id],
                field=rng.choice(FIELDS),
                patent_type=rng.choice(PATENT_TYPES),
                trl=rng.choice([None, *range(1, 10)]),
                price_wan=rng.choice([None, None, *range(5, 500, 5)]),
                version="1",
            )
        )
    return docs


def queries(n: int, rng: random.Random) -> list[tuple[str, OfferFilters]]:
    out = []
    for i in range(n):
        if i % 2:
            text = rng.choice(DESCRIPTIONS)
        else:
            text = " ".join(rng.sample(OBJECTS + QUALIFIERS + PROBLEMS, rng.randint(1, 3)))
        filters = OfferFilters()
        if i % 4 >= 2:
            filters = OfferFilters(
                field=rng.choice(FIELDS),
                min_trl=rng.choice([None, 4, 6]),
                max_price_wan=rng.choice([None, 50, 200]),
            )
        out.append((text, filters))
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    docs = generate(args.offers, rng)
    index = EmbeddedOfferSearch()
    start = time.perf_counter()
    step = max(1, len(docs) // 20)
    for k in range(0, len(docs), step):
        index.index(docs[k : k + step])
        print(f"  分词 {min(k + step, len(docs)):>7,} / {len(docs):,}", end="\r", flush=True)
    analysed = time.perf_counter() - start
    index.search("电池")  # first search builds the bm25s matrix
    built = time.perf_counter() - start
    print(f"offers indexed:             {len(index):,}")
    print(
        f"index build:                {built:.1f} s (segmentation {analysed:.1f} s, bm25s matrix {built - analysed:.1f} s)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "search" / "embedded"
        start = time.perf_counter()
        index.save(directory)
        saved = time.perf_counter() - start
        start = time.perf_counter()
        loaded = EmbeddedOfferSearch(pipeline=index.pipeline)
        assert loaded.load(directory)
        print(f"save / load (var/):         {saved:.1f} s / {time.perf_counter() - start:.1f} s")

    workload = queries(args.queries, rng)
    for text, filters in workload[:20]:  # warm caches
        index.search(text, filters)
    timings: dict[str, list[float]] = {"all": [], "keywords": [], "descriptions": [], "filtered": []}
    totals = []
    for i, (text, filters) in enumerate(workload):
        start = time.perf_counter()
        result = index.search(text, filters, page=1, per_page=10)
        ms = (time.perf_counter() - start) * 1000
        totals.append(result.total)
        timings["all"].append(ms)
        timings["descriptions" if i % 2 else "keywords"].append(ms)
        if filters.active:
            timings["filtered"].append(ms)
    print(f"queries:                    {len(workload)} (median hits {int(statistics.median(totals)):,})")
    for name, values in timings.items():
        print(
            f"search latency {name:<13} p50 {percentile(values, 0.5):6.1f} ms   p95 {percentile(values, 0.95):6.1f} ms"
            f"   max {max(values):6.1f} ms"
        )

    edited = docs[0]
    start = time.perf_counter()
    index.index([OfferDocument(**{**edited.__dict__, "title": edited.title + "（修订）", "version": "2"})])
    index.search(edited.title)
    print(f"one edit, then search:      {(time.perf_counter() - start) * 1000:.1f} ms (no rebuild)")


if __name__ == "__main__":
    main()
