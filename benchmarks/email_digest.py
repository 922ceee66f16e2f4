"""Email end to end: digests to many `email:` channels through a local SMTP server, and their
👍 links clicked through `paperbot serve` (uvicorn on 127.0.0.1, real HTTP).

The runtime is built from settings as `paperbot run` builds it (the bundled 500-paper sample in
a temporary SQLite database, aiosmtpd as the SMTP server, no pacing limit). Prints emails sent,
duplicates, the time per digest (rank, render, SMTP), render alone, and the vote latency.

    .venv/bin/python -m benchmarks.email_digest [--channels 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.email.render import render_email
from app.runtime import Runtime
from app.wiring.runtime import build_runtime
from bot.clock import FixedClock
from bot.config import Settings
from bot.models import (
    EMAIL_WORKSPACE,
    ChannelRef,
    ChannelSettings,
    Interest,
    InterestKind,
    Platform,
)
from bot.sources.sample import load_sample
from tests.adapters.email.fake_smtp import FakeSmtp
from tests.adapters.email.sample import read_html
from tests.adapters.slack.fake_slack import serving

TOPICS = ["robot manipulation", "language models", "diffusion", "graph neural networks"]


def runtime(folder: Path, smtp: FakeSmtp, channels: int) -> Runtime:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{folder / 'bench.db'}",
        ranker="lexical",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_starttls=False,
        smtp_from="PaperBot <paperbot@lab.org>",
        public_url="http://127.0.0.1:1",
        email_rate_per_minute=1_000_000,
    )
    clock = FixedClock(datetime(2026, 6, 30, 9, tzinfo=UTC))
    rt = build_runtime(settings, clock=clock)
    rt.store.upsert_papers(load_sample().papers, clock.now())
    for i in range(channels):
        ref = ChannelRef(Platform.EMAIL, EMAIL_WORKSPACE, f"list{i}@lab.org")
        topic = Interest(InterestKind.TOPIC, TOPICS[i % len(TOPICS)])
        rt.store.add_channel(ref, ref.channel, ChannelSettings(size=5), [topic], now=clock.now())
    return rt


def send_all(rt: Runtime) -> list[float]:
    """One digest per channel, timed each."""
    times = []
    for channel in rt.store.list_channels():
        start = time.perf_counter()
        rt.core.run_digest(channel, run_key="2026-06-30")
        times.append(time.perf_counter() - start)
    return times


def render_times(rt: Runtime) -> list[float]:
    adapter = rt.core.adapters[Platform.EMAIL]
    times = []
    for channel in rt.store.list_channels():
        digest = rt.store.find_digest(channel.id, "2026-06-30")
        assert digest is not None
        start = time.perf_counter()
        render_email(channel, digest, sender="paperbot@lab.org", links=adapter.links())  # type: ignore[attr-defined]
        times.append(time.perf_counter() - start)
    return times


def vote_times(rt: Runtime, smtp: FakeSmtp) -> list[float]:
    """POST every email's first 👍 link to the web app over HTTP."""
    times = []
    with serving(rt.web_app() if rt.web_app else None) as base, httpx.Client() as client:
        for received in smtp.received:
            html = received.message.get_body(("html",))
            assert html is not None
            links = read_html(str(html.get_content())).links
            up = next(href for cls, href, _ in links if cls == "vote-up")
            path = up.removeprefix("http://127.0.0.1:1")
            start = time.perf_counter()
            answer = client.post(base.rstrip("/") + path)
            times.append(time.perf_counter() - start)
            assert answer.status_code == 200, answer.text
    return times


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms"


def main(channels: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeSmtp() as smtp:
        rt = runtime(Path(tmp), smtp, channels)
        try:
            digests = send_all(rt)
            first = len(smtp.received)
            again = send_all(rt)  # the same run key again: nothing may be sent twice
            ids = Counter(r.message["Message-ID"] for r in smtp.received)
            print(
                f"channels {channels}: emails {first}, then {len(smtp.received) - first} more "
                f"on a second pass; duplicate Message-IDs {sum(n - 1 for n in ids.values())}"
            )
            print(
                f"digest (rank + render + SMTP to 127.0.0.1): {ms(digests)}; second pass {ms(again)}"
            )
            print(f"render alone (HTML + text, 5 papers): {ms(render_times(rt))}")
            votes = vote_times(rt, smtp)
            up, down = zip(
                *(rt.store.reaction_counts(c.id) for c in rt.store.list_channels()), strict=True
            )
            print(f"vote POST over HTTP: {ms(votes)}; recorded 👍 {sum(up)}, 👎 {sum(down)}")
        finally:
            rt.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=50)
    args = parser.parse_args()
    main(args.channels)
