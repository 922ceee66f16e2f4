"""The offline demo: real papers, a channel, a digest, a few reactions, a better next digest."""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from app.runtime import load_runtime
from bot.clock import FixedClock
from bot.config import load_settings
from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform, ReasonKind
from bot.sources.sample import load_sample, sample_path

DEMO_TOPICS = ("speech recognition", "3D gaussian splatting", "LLM agents")
LIKED_TOPIC = "speech recognition"
DISLIKED_TOPIC = "LLM agents"


def _say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def run_demo(database_url: str | None = None) -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="paperbot-demo-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'demo.db'}"
        settings = load_settings(database_url=url, log_level="WARNING", ranker="lexical")
        sample = load_sample()
        days = sorted({p.published for p in sample.papers if p.published})
        day1, day2 = days[0], days[-1]
        clock = FixedClock(datetime(day1.year, day1.month, day1.day, 9, 0, tzinfo=UTC))
        rt = load_runtime(settings, out=sys.stdout, clock=clock)
        try:
            core, store = rt.core, rt.store
            _say("PaperBot demo · offline · bundled sample of real arXiv papers (CC0 metadata)")
            _say("=" * 78)
            report = core.ingest(p for p in sample.papers if p.published == day1)
            _say(f"Day 1 ({day1:%a %d %b %Y}): ingested {report.new} new papers.")
            ref = ChannelRef(Platform.CONSOLE, "local", "demo-lab")
            channel = store.find_channel(ref) or store.add_channel(
                ref,
                "demo-lab",
                ChannelSettings(size=5),
                [Interest(InterestKind.TOPIC, t) for t in DEMO_TOPICS],
                now=clock.now(),
            )
            _say(f"Channel #demo-lab subscribes to: {', '.join(repr(t) for t in DEMO_TOPICS)}")
            _, first = core.run_digest(channel, run_key=day1.isoformat())
            digest1 = first.digest
            if digest1 is None or not digest1.items:
                _say("(no papers matched; nothing to react to)")
                return

            _say()
            _say("The team reacts:")
            for item in digest1.items:
                topics = {r.ref for r in item.reasons if r.kind is ReasonKind.TOPIC}
                if LIKED_TOPIC in topics:
                    core.react(channel, item.paper.id, "ana", "+1")
                    core.react(channel, item.paper.id, "raj", "heart")
                    _say(f"  👍 ana, ❤️ raj  on “{_short(item.paper.title)}”")
                elif DISLIKED_TOPIC in topics:
                    core.react(channel, item.paper.id, "ben", "-1")
                    _say(f"  👎 ben          on “{_short(item.paper.title)}”")
            up, down = store.reaction_counts(channel.id)
            _say(f"  → {up} positive and {down} negative opinions stored for #demo-lab only.")

            clock.set(datetime(day2.year, day2.month, day2.day, 9, 0, tzinfo=UTC))
            report = core.ingest(p for p in sample.papers if p.published == day2)
            _say()
            _say("=" * 78)
            _say(f"Day 2 ({day2:%a %d %b %Y}): ingested {report.new} new papers.")
            channel = store.get_channel(channel.id)
            # What day 2 would have looked like without the reactions (same candidates).
            candidates, _ = core.candidates(channel)
            from bot.ranking import Profile

            cold = core.ranker.rank(
                Profile.for_channel(channel), candidates, k=channel.settings.size
            )
            _, second = core.run_digest(channel, run_key=day2.isoformat())
            digest2 = second.digest
            _say()
            _say("What the reactions changed on day 2:")
            learned_ids = [i.paper.id for i in digest2.items] if digest2 else []
            cold_ids = [s.paper.id for s in cold]
            _say(f"  without reactions the top {len(cold_ids)} would have been:")
            for s in cold:
                mark = " " if s.paper.id in learned_ids else "-"
                _say(f"   {mark} {_short(s.paper.title, 70)}")
            new_ids = [pid for pid in learned_ids if pid not in cold_ids]
            _say(
                f"  with reactions, {len(new_ids)} of {len(learned_ids)} picks changed "
                f"(+ new, - dropped)."
            )
            if digest2:
                for item in digest2.items:
                    if item.paper.id in new_ids:
                        _say(f"   + {_short(item.paper.title, 70)}")
            _say()
            _say(f"Done in {time.perf_counter() - started:.1f}s. Next, with your own database:")
            for line in next_steps():
                _say(f"  {line}")
        finally:
            rt.close()


def next_steps(program: str | None = None, cwd: Path | None = None) -> list[str]:
    """The commands to try after the demo, runnable as printed (the README's "Using it")."""
    prog = program or _program()
    sample = sample_path()
    here = (cwd or Path.cwd()).resolve()
    shown = sample.relative_to(here) if sample.is_relative_to(here) else sample
    return [
        f"{prog} ingest {shown}",
        f'{prog} channel add console:mylab --topic "robot manipulation" --category cs.RO',
        f"{prog} digest --channel console:mylab",
    ]


def _program() -> str:
    """How this CLI was started: `.venv/bin/paperbot` as typed, else `python -m app`."""
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path("paperbot")
    return str(argv0) if argv0.name == "paperbot" else "python -m app"


def _short(title: str, limit: int = 56) -> str:
    return title if len(title) <= limit else title[: limit - 1].rsplit(" ", 1)[0] + "…"


__all__ = ["run_demo"]
