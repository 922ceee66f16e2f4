"""Reliability under real faults: each section runs one kind of fault and prints a table.

    .venv/bin/python -m benchmarks.reliability                 # every section, about 3 minutes
    .venv/bin/python -m benchmarks.reliability --channels 20   # a quicker look

Section "posts after ambiguous errors": digests for N channels x 5 papers through the real
worker, adapter and SDK (slack-sdk's WebClient, discord.py's REST client) against the local
fake platforms of tests/, which fail one post in six (seeded) after storing it: HTTP 500,
a reset connection, no answer until the client's read timeout, or (to check the other
branch) a 500 before storing it. 1 worker on SQLite, 4 worker threads sharing one
PostgreSQL. Duplicates, losses and wrong message ids are counted from what the fake stored
against what the outbox recorded (tests/fault_runs.py).

To add a section, write a function `(args) -> list[str]` (the table's lines) and list it in
SECTIONS.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.pg import pg_schema  # noqa: E402
from tests.fault_runs import RunReport, discord_run, slack_run  # noqa: E402
from tests.faults import KINDS  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def report_table(reports: list[RunReport]) -> list[str]:
    head = ["platform", "database", "workers", "posts", *KINDS]
    head += ["duplicates", "lost", "misrecorded", "seconds"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in reports:
        cells = [r.platform, r.database, str(r.workers), f"{r.posts:,}"]
        cells += [str(r.faults.get(kind, 0)) for kind in KINDS]
        cells += [str(r.duplicates), str(r.lost), str(r.misrecorded), f"{r.seconds:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    for r in reports:
        lines += [f"  {r.platform}/{r.database}: {e}" for e in r.errors[:10]]
    return lines


def ambiguous_posts(args: argparse.Namespace) -> list[str]:
    """Posts after ambiguous errors: Slack and Discord, 1 worker on SQLite, 4 on PostgreSQL."""
    runs = (("Slack", slack_run, 0.3), ("Discord", discord_run, 1.5))
    reports = []
    for _name, run, timeout in runs:
        with tempfile.TemporaryDirectory() as tmp:
            reports.append(
                run(f"sqlite:///{tmp}/run.db", workers=1, timeout=timeout, **common(args))
            )
        with pg_schema(args.db) as url:
            reports.append(run(url, workers=4, timeout=timeout, **common(args)))
    return report_table(reports)


def reordered_reactions(_args: argparse.Namespace) -> list[str]:
    """Reactions delivered late and twice (benchmarks/reliability_reactions.py), SQLite."""
    from benchmarks.reliability_reactions import reaction_reorder_figures

    head = ["replay", "keys", "events", "deliveries", "reordered", "wrong keys"]
    head += ["wrong keys if applied in arrival order"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for f in reaction_reorder_figures():
        cells = [f.name, f.keys, f.events, f.deliveries, f.reordered, f.wrong]
        lines.append("| " + " | ".join(str(c) for c in [*cells, f.wrong_in_arrival_order]) + " |")
    return lines


def common(args: argparse.Namespace) -> dict[str, object]:
    return {"channels": args.channels, "size": 5, "rate": args.rate, "seed_value": args.seed}


SECTIONS: list[tuple[str, Callable[[argparse.Namespace], list[str]]]] = [
    ("Posts after ambiguous errors (accept-then-fail, seeded)", ambiguous_posts),
    ("Reactions reordered and re-delivered (latest event wins)", reordered_reactions),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=110, help="channels x 5 papers each")
    parser.add_argument("--rate", type=float, default=1 / 6, help="share of posts that fail")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db", default=DEFAULT_PG, help="PostgreSQL URL (a schema is created)")
    parser.add_argument("--only", choices=["posts", "reactions"], help="run one section")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)  # the faults make the SDKs log loudly
    for title, section in SECTIONS:
        if args.only and args.only not in title.lower():
            continue
        print(f"\n## {title}\n", flush=True)
        print("\n".join(section(args)), flush=True)


if __name__ == "__main__":
    main()
