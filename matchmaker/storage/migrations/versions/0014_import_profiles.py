"""imports: saved import profiles, and the upper bound of an offer's asking-price range

A confirmed column mapping and the answers to "map this value to…" are kept per import kind and source, so
the next file from the same office needs no confirmation. An offer priced 「20~30万」 keeps both bounds instead
of turning into 面议.

Revision ID: 0014_import_profiles
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0014_import_profiles"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offer") as batch:
        batch.add_column(sa.Column("price_max_wan", sa.Integer(), nullable=True))
    op.create_table(
        "import_profile",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("institution_id", sa.Integer(), sa.ForeignKey("institution.id"), nullable=True),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("kind", "name"),
    )
    op.create_index("ix_import_profile_kind", "import_profile", ["kind"])


def downgrade() -> None:
    op.drop_index("ix_import_profile_kind", table_name="import_profile")
    op.drop_table("import_profile")
    with op.batch_alter_table("offer") as batch:
        batch.drop_column("price_max_wan")
