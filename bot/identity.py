"""Paper identity: one key per work, recovered from arXiv ids, URLs, DOIs and feed guids.

`parse_arxiv_id` is the one arXiv id parser: every source, command and link goes through it.
An id is taken whole or not at all: `2601.123456` is refused, never cut to `2601.12345`, and an
old-style `hep-th/9901001` never loses its archive. Old-style ids may name a subject class
(`math.AG/0601001`, `cond-mat.mes-hall/0102003`); arXiv's canonical form drops it
(`math/0601001`), so both spellings are one work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The archives of pre-April-2007 ids (arXiv's identifier help lists these).
OLD_ARCHIVES = frozenset(
    [
        "acc-phys",
        "adap-org",
        "alg-geom",
        "ao-sci",
        "astro-ph",
        "atom-ph",
        "bayes-an",
        "chao-dyn",
        "chem-ph",
        "cmp-lg",
        "comp-gas",
        "cond-mat",
        "cs",
        "dg-ga",
        "funct-an",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math",
        "math-ph",
        "mtrl-th",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "patt-sol",
        "physics",
        "plasm-ph",
        "q-alg",
        "q-bio",
        "quant-ph",
        "solv-int",
        "supr-con",
    ]
)
MAX_VERSION = 9_999

_NEW = r"(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<num>\d{4,5})"
_OLD = (
    r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.(?P<subject>[a-z]+(?:-[a-z]+)?))?"
    r"/(?P<oyy>\d{2})(?P<omm>\d{2})(?P<onum>\d{3})"
)
# The id ends where no letter, digit or underscore follows: `…/2601.01234v2.pdf` is fine,
# `2601.123456` or `2601.01234v2x` is no id at all.
_ID = rf"(?:{_NEW}|{_OLD})(?:v(?P<v>\d{{1,4}}))?(?!\w)"
_PREFIX = (
    r"(?:arxiv:\s*|oai:arxiv\.org:"
    r"|(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format|ps)/"
    r"|(?:https?://)?(?:dx\.)?doi\.org/10\.48550/arxiv\.|(?:doi:\s*)?10\.48550/arxiv\."
    r"|(?:https?://)?(?:www\.)?huggingface\.co/papers/)"
)
_WHOLE = re.compile(rf"^{_PREFIX}?{_ID}$", re.IGNORECASE)
_IN_TEXT = re.compile(rf"{_PREFIX}{_ID}", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ArxivId:
    """A parsed arXiv id: `base` without version (`2601.01234`, `hep-th/9901001`)."""

    base: str
    version: int | None
    year: int  # four digits, from the id's YYMM
    month: int

    @property
    def new_style(self) -> bool:
        return "/" not in self.base

    def __str__(self) -> str:
        return self.base + (f"v{self.version}" if self.version else "")


def parse_arxiv_id(value: str) -> ArxivId | None:
    """The arXiv id in `value` (a bare id, `arXiv:` id, abs/pdf/html URL, `oai:` guid, arXiv
    DOI or HF paper URL), whole and checked, or None. Never a truncated id."""
    text = value.strip()
    match = _WHOLE.match(text) or _IN_TEXT.search(text)
    if match is None:
        return None
    version = int(match.group("v")) if match.group("v") else None
    if version is not None and not 1 <= version <= MAX_VERSION:
        return None
    if match.group("num") is not None:
        return _new_style(match, version)
    return _old_style(match, version)


def _new_style(match: re.Match[str], version: int | None) -> ArxivId | None:
    yy, mm, num = int(match.group("yy")), int(match.group("mm")), match.group("num")
    if not 1 <= mm <= 12 or (yy, mm) < (7, 4):
        return None  # new-style ids start in April 2007
    if len(num) != (4 if yy < 15 else 5):
        return None  # four digits until December 2014, five since January 2015
    return ArxivId(f"{yy:02d}{mm:02d}.{num}", version, 2000 + yy, mm)


def _old_style(match: re.Match[str], version: int | None) -> ArxivId | None:
    archive = match.group("archive").lower()
    yy, mm = int(match.group("oyy")), int(match.group("omm"))
    if archive not in OLD_ARCHIVES or not 1 <= mm <= 12 or not (yy >= 91 or yy <= 7):
        return None
    year = 1900 + yy if yy >= 91 else 2000 + yy
    number = match.group("oyy") + match.group("omm") + match.group("onum")
    return ArxivId(f"{archive}/{number}", version, year, mm)


def split_arxiv_id(value: str) -> tuple[str, int | None] | None:
    """`2503.12461v2` -> ("2503.12461", 2); URLs, `arXiv:` prefixes and arXiv DOIs work too."""
    parsed = parse_arxiv_id(value)
    return (parsed.base, parsed.version) if parsed else None


def arxiv_id(value: str) -> str | None:
    """The arXiv id without version, or None when `value` holds none."""
    parsed = parse_arxiv_id(value)
    return parsed.base if parsed else None


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
