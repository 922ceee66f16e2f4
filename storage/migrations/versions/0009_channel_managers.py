"""channel.set_up_by and channel_manager: who may change a channel's settings from chat

Revision ID: 0009_channel_managers
Revises: 0008_forget
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_channel_managers"
down_revision: str | None = "0008_forget"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.add_column(sa.Column("set_up_by", sa.String(length=64), nullable=True))
    op.create_table(
        "channel_manager",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["channel.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_id", "user_id", name="uq_channel_manager"),
    )
    with op.batch_alter_table("channel_manager", schema=None) as batch_op:
        batch_op.create_index("ix_channel_manager_channel_id", ["channel_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("channel_manager", schema=None) as batch_op:
        batch_op.drop_index("ix_channel_manager_channel_id")
    op.drop_table("channel_manager")
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.drop_column("set_up_by")
