"""Multi-workspace installs: OAuth through /slack/install and /slack/oauth_redirect, stored in
our own database, then used to authorise requests and to post digests for that workspace."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.runtime import Runtime
from app.wiring.runtime import build_runtime
from bot.clock import FixedClock
from bot.config import Settings
from bot.models import ChannelRef, Platform
from storage.installations import SqlInstallations
from tests.adapters.slack.conftest import PAPERS
from tests.adapters.slack.fake_slack import (
    FORM,
    JSON,
    SECRET,
    FakeSlack,
    command_body,
    serving,
    signed_headers,
)


@pytest.fixture
def oauth_runtime(slack_settings: Settings, clock: FixedClock) -> Iterator[Runtime]:
    settings = slack_settings.model_copy(
        update={
            "slack_bot_token": None,
            "slack_client_id": "111.222",
            "slack_client_secret": "client-secret-value",
            "slack_signing_secret": SECRET,
        }
    )
    rt = build_runtime(settings, clock=clock)
    rt.core.ingest(PAPERS)
    yield rt
    rt.close()


def install(http: httpx.Client, base: str) -> httpx.Response:
    page = http.get(f"{base}/slack/install")
    assert page.status_code == 200
    state = re.search(r"state=([\w-]+)", page.text)
    cookie = page.headers["set-cookie"].split(";")[0]
    assert state is not None and cookie.endswith(state.group(1))
    return http.get(
        f"{base}/slack/oauth_redirect",
        params={"code": "one-time-code", "state": state.group(1)},
        headers={"cookie": cookie},
    )


def test_install_stores_the_workspace_and_its_token_serves_it(
    oauth_runtime: Runtime, fake: FakeSlack, clock: FixedClock
) -> None:
    repo = SqlInstallations(oauth_runtime.store)  # type: ignore[arg-type]
    assert oauth_runtime.web_app is not None
    with serving(oauth_runtime.web_app()) as base, httpx.Client(timeout=10) as http:
        done = install(http, base)
        assert done.status_code == 200
        exchange = fake.hits("/oauth.v2.access")
        assert len(exchange) == 1 and exchange[0].body["code"] == "one-time-code"
        record = repo.find_installation(Platform.SLACK, None, "T0NEW")
        assert record is not None and record.user_id == "U0INSTALLER"
        assert json.loads(record.data)["value"]["bot_token"] == "xoxb-T0NEW"

        events = f"{base}/slack/events"
        body = command_body(fake, "subscribe robot", team="T0NEW")
        r = http.post(events, content=body, headers=signed_headers(body, FORM))
        assert r.status_code == 200 and "robot" in r.json()["text"]
        channel = oauth_runtime.store.find_channel(ChannelRef(Platform.SLACK, "T0NEW", "C0PAPERS"))
        assert channel is not None

        # the digest for that workspace is posted with that workspace's stored token
        oauth_runtime.core.run_digest(channel)
        posts = fake.posts()
        assert posts and {p.auth for p in posts} == {"Bearer xoxb-T0NEW"}

        # a workspace that never installed the app changes nothing
        other = command_body(fake, "subscribe robot", team="T0STRANGER")
        r = http.post(events, content=other, headers=signed_headers(other, FORM))
        ref = ChannelRef(Platform.SLACK, "T0STRANGER", "C0PAPERS")
        assert oauth_runtime.store.find_channel(ref) is None


def test_with_a_key_the_install_is_sealed_at_rest_and_another_key_cannot_use_it(
    oauth_runtime: Runtime, fake: FakeSlack, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    from cryptography.fernet import Fernet
    from sqlmodel import select

    from storage.tables import InstallationRow

    oauth_runtime.close()  # the same settings and database, now with a key
    settings = oauth_runtime.settings.model_copy(
        update={"token_encryption_key": Fernet.generate_key().decode()}
    )
    ref = ChannelRef(Platform.SLACK, "T0NEW", "C0PAPERS")
    rt = build_runtime(settings, clock=clock)
    try:
        assert rt.web_app is not None
        with serving(rt.web_app()) as base, httpx.Client(timeout=10) as http:
            assert install(http, base).status_code == 200
            with rt.store.session() as session:  # type: ignore[attr-defined]
                (raw,) = [row.data for row in session.exec(select(InstallationRow))]
            assert raw.startswith("fernet:") and "xoxb-T0NEW" not in raw
            body = command_body(fake, "subscribe robot", team="T0NEW")
            r = http.post(f"{base}/slack/events", content=body, headers=signed_headers(body, FORM))
            assert r.status_code == 200 and "robot" in r.json()["text"]
    finally:
        rt.close()

    rotated_away = settings.model_copy(
        update={"token_encryption_key": Fernet.generate_key().decode()}
    )
    rt = build_runtime(rotated_away, clock=clock)
    try:
        assert rt.web_app is not None
        with serving(rt.web_app()) as base, httpx.Client(timeout=10) as http:
            body = command_body(fake, "subscribe speech", team="T0NEW")
            with caplog.at_level(logging.ERROR, logger="adapters.slack.installations"):
                http.post(f"{base}/slack/events", content=body, headers=signed_headers(body, FORM))
        channel = rt.store.find_channel(ref)
        assert channel is not None and [i.value for i in channel.interests] == ["robot"]
        assert any("does not hold" in r.getMessage() for r in caplog.records)
    finally:
        rt.close()


def test_uninstall_deletes_the_stored_install(
    oauth_runtime: Runtime, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = SqlInstallations(oauth_runtime.store)  # type: ignore[arg-type]
    deleted = threading.Condition()
    original = SqlInstallations.delete_installations

    def deleting(self: SqlInstallations, *args: Any, **kwargs: Any) -> int:
        n = original(self, *args, **kwargs)
        with deleted:
            deleted.notify_all()
        return n

    monkeypatch.setattr(SqlInstallations, "delete_installations", deleting)
    assert oauth_runtime.web_app is not None
    with serving(oauth_runtime.web_app()) as base, httpx.Client(timeout=10) as http:
        assert install(http, base).status_code == 200
        assert repo.find_installation(Platform.SLACK, None, "T0NEW") is not None
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T0NEW",
                "api_app_id": "A0PAPERBOT",
                "event_id": "EvGone",
                "event_time": 1764231000,
                "event": {"type": "app_uninstalled", "event_ts": "1764231000.1"},
            }
        )
        r = http.post(f"{base}/slack/events", content=body, headers=signed_headers(body, JSON))
        assert r.status_code == 200  # acked; bolt deletes the install right after
        with deleted:
            assert deleted.wait_for(
                lambda: repo.find_installation(Platform.SLACK, None, "T0NEW") is None, timeout=10
            )


def test_oauth_state_is_single_use(oauth_runtime: Runtime, fake: FakeSlack) -> None:
    assert oauth_runtime.web_app is not None
    with serving(oauth_runtime.web_app()) as base, httpx.Client(timeout=10) as http:
        page = http.get(f"{base}/slack/install")
        state = re.search(r"state=([\w-]+)", page.text)
        assert state is not None
        cookie = page.headers["set-cookie"].split(";")[0]
        params = {"code": "c", "state": state.group(1)}
        first = http.get(f"{base}/slack/oauth_redirect", params=params, headers={"cookie": cookie})
        again = http.get(f"{base}/slack/oauth_redirect", params=params, headers={"cookie": cookie})
        assert first.status_code == 200 and again.status_code >= 400
        assert len(fake.hits("/oauth.v2.access")) == 1
        forged = http.get(f"{base}/slack/oauth_redirect", params={"code": "c", "state": "forged"})
        assert forged.status_code >= 400 and len(fake.hits("/oauth.v2.access")) == 1


def test_no_token_or_secret_reaches_the_logs(
    oauth_runtime: Runtime, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    from app.logs import setup_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    setup_logging("DEBUG")  # what `paperbot serve` does, at its most verbose
    root.addHandler(caplog.handler)
    caplog.handler.setLevel(logging.DEBUG)
    try:
        assert oauth_runtime.web_app is not None
        with serving(oauth_runtime.web_app()) as base, httpx.Client(timeout=10) as http:
            assert install(http, base).status_code == 200
            body = command_body(fake, "subscribe robot", team="T0NEW")
            http.post(f"{base}/slack/events", content=body, headers=signed_headers(body, FORM))
            fake.channel_errors["C0PAPERS"] = "invalid_auth"
            body = command_body(fake, "now", team="T0NEW")
            http.post(f"{base}/slack/events", content=body, headers=signed_headers(body, FORM))
            fake.wait_for(lambda: len(fake.hits("/response_url/C0PAPERS")) == 1)
        answer = fake.hits("/response_url/C0PAPERS")[0].body["text"]
        assert "invalid_auth" in answer
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    logged = caplog.text
    assert "invalid_auth" in logged  # the failure itself is logged ...
    for secret in ("xoxb-", "client-secret-value", SECRET, "one-time-code"):
        assert secret not in logged and secret not in answer  # ... but never a credential
