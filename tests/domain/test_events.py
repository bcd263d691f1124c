"""Pure rules of docking events: the event form, combined preferences and outcome grades."""

from __future__ import annotations

from datetime import date, time

import pytest

from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.events import (
    effective_preference,
    outcome_grade,
    parse_breaks,
    parse_tables,
    validate_event,
)

FORM = {
    "name": "动力电池专场",
    "event_date": "2026-05-20",
    "venue": "科创中心",
    "start_time": "14:00",
    "end_time": "17:00",
    "slot_minutes": "20",
    "breaks": "15:20-15:40",
    "tables": "3",
    "min_meetings_per_participant": "1",
}


def test_a_complete_form_becomes_a_draft_with_typed_values() -> None:
    draft = validate_event(FORM)
    assert (draft.event_date, draft.start_time, draft.breaks, draft.tables) == (
        date(2026, 5, 20),
        time(14, 0),
        ((time(15, 20), time(15, 40)),),
        ("1号桌", "2号桌", "3号桌"),
    )


def test_every_bad_field_is_reported_at_once_beside_its_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_event({**FORM, "name": "", "start_time": "25:00", "slot_minutes": "0", "tables": ""})
    assert sorted(caught.value.by_field()) == ["name", "slot_minutes", "start_time", "tables"]


def test_repeated_table_names_are_refused_with_the_names() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_event({**FORM, "tables": "1号桌\n2号桌\n1号桌"})
    assert caught.value.by_field()["tables"] == "桌位名称重复：1号桌。"


def test_breaks_accept_chinese_punctuation_and_dashes() -> None:
    assert parse_breaks("15:20–15:40，16:20-16:30") == (
        [(time(15, 20), time(15, 40)), (time(16, 20), time(16, 30))],
        None,
    )


def test_a_malformed_break_names_the_piece_that_is_wrong() -> None:
    assert parse_breaks("15:20")[1] == "休息时间「15:20」格式不对，应写成 15:20-15:40，多段用逗号分隔。"


def test_tables_are_named_lines_or_a_count() -> None:
    assert (parse_tables("A桌, B桌"), parse_tables("2")) == (["A桌", "B桌"], ["1号桌", "2号桌"])


def test_a_refusal_from_anyone_wins_over_a_must_meet() -> None:
    assert effective_preference("必须见", None, "不见") == "不见"


def test_a_must_meet_from_one_side_wins_over_willing() -> None:
    assert effective_preference(None, "愿意见", "必须见") == "必须见"


def test_no_marks_mean_no_preference() -> None:
    assert effective_preference(None, None, None) is None


def test_outcomes_grade_signed_two_intent_one_nothing_zero() -> None:
    assert [outcome_grade(o) for o in ("签约", "意向", "无果")] == [2, 1, 0]
