"""Load reference data (institutions, the plan's indicators) and the fictional demo data set from ``seed/``.

Both are idempotent: each record is found by its natural key (user name, credit code, patent number,
registration number, event name) and only created when missing, so ``seed --demo`` can be run again safely.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

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
    Need,
    Offer,
    Plan,
    User,
)

#: The generated demo records, after the hand-written ones, in order: ``(progress label, step)``. A step takes a
#: :class:`DemoContext` (session, seed folder, its own seeded random source, report, users by name) and must add
#: nothing when its records exist. Another feature's demo records (pledges, licences …) join by adding a line.
DEMO_STEPS: list[tuple[str, Callable[[DemoContext], None]]] = [
    ("企业名录", generated.seed_companies),
    ("历年技术合同", generated.seed_contracts),
    ("规划指标填报", generated.seed_indicator_values),
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
