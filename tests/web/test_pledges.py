"""The pledge register's pages and API: errors beside fields, 变更 and 注销, exports and the dashboard adding up."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from matchmaker.domain.identifiers import credit_code_check_char, org_code_check_char
from matchmaker.storage.models import AuditLog, Pledge


def _code(n: int) -> str:
    org8 = f"{74000000 + n:08d}"
    first17 = "91320481" + org8 + org_code_check_char(org8)
    return first17 + credit_code_check_char(first17)


def values(**overrides: str) -> dict[str, str]:
    out = {
        "registration_number": "Y2025320000777",
        "pledgor": "溧阳质押测试有限公司",
        "pledgor_credit_code": _code(1),
        "pledgee": "江苏银行溧阳支行",
        "patents": "201710601862.3 H01M 10/0525",
        "amount_yuan": "300万",
        "registered_on": "2025-02-10",
        "town": "溧城街道",
        "field": "动力电池",
    }
    out.update(overrides)
    return out


def counts(services: Any) -> tuple[int, int]:
    with Session(services.engine) as s:
        return (
            s.exec(select(func.count()).select_from(Pledge)).one(),
            s.exec(select(func.count()).select_from(AuditLog)).one(),
        )


def test_recording_a_pledge_shows_it_with_its_exact_amount(
    client: TestClient, login_as: Any, csrf: Any
) -> None:
    login_as("bureau")
    response = client.post("/pledges/new", data={**values(), "csrf_token": csrf()})
    assert response.status_code == 200
    assert "已登记质押 Y2025320000777，担保债权数额 3,000,000.00 元" in response.text
    assert "H01M 10/0525" in response.text


def test_a_wrong_check_character_is_shown_beside_the_field_and_nothing_is_written(
    client: TestClient, login_as: Any, csrf: Any, services: Any
) -> None:
    login_as("bureau")
    before = counts(services)
    response = client.post("/pledges/new", data={**values(patents="201710601862.4"), "csrf_token": csrf()})
    assert response.status_code == 422
    assert (
        '<div class="error" data-field="patents">申请号 201710601862.4 的校验位应为 3</div>' in response.text
    )
    assert counts(services) == before


def test_a_release_before_the_registration_is_refused_and_a_change_is_listed(
    client: TestClient, login_as: Any, csrf: Any
) -> None:
    login_as("bureau")
    client.post("/pledges/new", data={**values(), "csrf_token": csrf()})
    response = client.post(
        "/pledges/1/cancel", data={"cancelled_on": "2025-01-01", "reason": "", "csrf_token": csrf()}
    )
    assert (response.status_code, "注销日期 2025-01-01 早于登记日期 2025-02-10" in response.text) == (
        422,
        True,
    )
    changed = client.post(
        "/pledges/1/change",
        data={**values(amount_yuan="350万"), "changed_on": "2025-05-01", "csrf_token": csrf()},
    )
    assert "已办理变更登记 Y2025320000777（变更：担保债权数额（元）、状态）" in changed.text
    assert "3,000,000.00" in changed.text and "3,500,000.00" in changed.text


def test_only_the_bureau_sees_the_register(client: TestClient, login_as: Any) -> None:
    login_as("organizer")
    assert client.get("/pledges").status_code == 403


def test_the_export_and_the_dashboard_add_up_to_the_fen(client: TestClient, login_as: Any, csrf: Any) -> None:
    login_as("bureau")
    client.post("/pledges/new", data={**values(amount_yuan="1000000.01"), "csrf_token": csrf()})
    client.post(
        "/pledges/new",
        data={**values(registration_number="Y2025320000778", pledgee="溧阳市融资担保有限公司",
                       amount_yuan="0.99", town="昆仑街道"), "csrf_token": csrf()},
    )  # fmt: skip
    exported = list(csv.reader(io.StringIO(client.get("/pledges?export=csv").content.decode("utf-8-sig"))))
    assert exported[-1][0] == "合计" and exported[-1][6] == "1000001.00"
    board = client.get("/stats?year_from=2025&year_to=2025").text
    assert '<span data-testid="pledge-yuan">1,000,001.00</span>' in board
    api = client.get("/api/v1/stats/pledges?date_from=2025-01-01&date_to=2025-12-31").json()
    assert api["total"] == {"key": "total", "label": "合计", "pledges": 2, "amount_yuan": "1000001.00"}
    assert [r["label"] for r in api["by_bank"]] == ["江苏银行溧阳支行", "溧阳市融资担保有限公司"]


def test_the_api_records_a_pledge_and_answers_bad_input_with_field_errors(
    client: TestClient, login_as: Any, csrf: Any
) -> None:
    login_as("bureau")
    headers = {"X-CSRF-Token": csrf()}
    bad = client.post("/api/v1/pledges", json={**values(amount_yuan="1.001")}, headers=headers)
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["amount_yuan"]
    body = {**values(), "patents": [{"number": "201710601862.3", "main_ipc": "H01M10/0525"}]}
    created = client.post("/api/v1/pledges", json=body, headers=headers)
    assert created.status_code == 201
    assert (created.json()["amount_yuan"], created.json()["patents"]) == (
        "3000000.00",
        [{"number": "201710601862.3", "main_ipc": "H01M 10/0525"}],
    )


def _token(response: Any) -> str:
    return str(response.url).rsplit("/", 1)[1]


def test_importing_the_sample_register_moves_the_pledge_indicator(
    client: TestClient, login_as: Any, csrf: Any, services: Any
) -> None:
    from matchmaker.settings import PROJECT_ROOT

    login_as("bureau")
    sample = PROJECT_ROOT / "samples" / "pledge_register.xlsx"
    before = client.get("/api/v1/stats/indicators").json()
    preview = client.post(
        "/pledges/import",
        data={"csrf_token": csrf()},
        files={"file": (sample.name, sample.read_bytes(), "application/octet-stream")},
    )
    assert '<div class="num" data-testid="valid-count">16</div>' in preview.text
    assert counts(services)[0] == 0
    done = client.post(f"/pledges/import/{_token(preview)}", data={"action": "commit", "csrf_token": csrf()})
    assert "已导入 16 项质押登记，担保债权数额合计 178,040,000.00 元；1 行重复、4 行有误，未导入" in done.text

    def pledge_row(document: dict[str, Any]) -> dict[str, Any]:
        plan = next(p for p in document["plans"] if p["code"] == "14th")
        return next(i for i in plan["indicators"] if i["code"] == "ip_pledge_financing")

    after = pledge_row(client.get("/api/v1/stats/indicators").json())
    assert pledge_row(before)["actual"] is None
    assert (after["source"], after["values"]) == ("pledges", {"2025": after["actual"]})
    with Session(services.engine) as s:
        stored_2025 = s.exec(
            select(func.sum(Pledge.amount_fen)).where(Pledge.registered_on <= "2025-12-31")  # type: ignore[arg-type]
        ).one()
    assert after["actual"].rstrip("0") == str(stored_2025 / 10**10).rstrip("0")


def test_the_mapping_step_names_a_column_the_headers_did_not(
    client: TestClient, login_as: Any, csrf: Any, services: Any
) -> None:
    login_as("bureau")
    text = (
        "登记号,出质企业,信用代码,授信机构,专利号,担保债权数额（元）,登记日期\n"
        f"Y2025320000001,溧阳质押测试有限公司,{_code(1)},江苏银行溧阳支行,201710601862.3,5000000,2025-03-01\n"
    )
    preview = client.post(
        "/pledges/import", data={"csrf_token": csrf()}, files={"file": ("r.csv", text.encode(), "text/csv")}
    )
    assert "没有找到这些必填列：质权人" in preview.text
    token = _token(preview)
    mapped = client.post(
        f"/pledges/import/{token}", data={"action": "map", "map_pledgee": "授信机构", "csrf_token": csrf()}
    )
    assert '<div class="num" data-testid="valid-count">1</div>' in mapped.text
    client.post(f"/pledges/import/{_token(mapped)}", data={"action": "commit", "csrf_token": csrf()})
    assert counts(services)[0] == 1
