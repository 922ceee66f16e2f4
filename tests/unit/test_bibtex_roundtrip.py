"""BibTeX export: LaTeX specials and accents are escaped, and bibtexparser reads every field
back to the original text (decoded with pylatexenc). Titles go through `clean_text` first,
which turns arXiv's LaTeX markup ($x_1$, braces) into plain text; that text round-trips."""

from __future__ import annotations

from datetime import UTC, datetime

import bibtexparser
import pytest
from pylatexenc.latex2text import LatexNodes2Text

from bot.content.export import bibtex_entry
from bot.models import Paper

NASTY = [
    "50% of x_1 & #2: a_b",
    "Über Größen: Ångström-scale café",
    "C++ & C#: 100% _safe_",
]


@pytest.mark.parametrize("title", NASTY)
def test_titles_round_trip_through_bibtexparser(title: str) -> None:
    paper = Paper(
        id="2606.00001",
        title=title,
        authors=("José Álvarez", "Zoë O'Brien-Smith"),
        published=datetime(2026, 6, 1, tzinfo=UTC),
        journal_ref="Proc. A&B 2026, 10% off",
    )
    (entry,) = bibtexparser.loads(bibtex_entry(paper)).entries
    decode = LatexNodes2Text().latex_to_text
    assert decode(entry["title"]) == title
    assert decode(entry["author"]) == "José Álvarez and Zoë O'Brien-Smith"
    assert decode(entry["note"]) == "Proc. A&B 2026, 10% off"
    for raw in (entry["title"], entry["note"]):
        for special in "&%$#_":
            assert special not in raw.replace("\\" + special, "")
