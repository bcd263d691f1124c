"""open licences: an offer's declared open-licence terms, and the licences companies take under them

Revision ID: 0019_open_licences
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0019_open_licences"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    when = sqlmodel.sql.sqltypes.UTCDateTime
    op.create_table(
        "open_licence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("offer_id", sa.Integer(), sa.ForeignKey("offer.id"), nullable=False),
        sa.Column("fee_model", text(length=10), nullable=False),
        sa.Column("lump_sum_fen", sa.BigInteger(), nullable=True),
        sa.Column("royalty_bp", sa.Integer(), nullable=True),
        sa.Column("period_years", sa.Integer(), nullable=False),
        sa.Column("scope", text(length=200), nullable=False),
        sa.Column("declared_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("declared_at", when(), nullable=False),
        sa.Column("withdrawn_at", when(), nullable=True),
        sa.UniqueConstraint("offer_id"),
    )
    op.create_table(
        "licence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("open_licence_id", sa.Integer(), sa.ForeignKey("open_licence.id"), nullable=False),
        sa.Column("offer_id", sa.Integer(), sa.ForeignKey("offer.id"), nullable=False),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("company.id"), nullable=False),
        sa.Column("need_id", sa.Integer(), sa.ForeignKey("need.id"), nullable=True),
        sa.Column("taken_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("fee_model", text(length=10), nullable=False),
        sa.Column("lump_sum_fen", sa.BigInteger(), nullable=True),
        sa.Column("royalty_bp", sa.Integer(), nullable=True),
        sa.Column("period_years", sa.Integer(), nullable=False),
        sa.Column("scope", text(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("contract_id", sa.Integer(), sa.ForeignKey("contract.id"), nullable=True),
        sa.Column("created_at", when(), nullable=False),
    )
    op.create_index("ix_licence_offer_id", "licence", ["offer_id"])
    op.create_index("ix_licence_company_id", "licence", ["company_id"])


def downgrade() -> None:
    op.drop_table("licence")
    op.drop_table("open_licence")
