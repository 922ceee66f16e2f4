"""Questions in a paper's thread through the use case, on SQLite, with arXiv's HTML served by a
local fake (tests/fake_sources.py) and an OpenAI-compatible fake LLM (tests/fake_llm.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.answers import Question, ThreadQuestions
from bot.answers.ratelimit import Verdict
from bot.clock import FixedClock
from bot.config import Settings
from bot.content.llm import ChatClient
from bot.models import ChannelRef, ChannelSettings, Platform, ScoredPaper
from storage.store import SqlStore
from tests.conftest import make_paper
from tests.fake_llm import FakeLLM, fake_llm_server
from tests.fake_sources import FakeSources

PAGE = (Path(__file__).resolve().parents[1] / "fixtures/arxiv_html/2606.00001v1.html").read_bytes()
REF = ChannelRef(Platform.SLACK, "T0LAB", "C0PAPERS")
PAPER = make_paper(
    "2606.00001",
    "FakeNet: Pruning Attention Heads Early",
    "We present FakeNet, a method that prunes attention heads early in training. "
    "FakeNet cuts training cost in half on vision transformers.",
)
OLD = make_paper("2301.00002", "An old paper", "We study graphs. Graphs are evaluated on Cora.")
MESSAGE = "1764230400.000200"


@pytest.fixture
def web() -> Iterator[FakeSources]:
    with FakeSources() as fake:
        fake.route("/html/2606.00001", body=PAGE, content_type="text/html; charset=utf-8")
        yield fake


@pytest.fixture
def settings(tmp_path: Path, web: FakeSources) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'q.db'}",
        arxiv_html_url=web.url + "/html",
        answer_full_text_timeout_seconds=2,
    )


@pytest.fixture
def posted(sqlite_store: SqlStore, clock: FixedClock) -> SqlStore:
    """A channel where PAPER was posted as MESSAGE and OLD as "old-message"."""
    store = sqlite_store
    store.upsert_papers([PAPER, OLD], clock.now())
    channel = store.add_channel(REF, "papers", ChannelSettings(), now=clock.now())
    picks = [(ScoredPaper(PAPER, 1.0), "tldr"), (ScoredPaper(OLD, 0.5), "tldr")]
    digest, _ = store.create_digest(
        channel.id, "run-1", picks, candidates=2, now=clock.now(), watermark=clock.now()
    )
    store.mark_item_posted(digest.id, PAPER.id, MESSAGE, now=clock.now())
    store.mark_item_posted(digest.id, OLD.id, "old-message", now=clock.now())
    return store


def ask(
    text: str, *, message_ids: tuple[str, ...] = (MESSAGE,), event: str | None = None
) -> Question:
    return Question(Platform.SLACK, "T0LAB", "C0PAPERS", "U0ADA", text, message_ids, event)


def test_a_question_the_abstract_cannot_answer_is_answered_from_the_full_text(
    posted: SqlStore, clock: FixedClock, settings: Settings, web: FakeSources
) -> None:
    questions = ThreadQuestions.from_settings(posted, clock, settings)
    reply = questions.on_question(ask("What dataset do they use?"))
    assert reply is not None and not reply.ephemeral
    assert "“We train on the ImageNet-1k dataset and fine-tune on the COCO dataset.”" in reply.text
    assert "(4.1 Datasets)" in reply.text and reply.text.startswith("From the text of")
    # the page is fetched once and kept: the next question reads the database
    questions.on_question(ask("What batch size?"))
    assert web.paths("/html/") == ["/html/2606.00001"]
    cached = posted.get_full_text(PAPER.id)
    assert cached is not None and cached.found and len(cached.sections) == 4


def test_without_full_text_it_says_plainly_that_the_abstract_does_not_say(
    posted: SqlStore, clock: FixedClock, settings: Settings, web: FakeSources
) -> None:
    off = settings.model_copy(update={"answer_full_text": False})
    reply = ThreadQuestions.from_settings(posted, clock, off).on_question(ask("What dataset?"))
    assert reply is not None
    assert reply.text.startswith("The abstract of FakeNet") and "does not say" in reply.text
    assert "“" not in reply.text and web.hits == []


def test_the_abstract_answers_without_fetching_for_papers_without_html(
    posted: SqlStore, clock: FixedClock, settings: Settings, web: FakeSources
) -> None:
    reply = ThreadQuestions.from_settings(posted, clock, settings).on_question(
        ask("Which graphs are evaluated?", message_ids=("old-message",))
    )
    assert reply is not None
    assert "From the abstract of" in reply.text and "“Graphs are evaluated on Cora.”" in reply.text
    assert web.hits == []  # arXiv has HTML only from December 2023 on


@pytest.mark.parametrize(
    ("route", "cached"),
    [
        ({"status": 404, "body": b"no html", "content_type": "text/html"}, True),
        ({"status": 503, "body": b"busy", "content_type": "text/html"}, False),
        ({"body": PAGE + b" " * 60_000, "content_type": "text/html"}, True),  # over the cap
        ({"body": PAGE[:300], "content_type": "text/html", "drip": 0.05}, False),  # too slow
    ],
)
def test_no_usable_page_means_an_answer_from_the_abstract(
    posted: SqlStore,
    clock: FixedClock,
    settings: Settings,
    web: FakeSources,
    route: dict[str, Any],
    cached: bool,
) -> None:
    web.route("/html/2606.00001", **route)
    tight = settings.model_copy(
        update={"answer_full_text_max_bytes": 50_000, "answer_full_text_timeout_seconds": 0.5}
    )
    reply = ThreadQuestions.from_settings(posted, clock, tight).on_question(ask("What dataset?"))
    assert reply is not None and "does not say" in reply.text
    assert "nor does its full text" not in reply.text
    stored = posted.get_full_text(PAPER.id)
    assert (stored is not None) == cached and (stored is None or not stored.found)


def test_a_missing_page_is_asked_for_again_only_a_day_later(
    posted: SqlStore, clock: FixedClock, settings: Settings, web: FakeSources
) -> None:
    web.route("/html/2606.00001", status=404, body=b"", content_type="text/html")
    questions = ThreadQuestions.from_settings(posted, clock, settings)
    questions.on_question(ask("What dataset?"))
    questions.on_question(ask("What dataset?"))
    assert len(web.paths("/html/")) == 1
    clock.advance(timedelta(days=1, minutes=1))
    web.route("/html/2606.00001", body=PAGE, content_type="text/html")
    reply = questions.on_question(ask("What dataset?"))
    assert reply is not None and "4.1 Datasets" in reply.text and len(web.paths("/html/")) == 2


def test_help_outside_a_paper_thread_and_for_empty_or_long_questions(
    posted: SqlStore, clock: FixedClock, settings: Settings
) -> None:
    questions = ThreadQuestions.from_settings(posted, clock, settings)
    for message_ids in ((), ("some-other-message",)):
        reply = questions.on_question(ask("what dataset?", message_ids=message_ids))
        assert reply is not None and "reply to a paper I posted" in reply.text
    other = replace(ask("what?"), channel="C0ELSEWHERE")
    assert "reply to a paper" in (questions.on_question(other) or ask("")).text
    empty = questions.on_question(ask("   "))
    assert empty is not None and "What would you like to know about FakeNet" in empty.text
    long = questions.on_question(ask("why " * 100))
    assert long is not None and "under 300 characters" in long.text


def test_a_redelivered_event_is_answered_once(
    posted: SqlStore, clock: FixedClock, settings: Settings
) -> None:
    questions = ThreadQuestions.from_settings(posted, clock, settings)
    assert questions.on_question(ask("What dataset?", event="Ev1")) is not None
    assert questions.on_question(ask("What dataset?", event="Ev1")) is None
    assert questions.on_question(ask("What dataset?", event="Ev2")) is not None


def test_the_hourly_limit_per_channel_refuses_once_then_stays_quiet(
    posted: SqlStore, clock: FixedClock, settings: Settings
) -> None:
    three = settings.model_copy(update={"answer_rate_per_hour": 3, "answer_full_text": False})
    questions = ThreadQuestions.from_settings(posted, clock, three)
    for _ in range(3):
        reply = questions.on_question(ask("training cost?"))
        assert reply is not None and "“FakeNet cuts training cost" in reply.text
        clock.advance(timedelta(minutes=10))
    refused = questions.on_question(ask("training cost?"))
    assert refused is not None and "3 questions an hour" in refused.text
    assert "about 30 minutes" in refused.text
    assert questions.on_question(ask("training cost?")) is None  # told once is enough
    # another channel has its own budget
    assert questions.limit.check((Platform.SLACK, "T0LAB", "C0OTHER")) is Verdict.ALLOW
    clock.advance(timedelta(minutes=31))  # the first question left the window
    again = questions.on_question(ask("training cost?"))
    assert again is not None and "“FakeNet cuts training cost" in again.text


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with fake_llm_server() as fake:
        yield fake


def llm_questions(
    store: SqlStore, clock: FixedClock, settings: Settings, fake: FakeLLM
) -> ThreadQuestions:
    client = ChatClient.connect(fake.url, "fake-model", api_key="k", timeout=1.0)
    return ThreadQuestions.from_settings(store, clock, settings, llm=client)


def excerpts_of(request: dict[str, Any]) -> str:
    return str(request["messages"][1]["content"])


def test_with_an_llm_the_answer_is_prose_citing_the_quoted_sentences(
    posted: SqlStore, clock: FixedClock, settings: Settings, llm: FakeLLM
) -> None:
    def respond(request: dict[str, Any]) -> str:
        assert "answer from" not in json.dumps(request)  # the prompt is the module's
        numbered = excerpts_of(request)
        first = next(line for line in numbered.splitlines() if "ImageNet-1k dataset" in line)
        return f"They train on ImageNet-1k and fine-tune on COCO {first.split()[0]}."

    llm.respond = respond
    reply = llm_questions(posted, clock, settings, llm).on_question(
        ask("What dataset do they use?")
    )
    assert reply is not None
    assert reply.text.startswith("Answer (from FakeNet")
    assert "They train on ImageNet-1k and fine-tune on COCO [1]." in reply.text
    assert "[1] “We train on the ImageNet-1k dataset" in reply.text
    prompt = llm.requests[0]["json"]["messages"]
    assert "Use ONLY the numbered excerpts" in prompt[0]["content"]
    assert "Question: What dataset do they use?" in prompt[1]["content"]


@pytest.mark.parametrize(
    ("mode", "reply"),
    [
        ("ok", "They use JFT-300M, 3 billion images."),  # uncited and invented
        ("ok", "They use JFT-300M [1]."),  # cites, but with a number no sentence has
        ("error500", ""),
        ("junk_body", ""),
        ("hang", ""),
    ],
)
def test_a_failing_or_ungrounded_llm_falls_back_to_the_sentences(
    posted: SqlStore,
    clock: FixedClock,
    settings: Settings,
    llm: FakeLLM,
    mode: str,
    reply: str,
) -> None:
    llm.mode, llm.reply = mode, reply
    got = llm_questions(posted, clock, settings, llm).on_question(ask("What dataset do they use?"))
    assert got is not None and got.text.startswith("From the text of")
    assert "JFT" not in got.text
    assert "“We train on the ImageNet-1k dataset" in got.text


def test_the_llm_is_not_asked_when_no_sentence_is_near_the_question(
    posted: SqlStore, clock: FixedClock, settings: Settings, llm: FakeLLM
) -> None:
    got = llm_questions(posted, clock, settings, llm).on_question(ask("Does it run on robots?"))
    assert got is not None and "does not say (nor does its full text on arXiv)" in got.text
    assert llm.requests == []


def test_the_llm_saying_not_in_the_text_is_passed_on(
    posted: SqlStore, clock: FixedClock, settings: Settings, llm: FakeLLM
) -> None:
    llm.reply = "NOT IN THE TEXT"
    got = llm_questions(posted, clock, settings, llm).on_question(ask("What dataset?"))
    assert got is not None and "does not say" in got.text and len(llm.requests) == 1


def test_a_question_naming_a_posted_papers_id_is_answered_anywhere_in_its_channel(
    posted: SqlStore, clock: FixedClock, settings: Settings
) -> None:
    off = settings.model_copy(update={"answer_full_text": False})
    questions = ThreadQuestions.from_settings(posted, clock, off)
    # e.g. a digest threaded under its header: the thread's parent is no paper
    reply = questions.on_question(
        ask("in 2301.00002v1, which graphs are evaluated?", message_ids=("header-ts",))
    )
    assert reply is not None and "“Graphs are evaluated on Cora.”" in reply.text
    # an id that was never posted in this channel is no way in
    posted.upsert_papers([make_paper("2606.07777", "Unposted")], clock.now())
    reply = questions.on_question(ask("2606.07777 what?", message_ids=()))
    assert reply is not None and "reply to a paper I posted" in reply.text
