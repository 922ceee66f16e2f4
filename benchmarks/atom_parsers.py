"""Hand-written arXiv Atom parsing (defusedxml iterparse) against feedparser, on one API page.

Builds a 2,000-entry API response (arXiv's largest page) from the 5-entry fixture, then times
`bot.sources.arxiv_api.parse_api` and `feedparser.parse` (parse only, no mapping to Paper) as
the best of five runs of process CPU time; then shows what each keeps of a truncated page.

    .venv/bin/python benchmarks/atom_parsers.py [--entries N]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import feedparser  # noqa: E402

from bot.sources.arxiv_api import parse_api  # noqa: E402

FIXTURE = ROOT / "tests/fixtures/sources/api-window-cs.CL+cs.LG-2026-06-11.xml"


def page(entries: int) -> bytes:
    """The fixture with its entries repeated (ids made unique) up to `entries`."""
    text = FIXTURE.read_text(encoding="utf-8")
    head, _, rest = text.partition("<entry>")
    body, _, tail = ("<entry>" + rest).rpartition("</entry>")
    blocks = re.findall(r"<entry>.*?</entry>", body + "</entry>", re.S)
    out = []
    for n in range(entries):
        block = blocks[n % len(blocks)]
        out.append(re.sub(r"(\d{4}\.)\d{4,5}", rf"\g<1>{n:05d}", block))
    return (head + "".join(out) + tail).encode()


def best_cpu(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=2_000)
    args = parser.parse_args()
    body = page(args.entries)
    ours = parse_api(body)
    theirs = feedparser.parse(body)
    print(f"page: {len(body) / 1e6:.1f} MB, {args.entries} entries")
    print(f"parse_api (defusedxml iterparse + Paper): {len(ours.papers)} papers", end=" ")
    print(f"{best_cpu(lambda: parse_api(body)) * 1e3:.0f} ms")
    print(f"feedparser.parse (dicts only):           {len(theirs.entries)} entries", end=" ")
    print(f"{best_cpu(lambda: feedparser.parse(body)) * 1e3:.0f} ms")
    cut = body[: len(body) // 2]
    ours, theirs = parse_api(cut), feedparser.parse(cut)
    print(f"truncated half page: parse_api keeps {len(ours.papers)}, error {ours.error!r}")
    print(f"                     feedparser keeps {len(theirs.entries)}, bozo {theirs.bozo}")


if __name__ == "__main__":
    main()
