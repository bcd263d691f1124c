"""patent pledge register: one row per 专利权质押登记, the source of the 知识产权质押融资 indicator

The indicator was a number the bureau typed each year; from here it is computed from the register, so the
seeded indicator row switches its source from ``manual`` to ``pledges`` (typed values stay in
``indicator_value`` for the record but no longer count).

Revision ID: 0018_pledges
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0018_pledges"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "pledge",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("registration_number", text(length=30), nullable=False),
        sa.Column("pledgor_name", text(length=100), nullable=False),
        sa.Column("pledgor_credit_code", text(length=18), nullable=False),
        sa.Column("pledgor_company_id", sa.Integer(), sa.ForeignKey("company.id"), nullable=True),
        sa.Column("pledgee_name", text(length=100), nullable=False),
        sa.Column("pledgee_kind", text(length=10), nullable=False),
        sa.Column("patents", sa.JSON(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("debt_from", sa.Date(), nullable=True),
        sa.Column("debt_to", sa.Date(), nullable=True),
        sa.Column("status", text(length=10), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("field", text(length=20), nullable=False),
        sa.Column("town", text(length=30), nullable=False),
        sa.Column("offer_id", sa.Integer(), sa.ForeignKey("offer.id"), nullable=True),
        sa.Column("contract_id", sa.Integer(), sa.ForeignKey("contract.id"), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("registration_number"),
    )
    op.create_index("ix_pledge_registered_on", "pledge", ["registered_on"])
    op.create_index("ix_pledge_pledgor_credit_code", "pledge", ["pledgor_credit_code"])
    op.create_index("ix_pledge_pledgor_company_id", "pledge", ["pledgor_company_id"])
    op.create_index("ix_pledge_pledgee_name", "pledge", ["pledgee_name"])
    op.create_index("ix_pledge_status", "pledge", ["status"])
    op.create_index("ix_pledge_field", "pledge", ["field"])
    op.create_index("ix_pledge_town", "pledge", ["town"])
    op.execute("UPDATE indicator SET source = 'pledges' WHERE code = 'ip_pledge_financing'")


def downgrade() -> None:
    op.execute("UPDATE indicator SET source = 'manual' WHERE code = 'ip_pledge_financing'")
    op.drop_table("pledge")
