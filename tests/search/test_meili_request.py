"""The Meilisearch translation of a search, checked without a server (none runs here): documents carry the
matcher's vectors, and a query with a vector becomes a hybrid search on the same user-provided embedder."""

from __future__ import annotations

from matchmaker.matching.text import TextPipeline
from matchmaker.search import OfferDocument, OfferFilters
from matchmaker.search.embedded import QueryTerms
from matchmaker.search.meili import EMBEDDER, SEMANTIC_RATIO, document, search_params

PIPELINE = TextPipeline()


def test_a_document_carries_its_vector_under_the_user_provided_embedder() -> None:
    base = OfferDocument(1, "一种隔膜", "涂覆", 2, "东南大学", "动力电池", "发明", 5, 50, "v1")
    with_vector = OfferDocument(
        1, "一种隔膜", "涂覆", 2, "东南大学", "动力电池", "发明", 5, 50, "v1", (0.5, -0.25)
    )
    assert "_vectors" not in document(base)
    assert document(with_vector)["_vectors"] == {EMBEDDER: [0.5, -0.25]}
    assert document(with_vector)["price_wan"] == 50


def test_a_query_with_a_vector_is_a_hybrid_search_with_the_same_filters() -> None:
    terms = QueryTerms(PIPELINE, "电芯放一周就鼓起来")
    filters = OfferFilters(field="动力电池", max_price_wan=80)
    hybrid = search_params(terms, filters, 2, 10, [0.1, 0.2])
    plain = search_params(terms, filters, 2, 10)
    assert hybrid["hybrid"] == {"embedder": EMBEDDER, "semanticRatio": SEMANTIC_RATIO}
    assert hybrid["vector"] == [0.1, 0.2]
    assert "hybrid" not in plain and "vector" not in plain
    assert (
        hybrid["filter"]
        == plain["filter"]
        == ['field = "动力电池"', "(price_wan <= 80 OR price_wan IS NULL)"]
    )
    assert (hybrid["page"], hybrid["hitsPerPage"]) == (2, 10)


def test_an_empty_query_lists_newest_first_without_vectors() -> None:
    params = search_params(QueryTerms(PIPELINE, ""), OfferFilters(), 1, 10, [0.1])
    assert params["sort"] == ["id:desc"] and "hybrid" not in params
