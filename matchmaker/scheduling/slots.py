"""Time slots of a docking event.

An event runs in one window of one day (e.g. 14:00–17:00) cut into equal slots (e.g. 20 minutes); breaks
(tea at 15:20–15:40) are skipped and the next slot starts when the break ends. A slot that would not end
before the window closes is not made, so the last slot may leave a few minutes unused.

Times are the event's local wall-clock time (Asia/Shanghai for Liyang): naive datetimes, so the storage and
web layers never have to convert; ``ics.py`` attaches the time zone when it writes calendars.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from matchmaker.domain.errors import FieldError, ValidationFailed


@dataclass(frozen=True)
class Slot:
    """One meeting slot; ``index`` counts from 0 in time order and is what availability and pins refer to."""

    index: int
    start: datetime
    end: datetime

    def label(self) -> str:
        """Start time as people say it (``14:20``), used in messages and agendas."""
        return self.start.strftime("%H:%M")


@dataclass(frozen=True)
class Break:
    """A pause inside the window during which no meeting runs."""

    start: time
    end: time


def _hm(value: time) -> str:
    return value.strftime("%H:%M")


def make_slots(
    event_date: date,
    window_start: time,
    window_end: time,
    slot_minutes: int,
    breaks: Sequence[Break] = (),
) -> list[Slot]:
    """Cut the event window into slots of ``slot_minutes`` minutes, skipping the breaks.

    Every problem with the input is reported at once (one ``FieldError`` each), so the organizer's form can
    show them all beside their fields.
    """
    errors: list[FieldError] = []
    if slot_minutes <= 0:
        errors.append(FieldError("slot_minutes", f"时段长度必须大于 0 分钟，现为 {slot_minutes} 分钟。"))
    if window_end <= window_start:
        errors.append(
            FieldError(
                "window_end",
                f"结束时间 {_hm(window_end)} 必须晚于开始时间 {_hm(window_start)}。",
            )
        )
    window_minutes = (
        datetime.combine(event_date, window_end) - datetime.combine(event_date, window_start)
    ) // timedelta(minutes=1)
    if not errors and slot_minutes > window_minutes:
        errors.append(
            FieldError(
                "slot_minutes",
                f"时段长度 {slot_minutes} 分钟超过了对接时间窗口的 {window_minutes} 分钟。",
            )
        )
    ordered = sorted(breaks, key=lambda b: b.start)
    for position, pause in enumerate(ordered):
        field = f"breaks[{position}]"
        if pause.end <= pause.start:
            errors.append(
                FieldError(field, f"休息结束时间 {_hm(pause.end)} 必须晚于开始时间 {_hm(pause.start)}。")
            )
        elif pause.start < window_start or pause.end > window_end:
            errors.append(
                FieldError(
                    field,
                    f"休息时间 {_hm(pause.start)}–{_hm(pause.end)} 超出了对接时间窗口 "
                    f"{_hm(window_start)}–{_hm(window_end)}。",
                )
            )
        if position > 0 and pause.start < ordered[position - 1].end:
            previous = ordered[position - 1]
            errors.append(
                FieldError(
                    field,
                    f"休息时间 {_hm(pause.start)}–{_hm(pause.end)} 与 "
                    f"{_hm(previous.start)}–{_hm(previous.end)} 重叠。",
                )
            )
    if errors:
        raise ValidationFailed(errors)

    length = timedelta(minutes=slot_minutes)
    closes = datetime.combine(event_date, window_end)
    pauses = [(datetime.combine(event_date, b.start), datetime.combine(event_date, b.end)) for b in ordered]
    slots: list[Slot] = []
    cursor = datetime.combine(event_date, window_start)
    while cursor + length <= closes:
        clash = next((p for p in pauses if cursor < p[1] and p[0] < cursor + length), None)
        if clash is not None:
            cursor = clash[1]
            continue
        slots.append(Slot(index=len(slots), start=cursor, end=cursor + length))
        cursor += length
    if not slots:
        raise ValidationFailed([FieldError("breaks", "扣除休息时间后，对接时间窗口内放不下任何一个时段。")])
    return slots
