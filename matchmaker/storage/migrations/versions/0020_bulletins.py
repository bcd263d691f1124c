"""bulletins: the issued 定期通报 (month, quarter, year) with their figures frozen as JSON

Revision ID: 0020_bulletins
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0020_bulletins"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "bulletin",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("period_kind", text(length=10), nullable=False),
        sa.Column("period_key", text(length=10), nullable=False),
        sa.Column("title", text(length=100), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("issued_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("issued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("period_key"),
    )


def downgrade() -> None:
    op.drop_table("bulletin")
