"""统计看板 and 规划指标 pages: figures, filters, charts with tables, exports."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlmodel import Session
from starlette.testclient import TestClient

from matchmaker.services.seeding import seed_demo


def _demo(services: Any) -> None:
    with Session(services.engine) as s:
        seed_demo(s, services.settings.seed_dir)
        s.commit()


def _plan_turnover_yuan(seed_dir: Path) -> Decimal:
    """The demo's 2021–2025 turnover from the seed files: the hand-written contracts plus each generated year."""
    written = json.loads((seed_dir / "demo" / "contracts.json").read_text(encoding="utf-8"))["contracts"]
    spec = json.loads((seed_dir / "demo" / "generated.json").read_text(encoding="utf-8"))
    by_hand = sum(Decimal(c["amount_yuan"]) for c in written if "2021" <= c["registered_on"][:4] <= "2025")
    generated = sum(
        Decimal(y["total_yi"]) * 100_000_000 for k, y in spec["contracts"]["years"].items() if k <= "2025"
    )
    return by_hand + generated


def test_the_dashboard_shows_the_demo_turnover_against_the_plan(
    client: TestClient, login_as: Any, services: Any
) -> None:
    _demo(services)
    login_as("bureau")
    page = client.get("/stats").text
    turnover = page.split('data-testid="turnover-yuan">', 1)[1].split("<", 1)[0]
    api = client.get("/api/v1/stats/turnover").json()["goal"]
    expected = _plan_turnover_yuan(services.settings.seed_dir)
    assert (turnover, api["done_yuan"], api["target_yuan"], page.count("<svg"), "规划期已结束" in page) == (
        f"{expected:,.2f}",
        f"{expected:.2f}",
        "15000000000.00",
        10,
        True,
    )


def test_a_bad_filter_is_explained_and_the_page_still_answers(client: TestClient, login_as: Any) -> None:
    login_as("organizer")
    response = client.get("/stats?year_from=2025&year_to=2021")
    assert (
        response.status_code,
        'data-field="year_to">结束年份 2021 早于起始年份 2025（已显示全部数据）<' in response.text,
    ) == (422, True)


def test_the_xlsx_report_carries_the_same_totals_as_the_page(
    client: TestClient, login_as: Any, services: Any
) -> None:
    _demo(services)
    login_as("bureau")
    page = client.get("/stats?year_from=2022").text
    shown = page.split('data-testid="filtered-yuan">', 1)[1].split("<", 1)[0]
    sheet = load_workbook(io.BytesIO(client.get("/stats?year_from=2022&export=xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert (rows[1][0], rows[2][0], Decimal(str(rows[2][3]))) == (
        "筛选条件",
        "合计",
        Decimal(shown.replace(",", "")),
    )


def test_the_indicator_page_lists_every_indicator_of_the_plan(client: TestClient, login_as: Any) -> None:
    login_as("bureau")
    page = client.get("/indicators").text
    assert (page.count("<tr data-indicator="), "由合同自动计算" in page) == (20, True)
