"""Paging as office software does it: a page size people choose and a page they can jump to.

The page macro ``pager`` in ``templates/_macros.html`` renders what :class:`Pager` holds; a list page reads
``page`` and ``size`` through :func:`from_request` and passes its total.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request

from matchmaker.web.security import query_int

SIZES = (20, 50, 100, 200)


def page_size(request: Request, default: int) -> int:
    """The chosen rows per page, one of :data:`SIZES` (anything else falls back to the list's default)."""
    text = request.query_params.get("size", "")
    return int(text) if text.isdigit() and int(text) in SIZES else default


@dataclass(frozen=True)
class Pager:
    page: int
    size: int
    total: int
    #: the list's query string without page and size (filters and sort kept across pages)
    query: str
    path: str
    default_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def href(self, page: int) -> str:
        parts = [p for p in (self.query, f"size={self.size}" if self.size != self.default_size else "") if p]
        parts.append(f"page={page}")
        return f"{self.path}?{'&'.join(parts)}"

    def hidden(self) -> list[tuple[str, str]]:
        """The filters as (name, value) pairs for the jump form's hidden inputs."""
        return parse_qsl(self.query, keep_blank_values=True)

    def window(self) -> list[int]:
        """Page numbers around the current one (at most seven), like 1 … 4 5 [6] 7 8 … 20."""
        start = max(1, min(self.page - 3, self.pages - 6))
        return list(range(start, min(self.pages, start + 6) + 1))


def from_request(request: Request, total: int, default_size: int) -> Pager:
    size = page_size(request, default_size)
    pages = max(1, -(-total // size))
    page = min(query_int(request, "page", 1), pages)
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "size", "export")]
    return Pager(page, size, total, urlencode(kept), request.url.path, default_size)


def requested(request: Request, default_size: int) -> tuple[int, int]:
    """(page, size) as asked, before the total is known (the query needs them)."""
    return query_int(request, "page", 1), page_size(request, default_size)
