"""channel.schedule_cron: a 5-field cron line that replaces the time and days when set

Revision ID: 0012_schedule_cron
Revises: 0011_reaction_order
Create Date: 2026-12-06 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_schedule_cron"
down_revision: str | None = "0011_reaction_order"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.add_column(sa.Column("schedule_cron", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.drop_column("schedule_cron")
