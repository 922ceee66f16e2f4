"""TL;DR figures on a JSONL of papers: speed, how often the contribution sentence wins, leftovers.

    .venv/bin/python benchmarks/tldr.py PATH.jsonl [--table ID ID ID] [--hf DAILY.json ...]

Each line needs `id`, `title`, `abstract`. `--table` prints the README comparison table. `--hf`
scores first sentence and extractive TL;DR against HF's `ai_summary` (token F1, stemmed, no stop
words) on HF Daily Papers responses: a rough agreement figure, not a quality ground truth.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from bot.content.summarize import (
    TLDR_LIMIT,
    clean_text,
    contribution_score,
    extractive_tldr,
    first_sentence,
)
from bot.ranking.text import tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--table", nargs="*", default=None, help="paper ids for a markdown table")
    parser.add_argument("--hf", nargs="*", type=Path, default=[], help="HF daily_papers JSON files")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.path.read_text(encoding="utf-8").splitlines() if line]

    started = time.perf_counter()
    outs = [extractive_tldr(r.get("abstract", ""), title=r.get("title", "")) for r in rows]
    elapsed = time.perf_counter() - started
    firsts = [first_sentence(r.get("abstract", "")) for r in rows]
    lengths = [len(o) for o in outs if o]
    raw_tex = sum(1 for r in rows if "$" in r.get("abstract", "") or "\\" in r.get("abstract", ""))
    print(f"papers                         {len(rows)}")
    print(f"extractive ms/paper            {elapsed * 1000 / max(len(rows), 1):.2f}")
    print(f"empty TL;DRs                   {sum(1 for o in outs if not o)}")
    print(
        f"TL;DR != first sentence        {sum(o != f for o, f in zip(outs, firsts, strict=True))}"
    )
    print(f"TL;DR with a contribution cue  {sum(1 for o in outs if contribution_score(o) > 0)}")
    print(f"abstracts with raw TeX         {raw_tex}")
    print(f"TL;DRs with TeX left ($ or \\)  {sum(1 for o in outs if '$' in o or chr(92) in o)}")
    print(
        f"median / max length (limit {TLDR_LIMIT}) {statistics.median(lengths):.0f} / {max(lengths)}"
    )
    if args.hf:
        hf_agreement(args.hf)
    if args.table is not None:
        by_id = {r["id"]: r for r in rows}
        print()
        print("| paper | first sentence | extractive TL;DR (default) | LLM (LLM_BASE_URL set) |")
        print("|---|---|---|---|")
        for pid in args.table:
            r = by_id[pid]
            title = clean_text(r["title"]).replace("|", "\\|")
            first = first_sentence(r["abstract"]).replace("|", "\\|")
            best = extractive_tldr(r["abstract"], title=r["title"]).replace("|", "\\|")
            print(f"| [{title}](https://arxiv.org/abs/{pid}) | {first} | {best} | — |")


def token_f1(candidate: str, reference: str) -> float:
    a, b = set(tokens(candidate)), set(tokens(reference))
    common = len(a & b)
    if not common:
        return 0.0
    precision, recall = common / len(a), common / len(b)
    return 2 * precision * recall / (precision + recall)


def hf_agreement(paths: list[Path]) -> None:
    papers = [
        entry["paper"]
        for path in paths
        for entry in json.loads(path.read_text(encoding="utf-8"))
        if entry.get("paper", {}).get("ai_summary") and entry["paper"].get("summary")
    ]
    if not papers:
        print("no HF papers with ai_summary and summary")
        return
    first = [token_f1(first_sentence(p["summary"]), p["ai_summary"]) for p in papers]
    best = [
        token_f1(extractive_tldr(p["summary"], title=p["title"]), p["ai_summary"]) for p in papers
    ]
    wins = sum(b > f for b, f in zip(best, first, strict=True))
    losses = sum(b < f for b, f in zip(best, first, strict=True))
    print(f"HF papers with ai_summary      {len(papers)}")
    print(f"token F1 vs ai_summary: first sentence {statistics.mean(first):.2f}, ", end="")
    print(f"extractive {statistics.mean(best):.2f} (better on {wins}, worse on {losses})")


if __name__ == "__main__":
    main()
