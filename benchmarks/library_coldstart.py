"""Cold start from a lab's library: what importing 20 papers the channel cares about does to
the first days' P@5, on the shared protocol's CS dev window (seeds 0-2, k = 5).

    .venv/bin/python -m benchmarks.library_coldstart              # both views, prints the table
    .venv/bin/python -m benchmarks.library_coldstart --seeds 0 --modes hidden

For each channel and seed, its library is 20 papers announced in the 60 days BEFORE the window
that are relevant to it (the protocol's labels), drawn with a seeded RNG. The library goes
through the real import path: written as BibTeX (`bot.content.export`), read and matched
(`bot.library`) against the papers stored before the window, once with the arXiv ids and once
as titles only (ids, URLs and DOIs stripped: matched by normalised title). The matched papers
are liked as `/papers import` likes them (a +1 opinion each in the channel's profile), then the
protocol runs: rank, post 5, the simulated team reacts. Three set-ups: typed phrases alone,
phrases + library, library alone (no phrases). The default tier (no embeddings).
"""

from __future__ import annotations

import argparse
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from statistics import mean

from benchmarks.protocol import (
    CS,
    SEEDS,
    BenchChannel,
    hide_categories,
    load_channels,
    load_days,
    read_papers,
)
from benchmarks.quality import Ours, _batches, _day_of, _ranker
from bot.content.export import bibtex_entry
from bot.library.formats import read_library
from bot.library.matcher import LibraryMatcher
from bot.library.titles import title_key
from bot.models import Paper
from bot.ranking import Profile

LIBRARY_SIZE = 20
LIBRARY_DAYS = 60  # the library is drawn from this many days before the window
SETUPS = ("phrases", "phrases+library", "library")
_ID_FIELDS = re.compile(r"^\s*(eprint|archivePrefix|primaryClass|doi|url) = .*\n", re.MULTILINE)


class MemoryIndex:
    """The store's look-ups (`bot.library.matcher.PaperIndex`) over papers in memory."""

    def __init__(self, papers: Sequence[Paper]) -> None:
        self.by_id = {p.id: p for p in papers}
        self.by_key: dict[str, list[Paper]] = defaultdict(list)
        for p in papers:
            self.by_key[title_key(p.title)].append(p)
        self.keys = sorted(self.by_key)

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        return {i: self.by_id[i] for i in paper_ids if i in self.by_id}

    def papers_by_doi(self, dois: Sequence[str]) -> dict[str, Paper]:
        return {}  # the corpus carries no DOIs

    def papers_by_title_key(self, keys: Sequence[str]) -> dict[str, list[Paper]]:
        return {k: list(self.by_key[k]) for k in keys if k in self.by_key}

    def papers_by_title_prefix(self, prefix: str, limit: int) -> list[Paper]:
        found = [p for k in self.keys if k.startswith(prefix) for p in self.by_key[k]]
        return found[:limit]


def library_pool() -> list[Paper]:
    """Papers announced in the LIBRARY_DAYS days before the CS dev window."""
    first = CS.dev_start - timedelta(days=LIBRARY_DAYS)
    return [p for p, day in read_papers(CS.data_path) if first <= day < CS.dev_start]


def pick_library(pool: Sequence[Paper], ch: BenchChannel, seed: int) -> list[Paper]:
    relevant = sorted((p for p in pool if ch.relevant(p)), key=lambda p: p.id)
    rng = random.Random(f"library:{seed}:{ch.name}")
    return rng.sample(relevant, min(LIBRARY_SIZE, len(relevant)))


def imported(library: Sequence[Paper], index: MemoryIndex, *, titles_only: bool) -> list[Paper]:
    """The library written as BibTeX, read and matched as `/papers import` does."""
    used: set[str] = set()
    bib = "\n".join(bibtex_entry(p, used) for p in library)
    if titles_only:
        bib = _ID_FIELDS.sub("", bib)
    _, entries = read_library("library.bib", bib.encode())
    return [o.paper for o in LibraryMatcher(index).match(entries) if o.paper is not None]


class Seeded(Ours):
    """Ours with the library liked before day 1, with or without the typed phrases."""

    def __init__(self, name: str, ch: BenchChannel, library: Sequence[Paper], phrases: bool):
        super().__init__(name, ch, _ranker(None, None), None)
        if not phrases:
            self.profile = Profile.from_phrases([])
        for paper in library:
            self.profile.apply_reaction(paper, +1)


Libraries = dict[tuple[int, str], list[Paper]]


def match_rates(libraries: Libraries, index: MemoryIndex) -> tuple[Libraries, dict[str, float]]:
    """The libraries as imported with ids, and how many entries matched the right paper (and
    how many a wrong one) with ids and from titles alone."""
    rates: dict[str, float] = {}
    matched: Libraries = {}
    total = max(1, sum(map(len, libraries.values())))
    for how in ("ids", "titles"):
        found = {
            k: imported(lib, index, titles_only=how == "titles") for k, lib in libraries.items()
        }
        right = sum(len({p.id for p in found[k]} & {p.id for p in libraries[k]}) for k in found)
        rates[how] = right / total
        rates[how + " wrong"] = float(sum(map(len, found.values())) - right)
        matched = matched or found
    return matched, rates


def run(
    modes: Sequence[str], seeds: Sequence[int]
) -> tuple[dict[str, list[list[float]]], dict[str, float]]:
    """{mode/setup: per (seed, channel) P@5 per day} and the import match rates."""
    days = load_days(CS.dev_start, path=CS.data_path)
    channels = load_channels(CS.channels_path)
    pool = library_pool()
    index = MemoryIndex(pool)
    libraries = {(s, ch.name): pick_library(pool, ch, s) for s in seeds for ch in channels}
    matched, rates = match_rates(libraries, index)
    p5: dict[str, list[list[float]]] = defaultdict(list)
    for mode in modes:
        hide = mode == "hidden"
        states: dict[tuple[str, int, BenchChannel], Seeded] = {}
        for seed in seeds:
            for ch in channels:
                lib = matched[(seed, ch.name)]
                lib = [hide_categories(p) for p in lib] if hide else lib
                for setup in SETUPS:
                    with_lib = lib if "library" in setup else []
                    states[(setup, seed, ch)] = Seeded(setup, ch, with_lib, setup != "library")
        per: dict[tuple[str, int, str], dict[str, list[float]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for d, (_day, papers) in enumerate(days):
            shown = [hide_categories(p) for p in papers] if hide else papers
            batch = _batches({}, ("cs", "dev", mode, str(d)), shown, None)["ours-default"]
            for (setup, seed, ch), state in states.items():
                state.batch = batch
                _day_of(state, ch, seed, papers, shown, per[(setup, seed, ch.name)])
        for (setup, _seed, _name), metrics in per.items():
            p5[f"{mode}/{setup}"].append(metrics["p5"])
    return p5, rates


def table(p5: dict[str, list[list[float]]], rates: dict[str, float]) -> str:
    lines = [
        "| view | set-up | P@5 day 1 | P@5 days 1-5 | P@5 all 20 days |",
        "|---|---|---|---|---|",
    ]
    for key, runs in p5.items():
        mode, setup = key.split("/")
        day1 = mean(r[0] for r in runs)
        first5 = mean(mean(r[:5]) for r in runs)
        every = mean(mean(r) for r in runs)
        lines.append(f"| {mode} | {setup} | {day1:.3f} | {first5:.3f} | {every:.3f} |")
    lines.append("")
    lines.append(
        f"Library entries matched to the right paper: {rates['ids']:.1%} with arXiv ids "
        f"(eprint), {rates['titles']:.1%} from titles alone (ids, URLs and DOIs stripped); "
        f"matched to a wrong paper: {rates['ids wrong']:.0f} / {rates['titles wrong']:.0f}."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="visible,hidden")
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    seeds = [int(s) for s in args.seeds.split(",") if s]
    p5, rates = run(modes, seeds)
    print(table(p5, rates))


if __name__ == "__main__":
    main()
