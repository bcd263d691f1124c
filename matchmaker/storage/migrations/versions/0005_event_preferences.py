"""event pairs: each participant's own preference beside the organizer's

One ``preference`` column could not tell a company's 不见 from a researcher's 必须见: whoever saved last
would win. The scheduler combines the three marks (``domain.events.effective_preference``).

Revision ID: 0005
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event_pair") as batch:
        batch.add_column(
            sa.Column("researcher_preference", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )
        batch.add_column(
            sa.Column("company_preference", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("event_pair") as batch:
        batch.drop_column("company_preference")
        batch.drop_column("researcher_preference")
