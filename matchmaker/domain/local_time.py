"""Liyang's wall clock, the one time zone of the platform.

Stored times are UTC (aware, or naive meaning UTC); people read Beijing time, spreadsheets hold naive local
times, and a deadline is a date in Liyang whatever zone the server's clock is set to. Event slots are already
local wall-clock times (``scheduling/slots.py``) and are not converted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Final
from zoneinfo import ZoneInfo

LOCAL_ZONE: Final = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | None) -> datetime | None:
    """A stored time as naive Beijing wall-clock time, what a spreadsheet cell can hold."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_ZONE).replace(tzinfo=None)


def local_today() -> date:
    """Today's date in Liyang."""
    return datetime.now(LOCAL_ZONE).date()
