"""arXiv's HTML rendering of a paper (LaTeXML: `ltx_*` classes) -> titled sections of text.

Kept: the paragraphs (`p.ltx_p`) of every section, subsection and appendix, under the nearest
section's title as shown ("3.2 Datasets"). Left out: the abstract (the paper record has it),
figures, tables, footnotes and the bibliography. Maths becomes its LaTeX `alttext`.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from bot.answers.models import Section

SECTION_CLASSES = (
    "ltx_section",
    "ltx_subsection",
    "ltx_subsubsection",
    "ltx_appendix",
    "ltx_paragraph",
)
DROPPED = (
    "head, script, style, nav, header, footer, figure, table, .ltx_abstract, .ltx_bibliography, "
    ".ltx_note, .ltx_figure, .ltx_table, .ltx_authors, .ltx_dates, .ltx_page_footer"
)
MAX_PARAGRAPH = 8000


def parse_sections(html: str) -> list[Section]:
    """The paper's sections in reading order; empty when the page has none (not a paper)."""
    tree = LexborHTMLParser(html)
    for node in tree.css("math"):
        node.replace_with(" " + (node.attributes.get("alttext") or "") + " ")
    for node in tree.css(DROPPED):
        node.decompose()
    order: list[str] = []
    paragraphs: dict[str, list[str]] = {}
    for p in tree.css("p.ltx_p"):
        text = " ".join(p.text(deep=True, separator="").split())[:MAX_PARAGRAPH]
        if not text:
            continue
        title = _section_title(p)
        if title not in paragraphs:
            order.append(title)
            paragraphs[title] = []
        paragraphs[title].append(text)
    return [Section(title, tuple(paragraphs[title])) for title in order]


def _classes(node: LexborNode) -> set[str]:
    return set((node.attributes.get("class") or "").split())


def _section_title(node: LexborNode) -> str:
    """The title of the nearest enclosing section, e.g. "3.2 Datasets"."""
    parent = node.parent
    while parent is not None:
        if parent.tag == "section" or _classes(parent) & set(SECTION_CLASSES):
            heading = parent.css_first(".ltx_title")
            if heading is not None:
                return " ".join(heading.text(deep=True, separator=" ").split())
        parent = parent.parent
    return "full text"
