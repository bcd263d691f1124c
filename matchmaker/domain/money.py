"""Exact amounts: 元 and 万元 as people write them, 中文大写 numerals, and offer prices in whole 万元.

Rules come from ``samples/README.md`` (amount columns: thousands separators, a 元 suffix, a 万元
column, 壹拾万元整) and ``samples/README.md`` (offer prices: ``50``, ``50万``, ``40-60``, 面议).
Money never passes through binary floating point: a spreadsheet's float cell is read through its shortest
``repr`` (what the user saw), and anything finer than one 分 is refused rather than rounded, because a
silently rounded contract amount would change the turnover the bureau reports.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from matchmaker.domain.cells import squeeze

_WAN = 10_000
_YI = 100_000_000


class AmountError(ValueError):
    """An amount that cannot be accepted; ``message`` is one Chinese sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ParsedAmount:
    """An exact amount in 元 (two decimal places), what we read it as, and a warning a person should see."""

    yuan: Decimal
    understood: str
    warning: str | None = None


# --- formatting and 分 ------------------------------------------------------------------------------------


_LARGEST_EXPONENT = 15  # 10^15 元 is several times China's yearly GDP: any larger amount is a typo


def _exact_fen(amount: Decimal, shown: str, scale: int = 0) -> int:
    """``amount × 10^scale`` 元 as integer 分, by integer arithmetic so no Decimal context can round it."""
    if not amount.is_finite():
        raise AmountError(f"金额 {shown} 不是有效数字")
    if not amount:
        return 0
    if amount.adjusted() + scale >= _LARGEST_EXPONENT:
        raise AmountError(f"金额 {shown} 过大，请核对单位")
    sign, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    coefficient = int("".join(map(str, digits)))
    shift = exponent + scale + 2
    fen: int
    if shift >= 0:
        fen = coefficient * 10**shift
    else:
        fen, finer = divmod(coefficient, 10**-shift)
        if finer:
            raise AmountError(f"金额 {shown} 精确到了分以下（元金额最多两位小数），请核对，不会自动四舍五入")
    return -fen if sign else fen


def format_yuan(yuan: Decimal) -> str:
    """``1,234,567.89``: thousands separators and exactly two decimals; finer amounts are an error, not rounded."""
    return f"{fen_to_yuan(_exact_fen(yuan, str(yuan))):,.2f}"


def yuan_to_yi(yuan: Decimal, places: int = 2) -> Decimal:
    """The amount in 亿元 (reports against the 150亿元 goal), rounded half up to ``places``."""
    return yuan.scaleb(-8).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_yi(yuan: Decimal, places: int = 2) -> str:
    """The amount in 亿元 for display, with separators."""
    return f"{yuan_to_yi(yuan, places):,.{places}f}"


def yuan_to_fen(yuan: Decimal) -> int:
    """Integer 分 for storage (``amount_fen``); refuses amounts finer than one 分."""
    return _exact_fen(yuan, str(yuan))


def fen_to_yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


# --- 中文大写 ---------------------------------------------------------------------------------------------

_DIGITS = {
    **dict(zip("壹贰叁肆伍陆柒捌玖", range(1, 10))),
    **dict(zip("一二三四五六七八九", range(1, 10))),
    "两": 2,
}
_ZEROS = "零〇"
_SMALL_UNITS = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}
# Characters that only 中文大写 uses: 元, 万 and 亿 also follow Arabic numbers (121200元, 123.5万, 1.5亿).
_CHINESE_NUMERAL_CHARS = frozenset([*_DIGITS, *_ZEROS, *_SMALL_UNITS, "圆", "角", "分", "整", "正"])


class _ChineseNumeralReader:
    """Left-to-right reader of 中文大写: sections of 仟佰拾 grouped by 万 and 亿, then 元, 角, 分.

    Strict where a misreading would change the amount: two digits in a row, units out of order, a digit left
    without its unit after 元 (叁元伍), or a trailing digit after 佰/仟 without 零 (壹佰伍: 105 or 150?).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.yi_total = 0  # whole 亿 groups already closed, in 元
        self.wan_total = 0  # the 万 group of the current 亿 group, in 元
        self.section = 0  # below 万
        self.digit: int | None = None
        self.last_unit: int | None = None
        self.zero_since_unit = False
        self.integer: int | None = None
        self.jiao = 0
        self.fen = 0
        self.phase = "integer"  # integer → 元 → 角 → 分
        self.saw_digit = False

    def fail(self, reason: str) -> AmountError:
        return AmountError(f"金额大写“{self.text}”无法识别：{reason}")

    def close_section(self) -> int:
        if self.digit is not None:
            if self.last_unit is not None and self.last_unit > 10 and not self.zero_since_unit:
                raise self.fail("末位数字缺少单位，含义不明确")
            self.section += self.digit
        value = self.section
        self.section, self.digit, self.last_unit, self.zero_since_unit = 0, None, None, False
        return value

    def close_integer(self) -> None:
        self.integer = self.yi_total + self.wan_total + self.close_section()

    def read(self) -> Decimal:
        body = self.text.removeprefix("人民币")
        body = body[:-1] if body.endswith(("整", "正")) else body
        for char in body:
            self.step(char)
        if self.phase == "integer":
            self.close_integer()
        elif self.digit is not None:
            raise self.fail("最后的数字缺少单位（角或分）")
        if not self.saw_digit:
            raise self.fail("没有数字")
        return Decimal(self.integer or 0) + Decimal(self.jiao).scaleb(-1) + Decimal(self.fen).scaleb(-2)

    def step(self, char: str) -> None:
        if char in _DIGITS:
            if self.digit is not None:
                raise self.fail("两个数字之间缺少单位")
            self.digit, self.saw_digit = _DIGITS[char], True
        elif char in _ZEROS:
            self.zero_since_unit, self.saw_digit = True, True
        elif char in _SMALL_UNITS:
            self.small_unit(_SMALL_UNITS[char], char)
        elif char in "万亿":
            self.big_unit(char)
        elif char in "元圆":
            if self.phase != "integer":
                raise self.fail("“元”出现在角分之后")
            self.close_integer()
            self.phase = "元"
        elif char in "角分":
            self.fraction(char)
        else:
            raise self.fail(f"不认识的字符“{char}”")

    def small_unit(self, unit: int, char: str) -> None:
        if self.phase != "integer":
            raise self.fail(f"“{char}”出现在元之后")
        if self.digit is None:
            if unit != 10 or self.section or self.last_unit is not None:
                raise self.fail(f"“{char}”前缺少数字")
            self.digit, self.saw_digit = 1, True  # 拾万元 = 壹拾万元
        if self.last_unit is not None and unit >= self.last_unit:
            raise self.fail("单位顺序不对")
        self.section += self.digit * unit
        self.digit, self.last_unit, self.zero_since_unit = None, unit, False

    def big_unit(self, char: str) -> None:
        if self.phase != "integer":
            raise self.fail(f"“{char}”出现在元之后")
        group = self.close_section()
        if char == "万":
            if group == 0 or self.wan_total:
                raise self.fail("“万”前缺少数字或重复出现")
            self.wan_total = group * _WAN
        else:
            if group == 0 and not self.wan_total:
                raise self.fail("“亿”前缺少数字")
            self.yi_total = (self.yi_total + self.wan_total + group) * _YI
            self.wan_total = 0

    def fraction(self, char: str) -> None:
        if self.digit is None:
            raise self.fail(f"“{char}”前缺少数字")
        if self.phase == "integer":
            if self.yi_total or self.wan_total or self.section:
                raise self.fail(f"“{char}”前缺少“元”")
            self.integer = 0
        allowed = ("integer", "元") if char == "角" else ("integer", "元", "角")
        if self.phase not in allowed:
            raise self.fail(f"“{char}”的位置不对")
        if char == "角":
            self.jiao = self.digit
        else:
            self.fen = self.digit
        self.digit, self.phase = None, char


def parse_chinese_numerals(text: str) -> Decimal:
    """中文大写 (壹拾万元整, 叁仟元伍角陆分, also 一二三 / 十百千 / 两) → exact 元 with two decimals."""
    squeezed = squeeze(text)
    if not squeezed:
        raise AmountError("金额大写为空")
    return _ChineseNumeralReader(squeezed).read()


# --- 元 and 万元 ------------------------------------------------------------------------------------------

_SPACED_DIGITS = re.compile(r"[0-9０-９][\s\u3000]+[0-9０-９]")


def odd_digits(text: str) -> str | None:
    """Why a typed number cannot be read as it stands, or None. Full-width digits are an input-method habit and
    are read; digits of other scripts (٣, १२) and superscripts (²) are refused, not silently converted, and so are
    spaces between digits: 「4 2」 may be 42 or two numbers, and a person should say which."""
    for char in text:
        if (char.isdigit() or unicodedata.decimal(char, None) is not None) and not (
            "0" <= char <= "9" or "０" <= char <= "９"
        ):
            return f"「{text.strip()}」含有无法识别的数字字符「{char}」，请使用阿拉伯数字"
    if _SPACED_DIGITS.search(text):
        return f"「{text.strip()}」的数字中间有空格，请核对后去掉空格"
    return None


def _refuse_odd_digits(text: str) -> None:
    problem = odd_digits(text)
    if problem:
        raise AmountError(f"金额{problem}")


_NUMBER_RE = re.compile(r"^([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?$")
_SCALE_BY_SUFFIX = {"万": 4, "亿": 8}  # powers of ten


def _number(value: str | Decimal | float, shown: str) -> Decimal:
    """A non-negative Decimal from a cell; a float through its shortest repr (what the user saw), never arithmetic."""
    if isinstance(value, bool):
        raise AmountError(f"金额 {shown} 不是数字")
    if isinstance(value, str):
        if value.startswith(("-", "−")):
            raise AmountError(f"金额 {shown} 为负数，金额不能为负")
        if not _NUMBER_RE.match(value):
            raise AmountError(f"金额 {shown} 不是可识别的数字")
        value = value.replace(",", "")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise AmountError(f"金额 {shown} 不是有效数字")
    if number < 0:
        raise AmountError(f"金额 {shown} 为负数，金额不能为负")
    return number


def _shown(value: Decimal | float) -> str:
    """A numeric cell as the user saw it (1e+16 spelled out as 10000000000000000)."""
    if isinstance(value, float) and math.isfinite(value):
        return format(Decimal(repr(value)), "f")
    return str(value)


def parse_yuan(value: str | Decimal | float) -> ParsedAmount:
    """An amount in 元: ``1,234,567.89``, ``121200元``, ``123.5万``, ``壹拾万元整``, or a numeric cell."""
    if not isinstance(value, str):
        shown = _shown(value)
        yuan = fen_to_yuan(_exact_fen(_number(value, shown), shown))
        return ParsedAmount(yuan, f"{shown} → {format_yuan(yuan)} 元")
    _refuse_odd_digits(value)
    text = squeeze(value)
    if not text:
        raise AmountError("金额为空")
    if any(c in _CHINESE_NUMERAL_CHARS for c in text):
        yuan = parse_chinese_numerals(text)
        return ParsedAmount(
            yuan,
            f"{text} → {format_yuan(yuan)} 元",
            f"金额以中文大写“{text}”书写，已读作 {format_yuan(yuan)} 元，请核对",
        )
    number_text = text.removeprefix("¥").removesuffix("元")
    scale = _SCALE_BY_SUFFIX.get(number_text[-1:], 0)
    if scale:
        number_text = number_text[:-1]
    shown = value.strip()
    yuan = fen_to_yuan(_exact_fen(_number(number_text, shown), shown, scale))
    return ParsedAmount(yuan, f"{text} → {format_yuan(yuan)} 元")


def parse_wan_yuan(value: str | Decimal | float) -> ParsedAmount:
    """A 万元 column (``12.5`` → 125,000.00 元); a ``万``/``万元`` suffix is tolerated, other units are not."""
    if isinstance(value, str):
        shown = value.strip()
        _refuse_odd_digits(value)
        text = squeeze(value)
        if not text:
            raise AmountError("金额（万元）为空")
        number_text = text.removesuffix("万元") if text.endswith("万元") else text.removesuffix("万")
        wan = _number(number_text, shown)
    else:
        number_text = shown = _shown(value)
        wan = _number(value, shown)
    yuan = fen_to_yuan(_exact_fen(wan, f"{shown}（万元）", scale=4))
    return ParsedAmount(yuan, f"{number_text} 万元 → {format_yuan(yuan)} 元")


# --- offer prices in whole 万元 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferPrice:
    """An asking price: whole 万元, ``None`` for 面议; a range keeps both bounds (``price_wan`` is the lower)."""

    price_wan: int | None
    range_wan: tuple[int, int] | None = None
    warning: str | None = None


_NEGOTIABLE = {"", "面议", "议价", "协商", "面谈", "待定", "价格面议", "可议", "协商定价"}
# 「约50万」「50万左右」「50万元起」: one figure with a hedge; read as the figure, with a warning.
_HEDGES = re.compile(r"^(?:约|大约|人民币|不低于|不少于)?(.+?)(?:左右|以上|起|/项|每项|/件)?$")
_PRICE_RE = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(?:万元|万)?$")
_RANGE_RE = re.compile(r"^([0-9]+)(?:万元|万)?(?:~|〜|-|–|—|至|到)([0-9]+)(?:万元|万)?$")


def _whole_wan(number: Decimal, shown: str) -> int:
    if number < 0:
        raise AmountError(f"意向价格 {shown} 为负数，价格不能为负")
    if number != number.to_integral_value():
        raise AmountError(f"意向价格 {shown} 万元不是整数，请填写整数万元")
    return int(number)


def parse_price_wan(value: str | Decimal | float | None) -> OfferPrice:
    """意向价格（万元）: ``50``, ``50万``, ``20万元``, 面议/空 → None, ``20~30`` → a range to confirm."""
    if value is None:
        return OfferPrice(None)
    if isinstance(value, bool):
        raise AmountError(f"意向价格 {value} 不是数字")
    if isinstance(value, (int, float, Decimal)):
        shown = _shown(value)
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise AmountError(f"意向价格 {shown} 不是有效数字")
        return OfferPrice(_whole_wan(number, shown))
    problem = odd_digits(value)
    if problem:
        raise AmountError(f"意向价格{problem}")
    text = squeeze(value)
    shown = value.strip()
    if text in _NEGOTIABLE:
        return OfferPrice(None)
    if text.startswith(("-", "−")) and _PRICE_RE.match(text[1:]):
        raise AmountError(f"意向价格 {shown} 为负数，价格不能为负")
    single = _PRICE_RE.match(text)
    if single:
        return OfferPrice(_whole_wan(Decimal(single[1]), shown))
    span = _RANGE_RE.match(text)
    if span:
        low, high = int(span[1]), int(span[2])
        if low > high:
            raise AmountError(f"意向价格区间 {shown} 的下限大于上限")
        return OfferPrice(low, (low, high))
    hedged = _HEDGES.match(text)
    if hedged and hedged[1] != text and (_PRICE_RE.match(hedged[1]) or _RANGE_RE.match(hedged[1])):
        price = parse_price_wan(hedged[1])
        return OfferPrice(
            price.price_wan, price.range_wan, f"意向价格「{shown}」已按 {price.price_wan} 万元登记"
        )
    raise AmountError(f"意向价格 {shown} 无法识别，请填写整数万元、区间（如 40-60）或“面议”")
