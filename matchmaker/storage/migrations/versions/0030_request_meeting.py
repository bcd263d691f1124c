"""request meetings: an accepted meeting request's agreed time and place, or its move into an event, and outcome

Revision ID: 0030_request_meeting
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0030_request_meeting"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=True),
        sa.Column("proposed_side", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("proposed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("starts_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reminded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("outcome_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("outcome_by", sa.Integer(), nullable=True),
        sa.Column("outcome_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["meeting_request.id"]),
        sa.ForeignKeyConstraint(["proposed_by"], ["user.id"]),
        sa.ForeignKeyConstraint(["confirmed_by"], ["user.id"]),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"]),
        sa.ForeignKeyConstraint(["outcome_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id"),
    )
    op.create_index("ix_request_meeting_state", "request_meeting", ["state"])
    op.create_index("ix_request_meeting_starts_at", "request_meeting", ["starts_at"])


def downgrade() -> None:
    op.drop_index("ix_request_meeting_starts_at", table_name="request_meeting")
    op.drop_index("ix_request_meeting_state", table_name="request_meeting")
    op.drop_table("request_meeting")
