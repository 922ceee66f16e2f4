"""`/papers import` through the command layer: a real SQLite store, a local arXiv API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.models import ChannelRef, CommandRequest, InterestKind, Platform, Upload
from bot.service import PaperBot
from storage.store import SqlStore
from tests.fakes import RecordingChat
from tests.library_data import LIBRARY, fake_arxiv, stored_papers
from tests.markup import marked

BIB = Upload("zotero.bib", (LIBRARY / "zotero.bib").read_bytes())


@pytest.fixture
def core(sqlite_store: SqlStore, clock: FixedClock, settings: Settings) -> Iterator[PaperBot]:
    sqlite_store.upsert_papers(stored_papers(), clock.now())
    yield PaperBot(sqlite_store, clock, settings, {Platform.SLACK: RecordingChat(Platform.SLACK)})


def run(core: PaperBot, upload: object, user: str = "U1", text: str = "import") -> tuple[bool, str]:
    req = CommandRequest(
        Platform.SLACK,
        "T1",
        "C1",
        user,
        text,
        channel_name="lab",
        upload=upload,  # type: ignore[arg-type]
    )
    reply = core.on_command(req)
    return reply.ok, marked(reply.body)


def liked(core: PaperBot) -> list[str]:
    channel = core.store.find_channel(ChannelRef(Platform.SLACK, "T1", "C1"))
    assert channel is not None
    return list(channel.interest_values(InterestKind.SEED))


def test_import_likes_matches_fetches_missing_and_is_idempotent(
    core: PaperBot, settings: Settings
) -> None:
    with fake_arxiv(core, settings) as web:
        ok, text = run(core, BIB)
        asked = [q["id_list"] for p, q in web.hits if p == "/api/query"]
    assert ok, text
    assert asked == ["2104.12255"]  # only the id the store lacked, fetched once
    assert "Imported “zotero.bib” (BibTeX): 5 matched, 1 unmatched." in text
    assert "5 new liked papers here." in text
    assert "• “Deep learning”: DOI 10.1038/nature14539 is not an arXiv paper I know" in text
    assert sorted(liked(core)) == [
        "2104.12255", "2503.12461", "2503.15457", "2503.15879", "2606.00011",
    ]  # fmt: skip
    assert core.store.get_paper("2104.12255") is not None  # fetched and stored
    # the same file again: the same counts, nothing new, no request to arXiv
    with fake_arxiv(core, settings) as web:
        ok, again = run(core, BIB)
        assert web.hits == []
    assert ok and "5 matched, 1 unmatched" in again and "0 new liked papers here; 5 were" in again
    assert sorted(liked(core)) == sorted(set(liked(core)))
    assert len(liked(core)) == 5


def test_imported_papers_teach_the_ranking_like_a_thumbs_up(core: PaperBot) -> None:
    assert run(core, BIB)[0]
    channel = core.store.find_channel(ChannelRef(Platform.SLACK, "T1", "C1"))
    assert channel is not None
    profile = core.profile_for(channel)
    robot = [p for p in stored_papers() if p.id == "2606.00012"]
    (scored,) = core.ranker.rank(profile, robot, k=1)
    assert scored.score > 0 and any("you 👍" in r.text or "like" in r.text for r in scored.reasons)
    # liked papers are never posted again as new
    assert "2606.00011" not in {p.id for p in core.candidates(channel)[0]}


def test_without_a_file_it_says_how(core: PaperBot) -> None:
    ok, text = run(core, None)
    assert not ok and "Upload your BibTeX (.bib) or RIS (.ris) or Zotero CSV (.csv) export" in text
    assert "`/papers import`" in text


def test_unknown_format_is_a_clear_error_and_changes_nothing(core: PaperBot) -> None:
    ok, text = run(core, Upload("notes.txt", b"remember to read the diffusion paper"))
    assert not ok and "can't tell what kind of file" in text and "Usage:" in text
    assert liked(core) == []


def test_a_lazy_upload_runs_only_for_someone_allowed(core: PaperBot) -> None:
    calls: list[str] = []

    def fetch() -> Upload:
        calls.append("fetched")
        return BIB

    assert run(core, fetch, user="U1")[0]  # U1 sets the channel up
    ok, text = run(core, fetch, user="U2")
    assert not ok and "Only" in text
    assert calls == ["fetched"]  # U2's file was never looked up or downloaded


def test_topics_and_unlike_name_only_the_latest_liked_papers(core: PaperBot) -> None:
    from bot.models import Interest

    assert run(core, BIB)[0]
    channel = core.store.find_channel(ChannelRef(Platform.SLACK, "T1", "C1"))
    assert channel is not None
    many = [Interest(InterestKind.SEED, f"2606.{i:05d}") for i in range(100, 110)]
    assert core.store.add_interests(channel.id, many, now=core.clock.now()) == 10
    _, topics = run(core, None, text="topics")
    assert "• Liked papers (14, the latest 10): 2606.00100; 2606.00101;" in topics
    assert "MambaIC" not in topics
    ok, unlike = run(core, None, text="unlike 2401.00001")
    assert not ok and "and 4 more" in unlike
