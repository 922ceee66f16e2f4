"""Rebuild bot/data/sample.jsonl.gz: 500 real arXiv papers (CC0 metadata) for the offline demo.

Source: ../shared/data/arxiv-cs-2025-2026/normalized.jsonl.gz (arXiv metadata, CC0 1.0).
Takes a seeded sample of 250 papers from each of the corpus's last two announcement days.
Usage: python scripts/make_sample.py [path-to-normalized.jsonl.gz]
"""

from __future__ import annotations

import gzip
import json
import random
import sys
from pathlib import Path

DAYS = ("2026-06-30", "2026-07-01")
PER_DAY = 250


def main() -> None:
    src = Path(
        sys.argv[1]
        if len(sys.argv) > 1
        else "../shared/data/arxiv-cs-2025-2026/normalized.jsonl.gz"
    )
    by_day: dict[str, list[dict[str, object]]] = {d: [] for d in DAYS}
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["date"] in by_day:
                by_day[rec["date"]].append(rec)
    rng = random.Random(20260701)
    out: list[dict[str, object]] = []
    for day in DAYS:
        rows = sorted(by_day[day], key=lambda r: str(r["id"]))
        out.extend(sorted(rng.sample(rows, min(PER_DAY, len(rows))), key=lambda r: str(r["id"])))
    dest = Path(__file__).resolve().parent.parent / "bot" / "data" / "sample.jsonl.gz"
    with gzip.GzipFile(dest, "wb", mtime=0) as raw:
        for rec in out:
            raw.write((json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n").encode())
    print(f"wrote {len(out)} papers to {dest}")


if __name__ == "__main__":
    main()
