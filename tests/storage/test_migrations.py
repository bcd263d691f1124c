"""The migrations create exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from matchmaker.storage import models  # noqa: F401


def test_migrated_schema_matches_the_models(db_engine) -> None:  # type: ignore[no-untyped-def]
    with db_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []


def test_a_database_with_data_upgrades_from_the_first_schema(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Batch-mode rebuilds of ``user`` on SQLite must not trip over rows that reference it (foreign keys on)."""
    from sqlalchemy import text

    from matchmaker.storage.db import make_engine
    from matchmaker.storage.migrate import current_heads, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO user (id, username, display_name, email, role, password_hash, is_active, created_at)"
                " VALUES (1, 'zhou', '周', 'z@example.cn', '知识产权局', 'x', 1, '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO notification (user_id, text, link, is_read, created_at)"
                " VALUES (1, '通知', '/', 0, '2026-01-01 00:00:00')"
            )
        )

    upgrade(engine)

    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT u.username, n.text FROM notification n JOIN user u ON u.id = n.user_id")
        )
        assert (rows.all(), len(current_heads(engine)) > 1) == ([("zhou", "通知")], True)
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
