"""Ingest throughput: parse (JSONL, arXiv RSS, arXiv Atom) and store (SQLite), in papers per second.

Runs on the shared corpus (`normalized.jsonl.gz`). The feed figures render the same records as
arXiv announcement feeds in memory (2 000 entries per document, like rss.arxiv.org's cap) and
parse them with `bot.sources.arxiv_feed.parse_feed`.

    .venv/bin/python benchmarks/ingest.py [--limit N] [--path FILE] [--pg URL]

Storing runs three passes per database: the papers new, the same papers again (unchanged), and
every paper in a new version (changed). `--pg postgresql+psycopg://postgres@127.0.0.1:5432/test`
adds PostgreSQL (in a fresh schema, dropped afterwards).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from benchmarks.pg import pg_schema  # noqa: E402
from benchmarks.protocol import shared_dir  # noqa: E402
from bot.models import Paper  # noqa: E402
from bot.sources.arxiv_feed import parse_feed  # noqa: E402
from bot.sources.jsonl import read_jsonl  # noqa: E402
from storage.store import SqlStore  # noqa: E402

CORPUS = "data/arxiv-cs-2025-2026/normalized.jsonl.gz"  # under the shared folder (`benchmarks.protocol.shared_dir`)
FEED_CAP = 2_000
TYPES = ("new", "new", "new", "cross", "replace", "replace-cross")


def _authors(record: dict[str, Any]) -> str:
    authors = record.get("authors") or []
    return authors if isinstance(authors, str) else ", ".join(authors)


def render_rss(records: Sequence[dict[str, Any]], day: date, types: Sequence[str] = TYPES) -> bytes:
    """Records as an rss.arxiv.org RSS 2.0 announcement feed (the documented item layout)."""
    stamp = datetime(day.year, day.month, day.day).strftime("%a, %d %b %Y 00:00:00 -0400")
    items = []
    for n, r in enumerate(records):
        kind = types[n % len(types)]
        cats = "".join(f"<category>{escape(c)}</category>" for c in r.get("categories") or [])
        items.append(
            f"<item><title>{escape(r['title'])}</title>"
            f"<link>https://arxiv.org/abs/{r['id']}</link>"
            f"<description>arXiv:{r['id']}v1 Announce Type: {kind} \nAbstract: "
            f"{escape(r.get('abstract') or '')}</description>"
            f'<guid isPermaLink="false">oai:arXiv.org:{r["id"]}v1</guid>{cats}'
            f"<pubDate>{stamp}</pubDate><arxiv:announce_type>{kind}</arxiv:announce_type>"
            "<dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>"
            f"<dc:creator>{escape(_authors(r))}</dc:creator></item>"
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" version="2.0"><channel>'
        "<title>cs updates on arXiv.org</title><link>http://rss.arxiv.org/rss/cs</link>"
        f"<description>cs updates on the arXiv.org e-print archive.</description>"
        f"<pubDate>{stamp}</pubDate>{''.join(items)}</channel></rss>"
    ).encode()


def render_atom(
    records: Sequence[dict[str, Any]], day: date, types: Sequence[str] = TYPES
) -> bytes:
    """Records as an rss.arxiv.org Atom announcement feed."""
    stamp = f"{day.isoformat()}T00:00:00-04:00"
    entries = []
    for n, r in enumerate(records):
        kind = types[n % len(types)]
        cats = "".join(f"<category term={quoteattr(c)}/>" for c in r.get("categories") or [])
        entries.append(
            f"<entry><id>oai:arXiv.org:{r['id']}v1</id><title>{escape(r['title'])}</title>"
            f"<updated>{stamp}</updated>"
            f'<link href="https://arxiv.org/abs/{r["id"]}" rel="alternate" type="text/html"/>'
            f"<summary>arXiv:{r['id']}v1 Announce Type: {kind} \nAbstract: "
            f"{escape(r.get('abstract') or '')}</summary>{cats}<published>{stamp}</published>"
            f"<arxiv:announce_type>{kind}</arxiv:announce_type>"
            f"<dc:creator>{escape(_authors(r))}</dc:creator></entry>"
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<id>http://rss.arxiv.org/atom/cs</id><title>cs updates on arXiv.org</title>"
        f"<updated>{stamp}</updated>{''.join(entries)}</feed>"
    ).encode()


def load_records(path: Path, limit: int | None) -> list[dict[str, Any]]:
    out = []
    with gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open() as fh:
        for line in fh:
            out.append(json.loads(line))
            if limit and len(out) >= limit:
                break
    return out


def chunks(items: Sequence[dict[str, Any]], size: int) -> Iterable[Sequence[dict[str, Any]]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def rate(n: int, seconds: float) -> str:
    return f"{n:>7} papers  {seconds:7.2f} s  {n / seconds if seconds else 0:>10,.0f} papers/s"


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--path", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=20_000, help="records to use (0 = all)")
    ap.add_argument(
        "--pg",
        default=os.environ.get("PAPERBOT_BENCH_PG_URL"),
        help="also store into this PostgreSQL database (in a fresh schema, dropped after); "
        "default $PAPERBOT_BENCH_PG_URL",
    )
    args = ap.parse_args(argv)
    args.path = args.path or shared_dir() / CORPUS
    limit = args.limit or None
    records = load_records(args.path, limit)
    print(f"corpus: {args.path} ({len(records)} records)")

    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "corpus.jsonl"
        sample.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
        t0 = time.perf_counter()
        parsed = read_jsonl(sample, source="bench")
        t_jsonl = time.perf_counter() - t0
        print(f"parse JSONL        {rate(len(parsed.papers), t_jsonl)}")

        day = date(2026, 6, 30)
        for name, render in (("RSS", render_rss), ("Atom", render_atom)):
            docs = [render(chunk, day) for chunk in chunks(records, FEED_CAP)]
            t0 = time.perf_counter()
            n = 0
            for doc in docs:
                result = parse_feed(doc)
                assert result.error is None, result.error
                n += len(result.papers)
            elapsed = time.perf_counter() - t0
            size = sum(len(d) for d in docs) / 1e6
            print(f"parse arXiv {name:<5}  {rate(n, elapsed)}  ({size:.0f} MB of XML)")

        bench_store(f"sqlite:///{Path(tmp) / 'bench.db'}", "SQLite", parsed.papers)
    if args.pg:
        with pg_schema(args.pg) as url:
            bench_store(url, "PostgreSQL", parsed.papers)


def bench_store(url: str, name: str, papers: Sequence[Paper]) -> None:
    """New papers, the same papers again (unchanged), then all of them in a new version."""
    store = SqlStore.open(url)
    now = datetime(2026, 6, 30, tzinfo=UTC)
    t0 = time.perf_counter()
    report = store.upsert_papers(papers, now)
    t_store = time.perf_counter() - t0
    print(f"store (new)        {rate(report.new, t_store)}  {name}")
    t0 = time.perf_counter()
    again = store.upsert_papers(papers, now)
    t_again = time.perf_counter() - t0
    print(f"store (unchanged)  {rate(again.unchanged, t_again)}  {name}, second run")
    bumped = [replace(p, version=(p.version or 1) + 1, title=p.title + " (v2)") for p in papers]
    t0 = time.perf_counter()
    changed = store.upsert_papers(bumped, now)
    t_changed = time.perf_counter() - t0
    print(f"store (new version){rate(changed.updated, t_changed)}  {name}, every paper's v2")
    store.close()


if __name__ == "__main__":
    main()
