"""Apply Alembic migrations programmatically (``matchmaker migrate`` and ``serve`` call this)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str = "") -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Feature areas add migrations as branches off the initial schema, so we upgrade to every head.

    On SQLite, Alembic's batch mode rebuilds a table (copy, drop, rename); with foreign keys enforced, dropping a
    table that other rows reference fails, so a database with data could not be upgraded. Enforcement is switched
    off for the migration only (SQLite ignores the pragma inside a transaction, hence before it) and the result is
    checked with ``foreign_key_check`` before the connection goes back to the pool.
    """
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left rows with dangling foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def current_heads(engine: Engine) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
