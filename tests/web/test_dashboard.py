"""统计看板 and 规划指标 pages: figures, filters, charts with tables, exports."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import date
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
    last_actual = _charts(page)[0]["series"][0]["labels"][-1]
    assert (turnover, api["done_yuan"], api["target_yuan"], last_actual, "规划期已结束" in page) == (
        f"{expected:,.2f}",
        f"{expected:.2f}",
        "15000000000.00",
        f"{expected / 100_000_000:,.2f} 亿元",
        True,
    )


def _charts(page: str) -> list[dict[str, Any]]:
    return [json.loads(html.unescape(raw)) for raw in re.findall(r"data-chart='([^']*)'", page)]


def test_every_chart_has_a_label_per_value_and_the_numbers_are_formatted_for_people(
    client: TestClient, login_as: Any, services: Any
) -> None:
    _demo(services)
    login_as("bureau")
    page = client.get("/stats?year_from=2021&year_to=2025").text
    charts = _charts(page)
    kinds = sorted(c["type"] for c in charts)
    mismatched = [
        c["title"]
        for c in charts
        for s in c["series"]
        if not len(s["values"]) == len(s["labels"]) == len(c["categories"]) > 0
    ]
    progress = page.split('data-testid="indicator-progress"', 1)[1].split("</table>", 1)[0]
    assert (kinds.count("line"), kinds.count("funnel"), kinds.count("hbar") >= 6, mismatched) == (
        1,
        1,
        True,
        [],
    )
    assert re.findall(r"\d\.\d{5,}", progress) == [] and ">147.97 亿元<" in progress


def test_the_dashboard_opens_on_the_current_period(client: TestClient, login_as: Any, services: Any) -> None:
    _demo(services)
    login_as("bureau")
    first = client.get("/stats?field=电子信息", follow_redirects=False)
    year = date.today().year
    start = 2021 if 2021 <= year <= 2025 else year  # the 14th plan's period while it runs, else this year
    opened = client.get(first.headers["location"]).text
    assert (first.status_code, first.headers["location"]) == (
        303,
        f"/stats?year_from={start}&year_to={year}&field=%E7%94%B5%E5%AD%90%E4%BF%A1%E6%81%AF",
    )
    assert f"<option selected>{year}</option>" in opened


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
