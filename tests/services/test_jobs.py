"""Jobs: recorded, queued (huey, a SQLite file under var/), run by a worker with progress, failed with a Chinese
reason, retried; a worker killed with SIGKILL in the middle of an import leaves nothing written."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import func, select

from matchmaker.domain.errors import MatchmakerError, PermissionDenied, ValidationFailed
from matchmaker.services import accounts, jobs, offer_import
from matchmaker.settings import PROJECT_ROOT
from matchmaker.storage.models import Job, Offer

SAMPLE = PROJECT_ROOT / "samples" / "tto_offers.xlsx"
SEU = "东南大学溧阳研究院"


@pytest.fixture
def queued(services):  # type: ignore[no-untyped-def]
    """The services with a real queue (no inline running): jobs wait until a worker takes them."""
    services.settings = dataclasses.replace(services.settings, jobs_inline=False)
    return services


def _drain(services) -> None:  # type: ignore[no-untyped-def]
    """Run every waiting job, as one worker would."""
    huey = jobs.queue(services).huey
    while (task := huey.dequeue()) is not None:
        huey.execute(task)


def _job(services, job_id: int) -> Job:  # type: ignore[no-untyped-def]
    with services.session() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def _offers(services) -> int:  # type: ignore[no-untyped-def]
    with services.session() as s:
        return s.exec(select(func.count()).select_from(Offer)).one()


@jobs.kind("test_count")
def _count(services, job: jobs.JobRun) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    for n in range(1, job.params["n"] + 1):
        job.progress(items_done=n, items_total=job.params["n"])
    return {"message": f"数到 {job.params['n']}"}


@jobs.kind("test_refuse")
def _refuse(services, job: jobs.JobRun) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    if _job(services, job.id).attempts == 1:
        raise MatchmakerError("第一次运行时数据源不可用")
    return {"message": "第二次成功"}


@jobs.kind("test_crash")
def _crash(services, job: jobs.JobRun) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    raise KeyError("a bug")


def test_a_job_waits_in_the_queue_then_runs_with_its_counters_and_result(queued, make) -> None:
    user = make.user("researcher")
    actor = accounts.actor_for(user)

    job_id = jobs.submit(queued, actor, "test_count", "数数", {"n": 7})

    assert _job(queued, job_id).state == "queued"
    backlog = jobs.backlog(queued)
    assert (backlog.queued, backlog.running) == (1, 0)
    assert backlog.oldest_queued_seconds is not None and backlog.oldest_queued_seconds >= 0
    _drain(queued)
    view = jobs.get_job(queued, actor, job_id)
    assert (view.job.state, view.job.result["message"], view.job.attempts) == ("done", "数到 7", 1)
    assert dict(view.counters) == {"已处理": 7, "共计": 7}
    assert jobs.backlog(queued).queued == 0


def test_a_refused_job_fails_with_its_chinese_reason_and_a_retry_runs_it_again(queued, make) -> None:
    actor = accounts.actor_for(make.user("researcher"))
    job_id = jobs.submit(queued, actor, "test_refuse", "会失败一次")
    _drain(queued)
    failed = jobs.get_job(queued, actor, job_id)
    assert (failed.job.state, failed.job.error, failed.can_retry) == (
        "failed",
        "第一次运行时数据源不可用",
        True,
    )

    jobs.retry(queued, actor, job_id)
    assert _job(queued, job_id).state == "queued"
    _drain(queued)

    done = _job(queued, job_id)
    assert (done.state, done.result["message"], done.attempts, done.error) == ("done", "第二次成功", 2, "")
    with pytest.raises(ValidationFailed, match="只有失败的任务可以重试"):
        jobs.retry(queued, actor, job_id)


def test_a_bug_in_a_job_is_a_generic_chinese_failure_not_a_traceback(queued, make) -> None:
    actor = accounts.actor_for(make.user("researcher"))
    job_id = jobs.submit(queued, actor, "test_crash", "有缺陷")
    _drain(queued)
    assert _job(queued, job_id).error == jobs.CRASHED


def test_only_the_owner_or_an_admin_sees_or_retries_a_job(queued, make) -> None:
    owner = accounts.actor_for(make.user("researcher"))
    other = accounts.actor_for(make.user("researcher"))
    admin = accounts.actor_for(make.user("admin"))
    job_id = jobs.submit(queued, owner, "test_refuse", "别人的任务")
    _drain(queued)
    with pytest.raises(PermissionDenied):
        jobs.get_job(queued, other, job_id)
    with pytest.raises(PermissionDenied):
        jobs.retry(queued, other, job_id)
    assert [v.job.id for v in jobs.list_jobs(queued, other)] == []
    assert jobs.get_job(queued, admin, job_id).job.state == "failed"


def test_a_full_queue_refuses_new_jobs_in_chinese(queued, make) -> None:
    queued.settings = dataclasses.replace(queued.settings, job_queue_limit=2)
    actor = accounts.actor_for(make.user("researcher"))
    jobs.submit(queued, actor, "test_count", "一", {"n": 1})
    jobs.submit(queued, actor, "test_count", "二", {"n": 1})
    with pytest.raises(ValidationFailed, match="任务队列已满（2 个任务在排队）"):
        jobs.submit(queued, actor, "test_count", "三", {"n": 1})
    with queued.session() as s:
        assert s.exec(select(func.count()).select_from(Job)).one() == 2


def test_a_job_whose_input_vanished_cannot_be_retried_and_says_so(queued, make) -> None:
    actor = accounts.actor_for(make.user("researcher", institution=SEU))
    job_id = offer_import.submit_preview(queued, actor, b"not,a,header\n1,2,3\n", "bad.csv")
    _drain(queued)
    assert _job(queued, job_id).state == "failed"
    with queued.transaction() as s:
        job = s.get(Job, job_id)
        assert job is not None
        job.input = None
        s.add(job)
    with pytest.raises(ValidationFailed, match="输入文件已不存在"):
        jobs.retry(queued, actor, job_id)


def test_a_preview_job_leads_to_a_stored_preview_that_commit_and_discard_remove(queued, make) -> None:
    actor = accounts.actor_for(make.user("researcher", institution=SEU))
    data = SAMPLE.read_bytes()
    first = offer_import.submit_preview(queued, actor, data, "tto_offers.xlsx")
    second = offer_import.submit_preview(queued, actor, data, "tto_offers.xlsx")
    _drain(queued)
    tokens = [_job(queued, j).result["token"] for j in (first, second)]
    assert _job(queued, first).result["url"] == f"/import/offers/{tokens[0]}"
    assert len(offer_import.load_preview(queued, actor, tokens[0]).results) == 40

    commit = offer_import.submit_commit(queued, actor, tokens[0], set(), "发布")
    _drain(queued)
    offer_import.discard_preview(queued, tokens[1])

    assert _job(queued, commit).result["committed"] == 32
    assert _offers(queued) == 32
    assert _job(queued, first).input is None  # a finished job keeps no copy of the upload
    for used in tokens:
        with pytest.raises(MatchmakerError, match="过期或不存在"):
            offer_import.load_preview(queued, actor, used)


# --- a worker killed mid-import -------------------------------------------------------------------------------

_WORKER = """
import sys, threading, time
from pathlib import Path
from matchmaker.bootstrap import build
from matchmaker.services import jobs
from matchmaker.settings import Settings
from matchmaker.storage import audit

marker = Path(sys.argv[1])
real = audit.record
calls = []

def slow_record(*args, **kwargs):
    real(*args, **kwargs)
    calls.append(1)
    if len(calls) == 10:  # the offers are flushed, ten audit rows written, the transaction still open
        marker.write_text("inside")
        time.sleep(600)

audit.record = slow_record
services = build(Settings.from_env())
jobs.queue(services).work_until(threading.Event())
"""


def test_a_worker_killed_mid_import_leaves_nothing_written_and_the_job_can_be_retried(
    queued, make, tmp_path
) -> None:
    settings = queued.settings
    actor = accounts.actor_for(make.user("researcher", institution=SEU))
    preview = offer_import.submit_preview(queued, actor, SAMPLE.read_bytes(), "tto_offers.xlsx")
    _drain(queued)
    commit = offer_import.submit_commit(queued, actor, _job(queued, preview).result["token"], set(), "发布")
    marker = tmp_path / "inside-the-transaction"
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "MATCHMAKER_VAR_DIR": str(settings.var_dir),
        "MATCHMAKER_EMBEDDER": "hashing",
        "SECRET_KEY": "test-secret",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    worker = subprocess.Popen([sys.executable, "-c", _WORKER, str(marker)], env=env)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert worker.poll() is None, "the worker ended before reaching the import"
            assert time.monotonic() < deadline, "the worker never reached the middle of the import"
            time.sleep(0.1)
        assert _job(queued, commit).state == "running"
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()

    assert _offers(queued) == 0
    assert jobs.reap_stale(queued) == 0  # a fresh heartbeat: it might still be working
    later = datetime.now(UTC) + jobs.STALE_AFTER + jobs.STALE_AFTER
    assert jobs.reap_stale(queued, now=later) == 1
    failed = jobs.get_job(queued, actor, commit)
    assert (failed.job.state, failed.job.error) == ("failed", jobs.DIED)

    jobs.retry(queued, actor, commit)
    runner = threading.Thread(target=_drain, args=(queued,))
    runner.start()
    runner.join(120)
    assert _job(queued, commit).state == "done"
    assert _offers(queued) == 32
