"""Load reference data (institutions, the plan's indicators) and the fictional demo data set from ``seed/``.

Both are idempotent: each record is found by its natural key (user name, credit code, patent number,
registration number, event name) and only created when missing, so ``seed --demo`` can be run again safely.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from matchmaker.domain.identifiers import parse_application_number, parse_credit_code
from matchmaker.domain.money import yuan_to_fen
from matchmaker.scheduling.slots import Break, make_slots
from matchmaker.services import accounts, demo_finance, event_schedule
from matchmaker.services import demo as generated
from matchmaker.services.demo import DemoContext
from matchmaker.storage import audit
from matchmaker.storage.db import transaction
from matchmaker.storage.migrate import upgrade
from matchmaker.storage.models import (
    Company,
    Contract,
    Event,
    EventPair,
    EventParticipant,
    Indicator,
    Institution,
    InstitutionAlias,
    Meeting,
    MeetingRequest,
    Need,
    Offer,
    Plan,
    User,
)

#: Generated past events: name, date, venue, the fields whose offers and needs meet there.
PAST_EVENTS = [
    (
        "溧阳新能源与储能专场技术对接会",
        "2024-05-16",
        "溧阳市科技创新服务中心一楼报告厅",
        ("新能源", "绿色储能", "智能电网"),
    ),
    (
        "溧阳智能装备与新材料专场技术对接会",
        "2026-04-23",
        "溧阳经济开发区企业服务中心二楼",
        ("智能装备", "新材料", "动力电池"),
    ),
]


def _demo_events(ctx: DemoContext) -> None:
    """Past docking events with their meetings and outcomes, drawn from offers and needs of the same fields;
    each 签约 meeting of an event after the plan period also has its registered contract."""
    session, rng = ctx.session, ctx.rng("events")
    offers = list(session.exec(select(Offer).where(Offer.status == "发布").order_by(col(Offer.id))))
    needs = list(session.exec(select(Need).order_by(col(Need.id))))
    for name, day, venue, fields in PAST_EVENTS:
        if session.exec(select(Event).where(Event.name == name)).first() is not None:
            continue
        met = {(p.offer_id, p.need_id) for p in session.exec(select(EventPair))}  # one judgement per pair
        starts = ["14:00", "14:20", "14:40", "15:00", "15:20", "16:00", "16:20", "16:40"]
        busy: set[tuple[str, Any, Any]] = set()
        meetings = []
        for need in rng.sample(
            [n for n in needs if n.field in fields], k=len([n for n in needs if n.field in fields])
        ):
            fresh = [o for o in offers if o.field == need.field and (o.id, need.id) not in met]
            if not fresh:
                continue
            offer = rng.choice(fresh)
            slot = next(
                (
                    t
                    for t in starts
                    if ("r", t, offer.institution_id) not in busy and ("c", t, need.company_id) not in busy
                ),
                None,
            )
            table = sum(1 for key in busy if key[0] == "r" and key[1] == slot) if slot else 0
            if slot is None or table >= 6:
                continue
            busy |= {("r", slot, offer.institution_id), ("c", slot, need.company_id)}
            met.add((offer.id, need.id))
            outcome = rng.choices(["签约", "意向", "无果"], weights=[2, 4, 4])[0]
            attended = rng.random() > 0.08
            meetings.append(
                {
                    "offer_title": offer.title,
                    "need_title": need.title,
                    "start": slot,
                    "table": f"{table + 1}号桌",
                    "attendance": "到场" if attended else "缺席",
                    "outcome": outcome if attended else None,
                    "score": round(rng.uniform(0.55, 0.9), 2),
                }
            )
        data = {
            "name": name,
            "date": day,
            "venue": venue,
            "start_time": "14:00",
            "end_time": "17:00",
            "slot_minutes": 20,
            "breaks": [{"start": "15:40", "end": "16:00"}],
            "tables": [f"{i}号桌" for i in range(1, 7)],
            "organizer": "org_qian",
            "meetings": meetings[:14],
        }
        _seed_event(session, data, ctx.users, ctx.report)
        if day > "2025-12-31":
            _contracts_from_signing(ctx, name, date.fromisoformat(day), rng)


def _contracts_from_signing(ctx: DemoContext, event_name: str, day: date, rng: Any) -> None:
    session = ctx.session
    event = session.exec(select(Event).where(Event.name == event_name)).one()
    for n, meeting in enumerate(
        session.exec(select(Meeting).where(Meeting.event_id == event.id, Meeting.outcome == "签约"))
    ):
        pair = session.get(EventPair, meeting.pair_id)
        offer = session.get(Offer, pair.offer_id) if pair and pair.offer_id else None
        need = session.get(Need, pair.need_id) if pair and pair.need_id else None
        company = session.get(Company, need.company_id) if need else None
        institution = session.get(Institution, offer.institution_id) if offer else None
        if offer is None or need is None or company is None or institution is None:
            continue
        amount = rng.randrange(30, 400) * 1_000_000  # 30万–400万元 in whole 万元 (1万元 = 1,000,000 分)
        registered = day + timedelta(days=30 + 7 * n)
        session.add(
            Contract(
                registration_number=f"{day.year}320481{20001 + n:06d}",
                title=f"{offer.title}技术开发",
                contract_type="技术开发",
                seller_name=institution.canonical_name,
                seller_institution_id=institution.id,
                buyer_name=company.name,
                buyer_credit_code=company.credit_code,
                buyer_company_id=company.id,
                amount_fen=amount,
                technology_amount_fen=amount,
                signed_on=registered - timedelta(days=10),
                registered_on=registered,
                field="新材料及其应用" if offer.field == "新材料" else "先进制造",
                town=company.town,
                offer_id=offer.id,
                need_id=need.id,
                event_id=event.id,
                meeting_id=meeting.id,
            )
        )
        ctx.report.add("contracts")


#: Requests between demo accounts the journeys of tests/browser do not use, one set per state.
DEMO_REQUESTS = [
    ("sme_guangyao", "待回复", None),
    ("sme_jingrui", "待回复", None),
    ("sme_kunchuang", "已接受", None),
    ("sme_liyuan", "已接受", None),
    ("sme_cuiling", "已拒绝", "阶段太早"),
    ("sme_qinxiang", "已拒绝", "预算不符"),
]


#: researchers whose inboxes the browser journeys read; the demo's requests go to the others
JOURNEY_RESEARCHERS = ("seu_wang", "nuaa_chen")


def _demo_requests(ctx: DemoContext) -> None:
    """Meeting requests in every state, from SME accounts to offers of their needs' fields."""
    session, rng = ctx.session, ctx.rng("requests")
    if session.exec(select(MeetingRequest)).first() is not None:
        return
    journeys = {u.id for name, u in ctx.users.items() if name in JOURNEY_RESEARCHERS}
    offers = [
        o
        for o in session.exec(select(Offer).where(Offer.status == "发布").order_by(col(Offer.id)))
        if o.created_by not in journeys
    ]
    for username, state, reason in DEMO_REQUESTS:
        user = ctx.users.get(username)
        if user is None or user.company_id is None:
            continue
        need = session.exec(
            select(Need).where(Need.company_id == user.company_id).order_by(col(Need.id))
        ).first()
        fitting = [o for o in offers if need is not None and o.field == need.field] or offers
        offer = rng.choice(fitting)
        owner = session.get(User, offer.created_by) if offer.created_by else None
        asked = datetime(2026, 11, rng.randint(2, 27), 9 + rng.randint(0, 7), tzinfo=UTC)
        assert offer.id is not None and user.id is not None  # stored rows
        session.add(
            MeetingRequest(
                offer_id=offer.id,
                need_id=need.id if need else None,
                company_id=user.company_id,
                requested_by=user.id,
                message=f"我们在做「{need.title if need else offer.title}」，想与您当面交流成果的转化条件。",
                state=state,
                decline_reason=reason,
                responded_by=owner.id if owner and state != "待回复" else None,
                created_at=asked,
                responded_at=asked + timedelta(days=2) if state != "待回复" else None,
            )
        )
        ctx.report.add("requests")


#: The generated demo records, after the hand-written ones, in order: ``(progress label, step)``. A step takes a
#: :class:`DemoContext` (session, seed folder, its own seeded random source, report, users by name) and must add
#: nothing when its records exist. Another feature's demo records (pledges, licences …) join by adding a line.
DEMO_STEPS: list[tuple[str, Callable[[DemoContext], None]]] = [
    ("企业名录", generated.seed_companies),
    ("历年技术合同", generated.seed_contracts),
    ("规划指标填报", generated.seed_indicator_values),
    ("往届对接会", _demo_events),
    ("会谈请求", _demo_requests),
    ("质押登记", demo_finance.seed_pledges),
    ("开放许可与定期通报", demo_finance.seed_licences),
]
#: how many times ``seed_demo`` reports progress (for a progress bar)
DEMO_PROGRESS_STEPS = 6 + len(DEMO_STEPS)


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, password

    def add(self, kind: str, n: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + n


def _load(path: Path, key: str | None = None) -> Any:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data[key] if key else data


def seed_reference(session: Session, seed_dir: Path, report: SeedReport | None = None) -> SeedReport:
    report = report or SeedReport()
    for item in _load(seed_dir / "institutions.json"):
        inst = session.exec(
            select(Institution).where(Institution.canonical_name == item["canonical"])
        ).first()
        if inst is None:
            inst = Institution(
                canonical_name=item["canonical"],
                short_name=item.get("short_name", ""),
                kind=item.get("kind", ""),
                credit_code=item.get("credit_code"),
                description=item.get("description", ""),
            )
            session.add(inst)
            session.flush()
            report.add("institutions")
        known = {a.alias for a in session.exec(select(InstitutionAlias))} | {
            i.canonical_name for i in session.exec(select(Institution))
        }
        for alias in [item.get("short_name", ""), *item.get("aliases", [])]:
            if alias and alias not in known:
                assert inst.id is not None
                session.add(InstitutionAlias(institution_id=inst.id, alias=alias))
                known.add(alias)
    for plan_data in _load(seed_dir / "indicators.json")["plans"]:
        plan = session.exec(select(Plan).where(Plan.code == plan_data["code"])).first()
        if plan is None:
            plan = Plan(
                code=plan_data["code"],
                name=plan_data["name"],
                start_year=plan_data["start_year"],
                end_year=plan_data["end_year"],
            )
            session.add(plan)
            session.flush()
            report.add("plans")
        assert plan.id is not None
        existing = {i.code for i in session.exec(select(Indicator).where(Indicator.plan_id == plan.id))}
        for order, ind in enumerate(plan_data["indicators"]):
            if ind["code"] in existing:
                continue
            session.add(
                Indicator(
                    plan_id=plan.id,
                    code=ind["code"],
                    category=ind["category"],
                    name=ind["name"],
                    unit=ind["unit"],
                    target=str(ind["target"]),
                    kind=ind["kind"],
                    source=ind.get("source", "manual"),
                    sort_order=order,
                    note=ind.get("note", ""),
                )
            )
            report.add("indicators")
    return report


def prepare_database(engine: Engine, seed_dir: Path) -> SeedReport:
    """Bring the schema to the newest revision, then load the reference data; both are idempotent, so every
    command that needs the database can run this first."""
    upgrade(engine)
    with transaction(engine) as session:
        return seed_reference(session, seed_dir)


def seed_demo(
    session: Session,
    seed_dir: Path,
    report: SeedReport | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """The fictional demo: companies, users of every role, offers, needs, a past event and contracts."""
    report = seed_reference(session, seed_dir, report)
    demo = seed_dir / "demo"
    step = progress or (lambda _msg: None)
    institutions = {i.canonical_name: i for i in session.exec(select(Institution))}

    step("企业")
    for item in _load(demo / "companies.json", "companies"):
        code = parse_credit_code(item["credit_code"])
        if session.exec(select(Company).where(Company.credit_code == code)).first() is None:
            session.add(
                Company(
                    name=item["name"],
                    credit_code=code,
                    town=item.get("town", ""),
                    field=item.get("field", ""),
                    description=item.get("description", ""),
                )
            )
            report.add("companies")
    session.flush()
    companies = {c.name: c for c in session.exec(select(Company))}
    companies_by_code = {c.credit_code: c for c in companies.values()}

    step("账号")
    for item in _load(demo / "users.json", "users"):
        report.accounts.append((item["username"], item["role"], item["password"]))
        if session.exec(select(User).where(User.username == item["username"])).first() is not None:
            continue
        inst = institutions.get(item.get("institution") or "")
        company = companies_by_code.get(item.get("company_credit_code") or "")
        session.add(
            User(
                username=item["username"],
                display_name=item["display_name"],
                email=item.get("email", ""),
                role=item["role"],
                institution_id=inst.id if inst else None,
                company_id=company.id if company else None,
                password_hash=accounts.hash_password(item["password"]),
            )
        )
        report.add("users")
    session.flush()
    users = {u.username: u for u in session.exec(select(User))}

    step("专利成果")
    for item in _load(demo / "offers.json", "offers"):
        number = parse_application_number(item["application_number"])
        if session.exec(select(Offer).where(Offer.patent_key == number.digits)).first() is not None:
            continue
        owner = users.get(item.get("owner", ""))
        institution = institutions[item["institution"]]
        assert institution.id is not None
        offer = Offer(
            title=item["title"],
            abstract=item.get("abstract", ""),
            claims=item.get("claims", ""),
            application_number=number.canonical,
            patent_key=number.digits,
            patent_type=item["patent_type"],
            legal_status=item["legal_status"],
            ipc=list(item.get("ipc", [])),
            inventors=list(item.get("inventors", [])),
            institution_id=institution.id,
            transfer_modes=list(item.get("transfer_modes", [])),
            price_wan=item.get("price_wan"),
            trl=item.get("trl"),
            field=item.get("field", ""),
            contact=item.get("contact", ""),
            status=item.get("status", "发布"),
            created_by=owner.id if owner else None,
        )
        _store_demo(session, offer, "offer", offer.title)
        report.add("offers")

    step("技术需求")
    for item in _load(demo / "needs.json", "needs"):
        company = companies[item["company"]]
        if session.exec(
            select(Need).where(Need.company_id == company.id, Need.title == item["title"])
        ).first():
            continue
        owner = users.get(item.get("owner", ""))
        assert company.id is not None
        need = Need(
            company_id=company.id,
            title=item["title"],
            description=item.get("description", ""),
            expected_outcome=item.get("expected_outcome", ""),
            field=item.get("field", ""),
            budget_min_wan=item.get("budget_min_wan"),
            budget_max_wan=item.get("budget_max_wan"),
            coop_modes=list(item.get("coop_modes", [])),
            deadline=date.fromisoformat(item["deadline"]) if item.get("deadline") else None,
            contact=item.get("contact", ""),
            contact_public=bool(item.get("contact_public")),
            budget_public=bool(item.get("budget_public")),
            status=item.get("status", "开放"),
            created_by=owner.id if owner else None,
        )
        _store_demo(session, need, "need", need.title)
        report.add("needs")

    step("对接会")
    event_path = demo / "event.json"
    if event_path.exists():
        _seed_event(session, _load(event_path), users, report)

    step("技术合同")
    for item in _load(demo / "contracts.json", "contracts"):
        if session.exec(
            select(Contract).where(Contract.registration_number == item["registration_number"])
        ).first():
            continue
        seller = institutions.get(item["seller"])
        buyer_code = parse_credit_code(item["buyer"]["credit_code"])
        buyer = companies_by_code.get(buyer_code)
        sold = (
            session.exec(select(Offer).where(Offer.title == item["offer_title"])).first()
            if item.get("offer_title")
            else None
        )
        contract = Contract(
            registration_number=item["registration_number"],
            title=item["title"],
            contract_type=item["contract_type"],
            sub_type=item.get("sub_type", ""),
            seller_name=item["seller"],
            seller_institution_id=seller.id if seller else None,
            buyer_name=item["buyer"]["name"],
            buyer_credit_code=buyer_code,
            buyer_company_id=buyer.id if buyer else None,
            amount_fen=yuan_to_fen(Decimal(item["amount_yuan"])),
            technology_amount_fen=yuan_to_fen(Decimal(item["technology_amount_yuan"])),
            signed_on=date.fromisoformat(item["signed_on"]),
            registered_on=date.fromisoformat(item["registered_on"]),
            field=item.get("field", ""),
            town=item.get("town", ""),
            offer_id=sold.id if sold else None,
            **_meeting_link(session, item.get("meeting")),
        )
        _store_demo(session, contract, "contract", f"{contract.registration_number} {item['amount_yuan']} 元")
        report.add("contracts")

    context = DemoContext(session, seed_dir, generated.load_spec(seed_dir), report, users)
    for label, demo_step in DEMO_STEPS:
        step(label)
        demo_step(context)
        session.flush()
    return report


def _store_demo(session: Session, record: Any, entity: str, title: str) -> None:
    """Store one demo record and audit its creation as the seed's, so the trail tells demo data apart."""
    session.add(record)
    session.flush()
    assert record.id is not None
    audit.record(
        session,
        user_id=None,
        username="seed",
        entity=entity,
        entity_id=record.id,
        action="create",
        new=title,
        note="演示数据",
    )


def _seed_event(session: Session, data: dict[str, Any], users: dict[str, User], report: SeedReport) -> None:
    if session.exec(select(Event).where(Event.name == data["name"])).first() is not None:
        return
    organizer = users.get(data.get("organizer", ""))
    event = Event(
        name=data["name"],
        event_date=date.fromisoformat(data["date"]),
        venue=data.get("venue", ""),
        start_time=data["start_time"],
        end_time=data["end_time"],
        slot_minutes=data.get("slot_minutes", 20),
        breaks=[[b["start"], b["end"]] for b in data.get("breaks", [])],
        tables=list(data["tables"]),
        theme_fields=list(data.get("theme_fields", [])),
        theme_keywords=list(data.get("theme_keywords", [])),
        status=data.get("status", "已结束"),
        created_by=organizer.id if organizer else None,
    )
    session.add(event)
    session.flush()
    assert event.id is not None
    event_id = event.id
    report.add("events")
    slots = _slot_starts(event)
    participants: dict[tuple[str, int], EventParticipant] = {}

    def participant(kind: str, ref_id: int, name: str, **kw: Any) -> EventParticipant:
        key = (kind, ref_id)
        if key not in participants:
            p = EventParticipant(event_id=event_id, name=name, kind=kind, **kw)
            session.add(p)
            session.flush()
            participants[key] = p
        return participants[key]

    for m in data.get("meetings", []):
        offer = session.exec(select(Offer).where(Offer.title == m["offer_title"])).first()
        need = session.exec(select(Need).where(Need.title == m["need_title"])).first()
        if offer is None or need is None or m.get("start") not in slots:
            continue
        researcher_user = session.get(User, offer.created_by) if offer.created_by else None
        assert offer.id is not None and need.id is not None
        r = participant(
            "researcher",
            offer.institution_id,
            researcher_user.display_name if researcher_user else "成果联系人",
            user_id=researcher_user.id if researcher_user else None,
            institution_id=offer.institution_id,
        )
        company = session.get(Company, need.company_id)
        c = participant(
            "company", need.company_id, company.name if company else "企业代表", company_id=need.company_id
        )
        assert r.id is not None and c.id is not None
        pair = EventPair(
            event_id=event.id,
            offer_id=offer.id,
            need_id=need.id,
            researcher_id=r.id,
            company_participant_id=c.id,
            score=float(m.get("score", 0.6)),
            source="manual",
        )
        session.add(pair)
        session.flush()
        assert pair.id is not None
        table = event.tables.index(m["table"]) if m.get("table") in event.tables else 0
        meeting = Meeting(
            event_id=event.id,
            pair_id=pair.id,
            slot=slots.index(m["start"]),
            table_index=table,
            published=True,
            attendance=m.get("attendance"),
            outcome=m.get("outcome"),
            note=m.get("note", ""),
        )
        session.add(meeting)
        session.flush()
        report.add("meetings")
        if meeting.outcome and organizer is not None:  # as when an organizer records it: the matcher learns
            event_schedule.judge_outcome(
                session, accounts.actor_for(organizer), meeting, meeting.outcome, meeting.note
            )
            report.add("judgements")


def _meeting_link(session: Session, ref: dict[str, str] | None) -> dict[str, Any]:
    """Resolve a contract's "came from this meeting" reference (event name, offer and need titles) to ids."""
    if not ref:
        return {}
    event = session.exec(select(Event).where(Event.name == ref["event"])).first()
    offer = session.exec(select(Offer).where(Offer.title == ref["offer_title"])).first()
    need = session.exec(select(Need).where(Need.title == ref["need_title"])).first()
    if event is None or offer is None or need is None:
        return {}
    pair = session.exec(
        select(EventPair).where(
            EventPair.event_id == event.id, EventPair.offer_id == offer.id, EventPair.need_id == need.id
        )
    ).first()
    meeting = session.exec(select(Meeting).where(Meeting.pair_id == pair.id)).first() if pair else None
    return {"event_id": event.id, "need_id": need.id, "meeting_id": meeting.id if meeting else None}


def _slot_starts(event: Event) -> list[str]:
    """Slot start times ("HH:MM") of the event, as its agenda shows them."""
    breaks = [Break(time.fromisoformat(b0), time.fromisoformat(b1)) for b0, b1 in event.breaks]
    slots = make_slots(
        event.event_date,
        time.fromisoformat(event.start_time),
        time.fromisoformat(event.end_time),
        event.slot_minutes,
        breaks,
    )
    return [slot.label() for slot in slots]
