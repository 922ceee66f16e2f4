"""The stored papers the recorded library exports (tests/fixtures/library/) refer to, and a
local arXiv API (127.0.0.1) that answers id look-ups with a recorded response."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.config import Settings
from bot.models import Paper
from bot.service import PaperBot
from bot.sources.fetcher import lookup_papers
from bot.sources.http import NoGate
from tests.conftest import make_paper
from tests.fake_sources import Answer, FakeSources, Query

FIX = Path(__file__).resolve().parent / "fixtures"
LIBRARY = FIX / "library"
API_2104 = (FIX / "sources" / "api-id-2104.12255v1.xml").read_bytes()
API_EMPTY = (FIX / "sources" / "api-id-empty.xml").read_bytes()


def stored_papers() -> list[Paper]:
    return [
        make_paper(
            "2503.12461",
            "MambaIC: State Space Models for High-Performance Learned Image Compression",
            categories=("eess.IV", "cs.CV"),
        ),
        make_paper(
            "2503.15457",
            "Di[$\\mathtt{M}$]O: Distilling Masked Diffusion Models into One-step Generator",
            doi="10.1109/ICCV51701.2025.01705",
            categories=("cs.CV",),
        ),
        make_paper(
            "2503.15879",
            "Typed-RAG: Type-aware Multi-Aspect Decomposition for Non-Factoid Question Answering",
            categories=("cs.CL",),
        ),
        make_paper(
            "2606.00011",
            "Self-supervised learning of dexterous robot manipulation with diffusion policies"
            " in Gottingen",
            categories=("cs.RO",),
        ),
        make_paper(
            "2606.00012", "Robot manipulation with diffusion policies", categories=("cs.RO",)
        ),
    ]


def arxiv_api(query: Query) -> Answer:
    """export.arxiv.org/api/query: 2104.12255 is known, every other id is not."""
    ids = query.get("id_list", "").split(",")
    return Answer(body=API_2104 if any(i.startswith("2104.12255") for i in ids) else API_EMPTY)


@contextmanager
def fake_arxiv(core: PaperBot, settings: Settings) -> Iterator[FakeSources]:
    """The core's bulk look-up goes to a local arXiv API for as long as this is open."""
    with FakeSources() as web:
        web.route("/api/query", arxiv_api)
        local = settings.model_copy(update={"arxiv_api_url": web.url + "/api/query"})
        core.papers_lookup = lambda ids: lookup_papers(core, local, ids, arxiv_gate=NoGate())
        try:
            yield web
        finally:
            core.papers_lookup = None
