"""Turning loosely typed input — form strings, spreadsheet cells — into comparable text.

Forms and imports share the domain validators, so a value may arrive as text, a number, a Decimal or a date.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal


def cell_text(value: object) -> str:
    """A cell or form value as stripped text; numbers keep their digits (no exponent), dates are ISO."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def squeeze(text: str) -> str:
    """NFKC (full-width digits, letters and punctuation → ASCII) with every whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())
