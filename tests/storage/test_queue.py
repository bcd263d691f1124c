"""The job queue's storage: on PostgreSQL two workers (two machines) share one queue and never take the same job;
on SQLite the queue is a file under var/ that outlives the process."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from matchmaker.settings import Settings, normalise_database_url
from matchmaker.storage.queue import make_huey

POSTGRES_URL = os.environ.get("MATCHMAKER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _collect(huey) -> list[int]:  # type: ignore[no-untyped-def]
    taken = []
    while (task := huey.dequeue()) is not None:
        taken.append(task.args[0])
    return taken


@pytest.mark.postgres
def test_two_workers_on_postgresql_share_the_queue_and_split_it(tmp_path: Path) -> None:
    settings = Settings(database_url=normalise_database_url(POSTGRES_URL), secret_key="x", var_dir=tmp_path)
    name = f"test_{uuid.uuid4().hex[:8]}"  # other test runs share the database
    web, machine_a, machine_b = (make_huey(settings, name) for _ in range(3))
    enqueue = web.task(name="run_job")(lambda job_id: None)
    for worker in (machine_a, machine_b):
        worker.task(name="run_job")(lambda job_id: None)
    for job_id in range(10):
        enqueue(job_id)

    first = [machine_a.dequeue().args[0] for _ in range(3)]
    rest = _collect(machine_b)

    assert sorted(first + rest) == list(range(10))
    assert set(first).isdisjoint(rest)


def test_the_embedded_queue_is_a_file_that_outlives_the_process(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", secret_key="x", var_dir=tmp_path)
    before = make_huey(settings)
    before.task(name="run_job")(lambda job_id: None)(42)
    del before

    after = make_huey(settings)
    after.task(name="run_job")(lambda job_id: None)

    assert (tmp_path / "queue.db").exists()
    assert _collect(after) == [42]
