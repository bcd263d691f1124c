"""The workbench (待办) on each role's home page: what waits for this user, each a link, and a few figures.

Every query here is scoped to the actor as the pages it links to are (a researcher's institution, an SME's company,
all events for organizers, the register for the bureau), so a count never promises rows the user cannot open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import exists
from sqlmodel import Session, col, func, select

from matchmaker.domain.local_time import local_today
from matchmaker.domain.money import fen_to_yuan
from matchmaker.domain.vocab import OPEN_NEED_STATUSES, PUBLISHED_OFFER_STATUSES
from matchmaker.services import request_meetings
from matchmaker.services.permissions import Actor
from matchmaker.services.requests import ACCEPTED, PENDING
from matchmaker.storage.models import (
    Company,
    Contract,
    Event,
    EventPair,
    EventParticipant,
    Indicator,
    IndicatorValue,
    Job,
    Meeting,
    MeetingRequest,
    Need,
    Offer,
    Plan,
    RequestMeeting,
    User,
)

#: How many entries a block lists before "全部 N 项".
SHOWN = 5


@dataclass(frozen=True)
class Item:
    text: str
    href: str
    when: str = ""


@dataclass(frozen=True)
class Todo:
    """One kind of waiting work: its total, where the full list is, and the first few entries."""

    key: str
    label: str
    count: int
    href: str
    items: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    href: str = ""


@dataclass(frozen=True)
class Workbench:
    todos: list[Todo]
    figures: list[Figure]

    @property
    def waiting(self) -> int:
        return sum(t.count for t in self.todos)


def _count(session: Session, stmt: object) -> int:
    return int(session.exec(stmt).one())  # type: ignore[call-overload]


def _week(today: date) -> tuple[date, date]:
    """Monday of this week and the Monday after: 本周."""
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=7)


def _meeting_items(rows: list[request_meetings.MeetingItem], when: bool = True) -> list[Item]:
    return [
        Item(
            f"{r.offer_title} · {r.company_name}",
            f"/requests/{r.request_id}",
            f"{r.starts_local:%m-%d %H:%M} {r.place}" if when and r.starts_local else r.state,
        )
        for r in rows[:SHOWN]
    ]


def _request_meeting_todos(session: Session, actor: Actor, today: date) -> list[Todo]:
    """Shared by researchers, SMEs and organizers: times to confirm, meetings to arrange, this week, outcomes."""
    todos = []
    if actor.role in ("researcher", "sme"):
        confirm = request_meetings.to_confirm(session, actor)
        todos.append(
            Todo("confirm", "待确认的会谈时间", len(confirm), "/my/requests" if actor.role == "sme" else "/requests/inbox",
                 _meeting_items(confirm, when=False))
        )  # fmt: skip
        arrange = [r for r in request_meetings.to_arrange(session, actor) if r.state == "待约定"]
        todos.append(
            Todo("arrange", "已接受、待约定时间的会谈", len(arrange),
                 "/my/requests" if actor.role == "sme" else "/requests/inbox?state=已接受",
                 _meeting_items(arrange, when=False))
        )  # fmt: skip
    monday, next_monday = _week(today)
    week = request_meetings.confirmed_between(session, actor, monday, next_monday)
    week_items = _meeting_items(week)
    event_week = _event_meetings_this_week(session, actor, monday, next_monday)
    todos.append(
        Todo("week", "本周会谈", len(week) + len(event_week), "/my/events" if actor.role in ("researcher", "sme")
             else "/events", (week_items + event_week)[:SHOWN])
    )  # fmt: skip
    due = request_meetings.outcomes_due(session, actor)
    full_list = {"researcher": "/requests/inbox?state=已接受", "sme": "/my/requests"}.get(
        actor.role, "/requests/accepted"
    )
    todos.append(Todo("outcomes", "待记录结果的会谈", len(due), full_list, _meeting_items(due)))
    return todos


def _event_meetings_this_week(session: Session, actor: Actor, monday: date, next_monday: date) -> list[Item]:
    """Published event meetings of the actor's own participant rows in this week's events."""
    stmt = (
        select(Event, Meeting)
        .join(Meeting, col(Meeting.event_id) == col(Event.id))
        .join(EventPair, col(EventPair.id) == col(Meeting.pair_id))
        .where(
            col(Event.event_date) >= monday,
            col(Event.event_date) < next_monday,
            col(Meeting.published).is_(True),
        )
    )
    if actor.role == "researcher":
        mine = select(EventParticipant.id).where(EventParticipant.user_id == (actor.id or -1))
        stmt = stmt.where(col(EventPair.researcher_id).in_(mine))
    elif actor.role == "sme":
        mine = select(EventParticipant.id).where(EventParticipant.company_id == (actor.company_id or -1))
        stmt = stmt.where(col(EventPair.company_participant_id).in_(mine))
    out = []
    for event, meeting in session.exec(stmt.order_by(col(Event.event_date), col(Meeting.slot))):
        href = f"/events/{event.id}/schedule" if actor.role in ("organizer", "admin") else "/my/events"
        out.append(Item(event.name, href, f"{event.event_date:%m-%d} 第 {meeting.slot + 1} 场"))
    return out


def _researcher(session: Session, actor: Actor, today: date) -> Workbench:
    institution = actor.institution_id or -1
    pending_stmt = (
        select(MeetingRequest, Offer.title, Company.name)
        .join(Offer, col(Offer.id) == col(MeetingRequest.offer_id))
        .join(Company, col(Company.id) == col(MeetingRequest.company_id))
        .where(Offer.institution_id == institution, MeetingRequest.state == PENDING)
        .order_by(col(MeetingRequest.created_at))
    )
    pending = list(session.exec(pending_stmt))
    drafts = list(
        session.exec(
            select(Offer)
            .where(Offer.institution_id == institution, Offer.status == "草稿")
            .order_by(col(Offer.id))
        )
    )
    todos = [
        Todo("answer", "待回复的会谈请求", len(pending), "/requests/inbox?state=待回复",
             [Item(f"{company} 申请就「{title}」会谈", f"/requests/inbox#request-{r.id}") for r, title, company
              in pending[:SHOWN]]),
        *_request_meeting_todos(session, actor, today),
        Todo("drafts", "未发布的成果草稿", len(drafts), "/my/offers",
             [Item(o.title, f"/offers/{o.id}") for o in drafts[:SHOWN]]),
    ]  # fmt: skip
    year_start = request_meetings.to_utc(datetime(today.year, 1, 1))
    received = (
        select(func.count())
        .select_from(MeetingRequest)
        .join(Offer, col(Offer.id) == col(MeetingRequest.offer_id))
    )
    received = received.where(
        Offer.institution_id == institution, col(MeetingRequest.created_at) >= year_start
    )
    figures = [
        Figure("本单位已发布成果", str(_count(session, select(func.count()).select_from(Offer).where(
            Offer.institution_id == institution, col(Offer.status).in_(PUBLISHED_OFFER_STATUSES)))), "/my/offers"),
        Figure("今年收到的会谈请求", str(_count(session, received)), "/requests/inbox"),
        Figure("今年接受的请求", str(_count(session, received.where(MeetingRequest.state == ACCEPTED))),
               "/requests/inbox?state=已接受"),
    ]  # fmt: skip
    return Workbench(todos, figures)


def _sme(session: Session, actor: Actor, today: date) -> Workbench:
    company = actor.company_id or -1
    soon = today + timedelta(days=14)
    expiring = list(
        session.exec(
            select(Need)
            .where(
                Need.company_id == company,
                col(Need.status).in_(OPEN_NEED_STATUSES),
                col(Need.deadline).is_not(None),
                col(Need.deadline) <= soon,
            )
            .order_by(col(Need.deadline))
        )
    )
    waiting = _count(
        session,
        select(func.count())
        .select_from(MeetingRequest)
        .where(MeetingRequest.company_id == company, MeetingRequest.state == PENDING),
    )
    todos = [
        *_request_meeting_todos(session, actor, today),
        Todo("deadlines", "两周内到截止日期的需求", len(expiring), "/my/needs",
             [Item(n.title, f"/needs/{n.id}", f"截止 {n.deadline}") for n in expiring[:SHOWN]]),
    ]  # fmt: skip
    open_needs = (
        select(func.count())
        .select_from(Need)
        .where(Need.company_id == company, col(Need.status).in_(OPEN_NEED_STATUSES))
    )
    accepted = (
        select(func.count())
        .select_from(MeetingRequest)
        .where(MeetingRequest.company_id == company, MeetingRequest.state == ACCEPTED)
    )
    figures = [
        Figure("开放中的需求", str(_count(session, open_needs)), "/my/needs"),
        Figure("等待成果方回复", str(waiting), "/my/requests"),
        Figure("已接受的会谈请求", str(_count(session, accepted)), "/my/requests"),
    ]
    return Workbench(todos, figures)


def _organizer(session: Session, actor: Actor, today: date) -> Workbench:
    arrange = request_meetings.to_arrange(session, actor)
    upcoming = list(
        session.exec(
            select(Event)
            .where(col(Event.event_date) >= today, col(Event.event_date) <= today + timedelta(days=14))
            .order_by(col(Event.event_date))
        )
    )
    unrecorded = (
        select(Event, func.count())
        .join(Meeting, col(Meeting.event_id) == col(Event.id))
        .where(
            col(Event.event_date) < today,
            col(Meeting.published).is_(True),
            col(Meeting.attendance).is_(None),
        )
        .group_by(col(Event.id))
        .order_by(col(Event.event_date).desc())
    )
    outcomes = list(session.exec(unrecorded))
    stale = [
        e for e in session.exec(select(Event).where(Event.status == "筹备")) if e.solve_info.get("stale")
    ]
    todos = [
        Todo("arrange", "已接受、待约定时间的会谈请求", len(arrange), "/requests/accepted",
             _meeting_items(arrange, when=False)),
        Todo("upcoming", "两周内的对接会", len(upcoming), "/events",
             [Item(e.name, f"/events/{e.id}/schedule", f"{e.event_date} · {e.status}") for e in upcoming[:SHOWN]]),
        Todo("event-outcomes", "待登记到场与结果的对接会", len(outcomes), "/events",
             [Item(e.name, f"/events/{e.id}/outcomes", f"{n} 场未登记") for e, n in outcomes[:SHOWN]]),
        Todo("stale", "需要重新排程的对接会", len(stale), "/events",
             [Item(e.name, f"/events/{e.id}/schedule") for e in stale[:SHOWN]]),
        *[t for t in _request_meeting_todos(session, actor, today) if t.key == "outcomes"],
    ]  # fmt: skip
    year_events = select(Event.id).where(col(Event.event_date) >= date(today.year, 1, 1))
    held = (
        select(func.count())
        .select_from(Meeting)
        .where(col(Meeting.event_id).in_(year_events), Meeting.attendance == "到场")
    )
    intent = (
        select(func.count())
        .select_from(Meeting)
        .where(col(Meeting.event_id).in_(year_events), col(Meeting.outcome).in_(("意向", "签约")))
    )
    held_n, intent_n = _count(session, held), _count(session, intent)
    figures = [
        Figure("筹备中的对接会", str(_count(session, select(func.count()).select_from(Event).where(
            Event.status == "筹备"))), "/events"),
        Figure("今年到场会谈", str(held_n), "/stats"),
        Figure("今年达成意向", f"{intent_n}（{round(100 * intent_n / held_n)}%）" if held_n else "0", "/stats"),
    ]  # fmt: skip
    return Workbench(todos, figures)


def _contracts_to_register(session: Session) -> list[Item]:
    """签约 outcomes with no registered contract yet: event meetings (linked by meeting) and request meetings
    (linked by their offer and need)."""
    event_signed = (
        select(Meeting, Event.name, Offer.title)
        .join(Event, col(Event.id) == col(Meeting.event_id))
        .join(EventPair, col(EventPair.id) == col(Meeting.pair_id))
        .join(Offer, col(Offer.id) == col(EventPair.offer_id))
        .where(
            Meeting.outcome == "签约",
            ~exists().where(col(Contract.meeting_id) == col(Meeting.id), col(Contract.voided).is_(False)),
        )
        .order_by(col(Meeting.id))
    )
    items = [
        Item(f"{title}（{event}）", f"/contracts/new?meeting={m.id}", "对接会签约")
        for m, event, title in session.exec(event_signed)
    ]
    request_signed = (
        select(MeetingRequest, Offer.title, Company.name)
        .join(RequestMeeting, col(RequestMeeting.request_id) == col(MeetingRequest.id))
        .join(Offer, col(Offer.id) == col(MeetingRequest.offer_id))
        .join(Company, col(Company.id) == col(MeetingRequest.company_id))
        .where(
            RequestMeeting.outcome == "签约",
            ~exists().where(
                col(Contract.offer_id) == col(MeetingRequest.offer_id),
                col(Contract.buyer_company_id) == col(MeetingRequest.company_id),
                col(Contract.voided).is_(False),
            ),
        )
        .order_by(col(RequestMeeting.outcome_at))
    )
    items += [
        Item(f"{title}（{company}）", f"/contracts/new?request={r.id}", "约谈签约")
        for r, title, company in session.exec(request_signed)
    ]
    return items


def _indicators_due(session: Session, today: date) -> list[Item]:
    """Indicators entered by hand in the plan now running, with a past year of the plan still empty."""
    plan = session.exec(
        select(Plan).where(Plan.start_year <= today.year, Plan.end_year >= today.year)
    ).first()
    if plan is None:
        return []
    years = range(plan.start_year, min(today.year, plan.end_year + 1))
    manual = list(
        session.exec(
            select(Indicator)
            .where(Indicator.plan_id == plan.id, Indicator.source == "manual")
            .order_by(col(Indicator.sort_order))
        )
    )
    entered = {
        (v.indicator_id, v.year)
        for v in session.exec(
            select(IndicatorValue).where(col(IndicatorValue.indicator_id).in_([i.id for i in manual]))
        )
    }
    out = []
    for indicator in manual:
        missing = [y for y in years if (indicator.id, y) not in entered]
        if missing:
            out.append(
                Item(indicator.name, "/indicators", "未填报：" + "、".join(f"{y} 年" for y in missing))
            )
    return out


def _bureau(session: Session, actor: Actor, today: date) -> Workbench:
    contracts = _contracts_to_register(session)
    indicators = _indicators_due(session, today)
    todos = [
        Todo("contracts", "签约待登记的技术合同", len(contracts), "/contracts/new", contracts[:SHOWN]),
        Todo("indicators", "待填报的规划指标", len(indicators), "/indicators", indicators[:SHOWN]),
    ]
    live = select(func.coalesce(func.sum(Contract.amount_fen), 0), func.count()).where(
        col(Contract.voided).is_(False)
    )
    year_fen, year_n = session.exec(live.where(col(Contract.registered_on) >= date(today.year, 1, 1))).one()
    plan = session.exec(
        select(Plan).where(Plan.start_year <= today.year, Plan.end_year >= today.year)
    ).first()
    figures = [
        Figure("今年登记合同", f"{int(year_n)} 份", "/contracts"),
        Figure("今年成交额", f"{fen_to_yuan(int(year_fen)) / 100_000_000:.2f} 亿元", "/stats"),
    ]
    if plan is not None:
        plan_fen = session.exec(
            select(func.coalesce(func.sum(Contract.amount_fen), 0)).where(
                col(Contract.voided).is_(False),
                col(Contract.registered_on) >= date(plan.start_year, 1, 1),
                col(Contract.registered_on) <= date(plan.end_year, 12, 31),
            )
        ).one()
        figures.append(
            Figure(f"{plan.name}累计成交额", f"{fen_to_yuan(int(plan_fen)) / 100_000_000:.2f} 亿元", "/stats")
        )
    return Workbench(todos, figures)


def _admin(session: Session, actor: Actor, today: date) -> Workbench:
    never = list(
        session.exec(
            select(User)
            .where(col(User.last_login_at).is_(None), User.is_active == True)
            .order_by(col(User.id))
        )
    )
    todos = [
        Todo("never", "从未登录的账号", len(never), "/admin/users",
             [Item(f"{u.display_name}（{u.username}）", f"/admin/users/{u.id}") for u in never[:SHOWN]]),
    ]  # fmt: skip
    figures = [
        Figure("在用账号", str(_count(session, select(func.count()).select_from(User).where(User.is_active == True))),
               "/admin/users"),
        Figure("登记企业", str(_count(session, select(func.count()).select_from(Company))), ""),
    ]  # fmt: skip
    return Workbench(todos, figures)


#: Failed jobs stay on the workbench this long (after that the 我的任务 page still lists them).
FAILED_JOBS_SHOWN_FOR = timedelta(days=14)


def _job_todos(session: Session, actor: Actor) -> list[Todo]:
    """The actor's imports and other jobs that need attention: failed ones (to read and retry) and those still
    queued or running (an admin sees everyone's). Links go to the job page, where the result and 重试 are."""
    stmt = select(Job)
    if not actor.is_admin:
        stmt = stmt.where(Job.owner_id == (actor.id or -1))
    since = (
        request_meetings.to_utc(datetime.combine(local_today(), datetime.min.time())) - FAILED_JOBS_SHOWN_FOR
    )
    failed = list(
        session.exec(
            stmt.where(Job.state == "failed", col(Job.created_at) >= since).order_by(col(Job.id).desc())
        )
    )
    busy = list(session.exec(stmt.where(col(Job.state).in_(("queued", "running"))).order_by(col(Job.id))))
    return [
        Todo("jobs-failed", "失败的导入与任务", len(failed), "/jobs",
             [Item(j.title, f"/jobs/{j.id}", (j.error or "失败")[:40]) for j in failed[:SHOWN]]),
        Todo("jobs-running", "进行中的导入与任务", len(busy), "/jobs",
             [Item(j.title, f"/jobs/{j.id}", "排队中" if j.state == "queued" else "进行中") for j in busy[:SHOWN]]),
    ]  # fmt: skip


#: Roles whose work runs as jobs (imports, reindexing): see ``nav.py``'s 我的任务.
JOB_ROLES = ("researcher", "bureau", "organizer", "admin")

BUILDERS = {
    "researcher": _researcher,
    "sme": _sme,
    "organizer": _organizer,
    "bureau": _bureau,
    "admin": _admin,
}


def workbench(session: Session, actor: Actor, today: date | None = None) -> Workbench:
    """The actor's 待办 and figures; blocks with nothing waiting are kept (a zero is information too)."""
    bench = BUILDERS[actor.role](session, actor, today or local_today())
    if actor.role in JOB_ROLES:
        bench = Workbench(bench.todos + _job_todos(session, actor), bench.figures)
    return bench
