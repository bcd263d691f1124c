"""Recognise what a column holds from its values, for headers worded in a way no synonym lists.

Each recogniser answers "is this one cell a …?" strictly enough that a column of another kind almost never
passes: a 统一社会信用代码 must pass both GB 32100 check characters, an application number the patent office's
check character, a registration number is 16 digits starting with a plausible year.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal

from matchmaker.domain.cells import cell_text, squeeze
from matchmaker.domain.contracts import parse_date
from matchmaker.domain.identifiers import IdentifierError, parse_application_number, parse_credit_code
from matchmaker.domain.money import AmountError, parse_yuan

Recogniser = Callable[[object], bool]

_REGISTRATION = re.compile(r"^(19[89]\d|20\d\d)\d{12}$")
# The shapes, for a column whose values are codes of which some carry a wrong check character (a typo is still
# a credit code, and the row then gets the validator's message naming the expected character).
_CREDIT_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_APPLICATION_SHAPE = re.compile(r"^(?:CN|ZL)?(?:\d{8}|\d{12})\.?[\dX]$")


def is_credit_code(value: object) -> bool:
    """Passes GB 32100 (both check characters), or has exactly its shape."""
    if _CREDIT_SHAPE.match(squeeze(cell_text(value)).upper()):
        return True
    try:
        parse_credit_code(cell_text(value))
    except IdentifierError:
        return False
    return True


def is_application_number(value: object) -> bool:
    """Passes the patent office's check character, or has exactly the shape of an application number."""
    text = cell_text(value)
    if _APPLICATION_SHAPE.match(squeeze(text).upper()):
        return True
    if len(squeeze(text)) < 8:
        return False
    try:
        parse_application_number(text)
    except IdentifierError:
        return False
    return True


def is_registration_number(value: object) -> bool:
    return bool(_REGISTRATION.match(squeeze(cell_text(value))))


def is_date(value: object) -> bool:
    if isinstance(value, date):
        return True
    if isinstance(value, (int, Decimal)):
        return False
    try:
        parse_date(value)
    except ValueError:
        return False
    return True


def is_amount(value: object) -> bool:
    if isinstance(value, (bool, date)):
        return False
    if isinstance(value, (int, Decimal)):
        return value > 0
    text = cell_text(value)
    if not text or is_date(text):
        return False
    try:
        return parse_yuan(text).yuan > 0
    except AmountError:
        return False


def is_patent_title(value: object) -> bool:
    """Chinese patent titles begin 「一种…」 (an invention or utility model names *a* thing or method)."""
    text = cell_text(value)
    return isinstance(value, str) and text.startswith("一种") and 4 <= len(text) <= 200


BASE_RECOGNISERS: Mapping[str, Recogniser] = {
    "patent_title": is_patent_title,
    "credit_code": is_credit_code,
    "application_number": is_application_number,
    "registration_number": is_registration_number,
    "date": is_date,
    "amount": is_amount,
}

DESCRIPTIONS: Mapping[str, str] = {
    "patent_title": "以“一种”开头的专利名称",
    "credit_code": "统一社会信用代码",
    "application_number": "专利申请号",
    "registration_number": "以年份开头的 16 位登记编号",
    "date": "日期",
    "amount": "金额",
    "institution": "平台已登记的机构名称",
    "pledged_patents": "校验位正确的出质专利号",
}


def recognisers(institution: Callable[[str], bool] | None = None) -> dict[str, Recogniser]:
    """The recognisers, with the institution one bound to the platform's institution list when given."""
    found = dict(BASE_RECOGNISERS)
    if institution is not None:
        found["institution"] = lambda value: bool(cell_text(value)) and institution(cell_text(value))
    return found
