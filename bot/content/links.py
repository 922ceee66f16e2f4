"""The links a digest shows for a paper: abstract, PDF, HTML, code, HF page. Pure; no dead links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.identity import parse_arxiv_id
from bot.models import Paper

Link = tuple[str, str]  # (label, url)

# arXiv renders HTML (ar5iv/LaTeXML) for papers submitted from December 2023 on.
_HTML_SINCE = (2023, 12)
_CODE_URL = re.compile(
    r"https?://(?:www\.)?(github\.com|gitlab\.com)/([A-Za-z0-9][\w.-]*)/([\w.-]+)", re.IGNORECASE
)
_BARE_CODE = re.compile(
    r"(?<![\w/.])(github\.com|gitlab\.com)/([A-Za-z0-9][\w.-]*)/([\w.-]+)", re.I
)
_NOT_REPOS = frozenset({"features", "topics", "orgs", "sponsors", "about", "login", "settings"})


def paper_links(paper: Paper) -> tuple[Link, ...]:
    """Ordered (label, url) pairs; arXiv links only for arXiv papers, HF only when from HF."""
    links: list[Link] = []
    if paper.is_arxiv:
        given = _https(paper.url)
        on_arxiv = given is not None and urlsplit(given).netloc.endswith("arxiv.org")
        links.append(("abs", given if on_arxiv and given else f"https://arxiv.org/abs/{paper.id}"))
        links.append(("PDF", f"https://arxiv.org/pdf/{paper.id}"))
        if has_arxiv_html(paper.id):
            links.append(("HTML", f"https://arxiv.org/html/{paper.id}"))
    else:
        landing = _https(paper.url) or (f"https://doi.org/{paper.doi}" if paper.doi else None)
        if landing:
            links.append(("abs", landing))
        pdf = _https(paper.pdf_url)
        if pdf:
            links.append(("PDF", pdf))
    code = code_url(paper)
    if code:
        links.append(("code", code))
    project = _https(paper.project_url)
    if project:
        links.append(("project", project))
    hf = hf_page(paper)
    if hf:
        links.append(("HF", hf))
    seen: set[str] = set()
    unique: list[Link] = []
    for label, url in links:
        if url not in seen:
            seen.add(url)
            unique.append((label, url))
    return tuple(unique)


def has_arxiv_html(arxiv_id: str) -> bool:
    """True for new-style ids from 2312 on, when arXiv builds an HTML version."""
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None or not parsed.new_style:
        return False
    return (parsed.year, parsed.month) >= _HTML_SINCE


def code_url(paper: Paper) -> str | None:
    """The code repository: HF's githubRepo, else the first GitHub/GitLab repo in the text."""
    given = _repo(paper.code_url or "")
    if given:
        return given
    for text in (paper.comments or "", paper.abstract):
        found = _repo(text)
        if found:
            return found
    return None


def hf_page(paper: Paper) -> str | None:
    """The HF paper page, only for papers HF listed (a made-up page would be a dead link)."""
    if paper.hf_url:
        return _https(paper.hf_url)
    if paper.is_arxiv and any(s == "hf" or s.startswith("hf") for s in paper.sources):
        return f"https://huggingface.co/papers/{paper.id}"
    return None


def _repo(text: str) -> str | None:
    for rx in (_CODE_URL, _BARE_CODE):
        for match in rx.finditer(text):
            host, owner, name = match.group(1).lower(), match.group(2), match.group(3)
            name = name.rstrip(".").removesuffix(".git").rstrip(".")
            if owner.lower() in _NOT_REPOS or not name:
                continue
            return f"https://{host}/{owner}/{name}"
    return None


def _https(url: str | None) -> str | None:
    """Only http(s) URLs with a host reach a chat (no `javascript:`, no relative paths)."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url
