"""LLM TL;DRs against a local fake OpenAI-compatible server: success, cache, budget, failures."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.content.llm import ChatClient, LLMSummarizer, parse_summary
from bot.content.summarize import extractive_tldr
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Paper, Platform
from storage.store import SqlStore
from tests.conftest import make_paper
from tests.fake_llm import FakeLLM, fake_llm_server

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
TIMEOUT = 0.3
ABSTRACT = (
    "Transformers are expensive to train. We propose FakeNet, which prunes attention heads "
    "early in training. It halves the cost on $\\mathcal{{O}}(n)$ benchmarks. Paper {i}."
)


def _papers(n: int) -> list[Paper]:
    return [
        make_paper(f"2606.0000{i}", f"FakeNet {i}: Pruned Heads", ABSTRACT.format(i=i))
        for i in range(n)
    ]


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with fake_llm_server() as server:
        yield server


@pytest.fixture
def papers(sqlite_store: SqlStore) -> list[Paper]:
    papers = _papers(4)
    sqlite_store.upsert_papers(papers, T0)
    return papers


def _summarizer(
    fake: FakeLLM, store: SqlStore, clock: FixedClock, budget: int = 10
) -> LLMSummarizer:
    client = ChatClient.connect(fake.url, "fake-model", api_key="sk-test", timeout=TIMEOUT)
    return LLMSummarizer(client, store, clock, daily_budget=budget)


def _extractive(paper: Paper) -> str:
    return extractive_tldr(paper.abstract, title=paper.title)


def test_llm_summary_is_used_and_cached(
    fake: FakeLLM, sqlite_store: SqlStore, papers: list[Paper]
) -> None:
    clock = FixedClock(T0)
    summarizer = _summarizer(fake, sqlite_store, clock)
    assert summarizer.tldr(papers[0]) == fake.reply
    request = fake.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    body = request["json"]
    assert body["model"] == "fake-model" and body["temperature"] == 0
    user = body["messages"][-1]["content"]
    assert "FakeNet 0" in user and "𝒪(n)" in user and "\\mathcal" not in user
    cached = sqlite_store.get_summary(papers[0].id, "fake-model")
    assert cached is not None and cached.text == fake.reply


def test_cache_hit_sends_no_request_even_after_a_restart(
    fake: FakeLLM, sqlite_store: SqlStore, papers: list[Paper]
) -> None:
    clock = FixedClock(T0)
    first = _summarizer(fake, sqlite_store, clock)
    first.tldr(papers[0])
    assert len(fake.requests) == 1
    assert first.tldr(papers[0]) == fake.reply
    restarted = _summarizer(fake, sqlite_store, clock)
    assert restarted.tldr(papers[0]) == fake.reply
    assert len(fake.requests) == 1 and restarted.calls == 0


def test_new_abstract_is_summarised_again(
    fake: FakeLLM, sqlite_store: SqlStore, papers: list[Paper]
) -> None:
    summarizer = _summarizer(fake, sqlite_store, FixedClock(T0))
    summarizer.tldr(papers[0])
    fake.reply = "FakeNet v2 now also prunes feed-forward layers with no loss."
    revised = replace(papers[0], abstract=papers[0].abstract + " We add FFN pruning.")
    assert summarizer.tldr(revised) == fake.reply
    assert len(fake.requests) == 2


def test_timeout_falls_back_then_skips_the_llm_for_a_while(
    fake: FakeLLM, sqlite_store: SqlStore, papers: list[Paper]
) -> None:
    clock = FixedClock(T0)
    summarizer = _summarizer(fake, sqlite_store, clock)
    fake.mode = "hang"
    assert summarizer.tldr(papers[0]) == _extractive(papers[0])
    # The rest of the digest does not wait for the timeout again.
    assert summarizer.tldr(papers[1]) == _extractive(papers[1])
    assert len(fake.requests) == 1
    fake.mode = "ok"
    clock.advance(timedelta(minutes=11))
    assert summarizer.tldr(papers[1]) == fake.reply
    assert sqlite_store.get_summary(papers[0].id, "fake-model") is None


def test_http_500_falls_back(fake: FakeLLM, sqlite_store: SqlStore, papers: list[Paper]) -> None:
    summarizer = _summarizer(fake, sqlite_store, FixedClock(T0))
    fake.mode = "error500"
    assert summarizer.tldr(papers[0]) == _extractive(papers[0])
    assert summarizer.tldr(papers[1]) == _extractive(papers[1])
    assert len(fake.requests) == 1  # a failing endpoint is left alone for the cooldown


@pytest.mark.parametrize("mode", ["junk_body", "junk_text", "empty", "null", "refusal"])
def test_junk_or_empty_answers_fall_back_and_are_not_cached(
    mode: str, fake: FakeLLM, sqlite_store: SqlStore, papers: list[Paper]
) -> None:
    summarizer = _summarizer(fake, sqlite_store, FixedClock(T0))
    fake.mode = mode
    assert summarizer.tldr(papers[0]) == _extractive(papers[0])
    assert sqlite_store.get_summary(papers[0].id, "fake-model") is None
    # Junk is the model's fault, not the endpoint's: the next paper is still tried.
    fake.mode = "ok"
    assert summarizer.tldr(papers[1]) == fake.reply


def test_unreachable_endpoint_falls_back(sqlite_store: SqlStore, papers: list[Paper]) -> None:
    client = ChatClient.connect("http://127.0.0.1:9/v1", "m", api_key=None, timeout=TIMEOUT)
    summarizer = LLMSummarizer(client, sqlite_store, FixedClock(T0), daily_budget=5)
    assert summarizer.tldr(papers[0]) == _extractive(papers[0])


def test_daily_budget_is_respected_across_restarts_and_resets_next_day(
    fake: FakeLLM, sqlite_store: SqlStore, papers: list[Paper]
) -> None:
    clock = FixedClock(T0)
    summarizer = _summarizer(fake, sqlite_store, clock, budget=2)
    out = [summarizer.tldr(p) for p in papers[:3]]
    assert out[:2] == [fake.reply, fake.reply]
    assert out[2] == _extractive(papers[2])
    assert len(fake.requests) == 2
    restarted = _summarizer(fake, sqlite_store, clock, budget=2)
    assert restarted.tldr(papers[3]) == _extractive(papers[3])
    assert len(fake.requests) == 2
    clock.advance(timedelta(days=1))
    assert restarted.tldr(papers[3]) == fake.reply
    assert len(fake.requests) == 3


def test_failed_calls_count_against_the_budget(
    fake: FakeLLM, sqlite_store: SqlStore, papers: list[Paper]
) -> None:
    summarizer = _summarizer(fake, sqlite_store, FixedClock(T0), budget=1)
    fake.mode = "empty"
    summarizer.tldr(papers[0])
    fake.mode = "ok"
    assert summarizer.tldr(papers[1]) == _extractive(papers[1])
    assert len(fake.requests) == 1


def test_hf_summary_and_empty_abstract_spend_nothing(
    fake: FakeLLM, sqlite_store: SqlStore, papers: list[Paper]
) -> None:
    summarizer = _summarizer(fake, sqlite_store, FixedClock(T0))
    with_hf = replace(papers[0], ai_summary="HF says FakeNet prunes heads early.")
    assert summarizer.tldr(with_hf) == "HF says FakeNet prunes heads early."
    assert summarizer.tldr(replace(papers[1], abstract="  ")) == ""
    assert fake.requests == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "<think>hmm, let me see</think>\nFakeNet prunes heads early to halve cost.",
            "FakeNet prunes heads early to halve cost.",
        ),
        (
            "TL;DR: FakeNet prunes heads early to halve cost.",
            "FakeNet prunes heads early to halve cost.",
        ),
        (
            "Here is a one-sentence summary:\n\n**FakeNet** prunes heads early to halve cost.",
            "FakeNet prunes heads early to halve cost.",
        ),
        (
            '"FakeNet prunes heads early to halve cost."',
            "FakeNet prunes heads early to halve cost.",
        ),
        (
            "FakeNet runs in $\\mathcal{O}(n)$ time on long inputs.",
            "FakeNet runs in 𝒪(n) time on long inputs.",
        ),
        ("", ""),
        ("   \n  ", ""),
        ("Too short.", ""),
        ("As an AI language model I cannot summarise this.", ""),
        ("<think>never closed and rambling", ""),
    ],
)
def test_parse_summary(raw: str, expected: str) -> None:
    assert parse_summary(raw) == expected


def test_parse_summary_trims_long_answers() -> None:
    out = parse_summary("FakeNet " + "does many things " * 40)
    assert len(out) <= 200 and out.endswith("…")


def test_digest_is_posted_on_time_when_the_llm_hangs(fake: FakeLLM, settings: Settings) -> None:
    from app.wiring.runtime import build_runtime

    fake.mode = "hang"
    configured = settings.model_copy(
        update={"llm_base_url": fake.url, "llm_model": "m", "llm_timeout_seconds": TIMEOUT}
    )
    out = io.StringIO()
    rt = build_runtime(configured, out=out, clock=FixedClock(T0))
    try:
        assert isinstance(rt.core.summarizer, LLMSummarizer)
        papers = _papers(3)
        rt.core.ingest(papers)
        channel = rt.store.add_channel(
            ChannelRef(Platform.CONSOLE, "local", "lab"),
            "lab",
            ChannelSettings(size=3),
            [Interest(InterestKind.TOPIC, "pruned attention heads")],
            now=T0,
        )
        _, result = rt.core.run_digest(channel, run_key="2026-06-30")
    finally:
        rt.close()
    assert len(result.posted) == 3 and not result.failed
    assert len(fake.requests) == 1  # one timeout, then the cooldown
    assert out.getvalue().count("TL;DR: We propose FakeNet") == 3


def test_bad_llm_base_url_is_a_config_error_naming_the_variable() -> None:
    from bot.errors import ConfigError

    with pytest.raises(ConfigError, match="LLM_BASE_URL"):
        ChatClient.connect("localhost:11434", "m", api_key=None, timeout=1)


def test_the_llm_never_changes_the_picks(fake: FakeLLM, settings: Settings) -> None:
    from app.wiring.runtime import build_runtime

    picks = []
    for base_url in (None, fake.url):
        configured = settings.model_copy(update={"llm_base_url": base_url, "llm_model": "m"})
        rt = build_runtime(configured, out=io.StringIO(), clock=FixedClock(T0))
        try:
            rt.core.ingest(_papers(4))
            channel = rt.store.ensure_channel(
                ChannelRef(Platform.CONSOLE, "local", "lab"), "lab", ChannelSettings(), now=T0
            )
            rt.store.add_interest(channel.id, Interest(InterestKind.TOPIC, "pruned heads"), now=T0)
            plan = rt.core.plan(rt.store.get_channel(channel.id))
        finally:
            rt.close()
        picks.append([(s.paper.id, s.score) for s, _ in plan.picks])
        tldrs = {summary for _, summary in plan.picks}
    assert picks[0] == picks[1] and len(picks[0]) == 4
    assert tldrs == {fake.reply}  # the second run did use the LLM, for the TL;DR only


def test_runtime_without_llm_base_url_uses_no_llm(settings: Settings) -> None:
    from app.wiring.runtime import build_runtime
    from bot.content.summarize import ExtractiveSummarizer

    rt = build_runtime(settings, out=io.StringIO(), clock=FixedClock(T0))
    try:
        assert isinstance(rt.core.summarizer, ExtractiveSummarizer)
    finally:
        rt.close()


class _Broken:
    def tldr(self, paper: Paper) -> str:
        raise RuntimeError("a bug in a summarizer")


def test_a_broken_summarizer_never_holds_a_digest_back(settings: Settings) -> None:
    from app.wiring.runtime import build_runtime
    from bot.service import PaperBot

    out = io.StringIO()
    rt = build_runtime(settings, out=out, clock=FixedClock(T0))
    try:
        core = PaperBot(rt.store, rt.clock, settings, rt.core.adapters, summarizer=_Broken())
        core.ingest(_papers(2))
        channel = rt.store.add_channel(
            ChannelRef(Platform.CONSOLE, "local", "lab"),
            "lab",
            ChannelSettings(size=2),
            [Interest(InterestKind.TOPIC, "pruned attention heads")],
            now=T0,
        )
        _, result = core.run_digest(channel, run_key="2026-06-30")
    finally:
        rt.close()
    assert len(result.posted) == 2
    assert out.getvalue().count("TL;DR: We propose FakeNet") == 2


def test_summary_of_an_unknown_paper_is_not_cached_but_still_returned(
    fake: FakeLLM, sqlite_store: SqlStore
) -> None:
    summarizer = _summarizer(fake, sqlite_store, FixedClock(T0))
    stray = _papers(1)[0]  # never ingested: the cache's foreign key refuses it
    assert summarizer.tldr(stray) == fake.reply
    assert sqlite_store.get_summary(stray.id, "fake-model") is None
