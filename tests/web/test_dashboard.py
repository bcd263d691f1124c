"""统计看板 and 规划指标 pages: figures, filters, charts with tables, exports."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from sqlmodel import Session
from starlette.testclient import TestClient

from matchmaker.services.seeding import seed_demo


def _demo(services: Any) -> None:
    with Session(services.engine) as s:
        seed_demo(s, services.settings.seed_dir)
        s.commit()


def test_the_dashboard_shows_the_demo_turnover_against_the_plan(
    client: TestClient, login_as: Any, services: Any
) -> None:
    _demo(services)
    login_as("bureau")
    page = client.get("/stats").text
    turnover = page.split('data-testid="turnover-yuan">', 1)[1].split("<", 1)[0]
    api = client.get("/api/v1/stats/turnover").json()["goal"]
    assert (turnover, api["done_yuan"], api["target_yuan"], page.count("<svg"), "规划期已结束" in page) == (
        "6,034,500.50",
        "6034500.50",
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
