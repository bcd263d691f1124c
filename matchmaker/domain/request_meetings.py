"""Rules for agreeing a meeting after a request is accepted: one to three proposed times and a place.

Pure: times are local wall-clock times (Asia/Shanghai) as people type them, ``now`` is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Final

from matchmaker.domain.errors import FieldError, ValidationFailed

MAX_OPTIONS: Final = 3
DURATIONS: Final = (30, 60, 90, 120)
PLACE_MAX_CHARS: Final = 100
#: Meetings are proposed for office hours; anything else is almost always a typo (下午 3 点 typed as 03:00).
EARLIEST: Final = time(7)
LATEST: Final = time(21)
#: Far enough ahead to be a real plan, near enough that it is not a typo of the year.
HORIZON: Final = timedelta(days=366)


@dataclass(frozen=True)
class Proposal:
    options: tuple[datetime, ...]
    place: str
    duration_minutes: int


def option_key(value: datetime) -> str:
    """How an option is stored and sent back by the confirm form: ``2026-12-08T14:30``."""
    return value.strftime("%Y-%m-%dT%H:%M")


def check_proposal(dates: list[str], times: list[str], place: str, duration: str, now: datetime) -> Proposal:
    """Parse the proposal form (date and time per option, blank rows ignored); every problem beside its field."""
    errors: list[FieldError] = []
    options: list[datetime] = []
    for index, (day, hour) in enumerate(zip(dates, times, strict=False), start=1):
        day, hour = day.strip(), hour.strip()
        if not day and not hour:
            continue
        field = f"option_{index}"
        try:
            value = datetime.fromisoformat(f"{day}T{hour}")
        except ValueError:
            errors.append(FieldError(field, f"第 {index} 个时间请填写日期和时刻，例如 2026-12-08 和 14:30"))
            continue
        if value <= now:
            errors.append(
                FieldError(field, f"第 {index} 个时间 {value:%Y-%m-%d %H:%M} 已经过去，请选择以后的时间")
            )
        elif value - now > HORIZON:
            errors.append(FieldError(field, f"第 {index} 个时间超过一年以后，请检查年份"))
        elif not EARLIEST <= value.time() <= LATEST:
            errors.append(FieldError(field, f"第 {index} 个时间不在 7:00–21:00 之间，请检查上午/下午"))
        elif value in options:
            errors.append(FieldError(field, f"第 {index} 个时间与前面的重复"))
        else:
            options.append(value)
    if not options and not any(e.field.startswith("option_") for e in errors):
        errors.append(FieldError("option_1", "请至少提出一个时间"))
    if len(options) > MAX_OPTIONS:
        errors.append(FieldError("option_1", f"最多提出 {MAX_OPTIONS} 个时间"))
    place = place.strip()
    if not place:
        errors.append(FieldError("place", "请填写地点，例如单位地址和会议室，或“线上（腾讯会议）”"))
    elif len(place) > PLACE_MAX_CHARS:
        errors.append(FieldError("place", f"地点不能超过 {PLACE_MAX_CHARS} 个字"))
    minutes = int(duration) if duration.strip().isdigit() else 0
    if minutes not in DURATIONS:
        errors.append(FieldError("duration", f"时长请选择 {'、'.join(str(d) for d in DURATIONS)} 分钟之一"))
    if errors:
        raise ValidationFailed(errors)
    return Proposal(tuple(sorted(options)), place, minutes)
