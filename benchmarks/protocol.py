"""The shared ranking-quality protocol (../shared/docs/BENCHMARK.md): data, days, simulated team."""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bot.models import Paper

ROOT = Path(__file__).resolve().parent
SHARED = ROOT.parent.parent.parent / "shared"
DATA = Path("/work/shared/data/arxiv-cs-2025-2026/normalized.jsonl.gz")
CHANNELS = Path("/work/shared/bench/channels_dev.json")
OUT = ROOT / "out"
TUNE_START = date(2026, 2, 2)
DEV_START = date(2026, 4, 1)
N_DAYS = 20
MAX_CANDIDATES = 300
K = 5
SEEDS = (0, 1, 2)
P_LIKE, P_DISLIKE, P_FLIP = 0.7, 0.4, 0.05


@dataclass(frozen=True)
class BenchChannel:
    name: str
    phrases: tuple[str, ...]
    categories: tuple[str, ...]

    def relevant(self, paper: Paper) -> bool:
        return any(
            c == t or c.startswith(t + ".") for c in paper.categories for t in self.categories
        )


def load_channels(path: Path = CHANNELS) -> list[BenchChannel]:
    raw = json.loads(path.read_text())
    return [BenchChannel(c["name"], tuple(c["phrases"]), tuple(c["categories"])) for c in raw]


def _announce_day(day: date) -> date:
    """Saturday and Sunday papers join the next Monday."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def load_days(
    start: date, n_days: int = N_DAYS, path: Path = DATA
) -> list[tuple[date, list[Paper]]]:
    """The window's announcement days with their candidates (seeded subsample, seeded order)."""
    by_day: dict[date, list[Paper]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            day = _announce_day(date.fromisoformat(d["date"]))
            if day < start:
                continue
            by_day[day].append(
                Paper(
                    id=d["id"],
                    title=d["title"],
                    abstract=d.get("abstract", ""),
                    categories=tuple(d.get("categories", ())),
                    primary_category=d.get("primary_category"),
                    published=day,
                )
            )
    days = sorted(by_day)[:n_days]
    out = []
    for day in days:
        papers = sorted(by_day[day], key=lambda p: p.id)
        rng = random.Random(f"candidates:{day.isoformat()}")
        if len(papers) > MAX_CANDIDATES:
            papers = rng.sample(papers, MAX_CANDIDATES)
        rng.shuffle(papers)
        out.append((day, papers))
    return out


def _draw(*key: object) -> float:
    digest = hashlib.sha256(":".join(str(k) for k in key).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def reaction(seed: int, channel: str, paper_id: str, relevant: bool) -> int:
    """The simulated team's opinion of a posted paper: +1, -1 or 0 (no reaction)."""
    value = 0
    if relevant and _draw(seed, channel, paper_id, "like") < P_LIKE:
        value = 1
    elif not relevant and _draw(seed, channel, paper_id, "dislike") < P_DISLIKE:
        value = -1
    if value and _draw(seed, channel, paper_id, "flip") < P_FLIP:
        value = -value
    return value


def hide_categories(paper: Paper) -> Paper:
    from dataclasses import replace

    return replace(paper, categories=(), primary_category=None)
