"""The Chinese words for a match reason (``fusion.Reason``), and how a page should tint it.

Reasons are data; this is the only place that turns them into sentences, so pages, the API and event pairs say the
same thing, and a value someone may not see (a private budget, removed by ``services.matching``) is worded as
hidden instead of being cut out of a finished sentence.
"""

from __future__ import annotations

from typing import Any

from matchmaker.matching.fusion import Reason

#: Said beside a price when the viewer may not see the need's budget.
BUDGET_HIDDEN = "需求预算未公开"


def _terms(v: dict[str, Any]) -> str:
    words = [a if a == b else f"{a}≈{b}" for a, b in v.get("pairs", [])]
    return "共同关键词：" + "、".join(words)


def _field(v: dict[str, Any]) -> str:
    if v.get("need_field") and v["need_field"] == v.get("offer_field"):
        return f"同属{v['offer_field']}领域"
    return f"跨领域：需求属{v.get('need_field') or '未填'}，成果属{v.get('offer_field')}"


def _price(v: dict[str, Any]) -> str:
    price, budget = v.get("price_wan"), v.get("budget_max_wan")
    if price is None:
        return "价格面议"
    if v.get("budget_hidden"):
        return f"报价 {price} 万元，{BUDGET_HIDDEN}"
    if budget is None:
        return f"报价 {price} 万元，需求未填预算"
    if price <= budget:
        return f"报价 {price} 万元，在预算上限 {budget} 万元以内"
    return f"报价 {price} 万元，超出预算上限 {budget} 万元"


def _readiness(v: dict[str, Any]) -> str:
    trl, wanted = v["trl"], v.get("wanted_trl")
    if wanted is None:
        return f"技术成熟度 TRL {trl}"
    verdict = "满足" if trl >= wanted else "低于"
    return f"技术成熟度 TRL {trl}，{verdict}期望成果所需的 TRL {wanted}"


def _legal(v: dict[str, Any]) -> str:
    if v.get("status") == "失效":
        return "专利已失效：技术可自由使用，无需许可（也无从受让专利权）"
    return "专利尚在审查中，授权未定"


_ASPECT = {"process": "工艺或方法", "product": "产品结构或功能", "appearance": "外观"}


def _kind(v: dict[str, Any]) -> str:
    what = _ASPECT.get(v.get("aspect", ""), "技术方案")
    if v.get("patent_type") == "外观设计":
        return f"外观设计专利只保护外形，需求要的是{what}"
    return f"{v.get('patent_type')}专利只保护产品的形状和构造，不含需求所要的{what}"


def _open_licence(v: dict[str, Any]) -> str:
    fee = (
        f"一次性付费 {v['lump_sum_yuan']} 元"
        if v.get("lump_sum_yuan")
        else f"按销售额 {v.get('royalty_percent')}% 提成"
    )
    return f"开放许可：{fee}，许可期限 {v.get('period_years')} 年，{v.get('scope')}，可直接取得许可"


def _theme(v: dict[str, Any]) -> str:
    parts = []
    if v.get("fields"):
        parts.append("属" + "、".join(v["fields"]) + "领域")
    if v.get("keywords"):
        parts.append("含关键词" + "、".join(v["keywords"]))
    return "符合对接会主题：" + "，".join(parts)


_WORDS = {
    "terms": _terms,
    "semantic": lambda v: f"语义相近度 {v['percent']}%",
    "field": _field,
    "ipc": lambda v: f"IPC 分类 {v['level']} 与该需求最相关的成果一致",
    "price": _price,
    "readiness": _readiness,
    "mode": lambda _v: "成果的转化方式不在企业接受的合作方式之内",
    "legal": _legal,
    "open_licence": _open_licence,
    "kind": _kind,
    "theme": _theme,
}


def reason_text(reason: Reason) -> str:
    """One Chinese phrase for a reason."""
    return _WORDS[reason.kind](reason.values)


def reason_tone(reason: Reason) -> str:
    """``good`` (evidence for the pair), ``warn`` (something to check) or ``""`` (neutral), from the values."""
    v = reason.values
    if reason.kind in ("terms", "open_licence", "theme"):
        return "good"
    if reason.kind in ("legal", "mode", "kind"):
        return "warn"
    if reason.kind == "price":
        price, budget = v.get("price_wan"), v.get("budget_max_wan")
        over = price is not None and budget is not None and price > budget
        return "warn" if v.get("budget_hidden") or over else ""
    if reason.kind == "readiness":
        return "warn" if v.get("wanted_trl") is not None and v["trl"] < v["wanted_trl"] else ""
    return ""


def reason_json(reason: Reason) -> dict[str, Any]:
    """A reason for the API: its kind, its values and the phrase a page shows."""
    return {"kind": reason.kind, "values": dict(reason.values), "text": reason_text(reason)}
