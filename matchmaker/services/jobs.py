"""Jobs: long work (imports, reindexing, schedule solves, large exports) run by a worker, never in a request.

How it fits together (see ``docs/jobs.md`` for adding a kind):

- a *kind* is a plain function ``run(services, job: JobRun) -> dict`` registered with :func:`kind`; it reads
  ``job.params`` / ``job.input``, reports counters with ``job.progress(rows_read=…)`` and returns the result the
  job page shows (``message``, and optionally ``url`` / ``url_label`` for the next step);
- :func:`submit` stores our own record (:class:`~matchmaker.storage.models.Job`: kind, owner, state, progress,
  result, Chinese error) and puts only its id on the queue (huey, :mod:`matchmaker.storage.queue`);
- a worker (``matchmaker worker``, or the one ``matchmaker serve`` starts) runs :func:`run`; a kind raising a
  :class:`MatchmakerError` fails the job with that Chinese message, anything else with a generic one (logged);
- a running job writes a heartbeat every :data:`HEARTBEAT_SECONDS`; one whose worker died (``kill -9``, power
  loss) stops beating and :func:`reap_stale` marks it failed. Kinds write their data in one transaction at the
  end, so such a job wrote nothing, and :func:`retry` queues it again with the same input.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import col, func, select

from matchmaker.domain.errors import MatchmakerError, NotFound, invalid
from matchmaker.services import accounts
from matchmaker.services.permissions import Actor, authorize
from matchmaker.storage.models import Job, User

if TYPE_CHECKING:
    from matchmaker.bootstrap import Services

log = logging.getLogger("matchmaker.jobs")

STATES = ("queued", "running", "done", "failed")
STATE_LABELS = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}
#: The counters a kind may report, with the words the job page uses for them.
COUNTER_LABELS = {
    "rows_total": "总行数",
    "rows_read": "已读取行数",
    "rows_written": "已写入行数",
    "texts_embedded": "已计算向量的文本",
    "items_done": "已处理",
    "items_total": "共计",
}
HEARTBEAT_SECONDS = 2.0
#: A running job whose heartbeat is older than this lost its worker (a SQLite writer may hold the lock ≤ 30 s).
STALE_AFTER = timedelta(seconds=90)
DIED = "处理进程意外中止（服务器重启或进程被结束），没有写入任何数据。可以点击“重试”重新运行。"
CRASHED = "处理时发生内部错误，没有写入任何数据，已记录日志。可以点击“重试”，或联系管理员。"


@dataclass(frozen=True)
class Kind:
    name: str
    run: Callable[[Services, JobRun], dict[str, Any]]
    #: The job cannot run (or be retried) without its stored input (an uploaded file).
    needs_input: bool = False


KINDS: dict[str, Kind] = {}


def kind(name: str, *, needs_input: bool = False) -> Callable[[Callable[..., dict[str, Any]]], Any]:
    """Register a job kind: ``@jobs.kind("offer_import_preview", needs_input=True)`` above its run function."""

    def register(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        KINDS[name] = Kind(name, fn, needs_input)
        return fn

    return register


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back without a zone."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- submitting -------------------------------------------------------------------------------------------------


def submit(
    services: Services,
    actor: Actor,
    kind_name: str,
    title: str,
    params: dict[str, Any] | None = None,
    *,
    input: bytes | None = None,
) -> int:
    """Record a job for ``actor`` and queue it; returns its id (the job page is ``/jobs/{id}``).

    Refused with a Chinese message when the queue already holds ``settings.job_queue_limit`` waiting jobs."""
    if kind_name not in KINDS:
        raise ValueError(f"unknown job kind {kind_name!r}")
    limit = services.settings.job_queue_limit
    with services.transaction() as session:
        waiting = session.exec(select(func.count()).select_from(Job).where(Job.state == "queued")).one()
        if waiting >= limit:
            raise invalid("", f"任务队列已满（{waiting} 个任务在排队），请稍后再提交")
        job = Job(kind=kind_name, title=title, owner_id=actor.id, params=params or {}, input=input)
        session.add(job)
        session.flush()
        job_id = job.id
    assert job_id is not None
    _enqueue(services, job_id)
    return job_id


def _enqueue(services: Services, job_id: int) -> None:
    queue(services).enqueue_job(job_id)


# --- reading ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobView:
    job: Job
    state_label: str
    counters: list[tuple[str, int]]
    can_retry: bool

    @property
    def finished(self) -> bool:
        return self.job.state in ("done", "failed")


def view(job: Job) -> JobView:
    counters = [(COUNTER_LABELS.get(k, k), int(v)) for k, v in job.progress.items() if k in COUNTER_LABELS]
    return JobView(job, STATE_LABELS.get(job.state, job.state), counters, job.state == "failed")


def get_job(services: Services, actor: Actor, job_id: int) -> JobView:
    """The job as its page shows it; only its owner (or an admin) may see it. A job whose worker died is shown
    as failed at once rather than as running forever."""
    reap_stale(services)
    with services.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound("任务不存在")
        authorize(actor, "job.own", job)
        return view(job)


def list_jobs(services: Services, actor: Actor, limit: int = 50) -> list[JobView]:
    """The actor's latest jobs (an admin sees everyone's)."""
    with services.session() as session:
        stmt = select(Job).order_by(col(Job.id).desc()).limit(limit)
        if not actor.is_admin:
            stmt = stmt.where(Job.owner_id == actor.id)
        return [view(j) for j in session.exec(stmt)]


@dataclass(frozen=True)
class Backlog:
    queued: int
    running: int
    oldest_queued_seconds: float | None


def backlog(services: Services) -> Backlog:
    """How much waits: for ``/healthz`` (two indexed queries)."""
    with services.session() as session:
        counts = dict(
            session.exec(
                select(Job.state, func.count())
                .where(col(Job.state).in_(("queued", "running")))
                .group_by(Job.state)
            ).all()
        )
        oldest = session.exec(select(func.min(Job.created_at)).where(Job.state == "queued")).one()
    age = (_now() - _aware(oldest)).total_seconds() if oldest is not None else None
    return Backlog(int(counts.get("queued", 0)), int(counts.get("running", 0)), age)


# --- retrying, reaping ------------------------------------------------------------------------------------------


def retry(services: Services, actor: Actor, job_id: int) -> None:
    """Queue a failed job again with its stored input; a job whose input is gone says so in Chinese."""
    with services.transaction() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound("任务不存在")
        authorize(actor, "job.own", job)
        if job.state != "failed":
            raise invalid("", "只有失败的任务可以重试")
        spec = KINDS.get(job.kind)
        if spec is None or (spec.needs_input and job.input is None):
            raise invalid("", "任务的输入文件已不存在，无法重试，请重新上传")
        job.state, job.error, job.progress, job.result = "queued", "", {}, {}
        job.started_at = job.finished_at = job.heartbeat_at = None
        session.add(job)
    _enqueue(services, job_id)


def reap_stale(services: Services, now: datetime | None = None) -> int:
    """Fail running jobs whose worker stopped beating. Returns how many were failed. Cheap when there is
    nothing to do (an indexed query)."""
    now = _aware(now) if now is not None else _now()
    with services.transaction() as session:
        stale = session.exec(
            select(Job).where(Job.state == "running", col(Job.heartbeat_at) < now - STALE_AFTER)
        ).all()
        for job in stale:
            job.state, job.error, job.finished_at = "failed", DIED, now
            session.add(job)
    return len(stale)


# --- running (in the worker) ------------------------------------------------------------------------------------


@dataclass
class JobRun:
    """What a kind's function gets: its parameters and input, the owner as an actor, and ``progress``."""

    id: int
    params: dict[str, Any]
    input: bytes | None
    actor: Actor
    counters: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def progress(self, **counters: int) -> None:
        """Set counters (``rows_read=…``); the heartbeat writes them, so this never waits on the database."""
        with self._lock:
            self.counters.update(counters)

    def add(self, **counters: int) -> None:
        with self._lock:
            for name, n in counters.items():
                self.counters[name] = self.counters.get(name, 0) + n

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counters)


def _claim(services: Services, job_id: int) -> JobRun | None:
    with services.transaction() as session:
        job = session.get(Job, job_id)
        if job is None or job.state != "queued":
            return None  # retried twice, or already run: the queue may deliver an id more than once
        owner = session.get(User, job.owner_id) if job.owner_id is not None else None
        actor = accounts.actor_for(owner) if owner is not None else Actor.system()
        now = _now()
        job.state, job.started_at, job.heartbeat_at, job.attempts = "running", now, now, job.attempts + 1
        session.add(job)
        return JobRun(job_id, dict(job.params), job.input, actor)


def _beat(services: Services, run: JobRun) -> None:
    with services.transaction() as session:
        job = session.get(Job, run.id)
        if job is not None and job.state == "running":
            job.heartbeat_at, job.progress = _now(), run.snapshot()
            session.add(job)


def _finish(
    services: Services, run: JobRun, *, result: dict[str, Any] | None = None, error: str = ""
) -> None:
    with services.transaction() as session:
        job = session.get(Job, run.id)
        if job is None:
            return
        job.progress, job.finished_at, job.heartbeat_at = run.snapshot(), _now(), _now()
        if error:
            job.state, job.error = "failed", error
        else:
            job.state, job.result, job.input = "done", result or {}, None
        session.add(job)


def run(services: Services, job_id: int) -> None:
    """Run one job to its end (called by the worker with the id taken off the queue)."""
    job = _claim(services, job_id)
    if job is None:
        return
    spec = KINDS.get(_kind_of(services, job_id))
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                _beat(services, job)
            except Exception:  # a busy database delays a beat; the next one catches up
                log.warning("job %s: heartbeat not written", job_id, exc_info=True)

    beater = threading.Thread(target=heartbeat, name=f"job-{job_id}-heartbeat", daemon=True)
    beater.start()
    try:
        if spec is None:
            raise MatchmakerError("这种任务已不再支持")
        if spec.needs_input and job.input is None:
            raise MatchmakerError("任务的输入文件已不存在，请重新上传")
        result = spec.run(services, job)
    except MatchmakerError as exc:
        details = "；".join(e.message for e in exc.field_errors() if e.message != exc.message)
        stop.set()
        beater.join()
        _finish(services, job, error=exc.message + (f"：{details}" if details else ""))
    except Exception:
        log.exception("job %s (%s) failed", job_id, spec.name if spec else "?")
        stop.set()
        beater.join()
        _finish(services, job, error=CRASHED)
    else:
        stop.set()
        beater.join()
        _finish(services, job, result=result)


def _kind_of(services: Services, job_id: int) -> str:
    with services.session() as session:
        job = session.get(Job, job_id)
        return job.kind if job is not None else ""


# --- the queue --------------------------------------------------------------------------------------------------

#: Modules whose import registers job kinds (the worker imports them all before taking jobs).
KIND_MODULES = (
    "matchmaker.services.offer_import",
    "matchmaker.services.contract_import",
    "matchmaker.services.directory_import",
    "matchmaker.services.index_jobs",
)


class Queue:
    """The huey queue for these services, with the one task it knows: run job ``id``."""

    def __init__(self, services: Services) -> None:
        import importlib

        from matchmaker.storage.queue import make_huey

        for module in KIND_MODULES:
            importlib.import_module(module)
        self.huey = make_huey(services.settings)
        self._task = self.huey.task(name="run_job")(lambda job_id: run(services, job_id))
        self.huey.periodic_task(_every_minute, name="reap_stale")(lambda: reap_stale(services))
        from matchmaker.services.request_meetings import remind

        # reminders of agreed meetings a day ahead (also sent when someone opens their workbench)
        self.huey.periodic_task(_every_minute, name="meeting_reminders")(lambda: remind(services))

    def enqueue_job(self, job_id: int) -> None:
        self._task(job_id)

    def work_until(self, stop: threading.Event, poll_seconds: float = 0.5) -> None:
        """Take and run jobs one by one until ``stop`` is set: a worker for a thread (test servers), where
        huey's consumer cannot install its signal handlers."""
        while not stop.is_set():
            task = self.huey.dequeue()
            if task is None:
                stop.wait(poll_seconds)
            else:
                self.huey.execute(task)

    def consume(self, workers: int = 1) -> None:
        """Take jobs until stopped (SIGINT/SIGTERM): what ``matchmaker worker`` runs."""
        consumer = self.huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
        consumer.run()


def _every_minute(_at: datetime) -> bool:
    return True


_queue_lock = threading.Lock()


def queue(services: Services) -> Queue:
    with _queue_lock:
        if services.job_queue is None:
            services.job_queue = Queue(services)
        return services.job_queue
