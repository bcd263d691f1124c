"""The generated part of the demo: a fictional Liyang with years of history, built from one random seed.

``seed/demo/*.json`` hold the hand-written records (accounts, the offers and needs the matcher is measured on,
one event). A bureau's dashboard needs more than a handful of contracts, so ``seed/demo/generated.json`` gives
the shape of the rest (how many contracts per year and their total, the mix of fields, towns and types, the
indicator values the bureau entered) and this module draws the records from ``random.Random(seed)``: the same
file always yields the same companies and contracts, to the 分, so tests may rely on them.

Other features add their own demo records through ``seeding.DEMO_STEPS`` with a function taking a
:class:`DemoContext`; each step finds its records by a natural key so that loading twice adds nothing.
"""

from __future__ import annotations

import calendar
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from matchmaker.domain.identifiers import CREDIT_CODE_CHARS, credit_code_check_char, org_code_check_char
from matchmaker.storage import audit
from matchmaker.storage.models import (
    Company,
    Contract,
    Indicator,
    IndicatorValue,
    Institution,
    Plan,
    User,
)

#: 分 per 亿元
FEN_PER_YI = 100 * 100_000_000
#: the note every generated record's audit row carries
NOTE = "演示数据（生成）"


@dataclass
class DemoContext:
    """What a demo step needs: the open session, the seed folder, a random source of its own, the report."""

    session: Session
    seed_dir: Path
    spec: dict[str, Any]
    report: Any  # seeding.SeedReport (not imported: seeding imports this module)
    users: dict[str, User] = field(default_factory=dict)

    def rng(self, salt: str) -> random.Random:
        """A random source per step, so adding a step never changes what the others draw."""
        return random.Random(f"{self.spec['seed']}:{salt}")

    def through(self) -> date:
        """The last day of the demo's history (fixed in the file, so the data do not depend on today)."""
        return date.fromisoformat(self.spec["through"])


def load_spec(seed_dir: Path) -> dict[str, Any]:
    return dict(json.loads((seed_dir / "demo" / "generated.json").read_text(encoding="utf-8")))


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


# --- companies ---------------------------------------------------------------------------------------------


def credit_code(rng: random.Random) -> str:
    """A valid 统一社会信用代码 of a Liyang enterprise: 91 + 320481 + organisation code + check character."""
    body = "MA" + "".join(rng.choice(CREDIT_CODE_CHARS[:-1]) for _ in range(6))
    first17 = "91320481" + body + org_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def company_records(spec: Mapping[str, Any], rng: random.Random, taken: set[str]) -> list[dict[str, str]]:
    """``count`` fictional companies with distinct names and codes, weighted over fields and towns."""
    c = spec["companies"]
    out: list[dict[str, str]] = []
    names = set(taken)
    while len(out) < c["count"]:
        trade_field = _weighted(rng, c["field_weights"])
        name = f"{rng.choice(c['prefixes'])}{rng.choice(c['cores'])}{rng.choice(c['trades'][trade_field])}有限公司"
        if name in names:
            continue
        names.add(name)
        town = _weighted(rng, c["town_weights"])
        out.append(
            {
                "name": name,
                "credit_code": credit_code(rng),
                "town": town,
                "field": trade_field,
                "description": f"位于{town}，主营{trade_field}领域产品的研发、生产与销售。",
            }
        )
    return out


def seed_companies(ctx: DemoContext) -> None:
    session = ctx.session
    existing = {c.name for c in session.exec(select(Company))}
    codes = set(session.exec(select(Company.credit_code)))
    added = [
        Company.model_validate(r)
        for r in company_records(ctx.spec, ctx.rng("companies"), set())
        if r["name"] not in existing and r["credit_code"] not in codes
    ]
    session.add_all(added)
    session.flush()
    if added:
        ctx.report.add("companies", len(added))


# --- contracts ---------------------------------------------------------------------------------------------


def _split_total(rng: random.Random, count: int, total_fen: int) -> list[int]:
    """``count`` amounts, lognormal like real registers (many small service contracts, a few large
    developments), in whole hundreds of 元, summing exactly to ``total_fen``."""
    raw = [rng.lognormvariate(0, 1.35) for _ in range(count)]
    scale = Decimal(total_fen) / Decimal(str(sum(raw)))
    step = 100 * 100  # 100 元 in 分
    amounts = [
        max(step, int((Decimal(str(r)) * scale / step).to_integral_value(ROUND_HALF_UP)) * step) for r in raw
    ]
    amounts[amounts.index(max(amounts))] += total_fen - sum(amounts)  # the largest absorbs the rounding
    return amounts


def _dates(rng: random.Random, year: int, count: int, weights: Sequence[float], through: date) -> list[date]:
    months = [m for m in range(1, 13) if date(year, m, 1) <= through]
    picked = rng.choices(months, weights=[weights[m - 1] for m in months], k=count)
    out = []
    for m in picked:
        last = calendar.monthrange(year, m)[1]
        if (year, m) == (through.year, through.month):
            last = through.day
        day = date(year, m, rng.randint(1, last))
        if day.weekday() >= 5:  # registered on working days: the Friday before, or the Monday after
            friday = day - timedelta(days=day.weekday() - 4)
            day = friday if friday.month == m else day + timedelta(days=7 - day.weekday())
        out.append(day)
    return sorted(out)


def contract_records(
    spec: Mapping[str, Any],
    rng: random.Random,
    companies: Sequence[Company],
    institutions: Sequence[str],
    field_map: Mapping[str, str],
    examples: Mapping[str, Sequence[str]],
) -> list[dict[str, Any]]:
    """The register year by year: ``count`` contracts per year totalling ``total_yi`` 亿元 exactly."""
    c = spec["contracts"]
    through = date.fromisoformat(spec["through"])
    by_field: dict[str, list[Company]] = {}
    for company in companies:
        by_field.setdefault(company.field, []).append(company)
    out: list[dict[str, Any]] = []
    for year_text, plan in sorted(c["years"].items()):
        year = int(year_text)
        total_fen = int(Decimal(plan["total_yi"]) * FEN_PER_YI)
        amounts = _split_total(rng, plan["count"], total_fen)
        registered = _dates(rng, year, plan["count"], c["month_weights"], through)
        for serial, (amount, reg) in enumerate(zip(amounts, registered), start=1):
            contract_field = _weighted(rng, c["field_weights"])
            industry = field_map.get(contract_field, "")
            buyer = rng.choice(by_field.get(industry) or list(companies))
            kind = _weighted(rng, c["type_weights"])
            tech = rng.choice(examples.get(industry) or ["新产品"])
            if rng.random() < c["institution_share"]:
                seller = rng.choice(institutions)
            else:
                o = c["other_sellers"]
                seller = f"{rng.choice(o['cities'])}{rng.choice(spec['companies']['cores'])}{rng.choice(o['kinds'])}"
            share = 100 if kind in ("技术服务", "技术咨询") else rng.choice([70, 80, 90, 100])
            technology = amount * share // 100 // 10000 * 10000
            out.append(
                {
                    "registration_number": f"{year}320481{10000 + serial:06d}",
                    "title": rng.choice(c["works"][kind]).format(tech=tech),
                    "contract_type": kind,
                    "seller": seller,
                    "buyer": buyer,
                    "amount_fen": amount,
                    "technology_amount_fen": max(min(technology, amount), 0),
                    "signed_on": reg - timedelta(days=rng.randint(5, 45)),
                    "registered_on": reg,
                    "field": contract_field,
                    "town": buyer.town,
                }
            )
    return out


def seed_contracts(ctx: DemoContext) -> None:
    session = ctx.session
    institutions = {i.canonical_name: i for i in session.exec(select(Institution))}
    companies = list(session.exec(select(Company).order_by(col(Company.id))))
    fields_seed = json.loads((ctx.seed_dir / "fields.json").read_text(encoding="utf-8"))["fields"]
    contract_fields = json.loads((ctx.seed_dir / "contract_fields.json").read_text(encoding="utf-8"))
    records = contract_records(
        ctx.spec,
        ctx.rng("contracts"),
        companies,
        sorted(institutions),
        {f["name"]: f["field"] for f in contract_fields["contract_fields"]},
        {f["name"]: f["examples"] for f in fields_seed},
    )
    known = set(session.exec(select(Contract.registration_number)))
    bureau = next((u for u in ctx.users.values() if u.role == "bureau"), None)
    added = []
    for r in records:
        if r["registration_number"] in known:
            continue
        buyer: Company = r["buyer"]
        seller = institutions.get(r["seller"])
        added.append(
            Contract(
                registration_number=r["registration_number"],
                title=r["title"],
                contract_type=r["contract_type"],
                seller_name=r["seller"],
                seller_institution_id=seller.id if seller else None,
                buyer_name=buyer.name,
                buyer_credit_code=buyer.credit_code,
                buyer_company_id=buyer.id,
                amount_fen=r["amount_fen"],
                technology_amount_fen=r["technology_amount_fen"],
                signed_on=r["signed_on"],
                registered_on=r["registered_on"],
                field=r["field"],
                town=r["town"],
                created_by=bureau.id if bureau else None,
            )
        )
    session.add_all(added)
    session.flush()
    if added:
        ctx.report.add("contracts", len(added))
        audit.record(
            session,
            user_id=bureau.id if bureau else None,
            username=bureau.username if bureau else "",
            entity="contract",
            entity_id=added[0].id or 0,
            action="import",
            new=f"{len(added)} 份合同",
            note=NOTE,
        )


# --- indicator values --------------------------------------------------------------------------------------


def seed_indicator_values(ctx: DemoContext) -> None:
    """The figures the bureau entered for each year of the plan (``indicator_values``: code → one value a year)."""
    session = ctx.session
    bureau = next((u for u in ctx.users.values() if u.role == "bureau"), None)
    plan = session.exec(select(Plan).order_by(col(Plan.start_year))).first()
    if plan is None:
        return
    indicators = {i.code: i for i in session.exec(select(Indicator).where(Indicator.plan_id == plan.id))}
    entered = {(v.indicator_id, v.year) for v in session.exec(select(IndicatorValue))}
    added = 0
    for code, values in ctx.spec["indicator_values"].items():
        indicator = indicators.get(code)
        if indicator is None or indicator.source != "manual":
            continue
        assert indicator.id is not None
        for year, value in zip(range(plan.start_year, plan.end_year + 1), values):
            if (indicator.id, year) in entered:
                continue
            session.add(
                IndicatorValue(
                    indicator_id=indicator.id,
                    year=year,
                    value=value,
                    entered_by=bureau.id if bureau else None,
                )
            )
            added += 1
    if added:
        ctx.report.add("indicator_values", added)
