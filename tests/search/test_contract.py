"""One contract, every backend: the embedded backend always; Meilisearch too when MEILI_URL names a server.

The backends list is built at import time, so without MEILI_URL the Meilisearch cases are not collected at all
(nothing is skipped to look green); with it, every test below also runs against that server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from matchmaker.search import (
    MARK_END,
    MARK_START,
    NO_FILTERS,
    OfferDocument,
    OfferFilters,
    OfferSearch,
    marked_html,
)

BACKENDS = ["embedded"] + (["meilisearch"] if os.environ.get("MEILI_URL") else [])


def doc(
    doc_id: int,
    title: str,
    abstract: str = "",
    *,
    field: str = "动力电池",
    institution_id: int = 1,
    patent_type: str = "发明",
    trl: int | None = 5,
    price_wan: int | None = 50,
) -> OfferDocument:
    return OfferDocument(
        id=doc_id,
        title=title,
        abstract=abstract,
        institution_id=institution_id,
        institution=f"单位{institution_id}",
        field=field,
        patent_type=patent_type,
        trl=trl,
        price_wan=price_wan,
        version=f"v{doc_id}",
    )


CORPUS = [
    doc(
        1,
        "一种锂离子电池用耐高温陶瓷涂覆隔膜及其制备方法",
        "隔膜表面涂覆勃姆石陶瓷层，热收缩率低，提高电池安全性。",
        trl=6,
        price_wan=80,
    ),
    doc(
        2,
        "一种抑制锂离子电池高温存储产气的电解液添加剂",
        "添加剂在负极成膜，减少电解液分解产气，电池存储后不鼓胀。",
        trl=4,
        price_wan=None,
    ),
    doc(
        3,
        "一种光伏组件清洗机器人",
        "机器人沿组件边框行走，无水清扫灰尘，提高发电量。",
        field="新能源",
        institution_id=2,
        patent_type="实用新型",
        trl=7,
        price_wan=20,
    ),
    doc(
        4,
        "一种储能电站消防预警方法",
        "监测电池舱内一氧化碳和氢气浓度，提前预警热失控。",
        field="绿色储能",
        institution_id=2,
        trl=5,
        price_wan=120,
    ),
    doc(
        5,
        "一种铝合金压铸件热处理防起泡工艺",
        "控制固溶温度和升温速度，压铸件热处理后表面不起泡。",
        field="智能装备",
        institution_id=3,
        trl=8,
        price_wan=30,
    ),
]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path) -> Iterator[OfferSearch]:  # type: ignore[no-untyped-def]
    made: OfferSearch
    if request.param == "embedded":
        from matchmaker.search.embedded import EmbeddedOfferSearch

        made = EmbeddedOfferSearch(directory=tmp_path / "index")
    else:
        from matchmaker.search.meili import MeiliOfferSearch

        made = MeiliOfferSearch(
            os.environ["MEILI_URL"],
            os.environ.get("MEILI_KEY"),
            index_uid=f"test_offers_{uuid.uuid4().hex[:8]}",
        )
    made.index(CORPUS)
    made.flush()
    yield made
    if request.param == "meilisearch":
        made.client.delete_index(made.index_uid)  # type: ignore[attr-defined]


def ids(backend: OfferSearch, query: str, filters: OfferFilters = NO_FILTERS) -> list[int]:
    return [h.id for h in backend.search(query, filters, per_page=50).hits]


def test_a_keyword_finds_its_offer_first_with_the_term_marked(backend: OfferSearch) -> None:
    result = backend.search("隔膜")
    assert [h.id for h in result.hits][:1] == [1]
    assert f"{MARK_START}隔膜{MARK_END}" in result.hits[0].title


def test_an_everyday_word_finds_the_patent_word_through_synonyms(backend: OfferSearch) -> None:
    assert ids(backend, "电芯 产气")[:1] == [2]


def test_a_plain_description_of_a_problem_ranks_the_relevant_offer_first(backend: OfferSearch) -> None:
    assert ids(backend, "我们的压铸件做完热处理表面起泡，想找解决办法")[:1] == [5]


def test_each_filter_keeps_only_matching_offers(backend: OfferSearch) -> None:
    query = "电池"
    assert ids(backend, query, OfferFilters(field="绿色储能")) == [4]
    assert sorted(ids(backend, "", OfferFilters(institution_id=2))) == [3, 4]
    assert ids(backend, "", OfferFilters(patent_type="实用新型")) == [3]
    assert sorted(ids(backend, "", OfferFilters(min_trl=7))) == [3, 5]


def test_price_within_budget_keeps_negotiable_offers(backend: OfferSearch) -> None:
    assert sorted(ids(backend, "", OfferFilters(max_price_wan=50))) == [2, 3, 5]


def test_an_empty_query_with_a_filter_lists_newest_first(backend: OfferSearch) -> None:
    result = backend.search("", OfferFilters(field="动力电池"))
    assert ([h.id for h in result.hits], result.total) == ([2, 1], 2)


def test_a_query_of_no_searchable_words_returns_nothing_and_no_terms(backend: OfferSearch) -> None:
    result = backend.search("的 了 吗")
    assert (result.hits, result.total, result.terms) == ([], 0, ())


def test_pages_split_the_results_and_a_page_past_the_end_shows_the_last(backend: OfferSearch) -> None:
    first = backend.search("", OfferFilters(), page=1, per_page=2)
    last = backend.search("", OfferFilters(), page=9, per_page=2)
    assert (first.total, first.pages, [h.id for h in first.hits]) == (5, 3, [5, 4])
    assert (last.page, [h.id for h in last.hits]) == (3, [1])


def test_reindexing_replaces_and_removing_deletes(backend: OfferSearch) -> None:
    backend.index([doc(3, "一种光伏组件无水清洗装置", "清扫灰尘。", field="新能源", institution_id=2)])
    backend.remove([1])
    backend.flush()
    assert ids(backend, "隔膜") == []
    assert backend.search("清洗装置").hits[0].id == 3
    assert backend.versions() == {2: "v2", 3: "v3", 4: "v4", 5: "v5"}


def test_stored_markup_is_escaped_and_only_marks_become_html(backend: OfferSearch) -> None:
    backend.index([doc(9, "一种<script>隔热</script>毡", "隔热毡。")])
    backend.flush()
    hit = backend.search("隔热毡").hits[0]
    assert "<script>" not in marked_html(hit.title)
    assert "&lt;script&gt;" in marked_html(hit.title)
