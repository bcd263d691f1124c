"""record versions for optimistic locking

Two people editing the same offer, need, contract, event or account: the later save silently overwrote the
earlier. Each editable record now carries ``version`` (bumped on every edit); a save based on an older version
is refused with what changed (services/versions.py).

Revision ID: 0016_versions
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_versions"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("offer", "need", "contract", "event", "user")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
