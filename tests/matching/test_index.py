from pathlib import Path

import numpy as np
import pytest

from matchmaker.matching.docs import NeedDoc, OfferDoc
from matchmaker.matching.embedding import HashingEmbedder
from matchmaker.matching.fusion import Weights
from matchmaker.matching.index import MatchIndex

WEIGHTS = Weights({"bm25": 1.0, "semantic": 1.0, "passage": 0.5, "field": 0.1, "legal": 0.02}, 0.0, 1.0)

OFFERS = [
    OfferDoc(
        "O1",
        "一种锂离子电池陶瓷涂覆隔膜",
        "本发明公开了一种锂离子电池隔膜，表面涂覆陶瓷层，提高耐热性，防止短路。",
        ipc=("H01M 50/449",),
        field="动力电池",
        price_wan=30,
        trl=6,
        legal_status="有效",
        transfer_modes=("普通许可",),
        institution="东南大学溧阳研究院",
    ),
    OfferDoc(
        "O2",
        "一种白茶萎凋控温控湿装置",
        "本实用新型涉及茶叶加工技术领域，萎凋室温度湿度自动控制。",
        ipc=("A23F 3/06",),
        field="现代农业",
        price_wan=10,
        trl=7,
        legal_status="有效",
    ),
    OfferDoc(
        "O3",
        "一种光伏组件自动清扫机器人",
        "光伏板表面积灰自动清扫，无水清洗，沿组件边框行走。",
        ipc=("H02S 40/10",),
        field="新能源",
        price_wan=None,
        trl=7,
        legal_status="失效",
    ),
]
NEEDS = [
    NeedDoc(
        "N1",
        "电芯隔膜耐热不够",
        "我们的电芯隔膜高温收缩导致短路，想找耐热的隔膜。",
        "样品",
        "动力电池",
        10,
        50,
        ("许可",),
        "溧阳某电池有限公司",
    ),
    NeedDoc(
        "N2",
        "光伏板积灰发电量下降",
        "屋顶光伏板积灰严重，人工清洗太贵。",
        "样机",
        "新能源",
        None,
        None,
        ("转让",),
    ),
]


def _index() -> MatchIndex:
    index = MatchIndex(HashingEmbedder(), WEIGHTS)
    index.add_offers(OFFERS)
    index.add_needs(NEEDS)
    return index


def test_need_gets_the_offer_that_solves_it_first_with_reasons() -> None:
    best = _index().rank_offers("N1", k=3)[0]
    assert best.offer_id == "O1"
    kinds = [r.kind for r in best.reasons]
    assert kinds[:2] == ["terms", "semantic"]
    assert ["电芯", "锂离子电池"] in best.reasons[0].values["pairs"]


def test_offer_gets_the_need_it_serves_first_with_the_same_score() -> None:
    index = _index()
    best = index.rank_needs("O3", k=2)[0]
    assert best.need_id == "N2"
    assert best.score == next(m.score for m in index.rank_offers("N2", k=3) if m.offer_id == "O3")


def test_withdrawn_offer_is_never_suggested() -> None:
    index = _index()
    index.remove_offer("O1")
    assert sorted(m.offer_id for m in index.rank_offers("N1", k=10)) == ["O2", "O3"]
    assert all(m.offer_id != "O1" for m in index.pairs(["N1", "N2"], ["O1", "O2", "O3"], threshold=-1.0))


def test_edited_offer_replaces_its_old_version() -> None:
    index = _index()
    edited = OfferDoc(
        "O2", "一种锂离子电池耐热隔膜", "隔膜耐热，高温不收缩，防止电芯短路。", field="动力电池"
    )
    index.add_offers([edited])
    assert len(index.offers) == 3
    assert index.offers["O2"].doc.title == "一种锂离子电池耐热隔膜"
    assert index.rank_offers("N1", k=3)[1].offer_id in {"O1", "O2"}


def test_event_pairs_above_threshold_are_sorted_best_first() -> None:
    index = _index()
    every = index.pairs(["N1", "N2"], ["O1", "O2", "O3"], threshold=-1.0)
    assert len(every) == 6
    assert [m.score for m in every] == sorted((m.score for m in every), reverse=True)
    cut = every[1].score
    assert index.pairs(["N1", "N2"], ["O1", "O2", "O3"], threshold=cut) == every[:2]


def test_saved_index_serves_after_restart_without_embedding_anything(tmp_path: Path) -> None:
    index = _index()
    before = index.rank_offers("N1", k=3)
    index.save(tmp_path)
    embedder = HashingEmbedder()
    restored = MatchIndex.load(tmp_path, embedder, WEIGHTS)
    assert restored.rank_offers("N1", k=3) == before
    assert embedder.calls == 0


def test_event_pairs_score_as_the_need_direction_ranks() -> None:
    index = _index()
    by_pair = {
        (m.need_id, m.offer_id): round(m.score, 6)
        for m in index.pairs(["N1", "N2"], ["O1", "O2", "O3"], -1.0)
    }
    assert {("N1", m.offer_id): round(m.score, 6) for m in index.rank_offers("N1", k=3)} == {
        k: v for k, v in by_pair.items() if k[0] == "N1"
    }


def test_shown_signals_stay_in_unit_range_and_score_within_the_weight_total() -> None:
    index = _index()
    for match in index.pairs(["N1", "N2"], ["O1", "O2", "O3"], threshold=-1.0):
        assert all(0.0 <= v <= 1.0 for v in match.signals.values())
        assert 0.0 <= match.score <= index.weights.total()


def test_index_saved_in_an_older_layout_is_refused(tmp_path: Path) -> None:
    import pickle

    _index().save(tmp_path)
    state = pickle.loads((tmp_path / "index.pickle").read_bytes())
    state["format"] = 1
    (tmp_path / "index.pickle").write_bytes(pickle.dumps(state))
    with pytest.raises(ValueError):
        MatchIndex.load(tmp_path, HashingEmbedder(), WEIGHTS)


class _MarkedEmbedder:
    """Vectors by marker words: every query (a need) shares one direction, as needs written by engineers do;
    隔膜 and 清扫 add their own directions; an offer saying 通用 lies along the shared direction (a hub)."""

    model_id = "marked"

    @staticmethod
    def _vector(text: str, shared: float) -> np.ndarray:
        v = np.array(
            [shared + (1.0 if "通用" in text else 0.0), 0.5 * ("隔膜" in text), 0.5 * ("清扫" in text)]
        )
        return (v / np.linalg.norm(v)) if v.any() else np.array([0.0, 0.0, 1e-3])

    def query(self, texts: list[str]) -> np.ndarray:
        return np.array([self._vector(t, 1.0) for t in texts], dtype=np.float32).reshape(len(texts), 3)

    def passage(self, texts: list[str]) -> np.ndarray:
        return np.array([self._vector(t, 0.0) for t in texts], dtype=np.float32).reshape(len(texts), 3)


def test_need_vectors_are_centred_so_an_offer_close_to_every_need_does_not_win() -> None:
    index = MatchIndex(_MarkedEmbedder(), Weights({"semantic": 1.0}))  # type: ignore[arg-type]
    index.add_offers(
        [
            OfferDoc("HUB", "一种通用方案", "通用"),
            OfferDoc("SEP", "一种耐热隔膜", "隔膜"),
            OfferDoc("CLEAN", "一种自动清扫装置", "清扫"),
        ]
    )
    index.add_needs([NeedDoc("N1", "隔膜耐热不够", "隔膜"), NeedDoc("N2", "板子积灰", "想要清扫")])
    ranked = index.rank_offers("N1", k=3)
    assert ranked[0].offer_id == "SEP"
    shown = {m.offer_id: m.signals["semantic"] for m in ranked}
    assert shown["HUB"] > shown["SEP"]  # people still see the plain cosine: the hub is closer in raw terms


def _ranked(index: MatchIndex, need_id: str) -> list[tuple[str, float]]:
    return [(m.offer_id, round(m.score, 9)) for m in index.rank_offers(need_id, k=3)]


def test_need_centroid_follows_a_growing_platform_and_a_reindex() -> None:
    more = [
        NeedDoc("N3", "茶叶萎凋温度控制不稳", "白茶萎凋室湿度忽高忽低。", "设备", "现代农业"),
        NeedDoc("N4", "隔膜涂层掉粉", "陶瓷涂覆隔膜分切时掉粉。", "工艺", "动力电池"),
    ]
    growing = _index()
    first = growing._centroid().copy()
    growing.add_needs(more)  # 2 → 4 needs: changed by more than half, so the centroid follows at once
    assert not np.allclose(growing._centroid(), first)
    batch = MatchIndex(HashingEmbedder(), WEIGHTS)
    batch.add_offers(OFFERS)
    batch.add_needs([*NEEDS, *more])
    assert _ranked(growing, "N1") == _ranked(batch, "N1")

    growing.add_needs([NeedDoc("N5", "光伏清扫机器人卡边框", "清扫机器人在边框处卡住。", "样机", "新能源")])
    stale = growing._centroid().copy()  # 4 → 5: within half, kept until a reindex refreshes it
    growing.refresh_profiles()
    assert not np.allclose(growing._centroid(), stale)
    batch.add_needs([growing.needs["N5"].doc])
    batch.refresh_profiles()
    assert _ranked(growing, "N1") == _ranked(batch, "N1")


def test_a_build_in_batches_profiled_once_at_the_end_ranks_as_one_batch() -> None:
    batched = MatchIndex(HashingEmbedder(), WEIGHTS)
    batched.add_offers(OFFERS)
    for need in NEEDS:
        batched.add_needs([need], profile=False)
    assert all(not n.ipc_profile for n in batched.needs.values())  # nothing profiled yet
    batched.refresh_profiles()
    assert _ranked(batched, "N1") == _ranked(_index(), "N1")
    assert _ranked(batched, "N2") == _ranked(_index(), "N2")


def test_a_design_patent_never_counts_as_a_strong_match_for_a_process_need() -> None:
    from dataclasses import replace

    from matchmaker.matching.docs import NeedDoc, OfferDoc
    from matchmaker.matching.embedding import HashingEmbedder
    from matchmaker.matching.index import MatchIndex

    index = MatchIndex(HashingEmbedder())
    index.weights = replace(index.weights, strong_confidence=0.0)  # everything else would be strong
    text = "一种铝合金电池壳体的高真空压铸工艺"
    index.add_offers(
        [
            OfferDoc(id="design", title="电池壳体", abstract=text, patent_type="外观设计"),
            OfferDoc(id="invention", title=text, abstract=text, patent_type="发明"),
        ]
    )
    index.add_needs([NeedDoc(id="n", title="电池壳体压铸有气孔", description="想改进压铸工艺，减少气孔。")])
    ranked = {m.offer_id: m for m in index.rank_offers("n", 2)}
    assert ranked["invention"].strong and not ranked["design"].strong
    assert ranked["design"].signals["kind"] == 0.0
    assert "kind" in {r.kind for r in ranked["design"].reasons}
