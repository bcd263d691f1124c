"""Docking-event rules that need no database: the event form, preferences from three sides, outcomes.

The time window itself (slots, breaks) is checked by ``scheduling.slots.make_slots``, which the service
calls with the draft this module produces; this module only turns typed text into typed values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any, Final

from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.domain.vocab import EVENT_STATUSES, MEETING_OUTCOMES, PREFERENCES

#: Grade of each meeting outcome as a judgement for the matcher: a signed contract is the strongest
#: evidence of a good match, an expressed intention weaker, no result says the pair did not fit.
OUTCOME_GRADES: Final = {"签约": 2, "意向": 1, "无果": 0}

_HM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_MAX_TABLES: Final = 200
_MAX_MIN_MEETINGS: Final = 20
_MAX_THEME_KEYWORDS: Final = 20
_MAX_KEYWORD_LENGTH: Final = 20


@dataclass(frozen=True)
class EventDraft:
    """A validated event form; ``breaks`` are (start, end) pairs in time order."""

    name: str
    event_date: date
    venue: str
    start_time: time
    end_time: time
    slot_minutes: int
    breaks: tuple[tuple[time, time], ...]
    tables: tuple[str, ...]
    min_meetings_per_participant: int
    #: the theme: industry fields and keywords the matcher's proposals keep to (both empty = no theme)
    theme_fields: tuple[str, ...] = ()
    theme_keywords: tuple[str, ...] = ()


def parse_hm(text: str) -> time | None:
    """``"14:00"`` or ``"9:05"`` → a time; anything else None (the caller words the error)."""
    found = _HM.match(text.strip())
    return time(int(found.group(1)), int(found.group(2))) if found else None


def parse_breaks(text: str) -> tuple[list[tuple[time, time]], str | None]:
    """Breaks typed as ``15:20-15:40`` separated by commas, spaces or new lines (– and ～ accepted too)."""
    breaks: list[tuple[time, time]] = []
    for chunk in re.split(r"[,，;；\s]+", text.strip()):
        if not chunk:
            continue
        parts = re.split(r"[-–—~～至]", chunk)
        start = parse_hm(parts[0]) if len(parts) == 2 else None
        end = parse_hm(parts[1]) if len(parts) == 2 else None
        if start is None or end is None:
            return [], f"休息时间「{chunk}」格式不对，应写成 15:20-15:40，多段用逗号分隔。"
        breaks.append((start, end))
    return breaks, None


def parse_tables(text: str) -> list[str]:
    """Table names, one per line or separated by commas; a bare number ``8`` means 1号桌…8号桌."""
    stripped = text.strip()
    if stripped.isdigit():
        return [f"{n}号桌" for n in range(1, int(stripped) + 1)]
    return [t.strip() for t in re.split(r"[,，;；\n]+", stripped) if t.strip()]


def _items(value: Any) -> list[str]:
    """Checked boxes (a list) or typed text separated by commas, 、 or new lines, without blanks or repeats."""
    parts = value if isinstance(value, list | tuple) else re.split(r"[,，、;；\n]+", str(value or ""))
    return list(dict.fromkeys(str(p).strip() for p in parts if str(p).strip()))


def parse_theme(
    values: dict[str, Any], fields: Sequence[str]
) -> tuple[list[str], list[str], list[FieldError]]:
    """The theme's fields (each one of ``fields``, the offers' and needs' vocabulary) and keywords."""
    errors: list[FieldError] = []
    chosen = _items(values.get("theme_fields"))
    unknown = [f for f in chosen if f not in fields]
    if unknown:
        errors.append(
            FieldError(
                "theme_fields", f"主题领域「{'、'.join(unknown)}」不在产业领域列表中，请从列表中勾选。"
            )
        )
    keywords = _items(values.get("theme_keywords"))
    if len(keywords) > _MAX_THEME_KEYWORDS:
        errors.append(FieldError("theme_keywords", f"主题关键词不能超过 {_MAX_THEME_KEYWORDS} 个。"))
    elif any(len(k) > _MAX_KEYWORD_LENGTH for k in keywords):
        errors.append(FieldError("theme_keywords", f"每个主题关键词不能超过 {_MAX_KEYWORD_LENGTH} 个字。"))
    return chosen, keywords, errors


def validate_event(values: dict[str, Any], fields: Sequence[str] = ()) -> EventDraft:
    """Every problem of the event form at once, each beside its field; theme fields must be among ``fields``."""
    theme_fields, theme_keywords, errors = parse_theme(values, fields)
    name = values.get("name", "").strip()
    if not name:
        errors.append(FieldError("name", "请填写对接会名称。"))
    elif len(name) > 100:
        errors.append(FieldError("name", "对接会名称不能超过 100 个字。"))
    event_date: date | None = None
    try:
        event_date = date.fromisoformat(values.get("event_date", "").strip())
    except ValueError:
        errors.append(FieldError("event_date", "请填写日期，格式如 2026-05-20。"))
    venue = values.get("venue", "").strip()
    if len(venue) > 100:
        errors.append(FieldError("venue", "地点不能超过 100 个字。"))
    start = parse_hm(values.get("start_time", ""))
    if start is None:
        errors.append(FieldError("start_time", "开始时间格式应为 14:00。"))
    end = parse_hm(values.get("end_time", ""))
    if end is None:
        errors.append(FieldError("end_time", "结束时间格式应为 17:00。"))
    slot_text = values.get("slot_minutes", "").strip()
    slot_minutes = int(slot_text) if slot_text.isdigit() else 0
    if not slot_text.isdigit() or not 5 <= slot_minutes <= 240:
        errors.append(FieldError("slot_minutes", "每场时长应为 5 到 240 之间的整数（分钟）。"))
    breaks, break_error = parse_breaks(values.get("breaks", ""))
    if break_error:
        errors.append(FieldError("breaks", break_error))
    tables = parse_tables(values.get("tables", ""))
    if not tables:
        errors.append(FieldError("tables", "请至少设置一张桌位，例如填写 6 即生成 1号桌…6号桌。"))
    elif len(tables) > _MAX_TABLES:
        errors.append(FieldError("tables", f"桌位不能超过 {_MAX_TABLES} 张。"))
    elif len(set(tables)) != len(tables):
        repeated = sorted({t for t in tables if tables.count(t) > 1})
        errors.append(FieldError("tables", f"桌位名称重复：{'、'.join(repeated)}。"))
    minimum_text = values.get("min_meetings_per_participant", "").strip() or "1"
    minimum = int(minimum_text) if minimum_text.isdigit() else -1
    if not 0 <= minimum <= _MAX_MIN_MEETINGS:
        errors.append(
            FieldError(
                "min_meetings_per_participant", f"每人最少会谈数应为 0 到 {_MAX_MIN_MEETINGS} 之间的整数。"
            )
        )
    if errors:
        raise ValidationFailed(errors)
    assert event_date is not None and start is not None and end is not None
    return EventDraft(
        name=name,
        event_date=event_date,
        venue=venue,
        start_time=start,
        end_time=end,
        slot_minutes=slot_minutes,
        breaks=tuple(sorted(breaks)),
        tables=tuple(tables),
        min_meetings_per_participant=minimum,
        theme_fields=tuple(theme_fields),
        theme_keywords=tuple(theme_keywords),
    )


def check_status(status: str) -> None:
    if status not in EVENT_STATUSES:
        raise ValidationFailed([FieldError("status", f"状态只能是{'、'.join(EVENT_STATUSES)}之一。")])


def check_preference(value: str | None, field: str = "preference") -> str | None:
    """ "" or None clears a preference; anything else must be 必须见 / 愿意见 / 不见."""
    if not value:
        return None
    if value not in PREFERENCES:
        raise ValidationFailed([FieldError(field, f"意愿只能是{'、'.join(PREFERENCES)}之一。")])
    return value


def effective_preference(*marks: str | None) -> str | None:
    """The preference the scheduler obeys, from the organizer's and both participants' marks.

    不见 from anyone wins (nobody is sent to a meeting they refused), then 必须见 from anyone, then 愿意见.
    """
    for value in ("不见", "必须见", "愿意见"):
        if value in marks:
            return value
    return None


def outcome_grade(outcome: str) -> int:
    """The judgement grade of a meeting outcome (签约 2, 意向 1, 无果 0)."""
    if outcome not in MEETING_OUTCOMES:
        raise ValidationFailed([FieldError("outcome", f"洽谈结果只能是{'、'.join(MEETING_OUTCOMES)}之一。")])
    return OUTCOME_GRADES[outcome]
