"""Normalized JSONL ingest: bad lines are skipped with reasons, the rest parsed."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from bot.sources.jsonl import read_jsonl
from bot.sources.sample import load_sample

GOOD = {
    "id": "2503.12461",
    "title": "MambaIC",
    "abstract": "We propose x.",
    "categories": ["cs.CV", "eess.IV"],
    "primary_category": "cs.CV",
    "date": "2025-03-18",
}


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_good_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(GOOD),
        "{not json",
        json.dumps([1, 2]),
        json.dumps({**GOOD, "id": ""}),
        json.dumps({**GOOD, "id": "2503.00002", "title": " "}),
        json.dumps({**GOOD, "id": "2503.00003", "title": "x" * 5000}),
        json.dumps({**GOOD, "id": "2503.00004", "date": "yesterday"}),
        json.dumps(
            {**GOOD, "id": "2503.00005", "categories": "cs.AI cs.LG", "authors": "A. One, B. Two"}
        ),
        json.dumps(GOOD),  # duplicate id
        "",
        json.dumps({**GOOD, "id": "2503.00006v2", "authors": ["  A.   One "]}),
    ]
    result = read_jsonl(write(tmp_path / "x.jsonl", lines))
    assert [p.id for p in result.papers] == ["2503.12461", "2503.00005", "2503.00006"]
    reasons = dict(result.rejected)
    assert reasons["x.jsonl:2"].startswith("malformed JSON")
    assert reasons["x.jsonl:3"] == "not a JSON object"
    assert reasons["x.jsonl:4"] == "missing id"
    assert reasons["x.jsonl:5"] == "missing title"
    assert "too long" in reasons["x.jsonl:6"]
    assert "bad date" in reasons["x.jsonl:7"]
    assert "duplicate id" in reasons["x.jsonl:9"]
    p5 = result.papers[1]
    assert p5.categories == ("cs.CV", "cs.AI", "cs.LG") and p5.authors == ("A. One", "B. Two")
    assert result.papers[2].authors == ("A. One",)


def test_gzip_and_the_bundled_sample(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(GOOD) + "\n")
    assert [p.id for p in read_jsonl(path).papers] == ["2503.12461"]
    sample = load_sample()
    assert len(sample.papers) == 500 and sample.rejected == []
    assert len({p.published for p in sample.papers}) == 2
