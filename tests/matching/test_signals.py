import numpy as np

from matchmaker.matching import signals as sig


def _stats() -> sig.KeywordStats:
    stats = sig.KeywordStats()
    stats.add("a", ["隔膜", "涂覆", "陶瓷"])
    stats.add("b", ["电解液", "低温", "添加剂"])
    stats.add("c", ["隔膜", "电解液"])
    return stats


def test_bm25_is_zero_without_shared_terms_and_below_one_with_all() -> None:
    stats = _stats()
    weights = stats.query_weights(["陶瓷", "涂覆"])
    assert stats.bm25(weights, "b") == (0.0, [])
    score, matched = stats.bm25(weights, "a")
    assert matched == ["陶瓷", "涂覆"]
    assert 0.0 < score < 1.0


def test_bm25_prefers_the_rarer_shared_term() -> None:
    stats = _stats()
    weights = stats.query_weights(["陶瓷", "隔膜"])
    assert stats.bm25(weights, "a")[0] > stats.bm25(weights, "c")[0]


def test_removed_document_no_longer_counts_in_document_frequency() -> None:
    stats = _stats()
    before = stats.idf("隔膜")
    stats.remove("c")
    assert stats.df["隔膜"] == 1
    assert stats.idf("隔膜") != before


def test_passage_similarity_takes_the_best_sentence_pairs() -> None:
    query = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    doc = np.array([[1.0, 0.0], [0.6, 0.8]], dtype=np.float32)
    assert passage_value(query, doc, top=1) == 1.0
    assert passage_value(query, doc, top=2) == 0.9


def passage_value(query: np.ndarray, doc: np.ndarray, top: int) -> float:
    return round(sig.passage_similarity(query, doc, top=top), 6)


def test_cosine_band_maps_to_zero_and_one() -> None:
    assert sig.calibrate_cosine(0.70, 0.75, 0.95) == 0.0
    assert sig.calibrate_cosine(0.85, 0.75, 0.95) == 0.5
    assert sig.calibrate_cosine(0.99, 0.75, 0.95) == 1.0


def test_title_similarity_ignores_order() -> None:
    assert sig.title_similarity(["隔膜", "涂覆"], ["涂覆", "隔膜"]) == 1.0
    assert sig.title_similarity([], ["隔膜"]) == 0.0


def test_field_agreement() -> None:
    assert sig.field_agreement("动力电池", "动力电池") == 1.0
    assert sig.field_agreement("动力电池", "新材料") == 0.0


def test_ipc_is_parsed_at_subclass_and_group_level() -> None:
    assert sig.parse_ipc("H01M 10/42") == sig.IpcCode("H01M", "H01M 10")
    assert sig.parse_ipc("LOC 13-02") is None


def test_ipc_agreement_counts_group_fully_and_subclass_half() -> None:
    profile = sig.ipc_profile([(("H01M 10/42",), 1.0)])
    assert sig.ipc_agreement(["H01M 10/613"], profile) == (1.0, "H01M 10")
    assert sig.ipc_agreement(["H01M 4/525"], profile) == (0.5, "H01M")
    assert sig.ipc_agreement(["B25J 9/16"], profile) == (0.0, "")


def test_price_within_budget_over_budget_and_open() -> None:
    assert sig.price_fit(40, 20, 50) == 1.0
    assert sig.price_fit(70, 20, 50) == 0.5
    assert sig.price_fit(200, 20, 50) == 0.0
    assert sig.price_fit(None, 20, 50) == 0.5
    assert sig.price_fit(40, None, None) == 0.5


def test_readiness_from_expected_outcome() -> None:
    levels = {"样机": 6, "方案": 3}
    assert sig.wanted_trl("成套方案及样机", levels) == 6
    assert sig.wanted_trl("其他", levels) is None
    assert sig.readiness_fit(7, 6) == 1.0
    assert sig.readiness_fit(4, 6) == 0.5
    assert sig.readiness_fit(None, 6) == 0.5


def test_licence_request_accepts_every_kind_of_licence() -> None:
    assert sig.mode_fit(["独占许可"], ["许可"]) == 1.0
    assert sig.mode_fit(["普通许可"], ["转让"]) == 0.0
    assert sig.mode_fit([], ["转让"]) == 0.5


def test_lapsed_patent_is_demoted_and_pending_one_is_in_between() -> None:
    assert [sig.legal_fit(s) for s in ("有效", "审中", "失效")] == [1.0, 0.5, 0.0]


def test_passage_similarities_of_stacked_documents_equal_each_alone() -> None:
    query = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    first = np.array([[1.0, 0.0], [0.6, 0.8]], dtype=np.float32)
    second = np.array([[0.8, 0.6]], dtype=np.float32)
    together = sig.passage_similarities(query, np.concatenate([first, second]), [2, 0, 1])
    alone = [sig.passage_similarity(query, first), 0.0, sig.passage_similarity(query, second)]
    assert [round(float(v), 6) for v in together] == [round(v, 6) for v in alone]


def test_title_similarities_score_every_query_against_every_title() -> None:
    values = sig.title_similarities(["隔膜 涂覆", ""], ["涂覆 隔膜", "白茶"])
    assert values.tolist() == [[1.0, 0.0], [0.0, 0.0]]


def test_a_design_patent_fits_only_a_need_about_looks_and_a_utility_model_no_method() -> None:
    from matchmaker.matching.signals import load_patent_kinds
    from matchmaker.matching.text import SEED_DIR

    kinds = load_patent_kinds(SEED_DIR / "patent_kinds.json")
    process = kinds.aspect("压铸件有气孔，想改进压铸工艺参数")
    looks = kinds.aspect("想给电池包换一个更好看的外观造型")
    product = kinds.aspect("储能柜散热不好，柜子里温度太高")
    assert (process, looks, product) == ("process", "appearance", "product")
    assert kinds.kind_fit("外观设计", process) == 0.0 and kinds.kind_fit("外观设计", looks) == 1.0
    assert kinds.kind_fit("实用新型", process) < kinds.kind_fit("实用新型", product) == 1.0
    assert kinds.kind_fit("发明", process) == 1.0
