"""The job page, retry, the upload limits (rows, inflated .xlsx) and /healthz."""

from __future__ import annotations

import dataclasses
import io
import zipfile

from sqlmodel import func, select

from matchmaker.services import jobs
from matchmaker.settings import PROJECT_ROOT
from matchmaker.storage.models import Job, Offer

SAMPLE = PROJECT_ROOT / "samples" / "tto_offers.xlsx"
SEU = "东南大学溧阳研究院"


def _upload(client, csrf, data: bytes, name: str):  # type: ignore[no-untyped-def]
    return client.post("/import/offers", data={"csrf_token": csrf()}, files={"file": (name, data)})


def _count(services, model) -> int:  # type: ignore[no-untyped-def]
    with services.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_an_upload_lands_on_its_job_page_with_counters_and_a_link_to_the_preview(
    client, login_as, csrf
) -> None:
    login_as("researcher", institution=SEU)

    page = _upload(client, csrf, SAMPLE.read_bytes(), "tto_offers.xlsx")

    assert "/jobs/" in str(page.url)
    assert 'data-state="done"' in page.text
    assert '<th>已读取行数</th><td class="num">40</td>' in page.text
    assert "已检查 40 行：可导入 32 行，有误 6 行，重复 2 行" in page.text
    assert 'http-equiv="refresh"' not in page.text  # a finished job stops reloading
    job_id = int(str(page.url).rsplit("/", 1)[1])
    listed = client.get("/jobs")
    assert f'<a href="/jobs/{job_id}">专利成果导入预览：tto_offers.xlsx</a>' in listed.text
    api = client.get(f"/api/v1/jobs/{job_id}").json()
    assert (api["state"], api["progress"]["rows_read"]) == ("done", 40)


def test_a_waiting_job_page_reloads_itself_and_says_it_is_queued(client, login_as, services) -> None:
    user = login_as("researcher", institution=SEU)
    with services.transaction() as s:
        job = Job(kind="offer_import_preview", title="排队的任务", owner_id=user.id, params={})
        s.add(job)
    page = client.get(f"/jobs/{job.id}")
    assert 'http-equiv="refresh"' in page.text
    assert "排队中" in page.text and "正在排队" in page.text


def test_someone_elses_job_is_forbidden(client, login_as, csrf, services, make) -> None:
    other = make.user("researcher", institution=SEU)
    with services.transaction() as s:
        job = Job(
            kind="offer_import_preview", title="别人的任务", owner_id=other.id, params={}, state="failed"
        )
        s.add(job)
    login_as("researcher", institution=SEU)
    assert client.get(f"/jobs/{job.id}").status_code == 403
    assert client.post(f"/jobs/{job.id}/retry", data={"csrf_token": csrf()}).status_code == 403
    assert client.get(f"/api/v1/jobs/{job.id}").status_code == 403


def test_a_failed_job_is_retried_from_its_page(client, login_as, csrf, services) -> None:
    user = login_as("researcher", institution=SEU)
    with services.transaction() as s:
        job = Job(
            kind="offer_import_preview",
            title="专利成果导入预览：tto_offers.xlsx",
            owner_id=user.id,
            params={"filename": "tto_offers.xlsx"},
            input=SAMPLE.read_bytes(),
            state="failed",
            error=jobs.DIED,
        )
        s.add(job)
    failed = client.get(f"/jobs/{job.id}")
    assert jobs.DIED in failed.text and ">重试</button>" in failed.text

    page = client.post(f"/jobs/{job.id}/retry", data={"csrf_token": csrf()})

    assert 'data-state="done"' in page.text and "任务已重新排队" in page.text
    assert "已检查 40 行" in page.text


def _token(job_page) -> str:  # type: ignore[no-untyped-def]
    return (
        job_page.text.split('data-testid="job-next"', 1)[0]
        .rsplit('href="/import/offers/', 1)[1]
        .split('"')[0]
    )


def test_commit_and_discard_remove_the_stored_preview(client, login_as, csrf, services) -> None:
    login_as("researcher", institution=SEU)
    first = _token(_upload(client, csrf, SAMPLE.read_bytes(), "tto_offers.xlsx"))
    second = _token(_upload(client, csrf, SAMPLE.read_bytes(), "tto_offers.xlsx"))
    assert 'data-testid="valid-count">有效 32<' in client.get(f"/import/offers/{first}").text

    done = client.post(f"/import/offers/{first}", data={"csrf_token": csrf(), "status": "发布"})
    discarded = client.post(f"/import/offers/{second}/discard", data={"csrf_token": csrf()})

    assert "已从 tto_offers.xlsx 导入 32 条专利成果" in done.text
    assert '<th>已写入行数</th><td class="num">32</td>' in done.text
    assert "已放弃这次导入，上传的文件和预览已删除" in discarded.text
    for used in (first, second):
        assert client.get(f"/import/offers/{used}").status_code == 404
    assert client.post(f"/import/offers/{first}", data={"csrf_token": csrf()}).status_code == 404
    assert _count(services, Offer) == 32


def test_a_file_over_the_row_cap_fails_its_job_in_chinese_and_writes_nothing(
    client, login_as, csrf, services
) -> None:
    services.settings = dataclasses.replace(services.settings, max_import_rows=10)
    login_as("researcher", institution=SEU)

    page = _upload(client, csrf, SAMPLE.read_bytes(), "tto_offers.xlsx")

    assert 'data-state="failed"' in page.text
    assert "文件 tto_offers.xlsx 超过 10 行数据的上限，请拆分成几个文件后再导入" in page.text
    assert _count(services, Offer) == 0


def test_an_xlsx_that_inflates_far_beyond_its_size_is_refused_at_upload(
    client, login_as, csrf, services
) -> None:
    services.settings = dataclasses.replace(services.settings, max_upload_bytes=1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (21 * 1024 * 1024))
    assert len(buffer.getvalue()) < 100 * 1024
    login_as("researcher", institution=SEU)

    page = _upload(client, csrf, buffer.getvalue(), "bomb.xlsx")

    assert page.status_code == 422
    assert "文件 bomb.xlsx 解压后超过 20.0 MB，请拆分后再导入" in page.text
    assert _count(services, Job) == 0  # refused before anything was kept or queued


def test_a_full_queue_is_a_chinese_message_beside_the_file(client, login_as, csrf, services) -> None:
    services.settings = dataclasses.replace(services.settings, job_queue_limit=1)
    user = login_as("researcher", institution=SEU)
    with services.transaction() as s:
        s.add(Job(kind="offer_import_preview", title="排队", owner_id=user.id, params={}))

    page = _upload(client, csrf, SAMPLE.read_bytes(), "tto_offers.xlsx")

    assert page.status_code == 422
    assert "任务队列已满（1 个任务在排队），请稍后再提交" in page.text


def test_healthz_reports_database_backlog_and_index(client, services, make) -> None:
    owner = make.user("researcher")
    with services.transaction() as s:
        s.add(Job(kind="offer_import_preview", title="排队", owner_id=owner.id, params={}))

    body = client.get("/healthz").json()

    assert body["status"] == "ok" and body["database"] is True
    assert body["jobs"]["queued"] == 1 and body["jobs"]["running"] == 0
    assert body["jobs"]["oldest_queued_seconds"] >= 0
    assert set(body["index"]) == {"loaded", "building", "current"}


def test_healthz_says_503_when_the_database_is_gone(client, services) -> None:
    from sqlmodel import create_engine

    services.engine = create_engine("sqlite:////nonexistent-dir/none.db")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] is False


def test_an_admin_rebuilds_the_match_index_as_a_job_and_others_may_not(client, login_as, csrf, make) -> None:
    make.offer()
    login_as("researcher", institution=SEU)
    assert client.post("/jobs/reindex", data={"csrf_token": csrf()}).status_code == 403
    client.post("/logout", data={"csrf_token": csrf()})
    login_as("admin")

    page = client.post("/jobs/reindex", data={"csrf_token": csrf()})

    assert 'data-state="done"' in page.text
    assert "匹配索引已重建：成果 1 项" in page.text
    assert "<th>共计</th>" in page.text
