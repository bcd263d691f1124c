"""The embedded backend's own promises: edits between rebuilds rank as after a rebuild, and a saved index loads
without segmenting anything again."""

from __future__ import annotations

from matchmaker.search import MARK_END, MARK_START, OfferFilters, marked_html, snippet
from matchmaker.search.embedded import EmbeddedOfferSearch, split_unknown
from tests.search.test_contract import CORPUS, doc


def built(tmp_path) -> EmbeddedOfferSearch:  # type: ignore[no-untyped-def]
    index = EmbeddedOfferSearch(directory=tmp_path / "index")
    index.index(CORPUS)
    index.search("电池")  # builds the matrix
    return index


def test_a_document_added_after_the_build_scores_as_it_will_after_a_rebuild(tmp_path) -> None:
    index = built(tmp_path)
    index.index([doc(6, "一种钠离子电池正极材料", "层状氧化物正极，循环稳定。")])
    pending = [(h.id, h.score) for h in index.search("钠离子电池 正极").hits]
    index._build()
    rebuilt = [(h.id, h.score) for h in index.search("钠离子电池 正极").hits]
    assert [i for i, _ in pending] == [i for i, _ in rebuilt]
    assert pending[0][0] == 6


def test_a_saved_index_loads_and_answers_the_same(tmp_path) -> None:
    index = built(tmp_path)
    index.flush()
    before = index.search("隔膜 涂覆", OfferFilters(max_price_wan=100))
    loaded = EmbeddedOfferSearch(pipeline=index.pipeline)
    assert loaded.load(tmp_path / "index") is True
    after = loaded.search("隔膜 涂覆", OfferFilters(max_price_wan=100))
    assert ([(h.id, h.score, h.title) for h in after.hits], len(loaded)) == (
        [(h.id, h.score, h.title) for h in before.hits],
        5,
    )


def test_loading_from_an_empty_directory_reports_false(tmp_path) -> None:
    assert EmbeddedOfferSearch().load(tmp_path / "nothing") is False


def test_marked_html_escapes_text_and_keeps_only_marks() -> None:
    assert marked_html(f"a<b>{MARK_START}隔膜{MARK_END}") == "a&lt;b&gt;<mark>隔膜</mark>"


def test_a_snippet_is_cut_around_the_first_mark_with_ellipses() -> None:
    text = "甲" * 100 + f"{MARK_START}隔膜{MARK_END}" + "乙" * 100
    cut = snippet(text, width=20)
    assert cut == "…" + "甲" * 5 + f"{MARK_START}隔膜{MARK_END}" + "乙" * 13 + "…"


def test_an_unknown_compound_is_split_into_the_longest_indexed_words() -> None:
    assert split_unknown("隔热材料", {"隔热", "材料", "热材"}) == ["隔热", "材料"]
    assert split_unknown("变厚", {"变"}) == ["变厚"]
    assert split_unknown("量子纠缠", {"隔热"}) == ["量子纠缠"]
