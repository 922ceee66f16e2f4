"""One-line TL;DRs: HF's ai_summary when present, else the abstract's contribution sentence."""

from __future__ import annotations

import functools
import html
import logging
import re
import unicodedata
from typing import Protocol

from pylatexenc.latex2text import LatexNodes2Text

from bot.keyed_locks import KeyedLocks
from bot.models import Paper

log = logging.getLogger(__name__)

TLDR_LIMIT = 200
MAX_INPUT_CHARS = 12_000  # a 5,000-word abstract is cut before cleaning; the point is early
MIN_SENTENCE_CHARS = 40

_INLINE_TAG = re.compile(
    r"</?(?:i|b|em|strong|sub|sup|a|span|u|code|tt|small|font|jats:[a-z-]+|mml:[a-z-]+)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|h[1-6]|hr|table|tr|td)(?:\s[^<>]*)?/?>", re.I)
_TILDE_APPROX = re.compile(r"(?<![^\s(])~(?=\d)")  # "~10x" means about ten, not a LaTeX space
_BARE_SPECIAL = re.compile(r"(?<!\\)([%&#])")  # plain-text %, &, # are not LaTeX syntax here
_RELATION = re.compile(r"\s*([≤≥≠≈≡∈∉⊂⊆⊃⊇→←↔⇒⇔⟹])\s*")  # pylatexenc eats their spaces
_CITE = re.compile(r"\s*<cit\.>")
_ANGLED_URL = re.compile(r"<(https?://[^<>\s]+)>")
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "\xad": ""})
_LATEX = LatexNodes2Text(math_mode="text")

# Candidate sentence ends; a boundary after an abbreviation is not one.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”')\]]*\s+(?=[\"“'(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "al",
        "vs",
        "cf",
        "fig",
        "figs",
        "eq",
        "eqs",
        "sec",
        "secs",
        "no",
        "nos",
        "approx",
        "resp",
        "dr",
        "prof",
        "mr",
        "ca",
        "ref",
        "refs",
        "tab",
        "viz",
    ]
)

_CUES: tuple[tuple[re.Pattern[str], float], ...] = (
    (
        re.compile(
            r"\b(we|(this|the|our|present) (paper|work|study|article|letter|thesis)|here,? we)"
            r"\s+(also\s+|further\s+|first\s+)?"
            r"(propose|present|introduce|develop|design|devise|formulate|put forward|"
            r"contribute|release|establish|derive|build|construct|offer)\w*",
            re.IGNORECASE,
        ),
        3.0,
    ),
    (re.compile(r"\b(in this (paper|work|study|article)|we term|dubbed|called)\b", re.I), 1.5),
    (re.compile(r"\b(is|are) (proposed|introduced|presented|developed)\b", re.I), 2.0),
    (re.compile(r"\b(and|then) (propose|introduce|present|develop)\w*", re.I), 2.0),
    (
        re.compile(
            r"\bwe\s+(also\s+)?(show|demonstrate|find|prove|study|investigate|analy[sz]e|explore|"
            r"leverage|address|tackle|extend|provide|report|identify|evaluate|revisit|argue|"
            r"examine|characteri[sz]e|benchmark|curate|collect)\w*",
            re.IGNORECASE,
        ),
        2.0,
    ),
    (re.compile(r"\bour (method|approach|framework|model|system|algorithm)\b", re.I), 1.0),
    (re.compile(r"\b(novel|first)\b", re.IGNORECASE), 0.5),
)
_PENALTIES: tuple[tuple[re.Pattern[str], float], ...] = (
    (
        re.compile(
            r"https?://|www\.|github\.com|\b(code|data(set)?s?) (is|are) (publicly )?"
            r"(available|released)",
            re.I,
        ),
        -6.0,
    ),
    (re.compile(r"^(however|despite|although|while|recent|existing|traditional)\b", re.I), -1.0),
    (re.compile(r"^(additionally|furthermore|moreover|finally|besides|also)\b", re.I), -1.0),
    (re.compile(r"\b(accepted|to appear) (at|in)\b", re.I), -4.0),
)
_LEAD_INS = re.compile(
    r"^(in this (paper|work|study|article|letter)|here|thus|therefore|hence|accordingly|"
    r"consequently|additionally|furthermore|moreover|specifically|in particular|"
    r"to (this end|address (this|these|th[eo]se)[^,]*)|to (fill|bridge|close) (this|the)[^,]*|"
    r"(inspired|motivated|guided) by [^,]*)"
    r",\s+",
    re.IGNORECASE,
)


class Summarizer(Protocol):
    """Whatever writes the one-line TL;DR of a picked paper; it never raises, never ranks."""

    def tldr(self, paper: Paper) -> str: ...


class ExtractiveSummarizer:
    """The default: HF ai_summary, else the abstract's contribution sentence. No network."""

    name = "extractive"

    def tldr(self, paper: Paper) -> str:
        return tldr(paper)


def clean_text(text: str) -> str:
    """Plain unicode from abstracts with LaTeX, HTML and odd unicode; whitespace collapsed.

    `$\\mathcal{O}(n)$` becomes `𝒪(n)`, `&amp;` becomes `&`, tags go, ligatures are split,
    zero-width and control characters are dropped.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text[:MAX_INPUT_CHARS]).translate(_LIGATURES)
    text = html.unescape(html.unescape(text))  # feeds double-escape now and then
    if "</" in text or "/>" in text or "<br" in text.lower():  # markup, not "a<b" in math
        text = _BLOCK_TAG.sub(" ", _INLINE_TAG.sub("", text))
    text = _TILDE_APPROX.sub("∼", text)
    if "\\" in text or "$" in text or "{" in text or "~" in text:
        text = _latex_to_text(text)
    text = _CITE.sub("", text)
    text = _ANGLED_URL.sub(r"\1", text)
    text = "".join(
        ch if unicodedata.category(ch)[0] != "C" else " "
        for ch in text
        if unicodedata.category(ch) != "Cf"
    )
    return " ".join(text.split())


def _latex_to_text(text: str) -> str:
    try:
        return _RELATION.sub(r" \1 ", _LATEX.latex_to_text(_BARE_SPECIAL.sub(r"\\\1", text)))
    except Exception:  # pylatexenc is tolerant; this is the last guard against odd input
        log.debug("LaTeX conversion failed; stripping markup instead", exc_info=True)
        text = re.sub(r"\\[a-zA-Z]+\*?", "", text)
        return re.sub(r"[${}]", "", text)


def sentences(text: str) -> list[str]:
    """Split clean text into sentences; abbreviations (e.g., et al., Fig.) do not end one."""
    out: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        words = text[start : match.start()].rstrip("\"”')]").split()
        last = words[-1].rstrip(".!?") if words else ""
        if last.lower() in _ABBREVIATIONS or _is_initial(last, words[-2] if len(words) > 1 else ""):
            continue
        piece = text[start : match.start()].strip()
        if piece:
            out.append(piece)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _is_initial(word: str, previous: str) -> bool:
    """'J.' in 'Alan J. Smith' is an initial; 'N.' in 'of size N. We' ends a sentence."""
    return len(word) == 1 and word.isupper() and (not previous or previous[:1].isupper())


def method_name(title: str) -> str | None:
    """The name a title gives its method ("MambaIC: State Space…" -> "MambaIC"), if any."""
    head, sep, _ = clean_text(title).partition(":")
    head = head.strip()
    if sep and head and len(head.split()) <= 3 and len(head) >= 3:
        return head
    return None


def contribution_score(sentence: str, name: str | None = None) -> float:
    """How strongly a sentence states what the paper contributes (higher is better)."""
    score = sum(weight for rx, weight in _CUES if rx.search(sentence))
    if name and name in sentence:
        score += 1.5
    score += sum(weight for rx, weight in _PENALTIES if rx.search(sentence))
    if len(sentence) < MIN_SENTENCE_CHARS:
        score -= 2.0
    return score


def trim(text: str, limit: int = TLDR_LIMIT) -> str:
    """Cut at a word boundary with an ellipsis; a text with no usable space is cut hard."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    head = cut.rsplit(" ", 1)[0] if " " in cut else ""
    if len(head) >= limit // 2:
        cut = head
    return cut.rstrip(",;:-–— ") + "…"


def first_sentence(abstract: str, limit: int = TLDR_LIMIT) -> str:
    """The abstract's first sentence, cleaned and trimmed (the naive baseline)."""
    found = sentences(clean_text(abstract))
    return trim(found[0], limit) if found else ""


def extractive_tldr(abstract: str, limit: int = TLDR_LIMIT, *, title: str = "") -> str:
    """The sentence that states the contribution ("we propose…"), else the first one."""
    found = sentences(clean_text(abstract))
    if not found:
        return ""
    name = method_name(title) if title else None
    scored = [(contribution_score(s, name), -i, s) for i, s in enumerate(found)]
    best_score, _, chosen = max(scored)
    if best_score <= 0:
        chosen = next((s for s in found if contribution_score(s) > -2), found[0])
    return trim(_drop_lead_in(chosen), limit)


def _drop_lead_in(sentence: str) -> str:
    """'In this paper, we propose X.' -> 'We propose X.' (shorter, says the same)."""
    stripped = sentence
    for _ in range(3):
        stripped, n = _LEAD_INS.subn("", stripped, count=1)
        if not n:
            break
    if stripped == sentence or len(stripped) < MIN_SENTENCE_CHARS:
        return sentence
    return stripped[0].upper() + stripped[1:]


def tldr(paper: Paper, limit: int = TLDR_LIMIT) -> str:
    """Best offline one-liner: HF's ai_summary, else extractive; '' when there is no text.

    A pure function of the paper's text, remembered for the last TLDRS_KEPT texts: every
    channel a paper is picked for gets the same line, and cleaning LaTeX costs ~30 ms a paper."""
    key = (paper.ai_summary, paper.abstract, paper.title, limit)
    with _TLDR_FLIGHTS.hold(key):  # channels picking the paper at once: one computes, the rest wait
        return _tldr_of(*key)


_TLDR_FLIGHTS = KeyedLocks()
TLDRS_KEPT = 4096  # bounded: the key holds the abstract (~1.5 KB), so ~6 MB at most


@functools.lru_cache(maxsize=TLDRS_KEPT)
def _tldr_of(ai_summary: str | None, abstract: str, title: str, limit: int) -> str:
    if ai_summary and ai_summary.strip():
        summary = trim(clean_text(ai_summary), limit)
        if summary:
            return summary
    return extractive_tldr(abstract, limit, title=title)
