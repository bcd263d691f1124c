"""Record ids from URLs, queries, forms and JSON, read one way.

Ids are 64-bit integers in both databases; a longer number in a URL used to reach the database and fail there
(500). The ``int`` path convertor below is registered before any route is built (``matchmaker/web/__init__.py``),
so ``/offers/9223372036854775808`` simply matches no route (404); :func:`parse_id` is the one reader of ids
elsewhere. Only ASCII digits count: ``str.isdigit`` also accepts ``²`` and other scripts' digits, which ``int``
then refuses or reads differently.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.convertors import Convertor, register_url_convertor

#: The largest id either database can store (BIGINT / SQLite INTEGER).
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


class IdConvertor(Convertor[int]):
    """Like Starlette's ``int`` convertor, but a path segment of more than 18 digits matches no route (404)
    instead of reaching the database: every 18-digit number fits in 64 bits, and no table comes near 10¹⁸ rows."""

    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


def install() -> None:
    """Make ``{name:int}`` in every route use :class:`IdConvertor`."""
    register_url_convertor("int", IdConvertor())


def parse_whole(value: Any) -> int | None:
    """A whole number ≥ 0 within id range (also slot and table indexes) from a query, form or JSON value; None
    for anything else: signs, spaces inside, other scripts' digits, floats, booleans, numbers out of range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def parse_id(value: Any) -> int | None:
    """A record id (a positive whole number within range), or None."""
    number = parse_whole(value)
    return number if number else None
