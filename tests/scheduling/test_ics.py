from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from icalendar import Calendar

from matchmaker.scheduling.ics import participant_ics
from matchmaker.scheduling.model import Meeting, Pair, Participant, Problem, Table
from matchmaker.scheduling.slots import make_slots

PROBLEM = Problem(
    slots=tuple(make_slots(date(2026, 5, 20), time(14), time(15), 20)),
    tables=(Table(1, "1号桌"), Table(2, "2号桌")),
    participants=(
        Participant(1, "张三", "researcher"),
        Participant(11, "某公司", "company"),
        Participant(12, "另一公司", "company"),
    ),
    pairs=(Pair(5, 1, 11, 0.9), Pair(6, 1, 12, 0.5)),
)
MEETINGS = (Meeting(6, 0, 2), Meeting(5, 2, 1))
STAMP = datetime(2026, 5, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _agenda(participant_id: int) -> bytes:
    return participant_ics(
        PROBLEM,
        MEETINGS,
        participant_id,
        event_key="event-3",
        event_name="溧阳技术对接会",
        venue="溧阳会展中心",
        generated_at=STAMP,
    )


def test_one_event_per_meeting_in_shanghai_time_with_counterpart_and_table():
    events = Calendar.from_ical(_agenda(1)).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["对接会谈：另一公司（2号桌）", "对接会谈：某公司（1号桌）"]
    assert [str(e["location"]) for e in events] == ["溧阳会展中心 2号桌", "溧阳会展中心 1号桌"]
    assert events[0].decoded("dtstart") == datetime(2026, 5, 20, 14, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert events[1].decoded("dtend") == datetime(2026, 5, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert events[0]["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert str(events[1]["description"]) == "溧阳技术对接会\n对方：某公司\n桌位：1号桌\n时间：14:40–15:00"


def test_calendar_carries_the_shanghai_time_zone_definition():
    zones = Calendar.from_ical(_agenda(1)).walk("VTIMEZONE")
    assert [str(z["tzid"]) for z in zones] == ["Asia/Shanghai"]


def test_uids_follow_the_pair_so_a_moved_meeting_updates_the_calendar_entry():
    events = Calendar.from_ical(_agenda(1)).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == ["event-3-pair-6@matchmaker", "event-3-pair-5@matchmaker"]


def test_same_schedule_gives_the_same_bytes():
    assert _agenda(1) == _agenda(1)


def test_company_sees_only_its_own_meeting():
    events = Calendar.from_ical(_agenda(11)).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["对接会谈：张三（1号桌）"]
