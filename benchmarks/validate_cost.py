"""What the validation gate costs: `clean_paper` alone, per paper, on the shared corpus (CPU time).

Parses the corpus as an arXiv RSS feed once, then times `bot.sources.validate.clean_paper` over
the parsed papers (the best of five runs, process CPU time, so other load on the machine does
not count), next to the time the parse itself takes per paper.

    .venv/bin/python benchmarks/validate_cost.py [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ingest import CORPUS, FEED_CAP, chunks, load_records, render_rss  # noqa: E402
from bot.sources.arxiv_feed import parse_feed  # noqa: E402
from bot.sources.validate import clean_paper  # noqa: E402


def best_cpu(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=20_000, help="records to use")
    args = ap.parse_args(argv)
    records = load_records(CORPUS, args.limit)
    docs = [render_rss(chunk, date(2026, 6, 30)) for chunk in chunks(records, FEED_CAP)]
    papers = [p for doc in docs for p in parse_feed(doc).papers]
    parse = best_cpu(lambda: [parse_feed(doc) for doc in docs])
    gate = best_cpu(lambda: [clean_paper(p) for p in papers])
    n = len(papers)
    print(f"corpus: {CORPUS} ({n} papers)")
    print(f"parse arXiv RSS (gate included)  {parse / n * 1e6:7.1f} µs/paper  {n / parse:>9,.0f}/s")
    print(f"clean_paper alone                {gate / n * 1e6:7.1f} µs/paper  {n / gate:>9,.0f}/s")
    print(f"share of the parse               {gate / parse:7.0%}")


if __name__ == "__main__":
    main()
