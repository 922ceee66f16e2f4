"""The digest email in a real browser (headless Chromium through Playwright): layout, escaped
text, and its 👍 link clicked through to `paperbot serve` on 127.0.0.1.

Writes docs/email-digest.png when PAPERBOT_EMAIL_SCREENSHOT=1."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from adapters.slack.web import create_web_app
from adapters.web.feedback_routes import FeedbackLinks, feedback_routes
from storage.store import SqlStore
from tests.adapters.email.fake_smtp import FakeSmtp, free_port
from tests.adapters.email.sample import parts
from tests.adapters.email.test_email_e2e import ADDRESS, Setup
from tests.conftest import make_paper

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium (apt-get install -y chromium)"),
]
SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "email-digest.png"
PAPERS = [
    make_paper(
        "2606.10001",
        "Diffusion policies for contact-rich robot manipulation",
        "We propose a diffusion policy that plans contact-rich manipulation from tactile and "
        "visual input. It improves success on insertion tasks by 23 points.",
        authors=(
            "Ada Lovelace",
            "Alan Turing",
            "Grace Hopper",
            "Edsger Dijkstra",
            "Barbara Liskov",
        ),
        categories=("cs.RO", "cs.LG"),
    ),
    make_paper(
        "2606.10002",
        "Learning to grasp transparent objects with a robot hand",
        "We present a robot grasping method for transparent objects using depth completion.",
        authors=("Katherine Johnson", "Margaret Hamilton"),
        categories=("cs.RO", "cs.CV"),
    ),
    make_paper(
        "2606.10003",
        '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">Robot '
        "benchmark with a hostile title",
        "A robot benchmark whose feed title tries to inject markup.",
        authors=("Mallory <b>Attacker</b>",),
        categories=("cs.RO",),
    ),
]


@pytest.fixture
def web(sqlite_store: SqlStore, tmp_path: Path, smtp: FakeSmtp) -> Iterator[Setup]:
    """The email path with `paperbot serve`'s web app listening on 127.0.0.1."""
    port = free_port()
    env = Setup(sqlite_store, tmp_path, smtp, public_url=f"http://127.0.0.1:{port}", papers=PAPERS)
    links = FeedbackLinks(env.core, env.key, env.clock.now)
    app = create_web_app(None, health=lambda: True, extra_routes=feedback_routes(links))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield env
    server.should_exit = True
    thread.join(timeout=10)


def test_the_email_in_chromium_and_a_vote_clicked_through(web: Setup, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    web.tick()
    _, html = parts(web.smtp.received[0].message)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 900, "height": 900})
            page.set_content(html)
            check_layout(page)
            page.screenshot(path=str(tmp_path / "email.png"), full_page=True)
            if os.environ.get("PAPERBOT_EMAIL_SCREENSHOT") == "1":
                shutil.copyfile(tmp_path / "email.png", SCREENSHOT)
            check_narrow_screen(browser, html)
            page.locator("a.vote-up").first.click()
            page.wait_for_load_state()
            assert page.locator("button").inner_text() == "👍 Record it"
            assert web.store.feedback(web.channel.id) == []  # opening the link records nothing
            page.locator("button").click()
            page.wait_for_load_state()
            assert "👍 recorded" in page.locator("h1").inner_text()
        finally:
            browser.close()
    [opinion] = web.store.feedback(web.channel.id)
    assert (opinion.user_id, opinion.value) == (ADDRESS, 1)


def check_layout(page: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    assert page.locator("td.paper").count() == 3
    assert page.evaluate("window.__pwned === undefined")  # no script ran, no onerror fired
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0
    assert "<script>window.__pwned = 1</script>" in page.locator("body").inner_text()
    card = page.locator("h1").bounding_box()
    assert card is not None and card["width"] <= 640
    for i in range(3):
        up = page.locator("a.vote-up").nth(i)
        down = page.locator("a.vote-down").nth(i)
        assert up.is_visible() and down.is_visible()
        a, b = up.bounding_box(), down.bounding_box()
        assert a is not None and b is not None
        assert abs(a["y"] - b["y"]) < 2 and a["x"] + a["width"] <= b["x"]  # side by side
        assert (up.get_attribute("href") or "").startswith("http://127.0.0.1:")
    assert page.locator("a.unsubscribe").is_visible()


def check_narrow_screen(browser: object, html: str) -> None:
    """On a phone-sized screen nothing overflows sideways."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    phone = browser.new_page(viewport={"width": 375, "height": 800})
    phone.set_content(html)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.close()
