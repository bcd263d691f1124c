"""检索成果: one search box for keywords or a plain description of a problem, filters, highlights, pages."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from matchmaker.domain.vocab import PATENT_TYPES
from matchmaker.search import OfferFilters, SearchResult, marked_html
from matchmaker.services import institutions
from matchmaker.services import search as offer_search
from matchmaker.web.ids import parse_whole
from matchmaker.web.security import query_int, require_actor
from matchmaker.web.templating import render

PER_PAGE = 10
MAX_QUERY_CHARS = 500
TRL_LEVELS = range(1, 10)


@dataclass(frozen=True)
class SearchInput:
    """The query string as typed, read leniently: junk in a filter drops that filter with a note."""

    query: str
    filters: OfferFilters
    notes: tuple[str, ...]
    params: dict[str, str]


def _digits(text: str) -> int | None:
    text = text.strip().removesuffix("万元").removesuffix("万")
    return parse_whole(text) if len(text) <= 9 else None


def read_search_input(params: dict[str, str]) -> SearchInput:
    notes: list[str] = []
    query = params.get("q", "").strip()
    if len(query) > MAX_QUERY_CHARS:
        query = query[:MAX_QUERY_CHARS]
        notes.append(f"检索内容较长，只使用了前 {MAX_QUERY_CHARS} 个字")
    institution_id = _digits(params.get("institution", ""))
    trl = _digits(params.get("trl", ""))
    if params.get("trl") and (trl is None or trl not in TRL_LEVELS):
        notes.append("技术成熟度应为 1–9 级，已忽略该条件")
        trl = None
    budget = _digits(params.get("budget", ""))
    if params.get("budget", "").strip() and budget is None:
        notes.append(f"预算「{params.get('budget', '').strip()}」应为整数万元，已忽略该条件")
    patent_type = params.get("patent_type", "")
    filters = OfferFilters(
        field=params.get("field", "").strip(),
        institution_id=institution_id,
        patent_type=patent_type if patent_type in PATENT_TYPES else "",
        min_trl=trl,
        max_price_wan=budget,
    )
    kept = {
        "q": query,
        "field": filters.field,
        "institution": str(institution_id or ""),
        "patent_type": filters.patent_type,
        "trl": str(trl or ""),
        "budget": "" if budget is None else str(budget),
    }
    return SearchInput(query, filters, tuple(notes), kept)


def message_for(search: SearchInput, result: SearchResult | None) -> str:
    """A helpful Chinese sentence for the empty, the meaningless and the fruitless query."""
    if result is None:
        return "请输入关键词，或用一两句话描述您遇到的技术问题，例如：“电芯放一周就鼓起来，想减少产气”。"
    if search.query and not result.terms:
        return (
            f"没能从“{search.query}”中识别出可检索的技术词语。请换用具体的材料、工艺、设备或产品名称，"
            "或直接描述遇到的问题。"
        )
    if result.total == 0:
        hint = "可以减少筛选条件，" if search.filters.active else ""
        return f"没有找到相关的专利成果。{hint}或换一种说法描述问题，例如把“鼓包”写成“胀气”。"
    return ""


def search_page(request: Request) -> Response:
    actor = require_actor(request)
    services = request.app.state.services
    search = read_search_input(dict(request.query_params))
    result = None
    cards: dict[int, offer_search.OfferCard] = {}
    with services.session() as session:
        if search.query or search.filters.active:
            result, cards = offer_search.search_offers(
                services,
                session,
                search.query,
                search.filters,
                page=query_int(request, "page", 1),
                per_page=PER_PAGE,
            )
        institution_options = [(str(i.id), i.canonical_name) for i in institutions.all_institutions(session)]
    hits = [
        (hit, cards[hit.id], Markup(marked_html(hit.title)), Markup(marked_html(hit.snippet)))
        for hit in (result.hits if result else [])
        if hit.id in cards
    ]
    base = "/search?" + urlencode(search.params)
    return render(
        request,
        "search/offers.html",
        {
            "search": search,
            "result": result,
            "hits": hits,
            "message": message_for(search, result),
            "base": base,
            "fields": services.reference.fields,
            "institutions": institution_options,
            "patent_types": PATENT_TYPES,
            "trl_levels": TRL_LEVELS,
            "can_request": actor.role == "sme",
        },
    )


routes = [Route("/search", search_page, include_in_schema=False)]
