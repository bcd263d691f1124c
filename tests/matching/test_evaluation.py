import json
import math
from pathlib import Path

from matchmaker.matching.embedding import HashingEmbedder
from matchmaker.matching.evaluation import (
    evaluate,
    format_table,
    mrr_at_10,
    ndcg_at_10,
    offer_qrels,
    read_offers,
)
from matchmaker.matching.fusion import Weights
from matchmaker.settings import PROJECT_ROOT

OFFERS = [
    {
        "id": "O1",
        "title": "一种锂离子电池陶瓷涂覆隔膜",
        "abstract": "隔膜表面涂覆陶瓷层，提高耐热性，防止短路。",
        "field": "动力电池",
    },
    {
        "id": "O2",
        "title": "一种白茶萎凋控温控湿装置",
        "abstract": "萎凋室温度湿度自动控制，白茶品质稳定。",
        "field": "现代农业",
    },
    {
        "id": "O3",
        "title": "一种光伏组件自动清扫机器人",
        "abstract": "光伏板表面积灰自动清扫，无水清洗。",
        "field": "新能源",
    },
    {
        "id": "O4",
        "title": "一种光伏组件清洗液",
        "abstract": "光伏组件表面清洗液，去除积灰与油污。",
        "field": "新能源",
    },
]
NEEDS = [
    {
        "id": "N1",
        "title": "电芯隔膜耐热不够",
        "description": "电芯隔膜高温收缩导致短路，想找耐热隔膜。",
        "field": "动力电池",
    },
    {
        "id": "N2",
        "title": "光伏板积灰",
        "description": "屋顶光伏板积灰严重，发电量下降，想自动清扫。",
        "field": "新能源",
    },
]
QRELS = "need_id\toffer_id\tgrade\nN1\tO1\t2\nN2\tO3\t2\nN2\tO4\t1\n"


def _write(tmp_path: Path) -> Path:
    (tmp_path / "offers.jsonl").write_text(
        "\n".join(json.dumps(o, ensure_ascii=False) for o in OFFERS), "utf-8"
    )
    (tmp_path / "needs.jsonl").write_text(
        "\n".join(json.dumps(n, ensure_ascii=False) for n in NEEDS), "utf-8"
    )
    (tmp_path / "qrels.tsv").write_text(QRELS, "utf-8")
    return tmp_path


def test_mrr_counts_the_first_relevant_rank() -> None:
    assert mrr_at_10(["a", "b", "c"], {"c": 1}) == 1 / 3
    assert mrr_at_10(["a", "b", "c"], {"b": 1, "c": 2}, min_grade=2) == 1 / 3
    assert mrr_at_10(["a"], {"z": 2}) == 0.0


def test_ndcg_uses_grades_as_gain_and_the_ideal_order_from_qrels() -> None:
    grades = {"a": 2, "b": 1}
    assert ndcg_at_10(["a", "b"], grades) == 1.0
    expected = (1 / 1 + 2 / math.log2(3)) / (2 / 1 + 1 / math.log2(3))
    assert ndcg_at_10(["b", "a"], grades) == expected


def test_offer_direction_reads_the_same_judgements_the_other_way() -> None:
    assert offer_qrels({"N1": {"O1": 2}, "N2": {"O1": 1}}) == {"O1": {"N1": 2, "N2": 1}}


def test_evaluate_reports_fused_and_each_signal_alone(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    data = _write(tmp_path / "data")
    distractors = tmp_path / "distractors.jsonl"
    distractors.write_text(
        json.dumps(
            {"id": "D1", "title": "一种钛合金铣削工艺", "abstract": "钛合金薄壁件铣削。"}, ensure_ascii=False
        ),
        "utf-8",
    )
    weights = Weights({"bm25": 1.0, "semantic": 1.0}, 0.0, 1.0)
    result = evaluate(data, HashingEmbedder(), tmp_path / "cache", weights, distractors, progress=False)
    assert result["mrr@10"] == 1.0
    assert result["strict_mrr@10"] == 1.0
    assert result["needs_without_grade2_in_top10"] == 0
    assert set(result["signals"]) >= {"bm25", "semantic", "passage", "title", "field", "ipc"}  # type: ignore[arg-type]
    assert result["with_distractors"]["distractor_offers"] == 1  # type: ignore[index]
    assert format_table(result).splitlines()[1].startswith("fused")


def test_distractors_may_be_the_demo_seed_file_whose_offers_have_no_ids(tmp_path: Path) -> None:
    seed = tmp_path / "offers.json"
    seed.write_text(
        json.dumps(
            {
                "offers": [
                    {"title": "一种钛合金铣削工艺", "abstract": "钛合金薄壁件铣削。"},
                    {"title": "一种白茶萎凋装置", "abstract": "萎凋控温。"},
                ]
            },
            ensure_ascii=False,
        ),
        "utf-8",
    )
    offers = read_offers(seed)
    assert [(o.id, o.title) for o in offers] == [
        ("offers-1", "一种钛合金铣削工艺"),
        ("offers-2", "一种白茶萎凋装置"),
    ]
    assert len(read_offers(PROJECT_ROOT / "seed" / "demo" / "offers.json")) == 68
