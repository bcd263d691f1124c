"""Offer search: one interface, two backends.

- ``embedded.py`` — in-process: the matcher's text pipeline (jieba with the domain dictionary, synonyms,
  boilerplate removal) and a bm25s index, persisted under ``var/``. The default; needs no server.
- ``meili.py`` — Meilisearch through its official client, chosen when ``Settings.meili_url`` is set.

Both take a query typed as keywords *or* as a plain description of a problem, the same filters, and return the
same :class:`SearchResult` whose titles and snippets carry match markers (:data:`MARK_START`/:data:`MARK_END`);
:func:`marked_html` turns those into escaped HTML with ``<mark>``. Backends never see storage rows: services map
offers to :class:`OfferDocument` and keep the index current by comparing each document's ``version``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

#: Private-use characters around matched terms: they cannot occur in stored text, and survive both backends.
MARK_START = "\ue000"
MARK_END = "\ue001"
#: Characters of abstract shown around the first match.
SNIPPET_CHARS = 120


@dataclass(frozen=True)
class OfferDocument:
    """What the search index holds of one published offer."""

    id: int
    title: str
    abstract: str
    institution_id: int
    institution: str
    field: str
    patent_type: str
    trl: int | None
    price_wan: int | None
    #: changes whenever the offer changes (its ``updated_at``); a differing version means "re-index me"
    version: str = ""
    #: the matcher's title + abstract vector, for a backend that searches vectors too (Meilisearch's hybrid)
    vector: tuple[float, ...] = ()


@dataclass(frozen=True)
class OfferFilters:
    field: str = ""
    institution_id: int | None = None
    patent_type: str = ""
    #: technology readiness at least this level
    min_trl: int | None = None
    #: the SME's budget: offers priced at most this many 万元, plus 面议 ones (their price is open to talk)
    max_price_wan: int | None = None

    @property
    def active(self) -> bool:
        return bool(
            self.field
            or self.institution_id is not None
            or self.patent_type
            or self.min_trl is not None
            or self.max_price_wan is not None
        )

    def accepts(self, doc: OfferDocument) -> bool:
        """The filter as a plain predicate: what every backend must agree with."""
        return (
            (not self.field or doc.field == self.field)
            and (self.institution_id is None or doc.institution_id == self.institution_id)
            and (not self.patent_type or doc.patent_type == self.patent_type)
            and (self.min_trl is None or (doc.trl is not None and doc.trl >= self.min_trl))
            and (self.max_price_wan is None or doc.price_wan is None or doc.price_wan <= self.max_price_wan)
        )


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    #: title and abstract snippet with matched terms between MARK_START and MARK_END
    title: str
    snippet: str


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    #: the query terms the backend understood (surface forms); empty for a query of no searchable words
    terms: tuple[str, ...] = field(default_factory=tuple)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1


#: The default "no filters", shared rather than built in every call's signature.
NO_FILTERS = OfferFilters()


class OfferSearch(Protocol):
    """The one search interface. ``index`` adds or replaces, ``remove`` deletes, ``flush`` makes changes durable
    (embedded: written to ``var/``; Meilisearch: its tasks finished). ``vector`` is the query's embedding: a backend
    that holds document vectors (Meilisearch) searches with it too, the embedded one leaves meaning to the matcher
    that orders its candidates (``services.search``)."""

    name: str

    def index(self, docs: Iterable[OfferDocument]) -> None: ...

    def remove(self, ids: Iterable[int]) -> None: ...

    def versions(self) -> dict[int, str]: ...

    def search(
        self,
        query: str,
        filters: OfferFilters = NO_FILTERS,
        *,
        page: int = 1,
        per_page: int = 10,
        vector: Sequence[float] = (),
    ) -> SearchResult: ...

    def flush(self) -> None: ...

    def clear(self) -> None: ...


def marked_html(text: str) -> str:
    """Escape ``text`` for HTML and turn the match markers into ``<mark>`` elements."""
    return html.escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def mark_words(text: str, words: Iterable[str]) -> str:
    """Put markers around every occurrence of ``words`` (longest first, so 锂离子电池 wins over 电池)."""
    ordered = sorted({w for w in words if w}, key=len, reverse=True)
    if not ordered or not text:
        return text
    pattern = re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)
    return pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", text)


def snippet(marked: str, width: int = SNIPPET_CHARS) -> str:
    """A window of ``width`` characters of marked text around its first mark, with … where it was cut."""
    plain_len = len(marked.replace(MARK_START, "").replace(MARK_END, ""))
    if plain_len <= width:
        return marked
    first = marked.find(MARK_START)
    start = 0 if first < 0 else max(0, first - width // 4)
    # Walk forward counting visible characters only, so markers never count against the width.
    out: list[str] = []
    visible = 0
    i = start
    while i < len(marked) and visible < width:
        ch = marked[i]
        out.append(ch)
        if ch not in (MARK_START, MARK_END):
            visible += 1
        i += 1
    body = "".join(out)
    if body.count(MARK_START) > body.count(MARK_END):
        body += MARK_END
    return ("…" if start > 0 else "") + body + ("…" if i < len(marked) else "")
