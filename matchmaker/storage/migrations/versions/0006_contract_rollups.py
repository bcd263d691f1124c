"""contract rollups: turnover per month × one dimension (field, town, seller institution, type), kept by triggers

The unfiltered dashboard grouped all ≈198,000 cells of ``contract_stat`` once per breakdown (p50 50–130 ms
each on a million random contracts), so the whole page missed issue 7's 300 ms p95. With no field or town
filter a breakdown only needs month × its own dimension — a few hundred rows — so this migration adds
``contract_rollup`` (``dimension`` names the breakdown, ``item`` its value as text) and triggers, beside those
of 0004, that keep it equal to ``contract`` on every insert, update and delete. Voided contracts are not counted.

Revision ID: 0006
Revises: 0004
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

# dimension → the contract expression it groups by ({row} is NEW, OLD or the table); the seller as text, 0 = none.
_ITEMS = (
    ("field", "{row}.field"),
    ("town", "{row}.town"),
    ("institution", "CAST(COALESCE({row}.seller_institution_id, 0) AS TEXT)"),
    ("type", "{row}.contract_type"),
)
_COLUMNS = "dimension, month, item, contracts, amount_fen, technology_amount_fen"
_ADD = (
    "contracts = contract_rollup.contracts + excluded.contracts, "
    "amount_fen = contract_rollup.amount_fen + excluded.amount_fen, "
    "technology_amount_fen = contract_rollup.technology_amount_fen + excluded.technology_amount_fen"
)


def _sqlite_month(row: str) -> str:
    return f"CAST(strftime('%Y%m', {row}.registered_on) AS INTEGER)"


def _postgres_month(row: str) -> str:
    return f"CAST(EXTRACT(YEAR FROM {row}.registered_on) * 100 + EXTRACT(MONTH FROM {row}.registered_on) AS INTEGER)"


def _add_row(month: str, row: str) -> str:
    return "; ".join(
        f"INSERT INTO contract_rollup ({_COLUMNS}) VALUES ('{dimension}', {month}, {item.format(row=row)}, 1, "
        f"{row}.amount_fen, {row}.technology_amount_fen) ON CONFLICT (dimension, month, item) DO UPDATE SET {_ADD}"
        for dimension, item in _ITEMS
    )


def _remove_row(month: str, row: str) -> str:
    return "; ".join(
        f"UPDATE contract_rollup SET contracts = contracts - 1, amount_fen = amount_fen - {row}.amount_fen, "
        f"technology_amount_fen = technology_amount_fen - {row}.technology_amount_fen "
        f"WHERE dimension = '{dimension}' AND month = {month} AND item = {item.format(row=row)}"
        for dimension, item in _ITEMS
    )


def _sqlite_triggers() -> list[str]:
    new, old = _sqlite_month("NEW"), _sqlite_month("OLD")
    return [
        (
            f"CREATE TRIGGER contract_rollup_insert AFTER INSERT ON contract WHEN NOT NEW.voided "
            f"BEGIN {_add_row(new, 'NEW')}; END"
        ),
        (
            f"CREATE TRIGGER contract_rollup_delete AFTER DELETE ON contract WHEN NOT OLD.voided "
            f"BEGIN {_remove_row(old, 'OLD')}; END"
        ),
        (
            f"CREATE TRIGGER contract_rollup_update_old AFTER UPDATE ON contract WHEN NOT OLD.voided "
            f"BEGIN {_remove_row(old, 'OLD')}; END"
        ),
        (
            f"CREATE TRIGGER contract_rollup_update_new AFTER UPDATE ON contract WHEN NOT NEW.voided "
            f"BEGIN {_add_row(new, 'NEW')}; END"
        ),
    ]


def _postgres_triggers() -> list[str]:
    new, old = _postgres_month("NEW"), _postgres_month("OLD")
    return [
        (
            "CREATE FUNCTION contract_rollup_apply() RETURNS trigger AS $$\n"
            "BEGIN\n"
            f"  IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.voided THEN {_remove_row(old, 'OLD')}; END IF;\n"
            f"  IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.voided THEN {_add_row(new, 'NEW')}; END IF;\n"
            "  RETURN NULL;\n"
            "END $$ LANGUAGE plpgsql"
        ),
        (
            "CREATE TRIGGER contract_rollup_apply AFTER INSERT OR UPDATE OR DELETE ON contract "
            "FOR EACH ROW EXECUTE FUNCTION contract_rollup_apply()"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "contract_rollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dimension", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("item", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("contracts", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("technology_amount_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dimension", "month", "item"),
    )
    # Filled from the 0004 summary, which already equals the contracts.
    for dimension, item in _ITEMS:
        expression = item.format(row="contract_stat")
        op.execute(
            f"INSERT INTO contract_rollup ({_COLUMNS}) SELECT '{dimension}', month, {expression}, SUM(contracts), "
            f"SUM(amount_fen), SUM(technology_amount_fen) FROM contract_stat GROUP BY month, {expression}"
        )
    dialect = op.get_bind().dialect.name
    for statement in _postgres_triggers() if dialect == "postgresql" else _sqlite_triggers():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS contract_rollup_apply ON contract")
        op.execute("DROP FUNCTION IF EXISTS contract_rollup_apply()")
    else:
        for name in ("insert", "delete", "update_old", "update_new"):
            op.execute(f"DROP TRIGGER IF EXISTS contract_rollup_{name}")
    op.drop_table("contract_rollup")
