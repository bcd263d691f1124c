"""The finance part of the demo, steps of ``seeding.DEMO_STEPS``: pledge registrations (``seed/demo/pledges.json``),
open licences with one licence taken and its contract registered, and one issued bulletin
(``seed/demo/licences.json``).

Kept apart from ``services.seeding`` so the demo generator can call it as one step. Every registration goes
through the same checks as the bureau's form and import (check characters, exact amounts, 注销 after 登记), so
demo data can never hold what the platform would refuse. Rerunning adds nothing.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from matchmaker.domain.pledges import PLEDGE_STATUSES
from matchmaker.services import bulletins, contracts, licences, pledges
from matchmaker.services.demo import DemoContext
from matchmaker.services.permissions import Actor
from matchmaker.services.reference import load_reference
from matchmaker.storage.models import Bulletin, Licence, Offer, OpenLicence, Pledge, User

SEED_ACTOR = Actor(id=None, username="seed", role="admin", display_name="演示数据")


def seed_pledges(context: DemoContext) -> None:
    """The demo step: store the demo register's registrations not stored yet."""
    added = store_pledges(context.session, context.seed_dir)
    if added:
        context.report.add("pledges", added)


def store_pledges(session: Session, seed_dir: Path) -> int:
    """Store the registrations of ``seed/demo/pledges.json`` not stored yet; returns how many were added."""
    path = seed_dir / "demo" / "pledges.json"
    if not path.exists():
        return 0
    items: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["pledges"]
    reference = load_reference(seed_dir)
    added = 0
    for item in items:
        if session.exec(
            select(Pledge).where(Pledge.registration_number == item["registration_number"])
        ).first():
            continue
        resolved = pledges.check(session, reference, item, statuses=PLEDGE_STATUSES)
        pledge = pledges.new_pledge(resolved, SEED_ACTOR)
        session.add(pledge)
        session.flush()
        pledges.audit_created(session, SEED_ACTOR, pledge, note="演示数据")
        added += 1
    return added


def _actor(user: User) -> Actor:
    return Actor(
        id=user.id,
        username=user.username,
        role=user.role,
        display_name=user.display_name,
        institution_id=user.institution_id,
        company_id=user.company_id,
    )


def _user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    assert user is not None, username
    return user


def _offer_id(session: Session, title: str) -> int:
    offer = session.exec(select(Offer).where(Offer.title == title)).first()
    assert offer is not None and offer.id is not None, title
    return offer.id


def seed_licences(context: DemoContext) -> None:
    """The demo step: open-licence declarations, a licence taken and its contract registered, a bulletin."""
    session, seed_dir = context.session, context.seed_dir
    path = seed_dir / "demo" / "licences.json"
    if not path.exists():
        return
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    reference = load_reference(seed_dir)
    for item in data["open_licences"]:
        offer_id = _offer_id(session, item["offer_title"])
        if session.exec(select(OpenLicence).where(OpenLicence.offer_id == offer_id)).first() is None:
            licences.declare(session, _actor(_user(session, item["declared_by"])), offer_id, item)
            context.report.add("open_licences")
    for item in data["licences"]:
        offer_id = _offer_id(session, item["offer_title"])
        sme = _user(session, item["taken_by"])
        taken = session.exec(
            select(Licence).where(Licence.offer_id == offer_id, Licence.company_id == sme.company_id)
        ).first()
        if taken is not None:
            continue
        licence = licences.take(session, _actor(sme), offer_id, today=date.fromisoformat(item["taken_on"]))
        context.report.add("licences")
        registered = item.get("contract")
        if registered and licence.id is not None:
            bureau = _actor(_user(session, registered["registered_by"]))
            values, _origin = licences.prefill_contract(session, reference, bureau, licence.id)
            values.update(
                registration_number=registered["registration_number"],
                registered_on=registered["registered_on"],
            )
            contract = contracts.create_contract(session, bureau, reference, values)
            licences.attach_contract(session, bureau, licence.id, contract.id or 0)
    for item in data["bulletins"]:
        if session.exec(select(Bulletin).where(Bulletin.period_key == item["period"])).first() is None:
            bulletins.issue(session, _actor(_user(session, item["issued_by"])), item["period"])
            context.report.add("bulletins")
