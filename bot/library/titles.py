"""Title keys for matching a library entry to a stored paper: exact after normalising, then a
conservative fuzzy comparison that tells near-identical spellings from different papers."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from pylatexenc.latex2text import LatexNodes2Text

MAX_TITLE_CHARS = 1_000
MIN_KEY_CHARS = 12  # shorter titles ("Introduction", "Attention") are too generic to match
FUZZY_MIN_RATIO = 0.93  # SequenceMatcher ratio two keys of one title reach
FUZZY_RIVAL_RATIO = 0.85  # a second paper this close makes the match ambiguous: refused
PREFIX_CHARS = 16  # fuzzy candidates share this many leading characters of the key

_LATEX = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_NUMBERISH = re.compile(r"^(?:\d+|[ivxlc]+)$")  # digits and roman numerals tell papers apart


def _latex_to_text(text: str) -> str:
    if not any(ch in text for ch in "\\${}~"):
        return text
    try:
        return str(_LATEX.latex_to_text(text))
    except Exception:  # pylatexenc is tolerant; a last guard against odd input
        return re.sub(r"\\[a-zA-Z]+\*?|[${}~]", " ", text)


def plain_title(title: str) -> str:
    """A title as people read it: LaTeX rendered (`{T}he \\emph{X}` -> `The X`), one line."""
    return " ".join(_latex_to_text(title[:MAX_TITLE_CHARS]).split())


def title_key(title: str | None) -> str:
    """`{T}he {\\"O}ptimal $k$-Means, Revisited` -> `the optimal k means revisited`: LaTeX
    rendered, accents and case folded, punctuation and whitespace collapsed to one space."""
    if not title:
        return ""
    text = _latex_to_text(title[:MAX_TITLE_CHARS])
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _NON_ALNUM.sub(" ", text).strip()


def usable(key: str) -> bool:
    """Long enough to identify a paper by title alone."""
    return len(key) >= MIN_KEY_CHARS and " " in key


def key_prefix(key: str) -> str:
    return key[:PREFIX_CHARS]


def similarity(a: str, b: str) -> float:
    """How alike two title keys are (0-1); 0 when their numbers differ (`Part II`, `GPT-4`)."""
    if _numbers(a) != _numbers(b):
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _numbers(key: str) -> list[str]:
    return [w for w in key.split() if _NUMBERISH.match(w) and (w.isdigit() or len(w) > 1)]


def best_fuzzy(key: str, candidates: dict[str, str]) -> str | None:
    """The one candidate (paper id -> title key) that is surely the same title, or None when
    none is close enough or two different papers are close (ambiguous)."""
    scored = sorted(
        ((similarity(key, other), pid) for pid, other in candidates.items()), reverse=True
    )
    if not scored or scored[0][0] < FUZZY_MIN_RATIO:
        return None
    if len(scored) > 1 and scored[1][0] >= FUZZY_RIVAL_RATIO:
        return None
    return scored[0][1]
