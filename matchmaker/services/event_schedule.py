"""Scheduling a docking event: storage rows → ``scheduling.Problem``, the solve, pins, publishing, agendas,
.ics files and, after the event, attendance and outcomes (kept as judgements for the matcher).

Storage ↔ solver mapping: a participant's id is its ``EventParticipant.id``, a pair's its ``EventPair.id``, a
table's its position in ``Event.tables`` (as ``Meeting.table_index``), a slot its index in ``slots_of(event)``.
The published schedule is kept as a snapshot in ``Event.solve_info["published"]`` so a later re-solve can be
minimal-change against it and the page can list what moved.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from matchmaker.domain.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from matchmaker.domain.events import outcome_grade
from matchmaker.domain.vocab import ATTENDANCE, MEETING_OUTCOMES, PARTICIPANT_KIND_LABELS
from matchmaker.scheduling import ics
from matchmaker.scheduling.compactness import idle_minutes
from matchmaker.scheduling.model import Meeting as Placed
from matchmaker.scheduling.model import Pair, Participant, Pin, Problem, Result, Table
from matchmaker.scheduling.slots import Slot
from matchmaker.scheduling.solver import check_pins, solve
from matchmaker.services import notifications
from matchmaker.services.events import (
    PairRow,
    can_see_agenda,
    get_event,
    mark_stale,
    meetings_of,
    own_participants,
    pair_preference,
    pair_rows,
    pairs_of,
    participants_of,
    require_editable,
    slots_of,
)
from matchmaker.services.permissions import Actor, authorize
from matchmaker.storage import audit
from matchmaker.storage.models import Event, EventPair, EventParticipant, Judgement, Meeting, Offer, User

#: Time the organizer waits in the browser; the API may ask for less.
UI_TIME_LIMIT_S = 10.0

STATUS_TEXT = {
    "optimal": "已证明最优",
    "feasible": "可行解",
    "infeasible": "无可行日程",
    "unknown": "未找到日程",
}


# ---------------------------------------------------------------- the problem


def build_problem(session: Session, event: Event, pins: list[Pin] | None = None) -> Problem:
    """The event as the solver sees it. Excluded pairs are left out; preferences are combined from the
    organizer's and both sides' marks; pins come from the meetings' pin flags unless given."""
    assert event.id is not None
    people = participants_of(session, event.id)
    pairs = [p for p in pairs_of(session, event.id) if not p.excluded]
    if pins is None:
        pins = [
            Pin(m.pair_id, m.slot if m.pinned_slot else None, m.table_index if m.pinned_table else None)
            for m in meetings_of(session, event.id)
            if m.pinned_slot or m.pinned_table
        ]
    active = {p.id for p in pairs}
    previous = tuple(
        Placed(pair_id, slot, table) for pair_id, slot, table in event.solve_info.get("published", [])
    )
    return Problem(
        slots=tuple(slots_of(event)),
        tables=tuple(Table(index, name) for index, name in enumerate(event.tables)),
        participants=tuple(
            Participant(
                p.id or 0,
                p.name,
                "company" if p.kind == "company" else "researcher",
                frozenset(p.available_slots) if p.available_slots is not None else None,
                p.cap,
                # a company's representatives form one delegation the solver keeps together in time
                group=p.company_id if p.kind == "company" else None,
            )
            for p in people
        ),
        pairs=tuple(
            Pair(
                p.id or 0,
                p.researcher_id,
                p.company_participant_id,
                p.score,
                must=pair_preference(p) == "必须见",
                accepted_request=p.source == "request",
                refused=pair_preference(p) == "不见",
            )
            for p in pairs
        ),
        pins=tuple(pin for pin in pins if pin.pair_id in active),
        min_meetings_per_participant=event.min_meetings_per_participant,
        previous=previous,
    )


# ---------------------------------------------------------------- solving


def solve_event(
    session: Session, actor: Actor, event_id: int, *, time_limit_s: float = UI_TIME_LIMIT_S
) -> Result:
    """Schedule every pair that can be placed, around the pins; minimal-change against the published
    schedule when there is one. The stored meetings become a draft until :func:`publish`."""
    authorize(actor, "event.manage")
    event = get_event(session, event_id)
    require_editable(event)
    problem = build_problem(session, event)
    if not problem.pairs:
        raise ValidationFailed([FieldError("pairs", "还没有候选配对，请先添加需求与成果的配对。")])
    result = solve(problem, time_limit_s=time_limit_s, workers=2)
    if result.status in ("infeasible", "unknown"):
        raise Conflict(
            "在当前固定安排下排不出日程：请取消部分固定的会谈后重试。"
            if result.status == "infeasible"
            else "在限定时间内没有找到日程，请减少候选配对或放宽时间后重试。"
        )
    published = {(p, s, t) for p, s, t in event.solve_info.get("published", [])}
    existing = {m.pair_id: m for m in meetings_of(session, event_id)}
    placed = {m.pair_id for m in result.meetings}
    for pair_id, meeting in existing.items():
        if pair_id not in placed:
            session.delete(meeting)
    for m in result.meetings:
        row = existing.get(m.pair_id) or Meeting(
            event_id=event_id, pair_id=m.pair_id, slot=m.slot, table_index=m.table
        )
        row.slot, row.table_index = m.slot, m.table
        row.published = (m.pair_id, m.slot, m.table) in published
        session.add(row)
    event.solve_info = {
        **{k: v for k, v in event.solve_info.items() if k == "published"},
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "gap_percent": round(result.gap * 100, 2),
        "wall_time_s": round(result.wall_time_s, 2),
        "placed": len(result.meetings),
        "unplaced": [[u.pair_id, u.code, u.reason] for u in result.unplaced],
        "moved": [[mv.pair_id, _triple(mv.old), _triple(mv.new)] for mv in result.moved],
        "solved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "stale": False,
    }
    session.add(event)
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="event",
        entity_id=event_id,
        action="schedule",
        new=f"{len(result.meetings)} 场会谈，{STATUS_TEXT[result.status]}",
        note=f"未安排 {len(result.unplaced)} 对，用时 {result.wall_time_s:.1f} 秒",
    )
    return result


def _triple(m: Placed | None) -> list[int] | None:
    return None if m is None else [m.slot, m.table]


def _meeting(session: Session, event_id: int, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.event_id != event_id:
        raise NotFound("会谈不存在")
    return meeting


def change_meeting(
    session: Session,
    actor: Actor,
    event_id: int,
    meeting_id: int,
    *,
    action: str,
    slot: int | None = None,
    table: int | None = None,
    pin_slot: bool = True,
    pin_table: bool = True,
) -> Meeting | None:
    """``pin`` (its current slot if ``pin_slot``, table if ``pin_table``), ``move`` (to ``slot`` and/or
    ``table``, which are then pinned), ``unpin``, or ``drop`` (the meeting goes and the pair is excluded).

    A pin that cannot hold with the other pins or with availability is refused with the solver's sentence
    naming the conflict. Unpinned meetings in the way of a move are taken off the grid until the re-solve.
    """
    authorize(actor, "event.manage")
    event = get_event(session, event_id)
    require_editable(event)
    meeting = _meeting(session, event_id, meeting_id)
    before = {
        "slot": meeting.slot,
        "table_index": meeting.table_index,
        "pinned_slot": meeting.pinned_slot,
        "pinned_table": meeting.pinned_table,
    }
    if action == "drop":
        pair = session.get(EventPair, meeting.pair_id)
        assert pair is not None
        pair.excluded = True
        session.add(pair)
        session.delete(meeting)
        audit.record(
            session,
            user_id=actor.id,
            username=actor.username,
            entity="meeting",
            entity_id=meeting_id,
            action="drop",
            old=f"时段 {meeting.slot} 桌 {meeting.table_index}",
            note="配对已排除",
        )
        mark_stale(event)
        session.add(event)
        return None
    if action == "unpin":
        meeting.pinned_slot = meeting.pinned_table = False
    elif action in ("pin", "move"):
        new_slot = meeting.slot if action == "pin" or slot is None else slot
        new_table = meeting.table_index if action == "pin" or table is None else table
        errors = []
        if not 0 <= new_slot < len(slots_of(event)):
            errors.append(FieldError("slot", "所选时段不存在。"))
        if not 0 <= new_table < len(event.tables):
            errors.append(FieldError("table", "所选桌位不存在。"))
        if errors:
            raise ValidationFailed(errors)
        if action == "move":
            pin_slot, pin_table = slot is not None, table is not None
        if not (pin_slot or pin_table):
            raise ValidationFailed([FieldError("slot", "请至少固定时段或桌位之一。")])
        pin_slot, pin_table = meeting.pinned_slot or pin_slot, meeting.pinned_table or pin_table
        others = [
            Pin(m.pair_id, m.slot if m.pinned_slot else None, m.table_index if m.pinned_table else None)
            for m in meetings_of(session, event_id)
            if (m.pinned_slot or m.pinned_table) and m.id != meeting_id
        ]
        mine = Pin(meeting.pair_id, new_slot if pin_slot else None, new_table if pin_table else None)
        check_pins(build_problem(session, event, pins=[*others, mine]))
        meeting.slot, meeting.table_index = new_slot, new_table
        meeting.pinned_slot, meeting.pinned_table = pin_slot, pin_table
        _clear_way(session, event_id, meeting)
    else:
        raise ValidationFailed([FieldError("action", "操作只能是 pin、move、unpin 或 drop。")])
    meeting.published = False
    session.add(meeting)
    after = {
        "slot": meeting.slot,
        "table_index": meeting.table_index,
        "pinned_slot": meeting.pinned_slot,
        "pinned_table": meeting.pinned_table,
    }
    audit.record_changes(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="meeting",
        entity_id=meeting_id,
        before=before,
        after=after,
    )
    mark_stale(event)
    session.add(event)
    return meeting


def _clear_way(session: Session, event_id: int, moved: Meeting) -> None:
    """Take unpinned meetings off the grid that now share a person or the table with ``moved``."""
    pair = session.get(EventPair, moved.pair_id)
    assert pair is not None
    people = {pair.researcher_id, pair.company_participant_id}
    for other in meetings_of(session, event_id):
        if other.id == moved.id or other.slot != moved.slot or other.pinned_slot or other.pinned_table:
            continue
        other_pair = session.get(EventPair, other.pair_id)
        assert other_pair is not None
        if other.table_index == moved.table_index or people & {
            other_pair.researcher_id,
            other_pair.company_participant_id,
        }:
            session.delete(other)


# ---------------------------------------------------------------- publishing


def publish(session: Session, actor: Actor, event_id: int) -> int:
    """Publish the current schedule; notify every participant on first publication, and afterwards only
    those whose meetings changed. Returns how many people were notified."""
    authorize(actor, "event.manage")
    event = get_event(session, event_id)
    require_editable(event)
    meetings = meetings_of(session, event_id)
    if not meetings:
        raise ValidationFailed([FieldError("schedule", "还没有日程，请先排程。")])
    old = {p: (s, t) for p, s, t in event.solve_info.get("published", [])}
    new = {m.pair_id: (m.slot, m.table_index) for m in meetings}
    first = "published" not in event.solve_info
    changed_pairs = {p for p in old.keys() | new.keys() if old.get(p) != new.get(p)}
    pairs = {p.id: p for p in pairs_of(session, event_id)}
    people = {p.id: p for p in participants_of(session, event_id)}
    affected: set[int] = set()
    for pair_id in new.keys() if first else changed_pairs:
        pair = pairs[pair_id]
        affected.update((pair.researcher_id, pair.company_participant_id))
    for meeting in meetings:
        meeting.published = True
        session.add(meeting)
    event.solve_info = {
        **event.solve_info,
        "published": [[m.pair_id, m.slot, m.table_index] for m in meetings],
    }
    if event.status == "筹备":
        audit.record(
            session,
            user_id=actor.id,
            username=actor.username,
            entity="event",
            entity_id=event_id,
            action="status",
            field="status",
            old=event.status,
            new="已发布",
        )
        event.status = "已发布"
    session.add(event)
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="event",
        entity_id=event_id,
        action="publish",
        new=f"{len(meetings)} 场会谈",
        note=f"变动 {len(changed_pairs)} 场" if not first else "",
    )
    notified: set[int] = set()
    text = (
        f"「{event.name}」会谈日程已发布，请查看您的日程。"
        if first
        else f"「{event.name}」日程有调整，您的会谈时间或桌位已变动，请查看最新日程。"
    )
    for person_id in sorted(affected):
        for user_id in _users_of(session, people[person_id]):
            if user_id not in notified:
                notifications.notify(session, user_id, text, "/my/events")
                notified.add(user_id)
    return len(notified)


def _users_of(session: Session, person: EventParticipant) -> list[int]:
    """The accounts to tell: the participant's own account, or every account of the company it stands for."""
    if person.user_id is not None:
        return [person.user_id]
    if person.company_id is not None:
        stmt = select(User.id).where(User.role == "sme", User.company_id == person.company_id)
        return [uid for uid in session.exec(stmt) if uid is not None]
    return []


# ---------------------------------------------------------------- reading the schedule


@dataclass(frozen=True)
class Entry:
    """One meeting with everything a grid cell, an agenda line or an export row needs."""

    meeting: Meeting
    slot: Slot
    table: str
    researcher: str
    company: str
    offer_title: str
    need_title: str
    researcher_id: int
    company_id: int


def entries(session: Session, event: Event) -> list[Entry]:
    from matchmaker.services.events import pair_rows

    assert event.id is not None
    slots = slots_of(event)
    rows = {r.pair.id: r for r in pair_rows(session, event.id)}
    out = []
    for m in meetings_of(session, event.id):
        row = rows[m.pair_id]
        out.append(
            Entry(
                m,
                slots[m.slot],
                event.tables[m.table_index],
                row.researcher,
                row.company,
                row.offer_title,
                row.need_title,
                row.pair.researcher_id,
                row.pair.company_participant_id,
            )
        )
    return out


@dataclass
class ScheduleView:
    """The schedule page: grid[slot index][table index] → Entry or None, and the last solve's report."""

    slots: list[Slot]
    tables: list[str]
    grid: list[list[Entry | None]]
    info: dict[str, Any]
    unplaced: list[tuple[str, str]]
    unplaced_by_reason: dict[str, int]
    moved: list[str]
    draft: bool
    meeting_count: int
    #: idle minutes between first and last meeting, over participants with two or more: (mean, max, who)
    idle: tuple[float, int, str] | None = None


def idle_summary(session: Session, event: Event) -> tuple[float, int, str] | None:
    """How long people wait between their meetings in the current schedule (moves by hand included)."""
    assert event.id is not None
    problem = build_problem(session, event, pins=[])
    rows = [m for m in meetings_of(session, event.id) if m.pair_id in problem.pairs_by_id]
    placed = [Placed(m.pair_id, m.slot, m.table_index) for m in rows]
    count: dict[int, int] = defaultdict(int)
    for m in placed:
        pair = problem.pairs_by_id[m.pair_id]
        count[pair.a] += 1
        count[pair.b] += 1
    minutes = idle_minutes(problem, placed)
    several = {person: minutes[person] for person, n in count.items() if n >= 2}
    if not several:
        return None
    worst = max(several, key=lambda person: (several[person], -person))
    mean = sum(several.values()) / len(several)
    return round(mean, 1), several[worst], problem.participants_by_id[worst].name


def schedule_view(session: Session, event: Event) -> ScheduleView:
    from matchmaker.services.events import pair_rows

    assert event.id is not None
    slots = slots_of(event)
    grid: list[list[Entry | None]] = [[None] * len(event.tables) for _ in slots]
    items = entries(session, event)
    for e in items:
        grid[e.meeting.slot][e.meeting.table_index] = e
    rows = {r.pair.id: r for r in pair_rows(session, event.id)}
    info = dict(event.solve_info)

    def label(pair_id: int) -> str:
        row = rows.get(pair_id)
        return f"{row.researcher}—{row.company}" if row else f"配对 {pair_id}"

    def where(cell: list[int] | None) -> str:
        if cell is None:
            return "未安排"
        slot, table = cell
        return (
            f"{slots[slot].label()} {event.tables[table]}"
            if slot < len(slots) and table < len(event.tables)
            else "（已不存在的位置）"
        )

    unplaced = [(label(pair_id), reason) for pair_id, _code, reason in info.get("unplaced", [])]
    by_reason: dict[str, int] = defaultdict(int)
    for _label, reason in unplaced:
        by_reason[reason] += 1
    moved = [f"{label(pair_id)}：{where(old)} → {where(new)}" for pair_id, old, new in info.get("moved", [])]
    draft = any(not e.meeting.published for e in items) or (
        "published" in info and len(info["published"]) != len(items)
    )
    return ScheduleView(
        slots,
        list(event.tables),
        grid,
        info,
        unplaced,
        dict(by_reason),
        moved,
        draft,
        len(items),
        idle_summary(session, event) if items else None,
    )


def schedule_table(session: Session, event: Event) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of the schedule export (.xlsx / .csv)."""
    headers = [
        "时间",
        "结束",
        "桌位",
        "科研人员",
        "企业",
        "专利成果",
        "技术需求",
        "固定",
        "已发布",
        "到场",
        "洽谈结果",
        "备注",
    ]
    rows = [
        [
            e.slot.label(),
            e.slot.end.strftime("%H:%M"),
            e.table,
            e.researcher,
            e.company,
            e.offer_title,
            e.need_title,
            "是" if e.meeting.pinned_slot or e.meeting.pinned_table else "",
            "是" if e.meeting.published else "否",
            e.meeting.attendance or "",
            e.meeting.outcome or "",
            e.meeting.note,
        ]
        for e in entries(session, event)
    ]
    return headers, rows


@dataclass(frozen=True)
class Agenda:
    """One printable agenda: a participant's or a table's meetings in time order."""

    title: str
    subtitle: str
    lines: list[tuple[str, str, str, str]]  # time, table or participant, counterpart, topic
    participant_id: int | None = None


def participant_agenda(session: Session, event: Event, person: EventParticipant) -> Agenda:
    lines = []
    for e in entries(session, event):
        if person.id not in (e.researcher_id, e.company_id):
            continue
        mine_is_researcher = person.id == e.researcher_id
        counterpart = e.company if mine_is_researcher else e.researcher
        topic = f"{e.offer_title} ↔ {e.need_title}"
        lines.append((f"{e.slot.label()}–{e.slot.end:%H:%M}", e.table, counterpart, topic))
    kind = PARTICIPANT_KIND_LABELS.get(person.kind, person.kind)
    return Agenda(person.name, kind, lines, person.id)


def table_agenda(event: Event, items: list[Entry], table_index: int) -> Agenda:
    lines = [
        (f"{e.slot.label()}–{e.slot.end:%H:%M}", e.researcher, e.company, f"{e.offer_title} ↔ {e.need_title}")
        for e in items
        if e.meeting.table_index == table_index
    ]
    return Agenda(event.tables[table_index], "桌位", lines)


def all_agendas(session: Session, event: Event, by: str) -> list[Agenda]:
    """Every participant's agenda (``by="participant"``) or every table's (``by="table"``), for one print run."""
    assert event.id is not None
    if by == "table":
        items = entries(session, event)
        return [table_agenda(event, items, index) for index in range(len(event.tables))]
    return [participant_agenda(session, event, p) for p in participants_of(session, event.id)]


@dataclass(frozen=True)
class MyEvent:
    """One card of 我的对接会: the event, the participant row that stands for the viewer, their agenda and the
    pairs they may mark (``side`` names the preference column that is theirs)."""

    event: Event
    person: EventParticipant
    agenda: Agenda
    published: bool
    pairs: list[PairRow]
    side: str


def my_events(session: Session, actor: Actor) -> list[MyEvent]:
    cards = []
    for person in own_participants(session, actor):
        event = get_event(session, person.event_id)
        mine = [
            r
            for r in pair_rows(session, event.id or 0)
            if person.id in (r.pair.researcher_id, r.pair.company_participant_id) and not r.pair.excluded
        ]
        cards.append(
            MyEvent(
                event=event,
                person=person,
                agenda=participant_agenda(session, event, person),
                published=event.status != "筹备",
                pairs=mine,
                side="company_preference" if person.kind == "company" else "researcher_preference",
            )
        )
    return cards


def get_participant(session: Session, event_id: int, participant_id: int) -> EventParticipant:
    person = session.get(EventParticipant, participant_id)
    if person is None or person.event_id != event_id:
        raise NotFound("参会人不存在")
    return person


def agenda_reader(
    session: Session, actor: Actor, event_id: int, participant_id: int, *, doing: str = "查看"
) -> EventParticipant:
    """The participant whose agenda ``actor`` asks for, if they may read it (it is theirs, or they organize);
    ``doing`` words the refusal (查看 / 下载)."""
    person = get_participant(session, event_id, participant_id)
    if not can_see_agenda(session, actor, person):
        raise PermissionDenied(f"只能{doing}自己的日程")
    return person


def participant_calendar(session: Session, event: Event, person: EventParticipant) -> bytes:
    """The participant's meetings as an .ics file (Asia/Shanghai), stable across downloads of one schedule."""
    assert event.id is not None and person.id is not None
    problem = build_problem(session, event)
    known = {p.id for p in problem.pairs}
    placed = [
        Placed(m.pair_id, m.slot, m.table_index) for m in meetings_of(session, event.id) if m.pair_id in known
    ]
    stamp = (
        datetime.fromisoformat(event.solve_info["solved_at"])
        if "solved_at" in event.solve_info
        else datetime.combine(event.event_date, datetime.min.time())
    )
    return ics.participant_ics(
        problem,
        placed,
        person.id,
        event_key=f"event-{event.id}",
        event_name=event.name,
        venue=event.venue,
        generated_at=stamp,
    )


# ---------------------------------------------------------------- after the event


def record_outcomes(
    session: Session, actor: Actor, event_id: int, entries_by_meeting: dict[int, tuple[str, str, str]]
) -> int:
    """Attendance, outcome and note per meeting; each outcome kept as a judgement (source "meeting") for the
    matcher, one per need↔offer pair and updated when the outcome changes. Returns meetings changed."""
    authorize(actor, "event.manage")
    authorize(actor, "judgement.create")
    event = get_event(session, event_id)
    if event.status == "筹备":
        raise Conflict("日程发布后才能登记到场与洽谈结果")
    meetings = {m.id: m for m in meetings_of(session, event_id)}
    errors: list[FieldError] = []
    for meeting_id, (attendance, outcome, note) in sorted(entries_by_meeting.items()):
        if meeting_id not in meetings:
            errors.append(FieldError(f"meeting_{meeting_id}", f"会谈 {meeting_id} 不属于本对接会。"))
            continue
        if attendance and attendance not in ATTENDANCE:
            errors.append(FieldError(f"attendance_{meeting_id}", "到场情况只能是到场或缺席。"))
        if outcome and outcome not in MEETING_OUTCOMES:
            errors.append(FieldError(f"outcome_{meeting_id}", "洽谈结果只能是意向、签约或无果。"))
        if outcome and attendance == "缺席":
            errors.append(FieldError(f"outcome_{meeting_id}", "缺席的会谈不能填写洽谈结果。"))
        if len(note) > 500:
            errors.append(FieldError(f"note_{meeting_id}", "备注不能超过 500 个字。"))
    if errors:
        raise ValidationFailed(errors)
    changed = 0
    for meeting_id, (attendance, outcome, note) in sorted(entries_by_meeting.items()):
        meeting = meetings[meeting_id]
        before = {"attendance": meeting.attendance, "outcome": meeting.outcome, "note": meeting.note}
        after = {"attendance": attendance or None, "outcome": outcome or None, "note": note}
        if not audit.record_changes(
            session,
            user_id=actor.id,
            username=actor.username,
            entity="meeting",
            entity_id=meeting_id,
            before=before,
            after=after,
        ):
            continue
        changed += 1
        meeting.attendance, meeting.outcome, meeting.note = after["attendance"], after["outcome"], note
        session.add(meeting)
        if outcome and outcome != before["outcome"]:
            judge_outcome(session, actor, meeting, outcome, note)
            if outcome == "签约":
                _ask_bureau_to_register(session, event, meeting)
    return changed


def _ask_bureau_to_register(session: Session, event: Event, meeting: Meeting) -> None:
    """A 签约 at an event is a contract the bureau has yet to record (organizers may not): tell every active
    bureau account, with a link to the contract form filled from the meeting."""
    pair = session.get(EventPair, meeting.pair_id)
    offer = session.get(Offer, pair.offer_id) if pair is not None and pair.offer_id is not None else None
    about = f"「{offer.title}」" if offer is not None else f"会谈 {meeting.id}"
    text = f"对接会「{event.name}」上{about}已签约，请登记技术合同"
    for user in session.exec(select(User).where(User.role == "bureau", User.is_active == True)):
        assert user.id is not None
        notifications.notify(session, user.id, text, f"/contracts/new?meeting={meeting.id}")


def judge_outcome(session: Session, actor: Actor, meeting: Meeting, outcome: str, note: str) -> None:
    """A meeting's outcome as the matcher's judgement of its need↔offer pair (one per pair, updated), audited."""
    pair = session.get(EventPair, meeting.pair_id)
    if pair is None or pair.need_id is None or pair.offer_id is None:
        return  # a request without a need has nothing for the matcher to learn from
    stmt = (
        select(Judgement)
        .where(
            Judgement.need_id == pair.need_id,
            Judgement.offer_id == pair.offer_id,
            Judgement.source == "meeting",
        )
        .order_by(col(Judgement.id).desc())
    )
    judgement = session.exec(stmt).first() or Judgement(
        need_id=pair.need_id, offer_id=pair.offer_id, label=outcome, grade=0, source="meeting"
    )
    judgement.label, judgement.grade, judgement.note = outcome, outcome_grade(outcome), note[:500]
    judgement.user_id = actor.id
    session.add(judgement)
    session.flush()
    assert judgement.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="judgement",
        entity_id=judgement.id,
        action="create",
        new=f"{outcome}（{outcome_grade(outcome)}）",
        note=f"会谈 {meeting.id}",
    )
