"""The bureau's needs and company-directory imports in the web UI: preview, mapping step, error download."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from sqlmodel import func, select
from starlette.testclient import TestClient

from matchmaker.settings import PROJECT_ROOT
from matchmaker.storage.models import Company, ImportProfile, Need

NEEDS = (
    "溧阳市企业技术需求征集表\n"
    "企业,代码,镇街,行业,需求题目,难题,预算（万元）,合作方式,联系人,电话\n"
    "溧阳澄峰储能科技有限公司,91320481MA1WQ3K729,昆仑,储能,储能电池热失控预警,早期预警方法,50-100,技术转让+合作开发,王工,13800000000\n"
    "坏代码公司,91320481MA1WQ3K720,昆仑,储能,某需求,内容,面议,合作开发,李工,1\n"
).encode()


def _follow(client: TestClient, response: Any) -> Any:
    """From a finished job's page (jobs run inline in tests) to the page it leads to."""
    if 'data-testid="job-next"' not in response.text:
        return response
    return client.get(
        response.text.split('data-testid="job-next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    )


def _upload(client: TestClient, csrf: Any, path: str, name: str, data: bytes) -> Any:
    return _follow(
        client, client.post(path, data={"csrf_token": csrf(path)}, files={"file": (name, data, "text/csv")})
    )


def test_a_needs_sheet_with_unknown_headers_is_mapped_saved_and_remembered(
    client: TestClient, login_as: Any, csrf: Any, services: Any
) -> None:
    login_as("bureau")
    first = _upload(client, csrf, "/import/needs", "needs.csv", NEEDS)
    assert "请指定各列对应的字段" in first.text
    assert "没有找到以下必填字段对应的列：企业名称、需求名称、需求描述" in first.text
    token = str(first.url).rsplit("/", 1)[1]

    job = client.post(
        f"/import/needs/{token}/map",
        data={
            "csrf_token": csrf(),
            "map_company_name": "企业",
            "map_title": "需求题目",
            "map_description": "难题",
            "save_profile": "1",
            "profile": "知识产权局征集表",
        },
    )
    assert "已保存导入方案「知识产权局征集表」，下次同一来源的文件会自动按此对应。已检查 2 行" in job.text
    mapped = _follow(client, job)
    assert 'data-testid="valid-count">有效 1<' in mapped.text
    assert "统一社会信用代码 91320481MA1WQ3K720 的校验位应为 9" in mapped.text
    token = str(mapped.url).rsplit("/", 1)[1]

    errors = client.get(f"/import/needs/{token}/errors.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(errors.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "原行号" and rows[0][-1] == "错误原因"
    assert (rows[1][0], rows[1][1], rows[1][-1]) == (
        4,
        "坏代码公司",
        "统一社会信用代码 91320481MA1WQ3K720 的校验位应为 9",
    )

    done = client.post(f"/import/needs/{token}/commit", data={"csrf_token": csrf()})
    assert 'data-testid="job-result">已从 needs.csv 导入 1 条技术需求<' in done.text
    with services.session() as s:
        assert s.exec(select(func.count()).select_from(Need)).one() == 1
        assert s.exec(select(Company.name, Company.town)).all() == [("溧阳澄峰储能科技有限公司", "昆仑街道")]
        assert s.exec(select(ImportProfile.name)).all() == ["知识产权局征集表"]

    again = _upload(client, csrf, "/import/needs", "needs2.csv", NEEDS)
    assert 'data-testid="profile">已按导入方案「知识产权局征集表」' in again.text
    assert 'data-testid="duplicate-count">重复 1<' in again.text
    assert "请指定各列对应的字段" not in again.text


def test_nothing_valid_disables_confirm(client: TestClient, login_as: Any, csrf: Any) -> None:
    login_as("admin")
    data = "企业名称,统一社会信用代码,所在镇（街道）,所属领域\n甲公司,91320481MA1WQ3K720,昆仑街道,新能源\n".encode()
    page = _upload(client, csrf, "/import/companies", "c.csv", data)
    assert '<button type="submit" class="primary" disabled>确认导入（0 条有效）</button>' in page.text


def test_companies_and_researchers_cannot_import_needs(client: TestClient, login_as: Any) -> None:
    login_as("sme")
    assert client.get("/import/needs").status_code == 403


CONTRACTS = (
    "技术合同认定登记明细\n"
    "金额单位：万元\n"
    "认定登记号,合同名称,合同类别,卖方（受托方）,买方（委托方）,买方组织代码,成交金额,签约日期,认定日期\n"
    "2023320481000122,硅碳负极材料制备工艺开发,技术开发（委托）,东大溧阳研究院,溧阳澄峰储能科技有限公司,"
    "91320481MA1WQ3K729,8,2023/4/26,2023/5/4\n"
    "2023320481000123,电池回收工艺,技术服务,东大溧阳研究院,溧阳澄峰储能科技有限公司,91320481MA1WQ3K720,5,2023/4/26,2023/5/4\n"
).encode()


def test_a_contract_export_in_wan_with_new_wording_imports_in_yuan_and_errors_download(
    client: TestClient, login_as: Any, csrf: Any
) -> None:
    login_as("bureau")
    preview = _upload(client, csrf, "/contracts/import", "other_version.csv", CONTRACTS)
    assert 'data-testid="preview-total">80,000.00<' in preview.text
    assert "单位为万元，已换算为元" in preview.text
    token = str(preview.url).rsplit("/", 1)[1]

    errors = client.get(f"/contracts/import/{token}/errors.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(errors.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [5]
    assert rows[1][-1] == "买方统一社会信用代码 91320481MA1WQ3K720 的校验位应为 9"

    done = client.post(f"/contracts/import/{token}", data={"csrf_token": csrf()})
    assert "已导入 1 份技术合同，合同成交额合计 80,000.00 元" in done.text


def test_an_unknown_value_is_asked_once_and_the_answer_is_remembered(
    client: TestClient, login_as: Any, csrf: Any, services: Any
) -> None:
    login_as("admin")
    data = (PROJECT_ROOT / "tests" / "data" / "imports" / "offers_gbk.csv").read_bytes()
    first = _upload(client, csrf, "/import/offers", "offers_gbk.csv", data)
    assert '<label for="q-1">转化方式「卖断」（第 5 行）</label>' in first.text
    assert 'data-testid="valid-count">有效 3<' in first.text
    action = first.text.split('data-testid="mapping-form"', 1)[0].rsplit('action="', 1)[1].split('"', 1)[0]

    job = client.post(
        action,
        data={
            "csrf_token": csrf(),
            "q_1_field": "transfer_modes",
            "q_1_value": "卖断",
            "q_1_answer": "转让",
            "save_profile": "1",
            "profile": "东大成果处",
        },
    )
    answered = _follow(client, job)
    assert 'data-testid="valid-count">有效 4<' in answered.text
    assert "无法识别" not in answered.text

    again = _upload(client, csrf, "/import/offers", "offers_gbk.csv", data)
    assert 'data-testid="profile">已按导入方案「东大成果处」' in again.text
    assert 'data-testid="valid-count">有效 4<' in again.text
