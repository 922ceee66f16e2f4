"""reaction event_at: the latest event per reaction wins; processed event ids indexed by age

Revision ID: 0011_reaction_order
Revises: 0010_lease_token
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_reaction_order"
down_revision: str | None = "0010_lease_token"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reaction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_at", sa.DateTime(timezone=True), nullable=True))
    # Reactions recorded before this revision: their last change is the best time known.
    op.execute("UPDATE reaction SET event_at = updated_at")
    with op.batch_alter_table("reaction", schema=None) as batch_op:
        batch_op.alter_column("event_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    with op.batch_alter_table("processed_event", schema=None) as batch_op:
        batch_op.create_index("ix_processed_event_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("processed_event", schema=None) as batch_op:
        batch_op.drop_index("ix_processed_event_created_at")
    with op.batch_alter_table("reaction", schema=None) as batch_op:
        batch_op.drop_column("event_at")
