"""EventIdPruner: prunes past the retention, at most once per interval, never failing a caller."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.errors import StorageError
from bot.feedback.event_ids import EventIdPruner

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)


class RecordingStore:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[datetime] = []
        self.fail = fail

    def prune_events(self, before: datetime) -> int:
        self.calls.append(before)
        if self.fail:
            raise StorageError("database unavailable: down")
        return 2


def settings(hours: float) -> Settings:
    return Settings(_env_file=None, processed_event_retention_hours=hours)  # type: ignore[call-arg]


def test_prunes_past_the_retention_once_an_hour() -> None:
    store = RecordingStore()
    pruner = EventIdPruner(store, settings(48))
    assert pruner.maybe_prune(T0) == 2
    assert pruner.maybe_prune(T0 + timedelta(minutes=59)) is None
    assert pruner.maybe_prune(T0 + timedelta(hours=1)) == 2
    assert store.calls == [T0 - timedelta(hours=48), T0 + timedelta(hours=1 - 48)]


def test_a_failing_database_is_retried_next_time_and_never_raises() -> None:
    store = RecordingStore(fail=True)
    pruner = EventIdPruner(store, settings(6))
    assert pruner.maybe_prune(T0) is None
    store.fail = False
    assert pruner.maybe_prune(T0 + timedelta(seconds=1)) == 2
    assert len(store.calls) == 2


def test_the_retention_setting_is_read_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PROCESSED_EVENT_RETENTION_HOURS", "72")
    assert Settings(_env_file=None).processed_event_retention_hours == 72  # type: ignore[call-arg]
    assert Settings(_env_file=None, processed_event_retention_hours=48.0) is not None  # type: ignore[call-arg]
