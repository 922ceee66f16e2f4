"""`/papers import` on Slack end to end: signed slash command -> files.list -> url_private
download with the bot token -> the real command layer -> the answer via response_url."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from slack_bolt import App, BoltRequest

from adapters.slack.app import WORKING
from adapters.slack.setup import setup_slack
from bot.clock import FixedClock
from bot.config import Settings
from bot.models import InterestKind
from bot.service import PaperBot
from storage.installations import SqlInstallations
from storage.store import SqlStore
from tests.adapters.slack.conftest import REF
from tests.adapters.slack.fake_slack import (
    ADMIN,
    BOT_TOKEN,
    FORM,
    MEMBER,
    FakeSlack,
    command_body,
    signed_headers,
)
from tests.library_data import LIBRARY, fake_arxiv, stored_papers

BIB = (LIBRARY / "zotero.bib").read_bytes()
CHANNEL = REF.channel


@pytest.fixture
def core(slack_settings: Settings, slack_store: SqlStore, clock: FixedClock) -> Iterator[PaperBot]:
    from bot.models import Platform

    slack_store.upsert_papers(stored_papers(), clock.now())
    setup = setup_slack(slack_settings, SqlInstallations(slack_store), clock, sleep=lambda _s: None)
    assert setup is not None
    core = PaperBot(slack_store, clock, slack_settings, {Platform.SLACK: setup.adapter})
    with fake_arxiv(core, slack_settings):
        yield core


@pytest.fixture
def app(core: PaperBot, slack_settings: Settings, slack_store: SqlStore, clock: FixedClock) -> App:
    setup = setup_slack(slack_settings, SqlInstallations(slack_store), clock)
    assert setup is not None
    return setup.bolt_app(core, process_before_response=True)


def command(app: App, fake: FakeSlack, text: str, user: str = ADMIN) -> tuple[dict, str]:
    """(the ack, the text answered through response_url afterwards or "")."""
    before = len(fake.hits(f"/response_url/{CHANNEL}"))
    body = command_body(fake, text, user=user)
    resp = app.dispatch(BoltRequest(body=body, headers=signed_headers(body, FORM)))
    assert resp.status == 200
    answers = fake.hits(f"/response_url/{CHANNEL}")[before:]
    return json.loads(resp.body), answers[0].body["text"] if answers else ""


def seeds(store: SqlStore) -> list[str]:
    channel = store.find_channel(REF)
    return sorted(channel.interest_values(InterestKind.SEED)) if channel else []


def test_import_reads_the_callers_latest_file_share(
    app: App, fake: FakeSlack, slack_store: SqlStore
) -> None:
    fake.share_file(
        ADMIN, CHANNEL, "old.ris", b"TY  - JOUR\nTI  - An old export\nER  - \n", created=1764000000
    )
    fake.share_file(ADMIN, CHANNEL, "zotero.bib", BIB, created=1764200000)
    fake.share_file(MEMBER, CHANNEL, "bobs.csv", b'"Key","Title"\n"A","Bob"\n', created=1764300000)
    fake.share_file(
        ADMIN, "C0OTHER", "elsewhere.bib", b"@misc{x, title={Elsewhere}}", created=1764400000
    )
    ack, answer = command(app, fake, "import")
    assert ack == {"text": WORKING, "response_type": "ephemeral"}
    assert "Imported “zotero.bib” (BibTeX): 5 matched, 1 unmatched." in answer
    assert "“Deep learning”: DOI 10.1038/nature14539 is not an arXiv paper I know" in answer
    assert fake.hits(f"/response_url/{CHANNEL}")[-1].body["response_type"] == "ephemeral"
    (listing,) = fake.hits("/files.list")
    assert (listing.body["channel"], listing.body["user"]) == (CHANNEL, ADMIN)
    (download,) = [c for c in fake.calls if c.path.startswith("/files-pri/")]
    assert download.path.endswith("/download/zotero.bib")
    assert download.auth == f"Bearer {BOT_TOKEN}"
    assert seeds(slack_store) == [
        "2104.12255",
        "2503.12461",
        "2503.15457",
        "2503.15879",
        "2606.00011",
    ]
    _, again = command(app, fake, "import")
    assert "5 matched, 1 unmatched" in again and "0 new liked papers" in again


def test_no_file_shared_says_how(app: App, fake: FakeSlack) -> None:
    _, answer = command(app, fake, "import")
    assert "Upload your BibTeX (.bib) or RIS (.ris) or Zotero CSV (.csv) export" in answer
    assert "/papers import" in answer


def test_a_member_who_may_not_change_the_channel_is_refused_before_any_file_is_read(
    app: App, fake: FakeSlack, slack_store: SqlStore
) -> None:
    command(app, fake, "subscribe robot")  # ada (an admin) sets the channel up
    fake.share_file(MEMBER, CHANNEL, "zotero.bib", BIB)
    _, answer = command(app, fake, "import", user=MEMBER)
    assert "Only workspace admins" in answer
    assert fake.hits("/files.list") == [] and seeds(slack_store) == []


def test_without_files_read_the_reply_names_the_scope(app: App, fake: FakeSlack) -> None:
    fake.share_file(ADMIN, CHANNEL, "zotero.bib", BIB)
    fake.scopes = "chat:write,commands,users:read"
    _, answer = command(app, fake, "import")
    assert "files:read" in answer
