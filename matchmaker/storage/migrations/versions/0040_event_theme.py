"""event: a theme (industry fields and keywords) that the matcher's proposals for the event keep to

Revision ID: 0040_event_theme
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0040_event_theme"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("theme_fields", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(
            sa.Column("theme_keywords", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.drop_column("theme_keywords")
        batch.drop_column("theme_fields")
