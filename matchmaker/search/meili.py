"""Offer search on Meilisearch (the scale-out profile), through the official ``meilisearch`` client.

Only documented API is used: index settings (searchable, filterable and sortable attributes, synonyms), document
add/delete, and search with ``filter``, ``attributesToHighlight``/``attributesToCrop``, page/hitsPerPage and ``hybrid`` with
a user-provided embedder (documents carry the matcher's vectors in ``_vectors``; the query's vector is sent along).
Meilisearch segments Chinese itself; the query is first reduced by the matcher's pipeline (boilerplate and stop
words out, each term's surface form kept) so a plain description becomes the few words that carry it, and the
synonym groups are pushed to the index so 电芯 also finds 锂离子电池, as in the embedded backend.

Writes are asynchronous tasks in Meilisearch; ``flush`` waits for them. Versions of the indexed documents are
read back from the index (the ``version`` attribute), so there is no second copy to drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import meilisearch

from matchmaker.matching.text import TextPipeline
from matchmaker.search import (
    MARK_END,
    MARK_START,
    NO_FILTERS,
    SNIPPET_CHARS,
    Hit,
    OfferDocument,
    OfferFilters,
    SearchResult,
)
from matchmaker.search.embedded import QueryTerms

SETTINGS: dict[str, Any] = {
    "searchableAttributes": ["title", "abstract"],
    "filterableAttributes": ["field", "institution_id", "patent_type", "trl", "price_wan"],
    "sortableAttributes": ["id"],
    "displayedAttributes": ["id", "title", "abstract", "version"],
}
#: The user-provided embedder the documents' vectors are stored under (the matcher's model computes them).
EMBEDDER = "matchmaker"
#: Share of the hybrid ranking Meilisearch gives to vectors; the matcher orders the candidates afterwards anyway.
SEMANTIC_RATIO = 0.5
TASK_TIMEOUT_MS = 60_000
_VERSION_PAGE = 1000


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def filter_expression(filters: OfferFilters) -> list[str]:
    """Meilisearch filter clauses (ANDed), the same predicate as :meth:`OfferFilters.accepts`."""
    clauses: list[str] = []
    if filters.field:
        clauses.append(f"field = {_quote(filters.field)}")
    if filters.institution_id is not None:
        clauses.append(f"institution_id = {int(filters.institution_id)}")
    if filters.patent_type:
        clauses.append(f"patent_type = {_quote(filters.patent_type)}")
    if filters.min_trl is not None:
        clauses.append(f"trl >= {int(filters.min_trl)}")
    if filters.max_price_wan is not None:
        clauses.append(f"(price_wan <= {int(filters.max_price_wan)} OR price_wan IS NULL)")
    return clauses


def document(d: OfferDocument) -> dict[str, Any]:
    """One offer as a Meilisearch document; its vector, when known, under :data:`EMBEDDER`."""
    out: dict[str, Any] = {
        "id": d.id,
        "title": d.title,
        "abstract": d.abstract,
        "institution_id": d.institution_id,
        "field": d.field,
        "patent_type": d.patent_type,
        "trl": d.trl,
        "price_wan": d.price_wan,
        "version": d.version,
    }
    if d.vector:
        out["_vectors"] = {EMBEDDER: list(d.vector)}
    return out


def search_params(
    terms: QueryTerms, filters: OfferFilters, page: int, per_page: int, vector: Sequence[float] = ()
) -> dict[str, Any]:
    """The search request: keywords with highlights and filters, plus a hybrid search on the query's vector when
    one is given (the same model's vectors as the documents', so keyword and meaning both find candidates)."""
    params: dict[str, Any] = {
        "filter": filter_expression(filters),
        "page": max(1, page),
        "hitsPerPage": per_page,
        "attributesToHighlight": ["title", "abstract"],
        "attributesToCrop": ["abstract"],
        "cropLength": SNIPPET_CHARS // 2,
        "highlightPreTag": MARK_START,
        "highlightPostTag": MARK_END,
        "matchingStrategy": "frequency",
        "showRankingScore": True,
    }
    if not terms.keys:
        params["sort"] = ["id:desc"]
    elif vector:
        params["vector"] = [float(v) for v in vector]
        params["hybrid"] = {"embedder": EMBEDDER, "semanticRatio": SEMANTIC_RATIO}
    return params


class MeiliOfferSearch:
    name = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        index_uid: str = "offers",
        pipeline: TextPipeline | None = None,
        dimensions: int = 384,
    ) -> None:
        self.pipeline = pipeline or TextPipeline()
        self.client = meilisearch.Client(url, api_key)
        self.index_uid = index_uid
        self._tasks: list[int] = []
        self._wait(self.client.create_index(index_uid, {"primaryKey": "id"}).task_uid, fail=False)
        self.idx = self.client.index(index_uid)
        settings = dict(SETTINGS)
        settings["synonyms"] = self._synonyms()
        settings["embedders"] = {EMBEDDER: {"source": "userProvided", "dimensions": dimensions}}
        self._wait(self.idx.update_settings(settings).task_uid)

    def _synonyms(self) -> dict[str, list[str]]:
        """Each word of a synonym group lists the others (Meilisearch's multi-way synonyms)."""
        out: dict[str, list[str]] = {}
        for group in self.pipeline.lexicon.group_by_key.values():
            for word in group:
                out[word] = [w for w in group if w != word]
        return out

    def _wait(self, task_uid: int, *, fail: bool = True) -> None:
        task = self.client.wait_for_task(task_uid, timeout_in_ms=TASK_TIMEOUT_MS)
        if fail and task.status == "failed":
            raise RuntimeError(f"Meilisearch 任务 {task_uid} 失败：{task.error}")

    def index(self, docs: Iterable[OfferDocument]) -> None:
        batch = [document(d) for d in docs]
        if batch:
            self._tasks.append(self.idx.add_documents(batch, primary_key="id").task_uid)

    def remove(self, ids: Iterable[int]) -> None:
        id_list: list[str | int] = [int(i) for i in ids]
        if id_list:
            self._tasks.append(self.idx.delete_documents(id_list).task_uid)

    def clear(self) -> None:
        self._tasks.append(self.idx.delete_all_documents().task_uid)
        self.flush()

    def flush(self) -> None:
        tasks, self._tasks = self._tasks, []
        for uid in tasks:
            self._wait(uid)

    def versions(self) -> dict[int, str]:
        self.flush()
        out: dict[int, str] = {}
        offset = 0
        while True:
            page = self.idx.get_documents(
                {"fields": ["id", "version"], "limit": _VERSION_PAGE, "offset": offset}
            )
            for doc in page.results:
                data = dict(doc)
                out[int(data["id"])] = str(data.get("version", ""))
            offset += _VERSION_PAGE
            if offset >= page.total:
                return out

    def search(
        self,
        query: str,
        filters: OfferFilters = NO_FILTERS,
        *,
        page: int = 1,
        per_page: int = 10,
        vector: Sequence[float] = (),
    ) -> SearchResult:
        self.flush()
        terms = QueryTerms(self.pipeline, query)
        if query.strip() and not terms.keys:
            return SearchResult([], 0, 1, per_page, ())
        params = search_params(terms, filters, page, per_page, vector)
        answer = self.idx.search(" ".join(terms.surfaces), params)
        total = int(answer.get("totalHits", 0))
        pages = max(1, -(-total // per_page))
        if page > pages and total:
            return self.search(query, filters, page=pages, per_page=per_page, vector=vector)
        hits = []
        for raw in answer.get("hits", []):
            formatted = raw.get("_formatted", raw)
            hits.append(
                Hit(
                    id=int(raw["id"]),
                    score=round(float(raw.get("_rankingScore", 0.0)), 4),
                    title=str(formatted.get("title", raw["title"])),
                    snippet=str(formatted.get("abstract", "")),
                )
            )
        return SearchResult(hits, total, min(max(1, page), pages), per_page, terms.surfaces)
