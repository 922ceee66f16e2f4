"""Paper identity: one key per work, recovered from arXiv ids, URLs, DOIs and feed guids."""

from __future__ import annotations

import re

_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}"
_ARXIV_ID = re.compile(rf"^(?P<id>{_NEW_ID}|{_OLD_ID})(?:v(?P<v>\d+))?$", re.IGNORECASE)
_IN_TEXT = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf|html)/|arxiv:|oai:arxiv\.org:|10\.48550/arxiv\.|huggingface\.co/papers/)"
    rf"(?P<id>{_NEW_ID}|{_OLD_ID})(?:v(?P<v>\d+))?",
    re.IGNORECASE,
)


def split_arxiv_id(value: str) -> tuple[str, int | None] | None:
    """`2503.12461v2` -> ("2503.12461", 2); URLs, `arXiv:` prefixes and arXiv DOIs work too."""
    text = value.strip()
    match = _ARXIV_ID.match(text)
    if match is None:
        match = _IN_TEXT.search(text)
    if match is None:
        return None
    base = match.group("id")
    if "/" in base:
        archive, number = base.split("/", 1)
        base = f"{archive.lower()}/{number}"
    version = match.group("v")
    return base, int(version) if version else None


def arxiv_id(value: str) -> str | None:
    """The arXiv id without version, or None when `value` holds none."""
    parts = split_arxiv_id(value)
    return parts[0] if parts else None


_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)


def find_doi(value: str | None) -> str | None:
    """The DOI inside `value` (`10.1101/...`, `doi:10...`, `https://doi.org/10...`), lowercased."""
    if not value:
        return None
    match = _DOI.search(value)
    if match is None:
        return None
    doi = match.group(1).rstrip(".,;)").lower()
    if doi.startswith("10.1101/"):  # bioRxiv/medRxiv pages add the version: one work for all
        doi = re.sub(r"v\d+$", "", doi)
    return doi


def paper_key(*, arxiv: str | None = None, doi: str | None = None, guid: str | None = None) -> str:
    """The stable key of a work: arXiv id first, then DOI, then the feed's guid."""
    for candidate in (arxiv, doi, guid):
        if candidate:
            found = arxiv_id(candidate)
            if found:
                return found
    if doi:
        return "doi:" + (find_doi(doi) or doi.strip().lower())
    if guid:
        return "guid:" + guid.strip()
    raise ValueError("a paper needs an arXiv id, a DOI or a guid")
