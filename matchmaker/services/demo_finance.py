"""The finance part of the demo: pledge registrations (``seed/demo/pledges.json``), a step of ``seeding.DEMO_STEPS``.

Kept apart from ``services.seeding`` so the demo generator can call it as one step. Every registration goes
through the same checks as the bureau's form and import (check characters, exact amounts, 注销 after 登记), so
demo data can never hold what the platform would refuse. Rerunning adds nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from matchmaker.domain.pledges import PLEDGE_STATUSES
from matchmaker.services import pledges
from matchmaker.services.demo import DemoContext
from matchmaker.services.permissions import Actor
from matchmaker.services.reference import load_reference
from matchmaker.storage.models import Pledge

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
