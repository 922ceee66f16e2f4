"""Fakes for our own ports: they record what happened instead of scripting answers.

Chat: `RecordingAdapter`, `ReconcilingRecordingAdapter`, `RecordingChat` (`chat.py`).
Store: one fake per port (`papers.py`, `channels.py`, `outbox.py`, `schedule.py`,
`reactions.py`, `summaries.py`), all of them at once as `MemoryStore`; each records the changes
it made in `.events` (`calls(name)` filters them). `tests/contracts/` proves them against the
SQL store on SQLite and PostgreSQL.
"""

from tests.fakes.base import Call
from tests.fakes.channels import FakeChannelStore
from tests.fakes.chat import (
    Crash,
    FakeTime,
    PacedChat,
    Post,
    ReconcilingRecordingAdapter,
    RecordingAdapter,
    RecordingChat,
)
from tests.fakes.memory_store import MemoryStore
from tests.fakes.outbox import FakeOutboxStore
from tests.fakes.papers import FakePaperStore
from tests.fakes.reactions import FakeReactionStore
from tests.fakes.schedule import FakeScheduleStore
from tests.fakes.summaries import FakeSummaryCache

__all__ = [
    "Call",
    "Crash",
    "FakeChannelStore",
    "FakeOutboxStore",
    "FakePaperStore",
    "FakeReactionStore",
    "FakeScheduleStore",
    "FakeSummaryCache",
    "FakeTime",
    "MemoryStore",
    "PacedChat",
    "Post",
    "ReconcilingRecordingAdapter",
    "RecordingAdapter",
    "RecordingChat",
]
