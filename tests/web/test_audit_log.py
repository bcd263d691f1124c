"""操作日志 in Chinese: record types, actions and fields translated, real names, filters and pages."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session
from starlette.testclient import TestClient

from matchmaker.services.seeding import seed_demo


def _rows(page: str) -> list[list[str]]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    ]


def test_the_log_speaks_chinese_and_names_people(
    client: TestClient, login_as: Any, csrf: Any, services: Any
) -> None:
    with Session(services.engine) as s:
        seed_demo(s, services.settings.seed_dir)
        s.commit()
    bureau = login_as("bureau")
    client.post(
        "/indicators", data={"indicator_id": "1", "year": "2025", "value": "3100", "csrf_token": csrf()}
    )
    rows = _rows(client.get("/admin/audit?size=200").text)
    codes = {"offer", "need", "contract", "create", "update", "import", "seed", "status", bureau.username}
    leaked = sorted({cell for row in rows for cell in row[1:6] if cell in codes})
    mine = [row for row in rows if row[1] == bureau.display_name]
    assert (len(rows), leaked) == (200, [])
    assert mine and mine[0][2:6] == ["规划指标", "1", "修改", "2025年实际值"] and mine[0][7] == "3100"


def test_filters_by_type_action_person_and_date_and_pages(
    client: TestClient, login_as: Any, services: Any
) -> None:
    with Session(services.engine) as s:
        seed_demo(s, services.settings.seed_dir)
        s.commit()
    login_as("admin")
    offers = client.get("/admin/audit?entity=offer&action=create&size=20").text
    rows = _rows(offers)
    total = int(offers.split("共 ", 1)[1].split(" 条", 1)[0].replace(",", ""))
    second = _rows(client.get("/admin/audit?entity=offer&action=create&size=20&page=2").text)
    system = _rows(client.get("/admin/audit?user=0&entity=need&size=200").text)
    future = _rows(client.get("/admin/audit?date_from=2099-01-01").text)
    assert (len(rows), {r[2] for r in rows}, {r[4] for r in rows}, total >= 60) == (
        20,
        {"专利成果"},
        {"新增"},
        True,
    )
    assert second[0] != rows[0] and {r[1] for r in system} == {"系统（演示数据）"}
    assert future == [["没有符合条件的记录"]]


def test_a_bad_date_is_explained_beside_the_filter(client: TestClient, login_as: Any) -> None:
    login_as("admin")
    response = client.get("/admin/audit?date_from=2025-02-30")
    assert (response.status_code, 'data-field="date_from">日期「2025-02-30」应写成' in response.text) == (
        422,
        True,
    )
