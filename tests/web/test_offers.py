"""专利成果 pages and API: the form, the detail, status buttons, the list, the import, and 403 on every write
by another institution's researcher."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from sqlmodel import col, func, select

from matchmaker.settings import PROJECT_ROOT
from matchmaker.storage.models import AuditLog, Offer

SAMPLES = PROJECT_ROOT / "samples"
SEU = "东南大学溧阳研究院"
NUAA = "南京航空航天大学天目湖校区"


def form(token: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf_token": token, "title": "一种固态电解质界面修饰方法", "application_number": "CN 202310198211.X",
        "patent_type": "发明", "legal_status": "审中", "ipc": "H01M 10/0562\nH01M 10/0525", "inventors": "王平、李强",
        "institution": SEU, "transfer_modes": ["转让", "独占许可"], "price_wan": "80", "trl": "5", "field": "动力电池",
        "contact": "王工 0519-87000000", "abstract": "本发明公开了一种界面修饰方法。", "claims": "", "status": "发布",
    }  # fmt: skip
    data.update(overrides)
    return data


def offer_count(services) -> int:  # type: ignore[no-untyped-def]
    with services.session() as s:
        return s.exec(select(func.count()).select_from(Offer)).one()


def test_a_researcher_lists_a_patent_by_hand_and_lands_on_its_detail(
    client, login_as, csrf, services
) -> None:
    login_as("researcher", institution=SEU)

    response = client.post("/offers/new", data=form(csrf()), follow_redirects=False)

    assert response.status_code == 303
    with services.session() as s:
        offer = s.exec(select(Offer)).one()
    assert response.headers["location"] == f"/offers/{offer.id}"
    assert (offer.status, offer.transfer_modes, offer.ipc) == (
        "发布",
        ["转让", "独占许可"],
        ["H01M 10/0562", "H01M 10/0525"],
    )
    page = client.get(f"/offers/{offer.id}")
    assert "已登记专利成果「一种固态电解质界面修饰方法」（发布）" in page.text
    assert '<td data-testid="institution">东南大学溧阳研究院</td>' in page.text
    assert "TRL 5 · 相关环境部件验证" in page.text


def test_the_new_form_offers_every_field_with_chinese_labels(client, login_as) -> None:
    login_as("researcher", institution=SEU)

    page = client.get("/offers/new").text

    for label in (
        "专利名称",
        "申请号 / 专利号",
        "专利类型",
        "法律状态",
        "IPC 分类号",
        "发明人",
        "权利人（所属单位）",
        "转化方式",
        "意向价格（万元）",
        "面议",
        "技术成熟度（TRL）",
        "所属领域",
        "联系方式",
        "摘要",
        "权利要求（节选）",
    ):
        assert label in page
    assert '<option value="9" >9 级 · 实际运行验证</option>' in page
    assert '<span data-testid="institution">东南大学溧阳研究院</span>' in page


def test_a_rejected_form_shows_each_error_beside_its_field_and_keeps_what_was_typed(
    client, login_as, csrf, services
) -> None:
    login_as("researcher", institution=SEU)

    response = client.post(
        "/offers/new",
        data=form(
            csrf(), title="", application_number="201920851901.2", trl="", price_wan="-20", contact="李工 138"
        ),
    )

    assert response.status_code == 422
    assert (
        '<div class="error" data-field="application_number">申请号 201920851901.2 的校验位应为 X</div>'
        in response.text
    )
    assert '<div class="error" data-field="title">专利名称不能为空</div>' in response.text
    assert (
        '<div class="error" data-field="price_wan">意向价格 -20 为负数，价格不能为负</div>' in response.text
    )
    assert 'value="201920851901.2"' in response.text and 'value="李工 138"' in response.text
    assert 'value="独占许可" checked' in response.text
    assert offer_count(services) == 0


def test_the_same_patent_is_refused_with_a_link_to_the_existing_offer(client, login_as, csrf, make) -> None:
    login_as("researcher", institution=SEU)
    existing = make.offer(
        SEU, application_number="202310198211.X", patent_key="202310198211", title="已有的成果"
    )

    response = client.post("/offers/new", data=form(csrf(), application_number="ZL 202310198211.X"))

    assert response.status_code == 422
    assert f'<a href="/offers/{existing.id}">查看成果 #{existing.id}</a>' in response.text


def test_a_near_identical_title_shows_a_warning_and_a_confirmation_checkbox(
    client, login_as, csrf, make, services
) -> None:
    login_as("researcher", institution=SEU)
    make.offer(SEU, title="一种固态电解质界面修饰方法")

    warned = client.post("/offers/new", data=form(csrf(), title="一种新型固态电解质界面修饰方法"))
    confirmed = client.post(
        "/offers/new",
        data=form(csrf(), title="一种新型固态电解质界面修饰方法", confirm_duplicate="1"),
        follow_redirects=False,
    )

    assert warned.status_code == 422
    assert 'name="confirm_duplicate" value="1"' in warned.text
    assert confirmed.status_code == 303
    assert offer_count(services) == 2


def test_status_buttons_move_the_offer_and_an_illegal_step_is_a_chinese_notice(
    client, login_as, csrf, make, services
) -> None:
    login_as("researcher", institution=SEU)
    offer = make.offer(SEU, status="发布")

    client.post(f"/offers/{offer.id}/status", data={"csrf_token": csrf(), "status": "撤回"})
    refused = client.post(f"/offers/{offer.id}/status", data={"csrf_token": csrf(), "status": "已转化"})

    assert "不能从「撤回」改为「已转化」：「撤回」只能改为草稿" in refused.text
    with services.session() as s:
        assert s.get(Offer, offer.id).status == "撤回"
    assert "发布 → 撤回" in client.get(f"/offers/{offer.id}").text


def test_an_edit_keeps_every_field_and_records_the_change(client, login_as, csrf, make, services) -> None:
    login_as("researcher", institution=SEU)
    offer = make.offer(SEU, ipc=["H01M 10/0525"], inventors=["王平"], price_wan=None)
    edit_page = client.get(f"/offers/{offer.id}/edit").text
    assert 'name="price_negotiable" value="1" checked' in edit_page

    response = client.post(
        f"/offers/{offer.id}/edit",
        data=form(
            csrf(),
            title=offer.title,
            application_number=offer.application_number,
            ipc="H01M 10/0525",
            inventors="王平",
            transfer_modes=["转让"],
            price_wan="120",
            trl="6",
            legal_status="有效",
            abstract=offer.abstract,
            contact=offer.contact,
        ),
        follow_redirects=False,
    )

    assert response.status_code == 303
    with services.session() as s:
        changes = s.exec(
            select(AuditLog.field, AuditLog.old, AuditLog.new)
            .where(AuditLog.entity_id == offer.id, AuditLog.action == "update")
            .order_by(col(AuditLog.id))
        ).all()
    assert changes == [("price_wan", None, "120")]


def test_the_list_filters_and_exports_to_excel_and_csv(client, login_as, make) -> None:
    login_as("sme")
    make.offer(SEU, title="一种储能电池", field="绿色储能", price_wan=30)
    make.offer(NUAA, title="一种无人机机翼", field="航空航天", price_wan=300)
    make.offer(SEU, title="一种草稿成果", status="草稿")

    page = client.get("/offers", params={"field": "绿色储能"})
    csv = client.get("/offers", params={"price_min": "100", "export": "csv"})
    xlsx = client.get("/offers", params={"export": "xlsx"})

    assert "一种储能电池" in page.text and "一种无人机机翼" not in page.text
    assert '<p class="muted" data-testid="total">共 1 项</p>' in page.text
    assert (
        csv.text.splitlines()[0]
        == "\ufeff编号,专利名称,申请号,专利类型,法律状态,权利人,发明人,IPC分类号,转化方式,意向价格（万元）,技术成熟度,所属领域,联系方式,状态,更新时间"
    )
    assert [line.split(",")[1] for line in csv.text.splitlines()[1:]] == ["一种无人机机翼"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True)) == [
        "一种储能电池",
        "一种无人机机翼",
    ]


def test_a_draft_of_another_institution_is_not_found(client, login_as, make) -> None:
    login_as("researcher", institution=NUAA)
    draft = make.offer(SEU, status="草稿")

    assert client.get(f"/offers/{draft.id}").status_code == 404


def test_another_institutions_researcher_gets_403_on_every_write_in_the_ui(
    client, login_as, csrf, make, services
) -> None:
    offer = make.offer(SEU, status="发布")
    login_as("researcher", institution=NUAA)
    token = csrf()

    responses = {
        "create": client.post(
            "/offers/new", data=form(token, institution=SEU, application_number="202310198212.4")
        ),
        "edit form": client.get(f"/offers/{offer.id}/edit"),
        "edit": client.post(f"/offers/{offer.id}/edit", data=form(token, title="改掉")),
        "status": client.post(f"/offers/{offer.id}/status", data={"csrf_token": token, "status": "撤回"}),
    }

    assert {name: r.status_code for name, r in responses.items()} == {
        "create": 403,
        "edit form": 403,
        "edit": 403,
        "status": 403,
    }
    with services.session() as s:
        stored = s.get(Offer, offer.id)
    assert (offer_count(services), stored.title, stored.status) == (1, offer.title, "发布")


# --- import ---------------------------------------------------------------------------------------------------


def upload(client, token: str, data: bytes, name: str):  # type: ignore[no-untyped-def]
    """Upload, land on the preview job's page, and follow it to the preview (jobs run inline in tests)."""
    response = client.post("/import/offers", data={"csrf_token": token}, files={"file": (name, data)})
    if "/jobs/" in str(response.url) and 'data-testid="job-next"' in response.text:
        link = response.text.split('data-testid="job-next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
        return client.get(link)
    return response


def preview_token(page: str) -> str:
    return page.split('action="/import/offers/', 1)[1].split('"', 1)[0]


def test_the_sample_previews_every_row_and_commits_the_32_valid_ones(
    client, login_as, csrf, services
) -> None:
    login_as("researcher", institution=SEU)

    preview = upload(client, csrf(), (SAMPLES / "tto_offers.xlsx").read_bytes(), "tto_offers.xlsx")

    assert preview.status_code == 200
    assert 'data-testid="valid-count">有效 32<' in preview.text
    assert 'data-testid="error-count">错误 6<' in preview.text
    assert 'data-testid="duplicate-count">重复 2<' in preview.text
    assert '<div class="error">申请号 201920851901.2 的校验位应为 X</div>' in preview.text
    assert '<input type="checkbox" name="confirm_row" value="42">' in preview.text
    assert offer_count(services) == 0

    committed = client.post(
        f"/import/offers/{preview_token(preview.text)}", data={"csrf_token": csrf(), "status": "发布"}
    )

    assert "已从 tto_offers.xlsx 导入 32 条专利成果" in committed.text
    assert offer_count(services) == 32
    again = upload(client, csrf(), (SAMPLES / "tto_offers.csv").read_bytes(), "tto_offers.csv")
    assert 'data-testid="valid-count">有效 0<' in again.text
    assert 'data-testid="duplicate-count">重复 34<' in again.text


def test_a_confirmed_probable_duplicate_row_is_imported_too(client, login_as, csrf, services) -> None:
    login_as("researcher", institution=SEU)
    preview = upload(client, csrf(), (SAMPLES / "tto_offers.csv").read_bytes(), "tto_offers.csv")

    client.post(
        f"/import/offers/{preview_token(preview.text)}",
        data={"csrf_token": csrf(), "status": "草稿", "confirm_row": ["42"]},
    )

    with services.session() as s:
        statuses = s.exec(select(Offer.status)).all()
    assert (len(statuses), set(statuses)) == (33, {"草稿"})


def test_another_researcher_cannot_commit_someone_elses_preview(client, login_as, csrf, services) -> None:
    login_as("researcher", institution=SEU)
    token = preview_token(
        upload(client, csrf(), (SAMPLES / "tto_offers.xlsx").read_bytes(), "tto_offers.xlsx").text
    )
    client.post("/logout", data={"csrf_token": csrf()})
    login_as("researcher", institution=NUAA)

    response = client.post(f"/import/offers/{token}", data={"csrf_token": csrf()})

    assert response.status_code == 403
    assert offer_count(services) == 0


def test_another_institutions_researcher_sees_every_row_refused_and_commits_nothing(
    client, login_as, csrf, services
) -> None:
    login_as("researcher", institution=NUAA)

    preview = upload(client, csrf(), (SAMPLES / "tto_offers.xlsx").read_bytes(), "tto_offers.xlsx")
    client.post(f"/import/offers/{preview_token(preview.text)}", data={"csrf_token": csrf()})

    assert 'data-testid="valid-count">有效 0<' in preview.text
    assert preview.text.count("只能导入本单位（南京航空航天大学天目湖校区）的成果") == 40
    assert offer_count(services) == 0


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png", "文件 photo.png 不是表格文件，只能导入 .xlsx 或 .csv 文件"),
    (b"   ", "empty.csv", "文件 empty.csv 是空的"),
    (b"a" * (10 * 1024 * 1024 + 10), "huge.csv", "文件 huge.csv 大小为 10.0 MB，超过上限 10.0 MB，请拆分后再导入"),
])  # fmt: skip
def test_a_bad_file_gets_a_chinese_message_beside_the_file_field(
    client, login_as, csrf, data, name, message
) -> None:
    login_as("researcher", institution=SEU)

    response = upload(client, csrf(), data, name)

    assert response.status_code == 422
    assert f'<div class="error" data-field="file">{message}</div>' in response.text


def test_a_file_without_a_header_fails_its_job_with_the_reason_and_a_retry_button(
    client, login_as, csrf, services
) -> None:
    login_as("researcher", institution=SEU)

    page = upload(client, csrf(), "名单\n张三\n".encode(), "names.csv")

    assert "/jobs/" in str(page.url)
    assert 'data-state="failed"' in page.text
    assert "文件 names.csv 的前 15 行中没有找到表头" in page.text
    assert ">重试</button>" in page.text
    assert offer_count(services) == 0


def test_a_far_too_large_upload_is_refused_before_it_is_read(client, login_as, csrf) -> None:
    login_as("researcher", institution=SEU)

    response = upload(client, csrf(), b"a" * (11 * 1024 * 1024), "huge.csv")

    assert response.status_code == 422
    assert '<div class="error" data-field="file">上传内容过大，不能超过 10 MB</div>' in response.text


def test_an_upload_without_a_file_asks_for_one(client, login_as, csrf) -> None:
    login_as("researcher", institution=SEU)

    response = client.post("/import/offers", data={"csrf_token": csrf()})

    assert response.status_code == 422
    assert '<div class="error" data-field="file">请选择要导入的 .xlsx 或 .csv 文件</div>' in response.text


def test_the_template_has_the_canonical_headers_and_an_example_row_that_imports_cleanly(
    client, login_as, csrf
) -> None:
    login_as("researcher", institution=NUAA)

    template = client.get("/import/offers/template.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    preview = upload(client, csrf(), template.content, "offers_template.xlsx")

    assert rows[0] == (
        "专利名称",
        "申请号",
        "专利类型",
        "法律状态",
        "IPC分类号",
        "发明人",
        "权利人",
        "转化方式",
        "意向价格（万元）",
        "技术成熟度",
        "所属领域",
        "联系人",
        "联系电话",
        "摘要",
        "权利要求",
    )
    assert rows[1][6] == NUAA
    assert 'data-testid="valid-count">有效 1<' in preview.text


@pytest.mark.parametrize("role", ["sme", "organizer", "bureau"])
def test_roles_without_offers_cannot_open_the_import_or_the_form(client, login_as, role: str) -> None:
    login_as(role)

    assert (client.get("/import/offers").status_code, client.get("/offers/new").status_code) == (403, 403)
    assert client.get("/offers").status_code == 200


# --- API ------------------------------------------------------------------------------------------------------


def api_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "一种固态电解质界面修饰方法", "application_number": "202310198211.X", "patent_type": "发明",
        "ipc": ["H01M 10/0562"], "inventors": ["王平", "李强"], "transfer_modes": ["转让"], "price_wan": 80,
        "trl": 5, "field": "动力电池", "status": "发布",
    }  # fmt: skip
    body.update(overrides)
    return body


def test_the_api_creates_reads_patches_and_publishes_an_offer(client, login_as, csrf) -> None:
    login_as("researcher", institution=SEU)
    headers = {"X-CSRF-Token": csrf()}

    created = client.post("/api/v1/offers", json=api_body(status="草稿"), headers=headers)
    offer_id = created.json()["id"]
    patched = client.patch(f"/api/v1/offers/{offer_id}", json={"price_wan": None, "trl": 6}, headers=headers)
    published = client.post(f"/api/v1/offers/{offer_id}/status", json={"status": "发布"}, headers=headers)
    listed = client.get("/api/v1/offers", params={"trl_min": 6})

    assert created.status_code == 201
    assert (created.json()["institution"], created.json()["ipc"], created.json()["status"]) == (
        SEU,
        ["H01M 10/0562"],
        "草稿",
    )
    assert (patched.json()["price_wan"], patched.json()["trl"], patched.json()["inventors"]) == (
        None,
        6,
        ["王平", "李强"],
    )
    assert published.json()["status"] == "发布"
    assert [item["id"] for item in listed.json()["items"]] == [offer_id]


def test_the_api_answers_field_errors_as_json(client, login_as, csrf, services) -> None:
    login_as("researcher", institution=SEU)

    response = client.post(
        "/api/v1/offers",
        json=api_body(application_number="201920851901.2", trl=12),
        headers={"X-CSRF-Token": csrf()},
    )

    assert response.status_code == 422
    assert response.json() == {
        "errors": [
            {"field": "application_number", "message": "申请号 201920851901.2 的校验位应为 X"},
            {"field": "trl", "message": "技术成熟度应在 1–9 之间，现为 12"},
        ]
    }
    assert offer_count(services) == 0


def test_the_api_refuses_an_illegal_transition_and_a_missing_offer(client, login_as, csrf, make) -> None:
    login_as("researcher", institution=SEU)
    offer = make.offer(SEU, status="发布")
    headers = {"X-CSRF-Token": csrf()}

    illegal = client.post(f"/api/v1/offers/{offer.id}/status", json={"status": "草稿"}, headers=headers)
    missing = client.get("/api/v1/offers/9999")

    assert (illegal.status_code, illegal.json()) == (
        422,
        {
            "errors": [
                {"field": "status", "message": "不能从「发布」改为「草稿」：「发布」只能改为已转化或撤回"}
            ]
        },
    )
    assert (missing.status_code, missing.json()) == (
        404,
        {"errors": [{"field": "", "message": "专利成果 #9999 不存在"}]},
    )


def test_another_institutions_researcher_gets_403_on_every_api_write(
    client, login_as, csrf, make, services
) -> None:
    offer = make.offer(SEU, status="发布")
    login_as("researcher", institution=NUAA)
    headers = {"X-CSRF-Token": csrf()}

    statuses = [
        client.post(
            "/api/v1/offers",
            json=api_body(institution=SEU, application_number="202310198212.4"),
            headers=headers,
        ).status_code,
        client.put(f"/api/v1/offers/{offer.id}", json=api_body(title="改掉"), headers=headers).status_code,
        client.patch(f"/api/v1/offers/{offer.id}", json={"title": "改掉"}, headers=headers).status_code,
        client.post(
            f"/api/v1/offers/{offer.id}/status", json={"status": "撤回"}, headers=headers
        ).status_code,
    ]

    assert statuses == [403, 403, 403, 403]
    with services.session() as s:
        assert (offer_count(services), s.get(Offer, offer.id).status) == (1, "发布")


def test_the_openapi_document_lists_the_offer_operations(client, login_as) -> None:
    login_as("researcher", institution=SEU)

    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert {p: sorted(ops) for p, ops in paths.items() if p.startswith("/api/v1/offers")} == {
        "/api/v1/offers": ["get", "post"],
        "/api/v1/offers/{offer_id}": ["get", "patch", "put"],
        "/api/v1/offers/{offer_id}/status": ["post"],
        "/api/v1/offers/{offer_id}/matches": ["get"],  # the matcher's (issue 6)
    }


def test_navigation_shows_offers_to_everyone_and_import_to_researchers() -> None:
    from matchmaker.web.nav import nav_for

    assert [
        i.label for i in nav_for("researcher") if i.href in ("/offers", "/my/offers", "/import/offers")
    ] == ["专利成果", "我的成果", "批量导入"]
    assert [i.label for i in nav_for("sme") if i.href in ("/offers", "/my/offers", "/import/offers")] == [
        "专利成果"
    ]
