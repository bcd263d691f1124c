"""Persistence: SQLModel tables, the engine, Alembic migrations and the audit trail."""
