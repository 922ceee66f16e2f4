"""pending_vote: vote reactions waiting to be added (the vote lane's overflow and what a
stopping worker had not added)

Revision ID: 0016_pending_vote
Revises: 0015_library_import
Create Date: 2026-12-06 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_pending_vote"
down_revision: str | None = "0015_library_import"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("emoji", sa.String(length=64), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["channel.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pending_vote_channel_id", "pending_vote", ["channel_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_pending_vote_channel_id", table_name="pending_vote")
    op.drop_table("pending_vote")
