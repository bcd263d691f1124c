"""What follows an accepted meeting request: agree a time and place, meet, record the outcome.

Either side proposes one to three times and a place; the other side confirms one; both get a notification, an
.ics file and, a day ahead, a reminder. Or an organizer pulls the pair into an upcoming docking event, where the
scheduler places it. After the meeting either side (or an organizer) records 意向 / 签约 / 无果, kept as the
matcher's judgement of the need↔offer pair exactly as event outcomes are (source "meeting"), counted in the
bureau's funnel, and a 签约 asks the bureau to register the contract.

Once accepted, the two sides see each other's contact (``services.requests.is_counterpart``); the need's privacy
setting still governs everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select, update

from matchmaker.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from matchmaker.domain.events import outcome_grade
from matchmaker.domain.local_time import LOCAL_ZONE, local_time
from matchmaker.domain.request_meetings import DURATIONS, check_proposal, option_key
from matchmaker.domain.vocab import MEETING_OUTCOMES
from matchmaker.scheduling import ics
from matchmaker.services import events as event_service
from matchmaker.services.notifications import notify
from matchmaker.services.permissions import Actor, allowed, authorize
from matchmaker.services.requests import ACCEPTED, RequestRow, _rows, get_request
from matchmaker.storage import audit
from matchmaker.storage.models import (
    Company,
    Event,
    Institution,
    Judgement,
    MeetingRequest,
    Offer,
    RequestMeeting,
    User,
    utcnow,
)

PROPOSED, CONFIRMED, IN_EVENT = "待确认", "已确认", "已转入对接会"
STATES = (PROPOSED, CONFIRMED, IN_EVENT)
#: The reminder goes out once, within this long before the meeting.
REMINDER_AHEAD = timedelta(hours=24)
NOTE_MAX_CHARS = 500
SIDE_NAMES = {"researcher": "成果方", "company": "企业"}


@dataclass(frozen=True)
class Parties:
    """The two sides of a request, as ``permissions`` checks them: the offer's institution and the company."""

    institution_id: int
    company_id: int


def local_now() -> datetime:
    """Beijing wall-clock time without a zone, the form in which people type meeting times."""
    return datetime.now(UTC).astimezone(LOCAL_ZONE).replace(tzinfo=None)


def to_utc(local: datetime) -> datetime:
    return local.replace(tzinfo=LOCAL_ZONE).astimezone(UTC)


def to_local(value: datetime) -> datetime:
    local = local_time(value)
    assert local is not None
    return local


def _load(session: Session, request_id: int) -> tuple[MeetingRequest, Offer, Parties, RequestMeeting | None]:
    request = get_request(session, request_id)
    offer = session.get(Offer, request.offer_id)
    if offer is None:
        raise NotFound("专利成果不存在")
    meeting = session.exec(select(RequestMeeting).where(RequestMeeting.request_id == request_id)).first()
    return request, offer, Parties(offer.institution_id, request.company_id), meeting


def side_of(actor: Actor, parties: Parties) -> str | None:
    """Which side the actor is on (an admin acts for neither; they may do what either side may)."""
    if actor.role == "researcher" and actor.institution_id == parties.institution_id:
        return "researcher"
    if actor.role == "sme" and actor.company_id == parties.company_id:
        return "company"
    return None


def _side_users(session: Session, request: MeetingRequest, offer: Offer, side: str) -> list[int]:
    """Who to tell on one side: the researcher who accepted (else the offer's researchers), or the requester and
    the company's other active users."""
    if side == "researcher":
        ids = [request.responded_by] if request.responded_by is not None else []
        if not ids:
            stmt = select(User.id).where(
                User.role == "researcher", User.institution_id == offer.institution_id, User.is_active == True
            )
            ids = [i for i in session.exec(stmt) if i is not None]
        return ids
    stmt = select(User.id).where(
        User.role == "sme", User.company_id == request.company_id, User.is_active == True
    )
    ids = [i for i in session.exec(stmt) if i is not None]
    return sorted(set(ids) | {request.requested_by})


def _tell(session: Session, request: MeetingRequest, offer: Offer, sides: tuple[str, ...], text: str) -> None:
    for side in sides:
        for user_id in _side_users(session, request, offer, side):
            notify(session, user_id, text, f"/requests/{request.id}")


def _other(side: str) -> str:
    return "company" if side == "researcher" else "researcher"


def _require_accepted(request: MeetingRequest) -> None:
    if request.state != ACCEPTED:
        raise Conflict(f"该会谈请求{request.state}，接受后才能约定会谈")


def propose(
    session: Session,
    actor: Actor,
    request_id: int,
    *,
    dates: list[str],
    times: list[str],
    place: str,
    duration: str,
    now: datetime | None = None,
) -> RequestMeeting:
    """Propose one to three times and a place (a new proposal replaces an unconfirmed one)."""
    request, offer, parties, meeting = _load(session, request_id)
    authorize(actor, "request.meeting", parties)
    _require_accepted(request)
    if meeting is not None and meeting.state != PROPOSED:
        raise Conflict(f"会谈{meeting.state}，不能再提出新的时间")
    proposal = check_proposal(dates, times, place, duration, now or local_now())
    side = side_of(actor, parties) or "researcher"
    meeting = meeting or RequestMeeting(request_id=request_id)
    old = ", ".join(meeting.options) if meeting.options else None
    meeting.options = [option_key(o) for o in proposal.options]
    meeting.place = proposal.place
    meeting.duration_minutes = proposal.duration_minutes
    meeting.proposed_by, meeting.proposed_side, meeting.proposed_at = actor.id, side, utcnow()
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="request_meeting",
        entity_id=meeting.id,
        action="propose",
        field="options",
        old=old,
        new=f"{', '.join(meeting.options)} @ {meeting.place}",
    )
    times_text = "、".join(o.strftime("%m月%d日 %H:%M") for o in proposal.options)
    _tell(
        session,
        request,
        offer,
        (_other(side),),
        f"{SIDE_NAMES[side]}就「{offer.title}」提出会谈时间：{times_text}，地点：{proposal.place}，请确认",
    )
    return meeting


def confirm(session: Session, actor: Actor, request_id: int, *, option: str) -> RequestMeeting:
    """The other side picks one of the proposed times; both sides are told, with the .ics on the page."""
    request, offer, parties, meeting = _load(session, request_id)
    authorize(actor, "request.meeting", parties)
    _require_accepted(request)
    if meeting is None or meeting.state != PROPOSED:
        raise Conflict("没有待确认的会谈时间")
    side = side_of(actor, parties)
    if side is not None and side == meeting.proposed_side:
        raise Conflict("时间由您一方提出，请等对方确认")
    if option not in meeting.options:
        raise ValidationFailed([FieldError("option", "请选择对方提出的一个时间")])
    local = datetime.fromisoformat(option)
    if local <= local_now():
        raise ValidationFailed([FieldError("option", "该时间已经过去，请对方重新提出时间")])
    meeting.state = CONFIRMED
    meeting.starts_at = to_utc(local)
    meeting.confirmed_by, meeting.confirmed_at = actor.id, utcnow()
    session.add(meeting)
    assert meeting.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="request_meeting",
        entity_id=meeting.id,
        action="status",
        field="state",
        old=PROPOSED,
        new=f"{CONFIRMED} {option} @ {meeting.place}",
    )
    _tell(
        session,
        request,
        offer,
        ("researcher", "company"),
        f"会谈已确认：「{offer.title}」{local:%m月%d日 %H:%M}，{meeting.place}（可下载日历文件）",
    )
    return meeting


def send_due_reminders(session: Session, now: datetime | None = None) -> int:
    """Remind both sides of every confirmed meeting starting within a day, once. Each meeting is claimed with a
    conditional update, so two processes calling this at the same moment never remind twice."""
    now = now or utcnow()
    stmt = select(RequestMeeting.id).where(
        RequestMeeting.state == CONFIRMED,
        col(RequestMeeting.reminded_at).is_(None),
        col(RequestMeeting.starts_at) > now,
        col(RequestMeeting.starts_at) <= now + REMINDER_AHEAD,
    )
    sent = 0
    for meeting_id in list(session.exec(stmt)):
        claimed = session.exec(
            update(RequestMeeting)
            .where(col(RequestMeeting.id) == meeting_id, col(RequestMeeting.reminded_at).is_(None))
            .values(reminded_at=now)
        )
        if claimed.rowcount != 1:
            continue
        meeting = session.get(RequestMeeting, meeting_id)
        assert meeting is not None and meeting.starts_at is not None
        request, offer, _parties, _ = _load(session, meeting.request_id)
        local = to_local(meeting.starts_at)
        _tell(
            session,
            request,
            offer,
            ("researcher", "company"),
            f"提醒：「{offer.title}」的会谈将于 {local:%m月%d日 %H:%M} 在 {meeting.place} 举行",
        )
        sent += 1
    return sent


def remind(services: Any) -> int:
    """``send_due_reminders`` in a transaction of its own: what the job worker runs every minute."""
    with services.transaction() as session:
        return send_due_reminders(session)


def upcoming_events(session: Session) -> list[Event]:
    """Events an accepted pair can still join: in preparation and not in the past."""
    today = local_now().date()
    stmt = (
        select(Event)
        .where(Event.status == "筹备", col(Event.event_date) >= today)
        .order_by(col(Event.event_date), col(Event.id))
    )
    return list(session.exec(stmt))


def move_to_event(session: Session, actor: Actor, request_id: int, event_id: int) -> RequestMeeting:
    """An organizer adds the accepted pair to an upcoming event (as an accepted request, which the scheduler
    favours); the two sides are told the meeting will be at the event."""
    authorize(actor, "request.to_event")
    request, offer, _parties, meeting = _load(session, request_id)
    _require_accepted(request)
    if meeting is not None and meeting.state == CONFIRMED:
        raise Conflict("双方已约定会谈时间，不需要再纳入对接会")
    if meeting is not None and meeting.state == IN_EVENT:
        raise Conflict("该会谈已纳入对接会")
    event = session.get(Event, event_id)
    if event is None or event not in upcoming_events(session):
        raise ValidationFailed([FieldError("event_id", "请选择一场筹备中的对接会")])
    event_service.add_pair(
        session,
        actor,
        event_id,
        offer_id=request.offer_id,
        need_id=request.need_id,
        company_id=request.company_id,
        researcher_user_id=request.responded_by,
        score=1.0,
        reasons=["会谈请求已接受"],
        source="request",
    )
    meeting = meeting or RequestMeeting(request_id=request_id)
    meeting.state, meeting.event_id = IN_EVENT, event_id
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="request_meeting",
        entity_id=meeting.id,
        action="status",
        field="state",
        new=f"{IN_EVENT}：{event.name}",
    )
    _tell(
        session,
        request,
        offer,
        ("researcher", "company"),
        f"「{offer.title}」的会谈已纳入对接会「{event.name}」（{event.event_date:%m月%d日}），日程发布后通知您",
    )
    return meeting


def record_outcome(
    session: Session, actor: Actor, request_id: int, *, outcome: str, note: str = ""
) -> RequestMeeting:
    """意向 / 签约 / 无果 after the agreed meeting has started; kept as the pair's judgement (source "meeting")."""
    request, offer, parties, meeting = _load(session, request_id)
    authorize(actor, "request.outcome", parties)
    if meeting is None or meeting.state != CONFIRMED or meeting.starts_at is None:
        raise Conflict("双方约定并确认会谈时间后才能记录结果")
    if meeting.starts_at > utcnow():
        raise Conflict("会谈开始后才能记录结果")
    note = note.strip()
    errors: list[FieldError] = []
    if outcome not in MEETING_OUTCOMES:
        errors.append(FieldError("outcome", f"请选择洽谈结果：{'、'.join(MEETING_OUTCOMES)}"))
    if len(note) > NOTE_MAX_CHARS:
        errors.append(FieldError("note", f"备注不能超过 {NOTE_MAX_CHARS} 个字"))
    if errors:
        raise ValidationFailed(errors)
    before = meeting.outcome
    meeting.outcome, meeting.outcome_note = outcome, note
    meeting.outcome_by, meeting.outcome_at = actor.id, utcnow()
    session.add(meeting)
    assert meeting.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="request_meeting",
        entity_id=meeting.id,
        action="outcome",
        field="outcome",
        old=before,
        new=outcome,
        note=note[:300],
    )
    if request.need_id is not None and outcome != before:
        _judge(session, actor, request, outcome, note, meeting.id)
    if outcome == "签约" and before != "签约":
        text = f"「{offer.title}」的会谈已签约，请登记技术合同"
        for user_id in session.exec(select(User.id).where(User.role == "bureau", User.is_active == True)):
            assert user_id is not None
            notify(session, user_id, text, f"/contracts/new?request={request.id}")
    return meeting


def _judge(
    session: Session, actor: Actor, request: MeetingRequest, outcome: str, note: str, meeting_id: int
) -> None:
    """The outcome as the matcher's judgement of the pair, one per pair (source "meeting", as at events)."""
    assert request.need_id is not None
    stmt = (
        select(Judgement)
        .where(
            Judgement.need_id == request.need_id,
            Judgement.offer_id == request.offer_id,
            Judgement.source == "meeting",
        )
        .order_by(col(Judgement.id).desc())
    )
    judgement = session.exec(stmt).first() or Judgement(
        need_id=request.need_id, offer_id=request.offer_id, label=outcome, grade=0, source="meeting"
    )
    judgement.label, judgement.grade, judgement.note = outcome, outcome_grade(outcome), note[:500]
    judgement.user_id, judgement.at = actor.id, utcnow()
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
        note=f"会谈请求 {request.id} 的约谈 {meeting_id}",
    )


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Contact:
    """One side as the other sees it once the request is accepted."""

    name: str
    organisation: str
    contact: str
    email: str


@dataclass(frozen=True)
class MeetingDetail:
    request: RequestRow
    meeting: RequestMeeting | None
    #: the viewer's side ("researcher" / "company"), None for organizers, the bureau and admins
    side: str | None
    researcher: Contact
    company: Contact
    options: list[datetime]
    starts_local: datetime | None
    ends_local: datetime | None
    can_propose: bool
    can_confirm: bool
    can_record: bool
    can_move: bool
    events: list[Event]
    durations: tuple[int, ...] = DURATIONS


def _may_view(actor: Actor, parties: Parties) -> bool:
    return actor.is_admin or actor.role in ("organizer", "bureau") or side_of(actor, parties) is not None


def detail(session: Session, actor: Actor, request_id: int) -> MeetingDetail:
    request, offer, parties, meeting = _load(session, request_id)
    if not _may_view(actor, parties):
        raise NotFound("会谈请求不存在")
    row = _rows(session, [request], actor)[0]
    side = side_of(actor, parties)
    accepted = request.state == ACCEPTED
    responder = session.get(User, request.responded_by) if request.responded_by else None
    requester = session.get(User, request.requested_by)
    institution = session.get(Institution, offer.institution_id)
    company = session.get(Company, request.company_id)
    hidden = "（接受后可见）"
    researcher = Contact(
        name=responder.display_name if responder else "",
        organisation=institution.canonical_name if institution else "",
        contact=(offer.contact or "（未填写）") if accepted else hidden,
        email=(responder.email if responder and responder.email else "") if accepted else "",
    )
    if not accepted:
        need_contact = hidden
    elif row.need is None:
        need_contact = "（未关联需求，请通过邮箱联系）"
    else:  # unmasked for the counterpart by services.requests; masked for anyone else the need hides it from
        need_contact = row.need.contact or "（未公开）"
    company_contact = Contact(
        name=requester.display_name if requester else "",
        organisation=company.name if company else "",
        contact=need_contact,
        email=(requester.email if requester and requester.email else "") if accepted else "",
    )
    starts = to_local(meeting.starts_at) if meeting and meeting.starts_at else None
    party = side is not None or actor.is_admin
    state = meeting.state if meeting else None
    return MeetingDetail(
        request=row,
        meeting=meeting,
        side=side,
        researcher=researcher,
        company=company_contact,
        options=[datetime.fromisoformat(o) for o in meeting.options] if meeting else [],
        starts_local=starts,
        ends_local=starts + timedelta(minutes=meeting.duration_minutes) if starts and meeting else None,
        can_propose=accepted and party and state in (None, PROPOSED),
        can_confirm=accepted
        and party
        and state == PROPOSED
        and (side is None or side != (meeting.proposed_side if meeting else "")),
        can_record=state == CONFIRMED
        and meeting is not None
        and meeting.starts_at is not None
        and meeting.starts_at <= utcnow()
        and allowed(actor, "request.outcome", parties),
        can_move=accepted and state in (None, PROPOSED) and allowed(actor, "request.to_event"),
        events=upcoming_events(session) if allowed(actor, "request.to_event") else [],
    )


def calendar(session: Session, actor: Actor, request_id: int) -> tuple[str, bytes]:
    """The confirmed meeting as an .ics file for either side: (file name, bytes)."""
    view = detail(session, actor, request_id)
    meeting = view.meeting
    if meeting is None or meeting.state != CONFIRMED or view.starts_local is None or view.ends_local is None:
        raise NotFound("会谈时间尚未确认")
    other = view.company if view.side == "researcher" else view.researcher
    summary = f"技术对接会谈：{other.organisation}"
    body = ics.meeting_ics(
        uid=f"request-meeting-{meeting.id}@matchmaker",
        start=view.starts_local,
        end=view.ends_local,
        summary=summary,
        location=meeting.place,
        description=f"成果：{view.request.offer_title}\n对方：{other.organisation} {other.name}\n联系方式：{other.contact}",
        stamp=meeting.confirmed_at or utcnow(),
    )
    return f"会谈-{view.request.offer_title[:20]}.ics", body


# ---------------------------------------------------------------- lists for the workbench and organizers


@dataclass(frozen=True)
class MeetingItem:
    request_id: int
    offer_title: str
    company_name: str
    state: str
    starts_local: datetime | None
    place: str
    outcome: str | None


def _items(session: Session, stmt: Any) -> list[MeetingItem]:
    out = []
    for meeting, request, title, company in session.exec(stmt):
        out.append(
            MeetingItem(
                request_id=request.id,
                offer_title=title,
                company_name=company,
                state=meeting.state if meeting is not None else "待约定",
                starts_local=to_local(meeting.starts_at)
                if meeting is not None and meeting.starts_at
                else None,
                place=meeting.place if meeting is not None else "",
                outcome=meeting.outcome if meeting is not None else None,
            )
        )
    return out


def _scope(stmt: Any, actor: Actor) -> Any:
    """Requests the actor is a party to (an organizer or admin: all)."""
    if actor.role == "researcher":
        return stmt.where(Offer.institution_id == (actor.institution_id or -1))
    if actor.role == "sme":
        return stmt.where(MeetingRequest.company_id == (actor.company_id or -1))
    return stmt


def _base() -> Any:
    return (
        select(RequestMeeting, MeetingRequest, Offer.title, Company.name)
        .select_from(MeetingRequest)
        .join(Offer, col(Offer.id) == col(MeetingRequest.offer_id))
        .join(Company, col(Company.id) == col(MeetingRequest.company_id))
        .outerjoin(RequestMeeting, col(RequestMeeting.request_id) == col(MeetingRequest.id))
        .where(MeetingRequest.state == ACCEPTED)
    )


def to_arrange(session: Session, actor: Actor) -> list[MeetingItem]:
    """Accepted requests with no agreed time yet: nothing proposed, or a proposal waiting for the other side."""
    stmt = _scope(_base(), actor).where(
        (col(RequestMeeting.id).is_(None)) | (RequestMeeting.state == PROPOSED)
    )
    return _items(session, stmt.order_by(col(MeetingRequest.responded_at), col(MeetingRequest.id)))


def to_confirm(session: Session, actor: Actor) -> list[MeetingItem]:
    """Proposals the actor's side has to answer."""
    side = "researcher" if actor.role == "researcher" else "company" if actor.role == "sme" else None
    if side is None:
        return []
    stmt = _scope(_base(), actor).where(
        RequestMeeting.state == PROPOSED, RequestMeeting.proposed_side != side
    )
    return _items(session, stmt.order_by(col(RequestMeeting.proposed_at)))


def confirmed_between(session: Session, actor: Actor, start: date, end: date) -> list[MeetingItem]:
    """Confirmed meetings from ``start`` up to (not including) ``end``, local dates, in time order."""
    lo = to_utc(datetime.combine(start, datetime.min.time()))
    hi = to_utc(datetime.combine(end, datetime.min.time()))
    stmt = _scope(_base(), actor).where(
        RequestMeeting.state == CONFIRMED,
        col(RequestMeeting.starts_at) >= lo,
        col(RequestMeeting.starts_at) < hi,
    )
    return _items(session, stmt.order_by(col(RequestMeeting.starts_at)))


def outcomes_due(session: Session, actor: Actor) -> list[MeetingItem]:
    """Confirmed meetings that have started and have no outcome yet."""
    stmt = _scope(_base(), actor).where(
        RequestMeeting.state == CONFIRMED,
        col(RequestMeeting.starts_at) <= utcnow(),
        col(RequestMeeting.outcome).is_(None),
    )
    return _items(session, stmt.order_by(col(RequestMeeting.starts_at)))


def signed(session: Session) -> list[MeetingItem]:
    """签约 outcomes of request meetings, for the bureau's contract register."""
    stmt = _base().where(RequestMeeting.outcome == "签约")
    return _items(session, stmt.order_by(col(RequestMeeting.outcome_at)))
