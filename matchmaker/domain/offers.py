"""A patent offer (专利成果) as validated input: one rule set for the web form, the API and the spreadsheet import.

``validate_offer`` takes loosely typed values (form strings, spreadsheet cells: numbers, dates) and returns an
``OfferDraft`` or raises ``ValidationFailed`` carrying every field's problem at once, so a form shows each beside
its field and an import row lists them all. Values that were understood but rewritten (「发明专利（PCT）」 → 发明,
「约50万」 → 50) are accepted with a warning a person can read; a price range keeps both bounds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rapidfuzz import fuzz

from matchmaker.domain.cells import cell_text, squeeze
from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.domain.identifiers import (
    ApplicationNumber,
    IdentifierError,
    parse_application_number,
    parse_ipc,
)
from matchmaker.domain.institutions import InstitutionResolver
from matchmaker.domain.money import AmountError, parse_price_wan
from matchmaker.domain.vocab import LEGAL_STATUSES, PATENT_TYPES, TRANSFER_MODES

TITLE_MAX_CHARS = 200
TEXT_MAX_CHARS = 5000
TRL_RANGE = range(1, 10)
# Near-identical titles: rapidfuzz ratio of the normalised titles at or above this, and the difference one run of
# inserted characters (see near_duplicate_title).
NEAR_DUPLICATE_MIN_RATIO = 90.0

FIELD_LABELS: Mapping[str, str] = {
    "title": "专利名称",
    "abstract": "摘要",
    "claims": "权利要求",
    "application_number": "申请号",
    "patent_type": "专利类型",
    "legal_status": "法律状态",
    "ipc": "IPC分类号",
    "inventors": "发明人",
    "institution": "权利人",
    "transfer_modes": "转化方式",
    "price_wan": "意向价格",
    "trl": "技术成熟度",
    "field": "所属领域",
    "contact": "联系方式",
}

_LEGAL_STATUS_SPELLINGS: Mapping[str, str] = {
    "有效": "有效",
    "授权": "有效",
    "已授权": "有效",
    "专利权维持": "有效",
    "审中": "审中",
    "在审": "审中",
    "审查中": "审中",
    "实审": "审中",
    "实质审查": "审中",
    "公开": "审中",
    "已公开": "审中",
    "失效": "失效",
    "无效": "失效",
    "终止": "失效",
    "驳回": "失效",
    "撤回": "失效",
    "放弃": "失效",
    "届满": "失效",
}
_PATENT_TYPE_SPELLINGS: Mapping[str, str] = {
    "发明": "发明",
    "实用新型": "实用新型",
    "新型": "实用新型",
    "外观设计": "外观设计",
    "外观": "外观设计",
}
# 「许可」 alone is read as 普通许可 (with a warning): the least the owner can have meant, so the platform never
# advertises an exclusivity the owner did not offer.
_TRANSFER_MODE_SPELLINGS: Mapping[str, str] = {
    "转让": "转让",
    "专利转让": "转让",
    "独占许可": "独占许可",
    "独占": "独占许可",
    "排他许可": "排他许可",
    "排他": "排他许可",
    "普通许可": "普通许可",
    "普通": "普通许可",
    "一般许可": "普通许可",
    "许可": "普通许可",
    "作价入股": "作价入股",
    "技术入股": "作价入股",
    "入股": "作价入股",
    "合作开发": "合作开发",
    "合作": "合作开发",
}
_LIST_SEPARATORS = re.compile(r"[、;；,，/\n]+")
_IPC_SEPARATORS = re.compile(r"[;；,，、\n]+")
_NOTE = re.compile(r"\(([^()]*)\)")
_TRL = re.compile(r"^(?:TRL[-:]?)?第?(\d+)级?$")
_CJK_NAME = re.compile(r"^[\u3400-\u9fff·]+$")


@dataclass(frozen=True)
class OfferDraft:
    """A valid offer ready to store; ``application_number`` is canonical (digits.check, no prefix)."""

    title: str
    abstract: str
    claims: str
    application_number: str
    patent_type: str
    legal_status: str | None
    ipc: tuple[str, ...]
    inventors: tuple[str, ...]
    institution: str
    transfer_modes: tuple[str, ...]
    price_wan: int | None
    #: Upper bound of a price range (「20~30」 → 20 and 30); None for a single figure or 面议.
    price_max_wan: int | None
    trl: int | None
    field: str | None
    contact: str
    warnings: tuple[str, ...] = ()

    @property
    def patent_key(self) -> str:
        """The bare digits: what two listings of the same patent share."""
        return self.application_number.split(".")[0]


def validate_offer(
    raw: Mapping[str, object], *, fields: Collection[str], normalizer: InstitutionResolver
) -> OfferDraft:
    """Check every field of ``raw`` (keys as in ``FIELD_LABELS``) and return the draft, or raise
    ``ValidationFailed`` with all problems; ``fields`` is the industry-field list (``seed/fields.json``)."""
    errors: list[FieldError] = []
    warnings: list[str] = []

    title = cell_text(raw.get("title"))
    if not title:
        errors.append(FieldError("title", "专利名称不能为空"))
    elif len(title) > TITLE_MAX_CHARS:
        errors.append(FieldError("title", f"专利名称不能超过 {TITLE_MAX_CHARS} 个字，现有 {len(title)} 个字"))

    abstract = cell_text(raw.get("abstract"))
    claims = cell_text(raw.get("claims"))
    for name, value in (("abstract", abstract), ("claims", claims)):
        if len(value) > TEXT_MAX_CHARS:
            errors.append(FieldError(name, f"{FIELD_LABELS[name]}不能超过 {TEXT_MAX_CHARS} 个字"))

    number_text = cell_text(raw.get("application_number"))
    number = None
    if not number_text:
        errors.append(FieldError("application_number", "申请号不能为空"))
    else:
        try:
            number = parse_application_number(number_text)
        except IdentifierError as exc:
            errors.append(FieldError("application_number", exc.message))

    patent_type = _patent_type(cell_text(raw.get("patent_type")), number, errors, warnings)
    legal_status = _legal_status(cell_text(raw.get("legal_status")), errors)
    ipc = _ipc_codes(cell_text(raw.get("ipc")), patent_type, errors)
    inventors = split_names(cell_text(raw.get("inventors")))
    institution = _institution(cell_text(raw.get("institution")), normalizer, errors, warnings)
    transfer_modes = _transfer_modes(cell_text(raw.get("transfer_modes")), errors, warnings)
    price_wan, price_max_wan = _price(raw.get("price_wan"), errors, warnings)
    trl = _trl(raw.get("trl"), errors)
    field = _industry_field(cell_text(raw.get("field")), fields, errors)
    contact = cell_text(raw.get("contact"))

    if errors or number is None or patent_type is None or institution is None:
        raise ValidationFailed(errors)
    return OfferDraft(
        title=title,
        abstract=abstract,
        claims=claims,
        application_number=number.canonical,
        patent_type=patent_type,
        legal_status=legal_status,
        ipc=ipc,
        inventors=inventors,
        institution=institution,
        transfer_modes=transfer_modes,
        price_wan=price_wan,
        price_max_wan=price_max_wan,
        trl=trl,
        field=field,
        contact=contact,
        warnings=tuple(warnings),
    )


def split_names(text: str) -> tuple[str, ...]:
    """Inventors separated by 、；;，, or by spaces between Chinese names (「王平 李强」); a Latin name keeps its
    inner space (「John Smith」). Order is kept (it is the order on the patent), repeats are dropped."""
    names: list[str] = []
    for part in _LIST_SEPARATORS.split(text):
        pieces = part.split()
        if len(pieces) > 1 and all(_CJK_NAME.match(p) for p in pieces):
            candidates = pieces
        else:
            candidates = [" ".join(pieces)]
        names.extend(c for c in candidates if c and c not in names)
    return tuple(names)


def title_key(title: str) -> str:
    """Comparison form of a title: NFKC, case-folded, without whitespace and punctuation."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return "".join(
        c for c in folded if not c.isspace() and not unicodedata.category(c).startswith(("P", "S"))
    )


def near_duplicate_keys(a: str, b: str) -> bool:
    """``near_duplicate_title`` on keys already passed through ``title_key`` (for indexes that keep keys)."""
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    inserted = len(long) - len(short)
    if inserted == 0:
        return a == b
    if fuzz.ratio(short, long) < NEAR_DUPLICATE_MIN_RATIO:
        return False
    prefix = 0
    while prefix < len(short) and short[prefix] == long[prefix]:
        prefix += 1
    return long[prefix + inserted :] == short[prefix:]


def near_duplicate_title(a: str, b: str) -> bool:
    """Whether two titles probably name the same patent, for "same institution, near-identical title".

    Near-identical means rapidfuzz ratio ≥ 90 *and* one title is the other with a few characters inserted in
    one place, as a qualifier is (「一种新型芹菜类…」 vs 「一种芹菜类…」). Substitutions are excluded on purpose:
    「正极材料」 vs 「负极材料」 also scores above 90 but is another invention. The one-place rule also lets an
    import find candidates by shared half-title instead of comparing every pair. A match is only a flag for a
    person to confirm, never a refusal.
    """
    return near_duplicate_keys(title_key(a), title_key(b))


# --- field rules ----------------------------------------------------------------------------------------------


def _patent_type(
    text: str, number: ApplicationNumber | None, errors: list[FieldError], warnings: list[str]
) -> str | None:
    """Type from the text if given (「发明专利」, 「发明专利（PCT）」 → 发明), else from the number's type digit;
    both given must agree (type digit 8 = PCT national phase is an invention, 9 a utility model)."""
    from_number = number.patent_type if number is not None else None
    if not text:
        return from_number
    squeezed = squeeze(text)
    notes = _NOTE.findall(squeezed)
    patent_type = _PATENT_TYPE_SPELLINGS.get(_NOTE.sub("", squeezed).removesuffix("专利"))
    if patent_type is None:
        errors.append(
            FieldError("patent_type", f"专利类型「{text}」无法识别，应为{'、'.join(PATENT_TYPES)}之一")
        )
        return None
    if notes:
        warnings.append(f"专利类型「{text}」已按「{patent_type}」登记")
    if number is not None and from_number != patent_type:
        errors.append(
            FieldError(
                "patent_type",
                f"专利类型「{text}」与申请号 {number.canonical} 不符：类型位 {number.type_digit} 表示{from_number}",
            )
        )
    return patent_type


def _legal_status(text: str, errors: list[FieldError]) -> str | None:
    if not text:
        return None
    status = _LEGAL_STATUS_SPELLINGS.get(squeeze(text))
    if status is None:
        errors.append(
            FieldError("legal_status", f"法律状态「{text}」无法识别，应为{'、'.join(LEGAL_STATUSES)}之一")
        )
    return status


def _ipc_codes(text: str, patent_type: str | None, errors: list[FieldError]) -> tuple[str, ...]:
    """IPC symbols for inventions and utility models; design patents are classified by Locarno (LOC) instead."""
    codes: list[str] = []
    for part in _IPC_SEPARATORS.split(text):
        if not part.strip():
            continue
        try:
            code = parse_ipc(part)
        except IdentifierError as exc:
            errors.append(FieldError("ipc", exc.message))
            continue
        if code not in codes:
            codes.append(code)
    locarno = [c for c in codes if c.startswith("LOC")]
    if patent_type == "外观设计" and len(locarno) < len(codes):
        errors.append(FieldError("ipc", "外观设计专利应填写洛迦诺分类号（如 LOC 10-05），而不是 IPC 分类号"))
    elif patent_type in ("发明", "实用新型") and locarno:
        errors.append(
            FieldError("ipc", f"{patent_type}专利应填写 IPC 分类号，洛迦诺分类号 {locarno[0]} 只用于外观设计")
        )
    return tuple(codes)


def _institution(
    text: str, normalizer: InstitutionResolver, errors: list[FieldError], warnings: list[str]
) -> str | None:
    if not text:
        errors.append(FieldError("institution", "权利人（所属单位）不能为空"))
        return None
    resolution = normalizer.resolve(text)
    if resolution.canonical is None:
        errors.append(FieldError("institution", f"权利人「{text}」不是平台已登记的机构，请核对单位名称"))
    elif resolution.method == "fuzzy":
        warnings.append(f"权利人「{text}」已按「{resolution.canonical}」登记")
    return resolution.canonical


def _transfer_modes(text: str, errors: list[FieldError], warnings: list[str]) -> tuple[str, ...]:
    """Modes in vocabulary order, whatever order and separators were typed."""
    found: set[str] = set()
    for part in _LIST_SEPARATORS.split(squeeze(text)):
        if not part:
            continue
        mode = _TRANSFER_MODE_SPELLINGS.get(part)
        if mode is None:
            errors.append(
                FieldError(
                    "transfer_modes", f"转化方式「{part}」无法识别，应为{'、'.join(TRANSFER_MODES)}之一"
                )
            )
            continue
        if part == "许可":
            warnings.append("转化方式「许可」未写明独占、排他或普通，已按「普通许可」登记")
        found.add(mode)
    return tuple(mode for mode in TRANSFER_MODES if mode in found)


def _price(value: object, errors: list[FieldError], warnings: list[str]) -> tuple[int | None, int | None]:
    """Asking price in integer 万元 and the upper bound of a range; empty and 面议 are (None, None)."""
    text = cell_text(value)
    if not text:
        return None, None
    try:
        price = parse_price_wan(text)
    except AmountError as exc:
        errors.append(FieldError("price_wan", exc.message))
        return None, None
    if price.warning:
        warnings.append(price.warning)
    return price.price_wan, (price.range_wan[1] if price.range_wan else None)


def _trl(value: object, errors: list[FieldError]) -> int | None:
    """Technology readiness 1–9 from 6, 「TRL6」, 「TRL 6」, 「6级」 or a numeric cell."""
    text = squeeze(cell_text(value)).upper()
    if not text:
        return None
    match = _TRL.match(text)
    if match is None:
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or number != number.to_integral_value():
            errors.append(
                FieldError("trl", f"技术成熟度「{cell_text(value)}」应为 1–9 的整数，如 6、TRL6 或 6级")
            )
            return None
        level = int(number)
    else:
        level = int(match[1])
    if level not in TRL_RANGE:
        errors.append(FieldError("trl", f"技术成熟度应在 1–9 之间，现为 {level}"))
        return None
    return level


def _industry_field(text: str, fields: Collection[str], errors: list[FieldError]) -> str | None:
    if not text:
        return None
    field = squeeze(text)
    if field not in fields:
        errors.append(FieldError("field", f"所属领域「{text}」不在领域列表中，应为{'、'.join(fields)}之一"))
        return None
    return field
