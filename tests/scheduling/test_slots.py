from datetime import date, datetime, time

import pytest

from matchmaker.domain.errors import ValidationFailed
from matchmaker.scheduling.slots import Break, Slot, make_slots

EVENT_DAY = date(2026, 5, 20)


def _starts(slots: list[Slot]) -> list[str]:
    return [s.label() for s in slots]


def test_afternoon_with_tea_break_gives_eight_twenty_minute_slots():
    slots = make_slots(EVENT_DAY, time(14), time(17), 20, [Break(time(15, 20), time(15, 40))])
    assert _starts(slots) == ["14:00", "14:20", "14:40", "15:00", "15:40", "16:00", "16:20", "16:40"]
    assert [s.index for s in slots] == [0, 1, 2, 3, 4, 5, 6, 7]
    assert slots[4] == Slot(4, datetime(2026, 5, 20, 15, 40), datetime(2026, 5, 20, 16, 0))


def test_slot_that_would_run_into_a_break_starts_after_it():
    slots = make_slots(EVENT_DAY, time(14), time(17), 20, [Break(time(15, 10), time(15, 30))])
    assert _starts(slots) == ["14:00", "14:20", "14:40", "15:30", "15:50", "16:10", "16:30"]


def test_last_slot_must_end_by_the_window_end():
    slots = make_slots(EVENT_DAY, time(9), time(10), 25)
    assert _starts(slots) == ["09:00", "09:25"]
    assert slots[-1].end == datetime(2026, 5, 20, 9, 50)


def test_window_ending_before_it_starts_is_rejected():
    with pytest.raises(ValidationFailed) as caught:
        make_slots(EVENT_DAY, time(14), time(13), 20)
    assert caught.value.by_field() == {"window_end": "结束时间 13:00 必须晚于开始时间 14:00。"}


def test_slot_longer_than_the_window_is_rejected():
    with pytest.raises(ValidationFailed) as caught:
        make_slots(EVENT_DAY, time(14), time(14, 30), 45)
    assert caught.value.by_field() == {"slot_minutes": "时段长度 45 分钟超过了对接时间窗口的 30 分钟。"}


def test_zero_minute_slots_are_rejected():
    with pytest.raises(ValidationFailed) as caught:
        make_slots(EVENT_DAY, time(14), time(17), 0)
    assert caught.value.by_field() == {"slot_minutes": "时段长度必须大于 0 分钟，现为 0 分钟。"}


def test_break_outside_the_window_is_rejected():
    with pytest.raises(ValidationFailed) as caught:
        make_slots(EVENT_DAY, time(14), time(17), 20, [Break(time(16, 50), time(17, 10))])
    assert caught.value.by_field() == {"breaks[0]": "休息时间 16:50–17:10 超出了对接时间窗口 14:00–17:00。"}


def test_break_ending_before_it_starts_is_rejected():
    with pytest.raises(ValidationFailed) as caught:
        make_slots(EVENT_DAY, time(14), time(17), 20, [Break(time(15, 40), time(15, 20))])
    assert caught.value.by_field() == {"breaks[0]": "休息结束时间 15:20 必须晚于开始时间 15:40。"}


def test_overlapping_breaks_are_rejected():
    breaks = [Break(time(15), time(15, 30)), Break(time(15, 20), time(15, 40))]
    with pytest.raises(ValidationFailed) as caught:
        make_slots(EVENT_DAY, time(14), time(17), 20, breaks)
    assert caught.value.by_field() == {"breaks[1]": "休息时间 15:20–15:40 与 15:00–15:30 重叠。"}


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValidationFailed) as caught:
        make_slots(EVENT_DAY, time(14), time(13), 0)
    assert [e.field for e in caught.value.errors] == ["slot_minutes", "window_end"]


def test_breaks_filling_the_whole_window_leave_no_slot_and_are_rejected():
    with pytest.raises(ValidationFailed) as caught:
        make_slots(EVENT_DAY, time(14), time(15), 30, [Break(time(14, 15), time(14, 45))])
    assert caught.value.by_field() == {"breaks": "扣除休息时间后，对接时间窗口内放不下任何一个时段。"}
