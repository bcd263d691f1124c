"""Patent application numbers, 统一社会信用代码 and IPC / Locarno classes: parse, check, normalise.

Sources of the rules:
- Application numbers (CNIPA, since 2003-10-01): ``YYYY T NNNNNNN`` + check character, where T is the patent
  type (1 发明, 2 实用新型, 3 外观设计, 8/9 PCT national phase). Check = Σ dᵢ·wᵢ mod 11 with weights
  2,3,4,5,6,7,8,9,2,3,4,5; 10 is written X. The older 8-digit form ``YY T NNNNN`` (1985–2003) uses weights 2–9.
- Credit codes: GB 32100-2015, 18 characters from ``0123456789ABCDEFGHJKLMNPQRTUWXY``; characters 9–17 are a
  GB 11714 organisation code with its own mod-11 check character, character 18 the mod-31 check of the whole.

Everything here is pure and tolerant of how people type (full-width characters, spaces, prefixes, lower case),
but strict about the check characters: a wrong one is refused with the expected one in the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from matchmaker.domain.cells import squeeze
from matchmaker.domain.vocab import PATENT_TYPE_BY_DIGIT


class IdentifierError(ValueError):
    """An identifier that cannot be accepted; ``message`` is one Chinese sentence that names it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- patent application numbers ------------------------------------------------------------------------

_WEIGHTS_12 = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_WEIGHTS_8 = (2, 3, 4, 5, 6, 7, 8, 9)
_FIRST_YEAR_12 = 1985
# The 8-digit form was replaced by the 12-digit one in October 2003, so its two-digit year is 85–99 or 00–03.
_OLD_FORM_YEARS = range(1985, 2004)
_APPLICATION_RE = re.compile(r"^(?P<prefix>CN|ZL)?(?P<digits>\d{12}|\d{8})\.?(?P<check>[0-9X])$")


@dataclass(frozen=True)
class ApplicationNumber:
    """A checked Chinese patent application number; ``granted`` records a ``ZL`` prefix (专利号)."""

    digits: str
    check: str
    granted: bool = False

    @property
    def year(self) -> int:
        """Filing year; the old form's two-digit year is read as 1985–2003."""
        if len(self.digits) == 12:
            return int(self.digits[:4])
        two_digit = int(self.digits[:2])
        return 1900 + two_digit if two_digit >= 85 else 2000 + two_digit

    @property
    def type_digit(self) -> str:
        return self.digits[4] if len(self.digits) == 12 else self.digits[2]

    @property
    def patent_type(self) -> str | None:
        """发明 / 实用新型 / 外观设计 from the type digit, None for a digit outside the vocabulary."""
        return PATENT_TYPE_BY_DIGIT.get(self.type_digit)

    @property
    def canonical(self) -> str:
        """Digits, dot, check character, without prefix: the form we store and show."""
        return f"{self.digits}.{self.check}"

    def __str__(self) -> str:
        return self.canonical


def patent_check_char(digits: str) -> str:
    """Check character of a 12-digit (weights 2–9, 2–5) or old 8-digit (weights 2–9) number; 10 → X."""
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (8, 12):
        raise IdentifierError(f"申请号数字部分 {digits} 应为 12 位或 8 位数字")
    weights = _WEIGHTS_12 if len(digits) == 12 else _WEIGHTS_8
    remainder = sum(int(d) * w for d, w in zip(digits, weights)) % 11
    return "X" if remainder == 10 else str(remainder)


def _squeeze(text: str) -> str:
    """NFKC (full-width → ASCII), upper case, all whitespace removed."""
    return squeeze(text).upper()


def parse_application_number(text: str, *, current_year: int | None = None) -> ApplicationNumber:
    """Read an application number as people type it (``CN``/``ZL`` prefix, spaces, full-width, no dot).

    ``current_year`` defaults to today's; numbers dated later than next year are refused as implausible.
    """
    squeezed = _squeeze(text).replace("。", ".")
    if not squeezed:
        raise IdentifierError("申请号不能为空")
    match = _APPLICATION_RE.match(squeezed)
    if match is None:
        if re.fullmatch(r"(CN|ZL)?(\d{12}|\d{8})", squeezed):
            bare = squeezed.removeprefix("CN").removeprefix("ZL")
            raise IdentifierError(f"申请号 {text.strip()} 缺少校验位，应为 {bare}.{patent_check_char(bare)}")
        raise IdentifierError(
            f"申请号 {text.strip()} 格式不对，应为 12 位数字加校验位，如 201710601862.3（可带 CN 或 ZL 前缀）"
        )
    number = ApplicationNumber(match["digits"], match["check"], granted=match["prefix"] == "ZL")
    if number.patent_type is None:
        raise IdentifierError(
            f"申请号 {number.canonical} 的类型位 {number.type_digit} 无效，应为 1、2、3、8 或 9"
        )
    if len(number.digits) == 12:
        last_year = (current_year or date.today().year) + 1
        if not _FIRST_YEAR_12 <= number.year <= last_year:
            raise IdentifierError(
                f"申请号 {number.canonical} 的年份 {number.year} 不合理，应在 {_FIRST_YEAR_12}–{last_year} 之间"
            )
    elif number.year not in _OLD_FORM_YEARS:
        raise IdentifierError(f"申请号 {number.canonical} 是 8 位旧号，年份应在 1985–2003 之间")
    expected = patent_check_char(number.digits)
    if number.check != expected:
        raise IdentifierError(f"申请号 {number.canonical} 的校验位应为 {expected}")
    return number


def patent_key(text: str) -> str:
    """The bare 8 or 12 digits: two listings of one patent share it whatever their prefix or spacing."""
    return parse_application_number(text).digits


# --- 统一社会信用代码 (GB 32100-2015) and organisation codes (GB 11714) -------------------------------

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code_check_char(first17: str) -> str:
    """GB 32100-2015 check: 31 − (Σ value·weight mod 31), 31 → 0, mapped back through the character set."""
    if len(first17) != 17 or any(c not in CREDIT_CODE_CHARS for c in first17):
        raise IdentifierError(f"统一社会信用代码前 17 位 {first17} 应为 17 个代码字符（不含 I、O、S、V、Z）")
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """GB 11714 check: digits keep their value, A=10 … Z=35; 11 − (Σ mod 11), 10 → X, 11 → 0."""
    if len(first8) != 8 or not first8.isascii() or not first8.isalnum() or first8 != first8.upper():
        raise IdentifierError(f"组织机构代码本体 {first8} 应为 8 位数字或大写字母")
    total = sum((int(c) if c.isdigit() else ord(c) - ord("A") + 10) * w for c, w in zip(first8, _ORG_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def parse_credit_code(text: str) -> str:
    """Normalise a 统一社会信用代码 and verify both check characters; returns the 18-character code."""
    code = _squeeze(text)
    if len(code) != 18:
        raise IdentifierError(f"统一社会信用代码 {code or text} 应为 18 位，实际为 {len(code)} 位")
    bad = [c for c in code if c not in CREDIT_CODE_CHARS]
    if bad:
        raise IdentifierError(f"统一社会信用代码 {code} 含有不允许的字符 {bad[0]}（不使用 I、O、S、V、Z）")
    if not code[2:8].isdigit():
        raise IdentifierError(f"统一社会信用代码 {code} 的第 3–8 位应为行政区划码（6 位数字）")
    org_expected = org_code_check_char(code[8:16])
    if code[16] != org_expected:
        raise IdentifierError(
            f"统一社会信用代码 {code} 中组织机构代码（第 9–17 位）的校验位应为 {org_expected}"
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise IdentifierError(f"统一社会信用代码 {code} 的校验位应为 {expected}")
    return code


# --- IPC and Locarno classes -----------------------------------------------------------------------------

_IPC_RE = re.compile(r"^(?P<subclass>[A-H]\d{2}[A-Z])(?P<group>\d{1,4})/(?P<subgroup>\d{2,6})$")
_LOCARNO_RE = re.compile(r"^LOC(?P<cls>\d{1,2})-(?P<sub>\d{1,2})$")
_LOCARNO_CLASSES = set(range(1, 33)) | {99}


def parse_ipc(text: str) -> str:
    """Normalise an IPC symbol to ``H01M 10/0525``, or a Locarno class (design patents) to ``LOC 13-02``."""
    squeezed = _squeeze(text)
    ipc = _IPC_RE.match(squeezed)
    if ipc is not None:
        return f"{ipc['subclass']} {int(ipc['group'])}/{ipc['subgroup']}"
    locarno = _LOCARNO_RE.match(squeezed)
    if locarno is not None and int(locarno["cls"]) in _LOCARNO_CLASSES:
        return f"LOC {int(locarno['cls']):02d}-{int(locarno['sub']):02d}"
    raise IdentifierError(
        f"分类号 {text.strip()} 无法识别，应为 IPC（如 H01M 10/0525）或洛迦诺分类（如 LOC 13-02）"
    )
