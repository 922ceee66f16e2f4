"""One-line TL;DRs: HF's ai_summary when present, else the abstract's contribution sentence."""

from __future__ import annotations

import html
import re

from bot.models import Paper

TLDR_LIMIT = 200
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")
_CUES = re.compile(
    r"\b(we (propose|present|introduce|show|develop|design|demonstrate|find|release|describe)|"
    r"this (paper|work) (proposes|presents|introduces|shows)|in this (paper|work)|"
    r"our (method|approach|framework|model))\b",
    re.IGNORECASE,
)
_LATEX_CMD = re.compile(
    r"\\(?:mathcal|mathbf|mathrm|textbf|textit|emph|text|mathbb|operatorname)\{([^{}]*)\}"
)
_LATEX_SYMBOLS = {
    r"\times": "×",
    r"\leq": "≤",
    r"\le": "≤",
    r"\geq": "≥",
    r"\ge": "≥",
    r"\approx": "≈",
    r"\sim": "~",
    r"\alpha": "α",
    r"\beta": "β",
    r"\gamma": "γ",
    r"\delta": "δ",
    r"\epsilon": "ε",
    r"\lambda": "λ",
    r"\mu": "μ",
    r"\sigma": "σ",
    r"\infty": "∞",
    r"\pm": "±",
    r"\cdot": "·",
    r"\%": "%",
    r"\&": "&",
    r"\log": "log",
    r"\sqrt": "√",
    r"\ell": "ℓ",
    r"\rightarrow": "→",
    r"\to": "→",
}


def clean_text(text: str) -> str:
    """Strip LaTeX and markup so a chat never shows raw TeX soup; collapse whitespace."""
    text = html.unescape(text)
    text = re.sub(r"<[^>]+>", " ", text)
    for _ in range(3):
        text = _LATEX_CMD.sub(r"\1", text)
    for cmd, sym in sorted(_LATEX_SYMBOLS.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(cmd, sym)
    text = re.sub(r"\\[a-zA-Z]+\*?", "", text)
    text = text.replace("$", "").replace("{", "").replace("}", "").replace("~", " ")
    text = re.sub(r"\^(\w)", r"^\1", text)
    return " ".join(text.split())


def trim(text: str, limit: int = TLDR_LIMIT) -> str:
    """Cut at a word boundary with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;:-– ") + "…"


def extractive_tldr(abstract: str, limit: int = TLDR_LIMIT) -> str:
    """The sentence that states the contribution ("we propose…"), else the first one."""
    text = clean_text(abstract)
    if not text:
        return ""
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    chosen = next((s for s in sentences if _CUES.search(s)), sentences[0])
    return trim(chosen, limit)


def tldr(paper: Paper, limit: int = TLDR_LIMIT) -> str:
    """Best available one-liner for a paper."""
    if paper.ai_summary and paper.ai_summary.strip():
        return trim(clean_text(paper.ai_summary), limit)
    summary = extractive_tldr(paper.abstract, limit)
    return summary or trim(clean_text(paper.title), limit)
