"""The channel page in a real headless Chromium (Debian's, driven by Playwright; no browser is
downloaded), loaded from `paperbot serve`'s app under uvicorn on 127.0.0.1.

`CHANNEL_PAGE_SCREENSHOT=docs/channel-page.png` also saves the screenshot the README shows.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from adapters.slack.web import create_web_app
from adapters.web.channel_page import channel_page_routes
from bot.config import Settings
from bot.content.channel_link import make_page_link
from bot.content.channel_page import page_of_link
from storage.store import SqlStore
from tests.adapters.slack.fake_slack import serving
from tests.channel_page_seed import HOSTILE, Seeded, seed_channel

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("PAPERBOT_CHROMIUM", "/usr/bin/chromium")
KEY = b"browser-test-key-0123456789abcdef"
SECTIONS = ("subscriptions", "learned", "curve", "digests", "liked")


def _chromium() -> str:
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        pytest.skip(
            f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or PAPERBOT_CHROMIUM)"
        )
    return path


def _seeded(tmp_path: Path, settings: Settings, name: str, *, hostile: bool) -> Seeded:
    store = SqlStore.open(f"sqlite:///{tmp_path / name}")
    return seed_channel(store, settings, hostile=hostile)


@pytest.fixture
def page_url(tmp_path: Path, settings: Settings) -> Iterator[tuple[str, str]]:
    """(URL of a clean channel's page, URL of a channel full of hostile text), each from its
    own server under uvicorn."""
    clean = _seeded(tmp_path, settings, "clean.db", hostile=False)
    hostile = _seeded(tmp_path, settings, "hostile.db", hostile=True)
    with serving(_app(clean)) as clean_base, serving(_app(hostile)) as hostile_base:
        yield clean_base + _path(clean), hostile_base + _path(hostile)
    for seeded in (clean, hostile):
        seeded.core.store.close()


def _app(seeded: Seeded) -> Starlette:
    routes = channel_page_routes(lambda token: page_of_link(seeded.core, KEY, token))
    return create_web_app(None, health=lambda: True, extra_routes=routes)


def _path(seeded: Seeded) -> str:
    return make_page_link(KEY, "", seeded.channel, seeded.clock.now(), 7).url


def test_page_renders_in_chromium(page_url: tuple[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    clean, hostile = page_url
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1250})
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            failed: list[str] = []
            page.on("requestfailed", lambda r: failed.append(r.url))
            assert page.goto(clean).status == 200  # type: ignore[union-attr]
            for section in SECTIONS:
                assert page.locator(f"section#{section}").is_visible()
            assert page.locator("section#curve svg polyline").count() == 2
            points = page.locator("section#curve svg circle.point")
            assert points.count() == 10  # two series, five digest days
            box = page.locator("section#curve svg").bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 100
            assert page.locator("section#digests li.pick").count() == 21
            assert page.locator("tr.liked-paper").count() == 12
            assert "Ada Lovelace" in page.locator("section#learned").inner_text()
            shot = Path(os.environ.get("CHANNEL_PAGE_SCREENSHOT") or tmp_path / "page.png")
            page.screenshot(path=str(shot), full_page=False)
            assert shot.stat().st_size > 10_000

            assert page.goto(hostile).status == 200  # type: ignore[union-attr]
            assert HOSTILE in page.locator("section#subscriptions").inner_text()  # shown as text
            assert (
                page.locator("section#subscriptions script, section#subscriptions b").count() == 0
            )
            assert page.locator("img").count() == 0
            assert page.evaluate("document.scripts.length") == 0
        finally:
            browser.close()
    assert dialogs == [] and failed == []  # no script ran; nothing was fetched from elsewhere
