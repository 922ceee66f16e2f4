"""Library files (recorded Zotero BibTeX, RIS and CSV exports) -> entries, and title keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.library.entries import MAX_ENTRIES, MAX_LIBRARY_BYTES, LibraryError
from bot.library.formats import detect_format, read_library
from bot.library.titles import best_fuzzy, title_key, usable

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "library"


def entries(name: str) -> list[tuple[str, str | None, str | None]]:
    fmt, found = read_library(name, (FIX / name).read_bytes())
    assert fmt == {"bib": "bibtex", "ris": "ris", "csv": "csv"}[name.rsplit(".", 1)[1]]
    return [(e.title, e.arxiv, e.doi) for e in found]


def test_zotero_bibtex_ids_dois_and_latex_titles() -> None:
    assert entries("zotero.bib") == [
        ("0", "2104.12255", None),  # url, note and the 10.48550 DOI all say 2104.12255
        (
            "MambaIC: State Space Models for High-Performance Learned Image Compression",
            "2503.12461",  # Better BibTeX eprint + archivePrefix
            None,
        ),
        (
            "Di[M]O: Distilling Masked Diffusion Models into One-step Generator",
            None,
            "10.1109/iccv51701.2025.01705",
        ),
        (  # arXiv's own DOI, upper-cased as DataCite writes it, is an arXiv id
            "Typed-RAG: Type-aware Multi-Aspect Decomposition for Non-Factoid Question Answering",
            "2503.15879",
            None,
        ),
        (
            "Self-Supervised Learning of Dexterous Robot Manipulation with Diffusion Policies"
            " in Göttingen",
            None,
            None,
        ),
        ("Deep learning", None, "10.1038/nature14539"),
    ]


def test_zotero_ris_and_csv() -> None:
    assert [a for _, a, _ in entries("zotero.ris")] == ["2503.12461", None, None]
    assert entries("zotero.ris")[2] == ("Deep learning", None, "10.1038/nature14539")
    csv_rows = entries("zotero.csv")
    assert [a for _, a, _ in csv_rows] == ["2503.12461", "2503.15879", None, None]
    assert csv_rows[2][2] == "10.1109/iccv51701.2025.01705"


def test_format_from_content_when_the_name_says_nothing() -> None:
    for name in ("zotero.bib", "zotero.ris", "zotero.csv"):
        text = (FIX / name).read_text(encoding="utf-8-sig")
        assert (
            detect_format("export.txt", text)
            == {"bib": "bibtex", "ris": "ris", "csv": "csv"}[name.rsplit(".", 1)[1]]
        )


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("notes.txt", b"just some words, nothing else", "BibTeX (.bib), RIS (.ris), Zotero CSV"),
        ("paper.pdf", b"%PDF-1.7\n\x00\x01binary", "not a text file"),
        ("big.bib", b"@misc{a, title={x}}\n" * (MAX_LIBRARY_BYTES // 10), "up to 2 MB"),
        ("x.csv", b'"Key","Author"\n"A","B"\n', 'no "Title" column'),
    ],
)
def test_files_refused_as_a_whole_say_why(name: str, data: bytes, says: str) -> None:
    with pytest.raises(LibraryError, match=says.replace("(", r"\(").replace(")", r"\)")):
        read_library(name, data)


def test_entry_cap() -> None:
    bib = "".join(f"@misc{{k{i}, title={{Paper {i}}}}}\n" for i in range(MAX_ENTRIES + 1))
    with pytest.raises(LibraryError, match="at most 1,000"):
        read_library("lab.bib", bib.encode())


def test_title_keys_fold_case_punctuation_latex_and_accents() -> None:
    assert (
        title_key(r"{T}he {\"O}ptimal $k$-Means,   Revisited!") == "the optimal k means revisited"
    )
    assert title_key("The Öptimal k–Means: revisited") == "the optimal k means revisited"
    assert not usable(title_key("Attention")) and usable(title_key("Attention is all you need"))


def test_fuzzy_match_is_conservative() -> None:
    key = title_key("Dexterous robot manipulaton from video demonstrations")
    same = title_key("Dexterous Robot Manipulation from Video Demonstrations")
    assert best_fuzzy(key, {"a": same}) == "a"
    # a number tells two papers apart, however alike the rest
    assert (
        best_fuzzy(title_key("Llama 2: open models"), {"b": title_key("Llama 3: open models")})
        is None
    )
    part = title_key("Scaling laws for robot learning part II")
    assert best_fuzzy(part, {"c": title_key("Scaling laws for robot learning part III")}) is None
    # two different stored papers close to the entry: ambiguous, no match
    rivals = {"d": same, "e": title_key("Dexterous robot manipulation from video demonstration")}
    assert best_fuzzy(key, rivals) is None
    assert best_fuzzy(key, {"f": title_key("Dexterous robot grasping from video")}) is None
