"""The pledge register: recorded, changed and released with an audit trail; the financing figures from it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session, func, select

from matchmaker.domain.errors import PermissionDenied, ValidationFailed
from matchmaker.domain.identifiers import credit_code_check_char, org_code_check_char
from matchmaker.services import indicators, pledges
from matchmaker.services.permissions import Actor
from matchmaker.services.reference import load_reference
from matchmaker.services.seeding import seed_reference
from matchmaker.settings import PROJECT_ROOT
from matchmaker.storage.models import AuditLog, Company, Pledge

REFERENCE = load_reference(PROJECT_ROOT / "seed")
BUREAU = Actor(id=None, username="ipo_test", role="bureau")


def credit_code(n: int) -> str:
    org8 = f"{73000000 + n:08d}"
    first17 = "91320481" + org8 + org_code_check_char(org8)
    return first17 + credit_code_check_char(first17)


@pytest.fixture
def db(session: Session) -> Session:
    seed_reference(session, PROJECT_ROOT / "seed")
    session.add(
        Company(name="溧阳恒测新能源有限公司", credit_code=credit_code(1), town="昆仑街道", field="动力电池")
    )
    session.flush()
    return session


def raw(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "registration_number": "Y2024320000123",
        "pledgor": "溧阳恒测新能源有限公司",
        "pledgor_credit_code": credit_code(1),
        "pledgee": "江苏银行溧阳支行",
        "patents": "201710601862.3 H01M 10/0525",
        "amount_yuan": "5,000,000.01",
        "registered_on": "2024-03-20",
    }
    values.update(overrides)
    return values


def count(session: Session, model: Any) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def test_a_registration_links_the_known_company_and_takes_its_town_and_field(db: Session) -> None:
    pledge = pledges.create_pledge(db, BUREAU, REFERENCE, raw())
    assert (pledge.amount_fen, pledge.status, pledge.town, pledge.field) == (
        500_000_001,
        "登记",
        "昆仑街道",
        "动力电池",
    )
    assert pledge.pledgor_company_id is not None
    fields = {a.field: a.new for a in pledges.history(db, pledge.id or 0)}
    assert fields["amount_yuan"] == "5,000,000.01"


def test_bad_input_writes_nothing(db: Session) -> None:
    with pytest.raises(ValidationFailed) as failed:
        pledges.create_pledge(db, BUREAU, REFERENCE, raw(patents="201710601862.4", amount_yuan="12.345"))
    assert set(failed.value.by_field()) == {"patents", "amount_yuan"}
    assert (count(db, Pledge), count(db, AuditLog)) == (0, 0)


def test_a_registration_number_is_registered_once(db: Session) -> None:
    pledges.create_pledge(db, BUREAU, REFERENCE, raw())
    with pytest.raises(ValidationFailed) as failed:
        pledges.create_pledge(db, BUREAU, REFERENCE, raw(registration_number="y2024 3200 00123"))
    assert failed.value.by_field()["registration_number"].startswith("质押登记号 Y2024320000123 已登记")


def test_only_the_bureau_keeps_the_register(db: Session) -> None:
    with pytest.raises(PermissionDenied):
        pledges.create_pledge(db, Actor(id=None, username="o", role="organizer"), REFERENCE, raw())


def test_a_change_is_audited_old_to_new_and_a_release_is_final(db: Session) -> None:
    pledge = pledges.create_pledge(db, BUREAU, REFERENCE, raw())
    changed = pledges.change_pledge(
        db, BUREAU, REFERENCE, pledge.id or 0, {"amount_yuan": "6000000", "changed_on": "2024-06-01"}
    )
    assert changed == ["amount_yuan", "status"]
    assert (pledge.status, pledge.changed_on) == ("变更", date(2024, 6, 1))
    row = next(
        a for a in pledges.history(db, pledge.id or 0) if a.field == "amount_yuan" and a.action == "update"
    )
    assert (row.old, row.new) == ("5,000,000.01", "6,000,000.00")
    with pytest.raises(ValidationFailed) as early:
        pledges.cancel_pledge(db, BUREAU, pledge.id or 0, "2024-01-01", "")
    assert early.value.by_field() == {"cancelled_on": "注销日期 2024-01-01 早于登记日期 2024-03-20"}
    pledges.cancel_pledge(db, BUREAU, pledge.id or 0, "2025-03-19", "贷款已结清")
    assert (pledge.status, pledge.cancelled_on) == ("注销", date(2025, 3, 19))
    with pytest.raises(ValidationFailed):
        pledges.change_pledge(
            db, BUREAU, REFERENCE, pledge.id or 0, {"amount_yuan": "1", "changed_on": "2025-04-01"}
        )


def test_financing_counts_every_registration_in_its_period_and_breaks_down_by_bank_field_and_town(
    db: Session,
) -> None:
    pledges.create_pledge(db, BUREAU, REFERENCE, raw())
    second = pledges.create_pledge(
        db,
        BUREAU,
        REFERENCE,
        raw(registration_number="Y2024320000124", pledgee="溧阳市融资担保有限公司", amount_yuan="0.99",
            registered_on="2024-07-01", town="溧城街道", patents="202120345678.9"),
    )  # fmt: skip
    pledges.create_pledge(
        db, BUREAU, REFERENCE, raw(registration_number="Y2023320000001", registered_on="2023-12-31")
    )
    pledges.cancel_pledge(db, BUREAU, second.id or 0, "2024-12-01", "")
    total = pledges.financing(db, date(2024, 1, 1), date(2024, 12, 31))
    assert (total.pledges, total.amount_fen) == (2, 500_000_100)
    banks = pledges.breakdown(db, date(2024, 1, 1), date(2024, 12, 31), "bank")
    assert [(r.label, r.amount_fen) for r in banks] == [
        ("江苏银行溧阳支行", 500_000_001),
        ("溧阳市融资担保有限公司", 99),
    ]
    towns = pledges.breakdown(db, date(2024, 1, 1), date(2024, 12, 31), "town")
    assert [(r.label, r.pledges) for r in towns] == [("昆仑街道", 1), ("溧城街道", 1)]
    assert pledges.by_year(db, None, None) == {2023: 500_000_001, 2024: 500_000_100}


def test_the_pledge_indicator_is_computed_from_the_register_and_cannot_be_typed(db: Session) -> None:
    pledges.create_pledge(db, BUREAU, REFERENCE, raw(amount_yuan="110000000"))
    plan = next(p for p in indicators.plans(db, date(2024, 6, 1)) if p.plan.code == "14th")
    row = next(r for r in plan.rows if r.indicator.code == "ip_pledge_financing")
    assert (row.values_by_year, row.attainment.percent) == ({2024: Decimal("1.1")}, Decimal("10.00"))
    with pytest.raises(ValidationFailed) as failed:
        indicators.set_value(db, BUREAU, row.indicator.id or 0, "2024", "3")
    assert (
        failed.value.by_field()["indicator_id"]
        == "「知识产权质押融资」由专利权质押登记自动计算，不能手工填写"
    )
