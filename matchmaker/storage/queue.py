"""The job queue's storage (huey): a SQLite file under ``var/`` by default, the PostgreSQL database itself when
``DATABASE_URL`` points there (so ``matchmaker worker`` processes on other machines share it).

Only job ids travel through the queue; everything a person sees about a job is our ``job`` table.
"""

from __future__ import annotations

from huey import Huey, MemoryHuey, SqliteHuey
from huey.contrib.sql_huey import SqlHuey
from peewee import PostgresqlDatabase
from playhouse.db_url import parse

from matchmaker.settings import Settings

QUEUE_NAME = "matchmaker"
#: On PostgreSQL huey's four tables (task, schedule, kv, counter) live in this schema, apart from ours.
QUEUE_SCHEMA = "matchmaker_queue"


def make_huey(settings: Settings, name: str = QUEUE_NAME) -> Huey:
    """The queue for these settings. ``jobs_inline`` (tests) runs each job at once, inside ``enqueue``."""
    if settings.jobs_inline:
        return MemoryHuey(name, immediate=True)
    if settings.is_sqlite:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(settings.var_dir / "queue.db"), timeout=30)
    return SqlHuey(name, database=_postgres(settings.database_url))


def _postgres(database_url: str) -> PostgresqlDatabase:
    """The application's PostgreSQL database, with the queue's tables in a schema of their own."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    params = parse(url)
    with PostgresqlDatabase(**params) as bootstrap:
        bootstrap.execute_sql(f"CREATE SCHEMA IF NOT EXISTS {QUEUE_SCHEMA}")  # type: ignore[no-untyped-call]
    return PostgresqlDatabase(**params, options=f"-csearch_path={QUEUE_SCHEMA}")
