"""One participant's agenda as an iCalendar file (RFC 5545).

Times are written with ``TZID=Asia/Shanghai`` and the matching VTIMEZONE, so calendar apps abroad show the
right hour. Each meeting's UID is built from the event and the *pair*, not the slot: when a re-solve moves a
meeting, importing the new file updates the old entry instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from matchmaker.domain.local_time import LOCAL_ZONE
from matchmaker.scheduling.model import Meeting, Problem

EVENT_TIME_ZONE = LOCAL_ZONE.key


def participant_ics(
    problem: Problem,
    meetings: Sequence[Meeting],
    participant_id: int,
    *,
    event_key: str,
    event_name: str,
    venue: str,
    generated_at: datetime,
) -> bytes:
    """Calendar of ``participant_id``'s meetings, in slot order.

    ``event_key`` (e.g. ``"event-12"``) makes UIDs unique across events; ``generated_at`` is the DTSTAMP,
    passed in so the same schedule always gives the same bytes (naive = event time).
    """
    zone = LOCAL_ZONE
    stamp = generated_at if generated_at.tzinfo is not None else generated_at.replace(tzinfo=zone)
    slots = {s.index: s for s in problem.slots}
    tables = {t.id: t.name for t in problem.tables}
    names = problem.participants_by_id
    me = names[participant_id]
    calendar = Calendar()
    calendar.add("prodid", "-//matchmaker//溧阳技术转移对接会//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{event_name}·{me.name}的日程")
    calendar.add_component(Timezone.from_tzid(EVENT_TIME_ZONE))
    own = [
        m
        for m in meetings
        if participant_id in (problem.pairs_by_id[m.pair_id].a, problem.pairs_by_id[m.pair_id].b)
    ]
    for meeting in sorted(own, key=lambda m: (m.slot, m.pair_id)):
        pair = problem.pairs_by_id[meeting.pair_id]
        counterpart = names[pair.b if pair.a == participant_id else pair.a]
        slot = slots[meeting.slot]
        table = tables[meeting.table]
        entry = Event()
        entry.add("uid", f"{event_key}-pair-{pair.id}@matchmaker")
        entry.add("dtstamp", stamp.astimezone(ZoneInfo("UTC")))
        entry.add("dtstart", slot.start.replace(tzinfo=zone))
        entry.add("dtend", slot.end.replace(tzinfo=zone))
        entry.add("summary", f"对接会谈：{counterpart.name}（{table}）")
        entry.add("location", f"{venue} {table}".strip())
        entry.add(
            "description",
            f"{event_name}\n对方：{counterpart.name}\n桌位：{table}\n时间：{slot.label()}–{slot.end:%H:%M}",
        )
        calendar.add_component(entry)
    return bytes(calendar.to_ical())


def meeting_ics(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    summary: str,
    location: str,
    description: str,
    stamp: datetime,
) -> bytes:
    """One meeting agreed outside an event (naive ``start``/``end`` = Asia/Shanghai wall-clock time)."""
    zone = LOCAL_ZONE
    calendar = Calendar()
    calendar.add("prodid", "-//matchmaker//溧阳技术转移会谈//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add_component(Timezone.from_tzid(EVENT_TIME_ZONE))
    entry = Event()
    entry.add("uid", uid)
    entry.add("dtstamp", (stamp if stamp.tzinfo else stamp.replace(tzinfo=zone)).astimezone(ZoneInfo("UTC")))
    entry.add("dtstart", start.replace(tzinfo=zone))
    entry.add("dtend", end.replace(tzinfo=zone))
    entry.add("summary", summary)
    entry.add("location", location)
    entry.add("description", description)
    calendar.add_component(entry)
    return bytes(calendar.to_ical())
