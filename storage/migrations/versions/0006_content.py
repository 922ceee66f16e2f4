"""paper_summary: LLM TL;DRs cached per paper and model

Revision ID: 0006_content
Revises: 0001
Create Date: 2026-11-27 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_content"
down_revision: str | None = "0002_sources"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "paper_summary",
        sa.Column("paper_id", sa.String(length=200), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["paper_id"], ["paper.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("paper_id", "model"),
    )
    with op.batch_alter_table("paper_summary", schema=None) as batch_op:
        batch_op.create_index("ix_paper_summary_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("paper_summary", schema=None) as batch_op:
        batch_op.drop_index("ix_paper_summary_created_at")
    op.drop_table("paper_summary")
