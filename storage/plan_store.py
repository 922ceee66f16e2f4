"""What planning one channel's digest reads, in one transaction (one pooled connection, one
round of checkout and commit instead of three per channel)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.models import PlanInputs
from storage.paper_store import PaperStore
from storage.reaction_store import channel_feedback
from storage.tables import DigestItemRow


class PlanInputStore(PaperStore):
    """`plan_inputs`: the candidate window, the channel's posted papers and its opinions."""

    def plan_inputs(self, channel_id: int, since: datetime, limit: int = 5000) -> PlanInputs:
        with self.session() as s:
            posted = select(DigestItemRow.paper_id).where(DigestItemRow.channel_id == channel_id)
            return PlanInputs(
                papers=self.window_papers(s.connection(), since, limit),
                posted=frozenset(s.exec(posted)),
                feedback=tuple(channel_feedback(s, channel_id)),
            )
