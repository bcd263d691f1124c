"""The bureau's dashboard on a million contracts, on SQLite and on PostgreSQL.

    .venv/bin/python bench/stats.py [--contracts 1000000] [--runs 20] [--seed 7] [--only sqlite|postgresql]

Generates N contracts (2021–2025, the plan's fields, towns, institutions and types, 1 % voided), bulk-loads them
into a temporary SQLite file (executemany; the 0004 and 0006 triggers keep ``contract_stat`` and
``contract_rollup`` as rows arrive) and into a fresh schema of the local PostgreSQL (COPY with triggers off, then
one ``rebuild_summary`` of both; the schema is
dropped afterwards). Then times each dashboard query and the whole 统计看板 page (rendered through the app,
logged in as a bureau user), p50/p95 over the runs, and checks the totals — from the summary, from a direct
SUM over ``contract`` and from the page — against an exact Decimal sum computed here.

Target (issue 7): the dashboard page under 300 ms p95 on both databases, on the 2-core machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, cast, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, create_engine, func, select
from starlette.testclient import TestClient

from matchmaker.bootstrap import build
from matchmaker.domain.money import fen_to_yuan
from matchmaker.services import accounts, indicators, stats
from matchmaker.services.reference import load_reference
from matchmaker.services.seeding import seed_reference
from matchmaker.settings import PROJECT_ROOT, Settings
from matchmaker.storage.db import make_engine
from matchmaker.storage.migrate import upgrade
from matchmaker.storage.models import Contract, Institution, User
from matchmaker.web.app import create_app

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TYPES = ("技术开发", "技术转让", "技术许可", "技术咨询", "技术服务")
COLUMNS = (
    "registration_number",
    "title",
    "contract_type",
    "sub_type",
    "seller_name",
    "seller_institution_id",
    "buyer_name",
    "buyer_credit_code",
    "amount_fen",
    "technology_amount_fen",
    "signed_on",
    "registered_on",
    "field",
    "town",
    "voided",
    "void_reason",
    "warnings",
    "created_at",
)
PASSWORD = "bench-pass-2026"


def generate(n: int, seed: int, institution_ids: list[int]) -> tuple[list[tuple[Any, ...]], Decimal]:
    """N contract rows and the exact turnover of the non-voided ones, summed as Decimal 元 here."""
    rng = random.Random(seed)
    reference = load_reference(PROJECT_ROOT / "seed")
    fields, towns = reference.contract_fields, reference.towns
    start, days = date(2021, 1, 1), (date(2025, 12, 31) - date(2021, 1, 1)).days
    sellers = [*institution_ids, None]
    rows, total = [], Decimal("0.00")
    now = "2026-01-01 00:00:00"
    for i in range(n):
        registered = start + timedelta(days=rng.randrange(days + 1))
        amount_fen = rng.randrange(100_000, 500_000_000)  # 1,000 元 … 5,000,000 元
        voided = rng.random() < 0.01
        if not voided:
            total += fen_to_yuan(amount_fen)
        seller = rng.choice(sellers)
        rows.append(
            (
                f"{registered.year}32{i:010d}",
                f"技术合同{i}",
                rng.choice(TYPES),
                "",
                "卖方" if seller is None else "单位",
                seller,
                f"企业{i % 5000}",
                "91320481MA00000000",
                amount_fen,
                amount_fen * 4 // 5,
                registered - timedelta(days=rng.randrange(30)),
                registered,
                rng.choice(fields),
                rng.choice(towns),
                voided,
                "作废" if voided else "",
                "[]",
                now,
            )
        )
    return rows, total


def load_sqlite(engine: Engine, rows: list[tuple[Any, ...]]) -> float:
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        marks = ", ".join("?" for _ in COLUMNS)
        cursor.executemany(
            f"INSERT INTO contract ({', '.join(COLUMNS)}) VALUES ({marks})",
            [(*r[:10], r[10].isoformat(), r[11].isoformat(), *r[12:]) for r in rows],
        )
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - started


def load_postgres(engine: Engine, rows: list[tuple[Any, ...]]) -> float:
    """COPY with row triggers off (session_replication_role), then the summary rebuilt in one statement."""
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET session_replication_role = replica")
        with cursor.copy(f"COPY contract ({', '.join(COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        cursor.execute("SET session_replication_role = DEFAULT")
        raw.commit()
    finally:
        raw.close()
    with Session(engine) as session:
        stats.rebuild_summary(session)
        session.commit()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def pct(times: list[float], q: int) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1] if len(times) > 1 else times[0]


def bench(
    name: str, engine: Engine, rows: list[tuple[Any, ...]], exact: Decimal, runs: int, var_dir: Path
) -> None:
    upgrade(engine)
    with Session(engine) as session:
        seed_reference(session, PROJECT_ROOT / "seed")
        session.add(
            User(
                username="bench_bureau",
                display_name="基准测试",
                role="bureau",
                password_hash=accounts.hash_password(PASSWORD),
            )
        )
        session.commit()
    loader = load_postgres if name == "PostgreSQL" else load_sqlite
    seconds = loader(engine, rows)
    print(f"\n== {name}: {len(rows):,} contracts loaded in {seconds:.1f} s")
    today = date.today()
    everything, filtered = stats.StatsFilters(), stats.StatsFilters(2023, 2024, "电子信息", "昆仑街道")
    with Session(engine) as session:
        found = stats.turnover_plan(session)
        assert found is not None
        queries: dict[str, Callable[[], Any]] = {
            "totals": lambda: stats.totals(session, everything),
            "goal (monthly path)": lambda: stats.goal(session, *found, today),
            **{
                f"breakdown by {by}": (lambda by=by: stats.breakdown(session, everything, by))
                for by in stats.BREAKDOWNS
            },
            "funnel": lambda: stats.funnel(session, everything),
            "indicators": lambda: indicators.plans(session, today),
            "dashboard (all, filtered)": lambda: stats.dashboard(session, filtered, today),
        }
        print(f"{'query':<28}{'p50 ms':>10}{'p95 ms':>10}")
        for label, fn in queries.items():
            times, _ = timed(fn, runs)
            print(f"{label:<28}{statistics.median(times):>10.1f}{pct(times, 95):>10.1f}")
        summary_fen = stats.totals(session, everything).amount_fen
        direct_fen = int(
            session.exec(
                select(cast(func.sum(Contract.amount_fen), BigInteger)).where(col(Contract.voided).is_(False))
            ).one()
        )
    settings = Settings(database_url=str(engine.url), secret_key="bench", var_dir=var_dir)
    app = create_app(build(settings, engine=engine))
    with TestClient(app) as client:
        token = client.get("/login").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        client.post("/login", data={"username": "bench_bureau", "password": PASSWORD, "csrf_token": token})
        page_times, page = timed(lambda: client.get("/stats"), runs)
        filtered_times, _ = timed(
            lambda: client.get("/stats?year_from=2023&year_to=2024&field=电子信息"), runs
        )
    shown = page.text.split('data-testid="turnover-yuan">', 1)[1].split("<", 1)[0].replace(",", "")
    print(f"{'page /stats':<28}{statistics.median(page_times):>10.1f}{pct(page_times, 95):>10.1f}")
    print(
        f"{'page /stats (filtered)':<28}{statistics.median(filtered_times):>10.1f}{pct(filtered_times, 95):>10.1f}"
    )
    print(f"exact Decimal sum   {exact} 元")
    print(
        f"summary table sum   {fen_to_yuan(summary_fen)} 元  {'OK' if fen_to_yuan(summary_fen) == exact else 'MISMATCH'}"
    )
    print(
        f"direct SUM(contract){fen_to_yuan(direct_fen)} 元  {'OK' if fen_to_yuan(direct_fen) == exact else 'MISMATCH'}"
    )
    print(f"page shows          {shown} 元  {'OK' if Decimal(shown) == exact else 'MISMATCH'}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contracts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        sqlite = make_engine(f"sqlite:///{var_dir / 'bench.db'}")
        upgrade(sqlite)
        with Session(sqlite) as session:
            seed_reference(session, PROJECT_ROOT / "seed")
            session.commit()
            ids = [i.id for i in session.exec(select(Institution).order_by(col(Institution.id)))]
        started = time.perf_counter()
        rows, exact = generate(args.contracts, args.seed, [i for i in ids if i is not None])
        print(
            f"generated {len(rows):,} contracts in {time.perf_counter() - started:.1f} s; "
            f"exact non-voided turnover {exact} 元"
        )
        if args.only != "postgresql":
            bench("SQLite", sqlite, rows, exact, args.runs, var_dir)
        sqlite.dispose()
        if args.only == "sqlite":
            return
        schema = f"mm_bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(POSTGRES_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        postgres = create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
        try:
            bench("PostgreSQL", postgres, rows, exact, args.runs, var_dir)
        finally:
            postgres.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
