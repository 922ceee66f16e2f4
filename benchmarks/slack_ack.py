"""Slack HTTP mode latency: how fast `paperbot serve` acks commands and events.

Runs the real web app under uvicorn on 127.0.0.1 against the fake Slack Web API used by the
tests, with the bundled 500-paper sample in a temporary SQLite database, and prints the time to
the HTTP response (Slack's 3-second ack) and to the finished `/papers now` digest. A workspace
owner then changes each channel (whoever set it up is someone else), so the first command asks
`users.info` and the others use the cached answer; a plain member is refused.

    .venv/bin/python benchmarks/slack_ack.py [--channels 8]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.wiring.runtime import build_runtime
from bot.config import Settings
from bot.models import ChannelRef, Platform
from bot.sources.sample import load_sample
from tests.adapters.slack.fake_slack import (
    BOT_TOKEN,
    FORM,
    JSON,
    MEMBER,
    OWNER,
    SECRET,
    command_body,
    reaction_body,
    running_fake,
    serving,
    signed_headers,
)


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:6.1f} ms, max {max(values) * 1000:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=8)
    args = parser.parse_args()
    timings: dict[str, list[float]] = {
        "subscribe": [],
        "now ack": [],
        "now done": [],
        "react": [],
        "admin, users.info": [],
        "admin, cached": [],
        "refused": [],
    }
    with tempfile.TemporaryDirectory() as tmp, running_fake() as fake:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=fake.base_url,
            slack_pace_seconds=0,
        )
        rt = build_runtime(settings)
        rt.core.ingest(load_sample().papers)
        assert rt.web_app is not None
        with serving(rt.web_app()) as base, httpx.Client(timeout=30) as http:
            url = f"{base}/slack/events"

            def post(body: str, ctype: str) -> float:
                start = time.perf_counter()
                r = http.post(url, content=body, headers=signed_headers(body, ctype))
                r.raise_for_status()
                return time.perf_counter() - start

            for n in range(args.channels):
                channel = f"C{n:04d}"
                timings["subscribe"].append(
                    post(command_body(fake, "subscribe language models", channel=channel), FORM)
                )
                path = f"/response_url/{channel}"
                start = time.perf_counter()
                timings["now ack"].append(post(command_body(fake, "now", channel=channel), FORM))
                fake.wait_for(lambda path=path: len(fake.hits(path)) >= 1, timeout=60)
                timings["now done"].append(time.perf_counter() - start)
            for n in range(args.channels):
                key = "admin, users.info" if n == 0 else "admin, cached"
                body = command_body(fake, "size 4", channel=f"C{n:04d}", user=OWNER)
                timings[key].append(post(body, FORM))
                body = command_body(fake, "size 3", channel=f"C{n:04d}", user=MEMBER)
                timings["refused"].append(post(body, FORM))
            first = rt.store.find_channel(ChannelRef(Platform.SLACK, "T0LAB", "C0000"))
            assert first is not None
            items = rt.store.recent_digests(first.id)[0].items
            for i, item in enumerate(items):
                body = reaction_body(item.message_id or "", event_id=f"Ev{i}", channel="C0000")
                timings["react"].append(post(body, JSON))
        rt.close()
    print(f"Slack HTTP mode, {args.channels} channels, 500 sample papers, SQLite, 127.0.0.1 fake")
    for name, values in timings.items():
        print(f"  {name:<17} n={len(values):<3} {ms(values)}")
    print(f"  messages posted at the fake: {len(fake.posts())} (Slack's ack deadline: 3000 ms)")
    print(f"  users.info calls: {len(fake.hits('/users.info'))} (one per person, then cached)")


if __name__ == "__main__":
    main()
