"""paper.title_key: the normalised title `/papers import` matches library entries by (indexed)

Revision ID: 0015_library_import
Revises: 0014_app_secret
Create Date: 2026-12-06 09:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.library.titles import title_key

revision: str = "0015_library_import"
down_revision: str | None = "0014_app_secret"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
BATCH = 1_000


def upgrade() -> None:
    op.add_column("paper", sa.Column("title_key", sa.Text(), nullable=True))
    op.create_index("ix_paper_title_key", "paper", ["title_key"], unique=False)
    _backfill()


def _backfill() -> None:
    """Papers stored before this revision get their key, a batch at a time, in id order."""
    bind = op.get_bind()
    paper = sa.table("paper", sa.column("id", sa.String), sa.column("title", sa.Text),
                     sa.column("title_key", sa.Text))  # fmt: skip
    last = ""
    while True:
        rows = bind.execute(
            sa.select(paper.c.id, paper.c.title)
            .where(paper.c.id > last)
            .order_by(paper.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            paper.update()
            .where(paper.c.id == sa.bindparam("pid"))
            .values(title_key=sa.bindparam("key")),
            [{"pid": pid, "key": title_key(title)} for pid, title in rows],
        )
        last = rows[-1][0]


def downgrade() -> None:
    # Not a batch: on SQLite that recreates the paper table, and dropping the old one fails
    # once reactions and digest items refer to its papers. Both backends drop a column that no
    # index uses in place (SQLite since 3.35).
    op.drop_index("ix_paper_title_key", table_name="paper")
    op.execute("ALTER TABLE paper DROP COLUMN title_key")
