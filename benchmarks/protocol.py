"""The shared ranking-quality protocol (../shared/docs/BENCHMARK.md): data, days, simulated team.

Two dev corpora, each with its channels, windows and the cut-off of anything trained on it
(`CORPORA`). The shared material is read relative to the checkout (`../shared`), or from
`$PAPERBOT_SHARED` when set; never from a fixed machine path.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from bot.models import Paper

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "out"
SHARED_ENV = "PAPERBOT_SHARED"
N_DAYS = 20
MAX_CANDIDATES = 300
K = 5
SEEDS = (0, 1, 2)
P_LIKE, P_DISLIKE, P_FLIP = 0.7, 0.4, 0.05


def shared_dir() -> Path:
    """The shared material: `$PAPERBOT_SHARED`, else `../shared` beside the checkout."""
    found = os.environ.get(SHARED_ENV)
    return Path(found) if found else ROOT.parent.parent / "shared"


@dataclass(frozen=True)
class Corpus:
    """One dev corpus of the protocol: papers, channels, its two windows, and the day before
    which everything trained on it (the category model) must stay."""

    name: str
    title: str
    data: str  # relative to the shared folder
    channels: str
    tune_start: date
    dev_start: date
    train_before: date

    @property
    def data_path(self) -> Path:
        return shared_dir() / self.data

    @property
    def channels_path(self) -> Path:
        return shared_dir() / self.channels

    def start(self, window: str) -> date:
        return self.tune_start if window == "tune" else self.dev_start


CORPORA = {
    "cs": Corpus(
        name="cs",
        title="CS",
        data="data/arxiv-cs-2025-2026/normalized.jsonl.gz",
        channels="bench/channels_dev.json",
        tune_start=date(2026, 2, 2),
        dev_start=date(2026, 4, 1),
        train_before=date(2026, 1, 19),  # two weeks before the tuning window
    ),
    "all": Corpus(
        name="all",
        title="all fields",
        data="data/arxiv-all-2025-2026/normalized.jsonl.gz",
        channels="bench/channels_dev_all.json",
        tune_start=date(2025, 12, 1),
        dev_start=date(2026, 1, 14),
        train_before=date(2025, 12, 1),  # BENCHMARK.md: only papers before the tuning window
    ),
}
CS = CORPORA["cs"]
TUNE_START = CS.tune_start
DEV_START = CS.dev_start


@dataclass(frozen=True)
class BenchChannel:
    name: str
    phrases: tuple[str, ...]
    categories: tuple[str, ...]

    def relevant(self, paper: Paper) -> bool:
        return any(
            c == t or c.startswith(t + ".") for c in paper.categories for t in self.categories
        )


def load_channels(path: Path | None = None) -> list[BenchChannel]:
    raw = json.loads((path or CS.channels_path).read_text())
    return [BenchChannel(c["name"], tuple(c["phrases"]), tuple(c["categories"])) for c in raw]


def announce_day(day: date) -> date:
    """Saturday and Sunday papers join the next Monday."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def read_papers(path: Path) -> Iterator[tuple[Paper, date]]:
    """Every paper of a normalized corpus file with its announcement day."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            day = announce_day(date.fromisoformat(d["date"]))
            paper = Paper(
                id=d["id"],
                title=d["title"],
                abstract=d.get("abstract", ""),
                categories=tuple(d.get("categories", ())),
                primary_category=d.get("primary_category"),
                published=day,
            )
            yield paper, day


def load_days(
    start: date, n_days: int = N_DAYS, path: Path | None = None
) -> list[tuple[date, list[Paper]]]:
    """The window's announcement days with their candidates (seeded subsample, seeded order)."""
    by_day: dict[date, list[Paper]] = defaultdict(list)
    for paper, day in read_papers(path or CS.data_path):
        if day >= start:
            by_day[day].append(paper)
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
    return replace(paper, categories=(), primary_category=None)
