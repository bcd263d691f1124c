"""Docking events: the event itself, its participants and its candidate pairs, and participants' preferences.

Scheduling, agendas and outcomes are in ``event_schedule.py``; the matcher's proposals in
``event_proposals.py``. Every write is authorised (``event.manage``, or ``event.preference`` for a participant
marking their own pairs) and audited in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import time
from typing import Any, Protocol

from sqlmodel import Session, col, select

from matchmaker.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from matchmaker.domain.events import (
    EventDraft,
    check_preference,
    check_status,
    effective_preference,
    validate_event,
)
from matchmaker.domain.vocab import OPEN_NEED_STATUSES, PUBLISHED_OFFER_STATUSES
from matchmaker.matching.overlap import overlap_score
from matchmaker.scheduling.slots import Break, Slot, make_slots
from matchmaker.services import requests as request_service
from matchmaker.services import versions
from matchmaker.services.match_index import need_doc, offer_doc
from matchmaker.services.permissions import Actor, authorize
from matchmaker.storage import audit, models
from matchmaker.storage.models import (
    Company,
    EventPair,
    EventParticipant,
    Institution,
    Meeting,
    Need,
    Offer,
    User,
)

#: The event row services hand out; pages name its type through here, never through storage.
Event = models.Event

#: Fields of the event form, in the order the form shows them.
EVENT_FIELDS = (
    "name",
    "event_date",
    "venue",
    "start_time",
    "end_time",
    "slot_minutes",
    "breaks",
    "tables",
    "min_meetings_per_participant",
    "theme_fields",
    "theme_keywords",
)

#: What a stale-edit message calls each field of the event form.
EVENT_LABELS = {
    "name": "名称", "event_date": "日期", "venue": "地点", "start_time": "开始时间", "end_time": "结束时间",
    "slot_minutes": "每场分钟数", "breaks": "休息时段", "tables": "洽谈桌", "min_meetings_per_participant": "每人至少会谈",
    "theme_fields": "主题领域", "theme_keywords": "主题关键词",
}  # fmt: skip


# ---------------------------------------------------------------- the event


def slots_of(event: Event) -> list[Slot]:
    """The event's slots; stored events were validated when saved, so this does not fail on them."""
    breaks = [Break(time.fromisoformat(b0), time.fromisoformat(b1)) for b0, b1 in event.breaks]
    return make_slots(
        event.event_date,
        time.fromisoformat(event.start_time),
        time.fromisoformat(event.end_time),
        event.slot_minutes,
        breaks,
    )


def _checked_draft(values: dict[str, Any], fields: Sequence[str]) -> EventDraft:
    """The form, then the window cut into slots; the slot cutter's field names mapped onto the form's."""
    draft = validate_event(values, fields)
    try:
        make_slots(
            draft.event_date,
            draft.start_time,
            draft.end_time,
            draft.slot_minutes,
            [Break(start, end) for start, end in draft.breaks],
        )
    except ValidationFailed as exc:
        renamed = {"window_end": "end_time", "slot_minutes": "slot_minutes"}
        raise ValidationFailed(
            [
                FieldError(
                    renamed.get(e.field, "breaks" if e.field.startswith("breaks") else e.field), e.message
                )
                for e in exc.errors
            ]
        ) from exc
    return draft


def _columns(draft: EventDraft) -> dict[str, Any]:
    return {
        "name": draft.name,
        "event_date": draft.event_date,
        "venue": draft.venue,
        "start_time": draft.start_time.strftime("%H:%M"),
        "end_time": draft.end_time.strftime("%H:%M"),
        "slot_minutes": draft.slot_minutes,
        "breaks": [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in draft.breaks],
        "tables": list(draft.tables),
        "min_meetings_per_participant": draft.min_meetings_per_participant,
        "theme_fields": list(draft.theme_fields),
        "theme_keywords": list(draft.theme_keywords),
    }


def form_values(event: Event) -> dict[str, Any]:
    """The stored event as the form shows it."""
    return {
        "version": str(event.version),
        "name": event.name,
        "event_date": event.event_date.isoformat(),
        "venue": event.venue,
        "start_time": event.start_time,
        "end_time": event.end_time,
        "slot_minutes": str(event.slot_minutes),
        "breaks": ", ".join(f"{a}-{b}" for a, b in event.breaks),
        "tables": "\n".join(event.tables),
        "min_meetings_per_participant": str(event.min_meetings_per_participant),
        "theme_fields": list(event.theme_fields),
        "theme_keywords": "、".join(event.theme_keywords),
    }


def as_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "version": event.version,
        "name": event.name,
        "event_date": event.event_date.isoformat(),
        "venue": event.venue,
        "start_time": event.start_time,
        "end_time": event.end_time,
        "slot_minutes": event.slot_minutes,
        "breaks": event.breaks,
        "tables": event.tables,
        "status": event.status,
        "min_meetings_per_participant": event.min_meetings_per_participant,
        "theme_fields": list(event.theme_fields),
        "theme_keywords": list(event.theme_keywords),
        "slots": [
            {"index": s.index, "start": s.label(), "end": s.end.strftime("%H:%M")} for s in slots_of(event)
        ],
    }


def list_events(session: Session, status: str = "") -> list[Event]:
    stmt = select(Event).order_by(col(Event.event_date).desc(), col(Event.id).desc())
    if status:
        stmt = stmt.where(Event.status == status)
    return list(session.exec(stmt))


def get_event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound("对接会不存在")
    return event


def create_event(
    session: Session, actor: Actor, values: dict[str, Any], *, fields: Sequence[str] = ()
) -> Event:
    """A new event from the form; its theme fields must be among ``fields`` (the reference field list)."""
    authorize(actor, "event.manage")
    draft = _checked_draft(values, fields)
    event = Event(**_columns(draft), status="筹备", created_by=actor.id)
    session.add(event)
    session.flush()
    assert event.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="event",
        entity_id=event.id,
        action="create",
        new=event.name,
    )
    return event


def update_event(
    session: Session, actor: Actor, event_id: int, values: dict[str, Any], *, fields: Sequence[str] = ()
) -> Event:
    """Save the form. Meetings that no longer fit (a slot or table that is gone) are removed and the
    schedule is marked for re-solving; availability is trimmed to the slots that still exist."""
    authorize(actor, "event.manage")
    event = get_event(session, event_id)
    draft = _checked_draft(values, fields)
    before = {k: getattr(event, k) for k in _columns(draft)}
    versions.check(
        session, event, versions.submitted_version(values), entity="event", noun="对接会",
        current=before, mine=_columns(draft), labels=EVENT_LABELS,
    )  # fmt: skip
    for name, value in _columns(draft).items():
        setattr(event, name, value)
    slot_count, table_count = len(slots_of(event)), len(event.tables)
    changed = audit.record_changes(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="event",
        entity_id=event_id,
        before=before,
        after=_columns(draft),
    )
    if {"start_time", "end_time", "slot_minutes", "breaks", "tables", "event_date"} & set(changed):
        for meeting in meetings_of(session, event_id):
            if meeting.slot >= slot_count or meeting.table_index >= table_count:
                session.delete(meeting)
        for person in participants_of(session, event_id):
            if person.available_slots is not None:
                person.available_slots = [s for s in person.available_slots if s < slot_count]
                session.add(person)
        mark_stale(event)
    session.add(event)
    return event


def set_status(session: Session, actor: Actor, event_id: int, status: str) -> Event:
    authorize(actor, "event.manage")
    check_status(status)
    event = get_event(session, event_id)
    if event.status != status:
        audit.record(
            session,
            user_id=actor.id,
            username=actor.username,
            entity="event",
            entity_id=event_id,
            action="status",
            field="status",
            old=event.status,
            new=status,
        )
        event.status = status
        session.add(event)
    return event


def mark_stale(event: Event) -> None:
    """The stored schedule no longer reflects the event's inputs: the page asks for a re-solve."""
    info = dict(event.solve_info)
    info["stale"] = True
    event.solve_info = info


def require_editable(event: Event) -> None:
    if event.status == "已结束":
        raise Conflict("对接会已结束，日程不能再修改")


# ---------------------------------------------------------------- participants


def participants_of(session: Session, event_id: int) -> list[EventParticipant]:
    stmt = (
        select(EventParticipant)
        .where(EventParticipant.event_id == event_id)
        .order_by(col(EventParticipant.kind).desc(), col(EventParticipant.id))
    )
    return list(session.exec(stmt))


def meetings_of(session: Session, event_id: int) -> list[Meeting]:
    stmt = (
        select(Meeting)
        .where(Meeting.event_id == event_id)
        .order_by(col(Meeting.slot), col(Meeting.table_index))
    )
    return list(session.exec(stmt))


def update_participant(
    session: Session,
    actor: Actor,
    event_id: int,
    participant_id: int,
    *,
    available_slots: Sequence[int] | None,
    cap: int | None,
    name: str | None = None,
) -> EventParticipant:
    """Availability (None = every slot) and the optional cap on meetings for one participant."""
    authorize(actor, "event.manage")
    event = get_event(session, event_id)
    person = session.get(EventParticipant, participant_id)
    if person is None or person.event_id != event_id:
        raise NotFound("参会人不存在")
    slot_count = len(slots_of(event))
    errors: list[FieldError] = []
    chosen = sorted(set(available_slots)) if available_slots is not None else None
    if chosen is not None and any(not 0 <= s < slot_count for s in chosen):
        errors.append(FieldError("available_slots", "所选时段不存在。"))
    if cap is not None and not 0 <= cap <= slot_count:
        errors.append(FieldError("cap", f"会谈上限应为 0 到 {slot_count} 之间的整数，留空表示不限。"))
    if name is not None and not 1 <= len(name.strip()) <= 50:
        errors.append(FieldError("name", "姓名/名称应为 1 到 50 个字。"))
    if errors:
        raise ValidationFailed(errors)
    if chosen is not None and len(chosen) == slot_count:
        chosen = None
    before = {"available_slots": person.available_slots, "cap": person.cap, "name": person.name}
    person.available_slots = chosen
    person.cap = cap
    if name is not None:
        person.name = name.strip()
    after = {"available_slots": person.available_slots, "cap": person.cap, "name": person.name}
    if audit.record_changes(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="event_participant",
        entity_id=participant_id,
        before=before,
        after=after,
    ):
        mark_stale(event)
        session.add(event)
    session.add(person)
    return person


def _researcher_user(session: Session, offer: Offer, chosen_user_id: int | None) -> User | None:
    """Who represents an offer: the chosen researcher, else the one who created it, else the institution's
    first researcher account; None when the institution has no account (a nameless contact then)."""
    if chosen_user_id is not None:
        user = session.get(User, chosen_user_id)
        if user is None or user.role != "researcher" or user.institution_id != offer.institution_id:
            raise ValidationFailed([FieldError("researcher_user_id", "所选科研人员不属于该成果的单位。")])
        return user
    if offer.created_by is not None:
        creator = session.get(User, offer.created_by)
        if creator is not None and creator.role == "researcher":
            return creator
    stmt = (
        select(User)
        .where(User.role == "researcher", User.institution_id == offer.institution_id, User.is_active == True)
        .order_by(col(User.id))
    )
    return session.exec(stmt).first()


def _researcher(
    session: Session, event_id: int, offer: Offer, chosen_user_id: int | None
) -> EventParticipant:
    user = _researcher_user(session, offer, chosen_user_id)
    stmt = select(EventParticipant).where(
        EventParticipant.event_id == event_id, EventParticipant.kind == "researcher"
    )
    if user is not None:
        stmt = stmt.where(EventParticipant.user_id == user.id)
    else:
        stmt = stmt.where(
            EventParticipant.user_id == None, EventParticipant.institution_id == offer.institution_id
        )
    found = session.exec(stmt).first()
    if found is not None:
        return found
    institution = session.get(Institution, offer.institution_id)
    short = institution.short_name or institution.canonical_name if institution else ""
    name = user.display_name if user is not None else f"{short}成果联系人"
    person = EventParticipant(
        event_id=event_id,
        user_id=user.id if user else None,
        name=name[:50],
        kind="researcher",
        institution_id=offer.institution_id,
    )
    session.add(person)
    session.flush()
    return person


def company_participant(session: Session, event_id: int, company_id: int) -> EventParticipant:
    """The event's participant for a company (created the first time), for pairs without a need."""
    return _company(session, event_id, company_id, None)


def _company(session: Session, event_id: int, company_id: int, need: Need | None) -> EventParticipant:
    stmt = select(EventParticipant).where(
        EventParticipant.event_id == event_id,
        EventParticipant.kind == "company",
        EventParticipant.company_id == company_id,
    )
    found = session.exec(stmt).first()
    if found is not None:
        return found
    company = session.get(Company, company_id)
    if company is None:
        raise ValidationFailed([FieldError("company_id", "企业不存在。")])
    representative = session.get(User, need.created_by) if need is not None and need.created_by else None
    if representative is None or representative.role != "sme":
        representative = session.exec(
            select(User).where(User.role == "sme", User.company_id == company_id).order_by(col(User.id))
        ).first()
    person = EventParticipant(
        event_id=event_id,
        user_id=representative.id if representative else None,
        name=company.name[:50],
        kind="company",
        company_id=company_id,
    )
    session.add(person)
    session.flush()
    return person


# ---------------------------------------------------------------- candidate pairs


@dataclass
class PairRow:
    """One candidate pair as the pair table and the API show it."""

    pair: EventPair
    offer_title: str
    need_title: str
    researcher: str
    company: str
    preference: str | None
    meeting: Meeting | None = None
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        p = self.pair
        return {
            "id": p.id,
            "offer_id": p.offer_id,
            "need_id": p.need_id,
            "offer_title": self.offer_title,
            "need_title": self.need_title,
            "researcher_participant_id": p.researcher_id,
            "company_participant_id": p.company_participant_id,
            "researcher": self.researcher,
            "company": self.company,
            "score": round(p.score, 3),
            "reasons": self.reasons,
            "source": p.source,
            "excluded": p.excluded,
            "preference": p.preference,
            "researcher_preference": p.researcher_preference,
            "company_preference": p.company_preference,
            "effective_preference": self.preference,
        }


def pair_preference(pair: EventPair) -> str | None:
    return effective_preference(pair.preference, pair.researcher_preference, pair.company_preference)


def pairs_of(session: Session, event_id: int) -> list[EventPair]:
    return list(
        session.exec(select(EventPair).where(EventPair.event_id == event_id).order_by(col(EventPair.id)))
    )


def pair_rows(session: Session, event_id: int) -> list[PairRow]:
    pairs = pairs_of(session, event_id)
    people = {p.id: p for p in participants_of(session, event_id)}
    offer_ids = [p.offer_id for p in pairs if p.offer_id]
    need_ids = [p.need_id for p in pairs if p.need_id]
    offers = {o.id: o.title for o in session.exec(select(Offer).where(col(Offer.id).in_(offer_ids)))}
    needs = {n.id: n.title for n in session.exec(select(Need).where(col(Need.id).in_(need_ids)))}
    meetings = {m.pair_id: m for m in meetings_of(session, event_id)}
    return [
        PairRow(
            pair=p,
            offer_title=offers.get(p.offer_id, "知识产权质押融资" if p.source == "bank" else "—"),
            need_title=needs.get(p.need_id, "（银企对接）" if p.source == "bank" else "（会谈申请）"),
            researcher=people[p.researcher_id].name,
            company=people[p.company_participant_id].name,
            preference=pair_preference(p),
            meeting=meetings.get(p.id or 0),
            reasons=[str(r) for r in p.reasons],
        )
        for p in pairs
    ]


@dataclass(frozen=True)
class PairChoices:
    """What an organizer may pick from when adding a pair by hand."""

    offers: list[Offer]
    needs: list[Need]
    researchers: list[User]


def pair_choices(session: Session) -> PairChoices:
    """Published offers and open needs by title, researchers by id."""
    return PairChoices(
        offers=list(
            session.exec(
                select(Offer)
                .where(col(Offer.status).in_(PUBLISHED_OFFER_STATUSES))
                .order_by(col(Offer.title))
            )
        ),
        needs=list(
            session.exec(
                select(Need).where(col(Need.status).in_(OPEN_NEED_STATUSES)).order_by(col(Need.title))
            )
        ),
        researchers=list(session.exec(select(User).where(User.role == "researcher").order_by(col(User.id)))),
    )


def add_pair(
    session: Session,
    actor: Actor,
    event_id: int,
    *,
    offer_id: int | None,
    need_id: int | None = None,
    company_id: int | None = None,
    researcher_user_id: int | None = None,
    score: float = 0.0,
    reasons: Iterable[str] = (),
    source: str = "manual",
) -> EventPair:
    """One offer's researcher with one need's company (or a company without a need, from a request).

    The participants are created the first time they are needed; a pair already present is refused."""
    authorize(actor, "event.manage")
    event = get_event(session, event_id)
    require_editable(event)
    errors: list[FieldError] = []
    offer = session.get(Offer, offer_id) if offer_id else None
    if offer is None:
        errors.append(FieldError("offer_id", "请选择一项专利成果。"))
    need = session.get(Need, need_id) if need_id else None
    if need_id and need is None:
        errors.append(FieldError("need_id", "所选技术需求不存在。"))
    if need is None and company_id is None:
        errors.append(FieldError("need_id", "请选择一项技术需求。"))
    if errors:
        raise ValidationFailed(errors)
    assert offer is not None
    duplicate = select(EventPair).where(EventPair.event_id == event_id, EventPair.offer_id == offer.id)
    duplicate = (
        duplicate.where(EventPair.need_id == need.id)
        if need is not None
        else duplicate.where(EventPair.need_id == None)
    )
    if need is None:
        existing = [
            p
            for p in session.exec(duplicate)
            if session.get(EventParticipant, p.company_participant_id).company_id == company_id  # type: ignore[union-attr]
        ]
    else:
        existing = list(session.exec(duplicate))
    if existing:
        raise ValidationFailed([FieldError("need_id", "该成果与需求的配对已在候选名单中。")])
    if source == "manual":
        score, reasons = _hand_picked(offer, need)
    researcher = _researcher(session, event_id, offer, researcher_user_id)
    company = _company(session, event_id, need.company_id if need is not None else company_id or 0, need)
    assert researcher.id is not None and company.id is not None
    pair = EventPair(
        event_id=event_id,
        offer_id=offer.id,
        need_id=need.id if need else None,
        researcher_id=researcher.id,
        company_participant_id=company.id,
        score=min(max(score, 0.0), 1.0),
        reasons=list(reasons),
        source=source,
    )
    session.add(pair)
    session.flush()
    assert pair.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="event_pair",
        entity_id=pair.id,
        action="create",
        new=f"{offer.title} ↔ {need.title if need else company.name}",
        note=f"对接会 {event_id}，来源 {source}",
    )
    mark_stale(event)
    session.add(event)
    return pair


#: Score of a pair the organizer picked by hand: at least this, so the schedule values it like a fair match
#: (a pair worth 0 would only ever be placed when nothing else competes for its slot).
HAND_PICKED_SCORE = 0.5


def _hand_picked(offer: Offer, need: Need | None) -> tuple[float, list[str]]:
    score, reasons = (
        overlap_score(offer_doc(offer, ""), need_doc(need, "")) if need is not None else (0.0, ())
    )
    return max(score, HAND_PICKED_SCORE), ["组织者手选", *reasons]


class ProposedPair(Protocol):
    """A pair the matcher suggests for an event (``event_proposals.Proposal``)."""

    @property
    def offer_id(self) -> int: ...
    @property
    def need_id(self) -> int: ...
    @property
    def score(self) -> float: ...
    @property
    def reasons(self) -> tuple[str, ...]: ...
    @property
    def method(self) -> str: ...


def add_proposed_pairs(session: Session, actor: Actor, event_id: int, picked: Iterable[ProposedPair]) -> int:
    """Add the proposals an organizer ticked that are not pairs of the event yet; returns how many were added.
    Each reason is prefixed with the method that found it, so the pair list says where a score came from."""
    present = {(r.pair.offer_id, r.pair.need_id) for r in pair_rows(session, event_id)}
    added = 0
    for proposal in picked:
        if (proposal.offer_id, proposal.need_id) in present:
            continue
        add_pair(
            session,
            actor,
            event_id,
            offer_id=proposal.offer_id,
            need_id=proposal.need_id,
            score=proposal.score,
            reasons=[f"{proposal.method}：{r}" for r in proposal.reasons],
            source="matcher",
        )
        present.add((proposal.offer_id, proposal.need_id))
        added += 1
    return added


def import_accepted_requests(session: Session, actor: Actor, event_id: int) -> int:
    """Add every accepted meeting request not yet a pair of the event; returns how many were added.

    An accepted request weighs more in the schedule (the other side already said yes)."""
    authorize(actor, "event.manage")
    people = {p.id: p for p in participants_of(session, event_id)}
    present = {
        (p.offer_id, p.need_id, people[p.company_participant_id].company_id)
        for p in pairs_of(session, event_id)
    }
    added = 0
    for request in request_service.accepted_requests(session):
        key = (request.offer_id, request.need_id, request.company_id)
        if key in present or session.get(Offer, request.offer_id) is None:
            continue
        offer = session.get(Offer, request.offer_id)
        responder = session.get(User, request.researcher_user_id) if request.researcher_user_id else None
        keeps_responder = (
            offer is not None
            and responder is not None
            and responder.role == "researcher"
            and responder.institution_id == offer.institution_id
        )
        add_pair(
            session,
            actor,
            event_id,
            offer_id=request.offer_id,
            need_id=request.need_id,
            company_id=request.company_id,
            researcher_user_id=responder.id if keeps_responder and responder else None,
            score=0.7,
            reasons=["企业会谈申请已被接受"],
            source="request",
        )
        present.add(key)
        added += 1
    return added


def set_excluded(session: Session, actor: Actor, event_id: int, pair_id: int, excluded: bool) -> EventPair:
    authorize(actor, "event.manage")
    event = get_event(session, event_id)
    pair = _pair(session, event_id, pair_id)
    if pair.excluded != excluded:
        audit.record(
            session,
            user_id=actor.id,
            username=actor.username,
            entity="event_pair",
            entity_id=pair_id,
            action="update",
            field="excluded",
            old=pair.excluded,
            new=excluded,
        )
        pair.excluded = excluded
        if excluded:
            for meeting in session.exec(select(Meeting).where(Meeting.pair_id == pair_id)):
                session.delete(meeting)
        mark_stale(event)
        session.add_all([pair, event])
    return pair


def _pair(session: Session, event_id: int, pair_id: int) -> EventPair:
    pair = session.get(EventPair, pair_id)
    if pair is None or pair.event_id != event_id:
        raise NotFound("候选配对不存在")
    return pair


def set_preference(
    session: Session, actor: Actor, event_id: int, pair_id: int, value: str | None
) -> EventPair:
    """The organizer's mark on a pair (必须见 / 愿意见 / 不见, or none)."""
    authorize(actor, "event.manage")
    event = get_event(session, event_id)
    pair = _pair(session, event_id, pair_id)
    value = check_preference(value)
    if pair.preference != value:
        audit.record(
            session,
            user_id=actor.id,
            username=actor.username,
            entity="event_pair",
            entity_id=pair_id,
            action="update",
            field="preference",
            old=pair.preference,
            new=value,
        )
        pair.preference = value
        mark_stale(event)
        session.add_all([pair, event])
    return pair


def set_own_preference(
    session: Session, actor: Actor, event_id: int, pair_id: int, value: str | None
) -> EventPair:
    """A participant's own mark on one of their pairs, allowed until the schedule is published."""
    event = get_event(session, event_id)
    pair = _pair(session, event_id, pair_id)
    researcher = session.get(EventParticipant, pair.researcher_id)
    company = session.get(EventParticipant, pair.company_participant_id)
    side = "company" if actor.role == "sme" else "researcher"
    person = company if side == "company" else researcher
    authorize(actor, "event.preference", person)
    if event.status != "筹备":
        raise Conflict("日程已发布，不能再修改意愿；如需调整请联系组织者")
    value = check_preference(value)
    column = f"{side}_preference"
    old = getattr(pair, column)
    if old != value:
        audit.record(
            session,
            user_id=actor.id,
            username=actor.username,
            entity="event_pair",
            entity_id=pair_id,
            action="update",
            field=column,
            old=old,
            new=value,
        )
        setattr(pair, column, value)
        mark_stale(event)
        session.add_all([pair, event])
    return pair


# ---------------------------------------------------------------- participants' own view


def own_participants(session: Session, actor: Actor, event_id: int | None = None) -> list[EventParticipant]:
    """The EventParticipant rows that stand for ``actor``: their researcher row, or their company's row."""
    stmt = select(EventParticipant)
    if actor.role == "researcher" and actor.id is not None:
        stmt = stmt.where(EventParticipant.kind == "researcher", EventParticipant.user_id == actor.id)
    elif actor.role == "sme" and actor.company_id is not None:
        stmt = stmt.where(EventParticipant.kind == "company", EventParticipant.company_id == actor.company_id)
    else:
        return []
    if event_id is not None:
        stmt = stmt.where(EventParticipant.event_id == event_id)
    return list(session.exec(stmt.order_by(col(EventParticipant.event_id).desc())))


def can_see_agenda(session: Session, actor: Actor, participant: EventParticipant) -> bool:
    """Organizers and admins see every agenda; a participant only their own."""
    if actor.is_admin or actor.role == "organizer":
        return True
    return any(p.id == participant.id for p in own_participants(session, actor, participant.event_id))
