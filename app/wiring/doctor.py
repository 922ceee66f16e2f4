"""`paperbot doctor`: is this installation ready? Settings, database, Slack, Discord, sources.

Self-contained: it needs only the settings, httpx, and the storage helpers (engine, Alembic
revisions); it never builds the runtime, so it still reports when the runtime cannot start.
Every network check uses the configured base URLs, so local fake servers stand in for tests.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app.setup_checks import Check, settings_checks
from bot.config import Settings
from bot.errors import ConfigError
from bot.sources import arxiv_feed, rss
from storage.db import first_line, make_engine, schema_revisions, sqlite_path

DEFAULT_TIMEOUT = 5.0
# Discord application flags (developer docs, Application object): privileged gateway intents
# the application is allowed, by the intent discord.py names.
INTENT_FLAGS = {
    "presences": (1 << 12) | (1 << 13),
    "members": (1 << 14) | (1 << 15),
    "message_content": (1 << 18) | (1 << 19),
}


def run_checks(
    settings: Settings,
    *,
    quick: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    transport: httpx.BaseTransport | None = None,
) -> list[Check]:
    """All checks in order; `quick` stops after settings and database (no network)."""
    checks = [*settings_checks(settings), *secret_checks(settings), database_check(settings)]
    if quick:
        return checks
    with httpx.Client(
        timeout=timeout,
        follow_redirects=True,
        headers={"User-Agent": settings.http_user_agent},
        transport=transport,
    ) as client:
        checks += slack_checks(settings, client)
        checks += discord_checks(settings, client)
        checks += source_checks(settings, client)
    return checks


# ------------------------------------------------------------------------------ database
def secret_checks(settings: Settings) -> list[Check]:
    if not settings.token_encryption_key:
        return []
    from storage.token_cipher import TokenCipher

    try:
        TokenCipher.from_setting(settings.token_encryption_key)
    except ConfigError as exc:
        return [Check("token encryption", "error", str(exc))]
    return [Check("token encryption", "ok", "TOKEN_ENCRYPTION_KEY is a valid Fernet key list")]


def with_connect_timeout(url: str, seconds: float) -> str:
    """PostgreSQL URLs get a connect timeout, so an unreachable server fails fast."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or "connect_timeout" in parsed.query:
        return url
    return parsed.update_query_dict(
        {"connect_timeout": str(max(1, int(seconds)))}
    ).render_as_string(hide_password=False)


def database_check(settings: Settings, timeout: float = DEFAULT_TIMEOUT) -> Check:
    """Reachable, and its schema at the code's Alembic head; never creates or migrates it."""
    try:
        url = settings.resolved_database_url()
        path = sqlite_path(url)
        if path is not None and not path.exists():
            return Check(
                "database", "warn", f"no database yet at {path}: the first command creates it"
            )
        engine = make_engine(with_connect_timeout(url, timeout))
    except (ConfigError, SQLAlchemyError) as exc:
        return Check("database", "error", f"{exc}: check DATABASE_URL")
    try:
        current, head, known = schema_revisions(engine)
    except SQLAlchemyError as exc:
        where = make_url(url).render_as_string(hide_password=True)
        return Check(
            "database", "error", f"cannot reach {where}: {first_line(exc)}; check DATABASE_URL"
        )
    finally:
        engine.dispose()
    return schema_check(current, head, known, path)


def schema_check(current: str | None, head: str | None, known: bool, path: Path | None) -> Check:
    where = f" ({path})" if path else ""
    if current == head:
        return Check("database", "ok", f"reachable{where}, schema at head ({head})")
    if not known:
        return Check(
            "database",
            "error",
            f"schema at {current}, unknown to this PaperBot (head {head}): a newer version "
            "migrated it; upgrade PaperBot",
        )
    state = f"at {current}" if current else "empty"
    return Check(
        "database",
        "warn",
        f"reachable{where}, schema {state}, head is {head}: any paperbot command migrates it",
    )


# --------------------------------------------------------------------------------- slack
def slack_api(settings: Settings, client: httpx.Client, method: str, token: str) -> httpx.Response:
    url = settings.slack_api_url.rstrip("/") + "/" + method
    return client.post(url, headers={"Authorization": f"Bearer {token}"})


def unreachable(name: str, url: str, exc: httpx.HTTPError) -> Check:
    reason = str(exc) or type(exc).__name__
    return Check(name, "error", f"cannot reach {url} ({reason}): check the network and the URL")


def slack_checks(settings: Settings, client: httpx.Client) -> list[Check]:
    checks: list[Check] = []
    if settings.slack_bot_token and settings.slack_bot_token.startswith("xoxb-"):
        checks.append(slack_bot_check(settings, client, settings.slack_bot_token))
    if settings.slack_app_token and settings.slack_app_token.startswith("xapp-"):
        checks.append(slack_socket_check(settings, client, settings.slack_app_token))
    return checks


def slack_bot_check(settings: Settings, client: httpx.Client, token: str) -> Check:
    """auth.test: the token works, and its granted scopes (x-oauth-scopes) cover the manifest's."""
    from adapters.slack.app import BOT_SCOPES

    try:
        resp = slack_api(settings, client, "auth.test", token)
        body = resp.json()
    except httpx.HTTPError as exc:
        return unreachable("slack token", settings.slack_api_url, exc)
    except ValueError:
        return Check("slack token", "error", f"auth.test answered HTTP {resp.status_code}")
    if not body.get("ok"):
        return Check(
            "slack token",
            "error",
            f"Slack refused SLACK_BOT_TOKEN ({body.get('error')}): copy the Bot User OAuth "
            "Token again (OAuth & Permissions)",
        )
    who = f"bot {body.get('user_id')} in workspace {body.get('team_id')}"
    header = resp.headers.get("x-oauth-scopes")
    if header is None:
        return Check("slack token", "warn", f"{who}; Slack did not say which scopes it has")
    granted = {s.strip() for s in header.split(",") if s.strip()}
    missing = [s for s in BOT_SCOPES if s not in granted]
    if missing:
        return Check(
            "slack token",
            "error",
            f"{who} lacks scopes {', '.join(missing)}: add them (the manifest lists them) "
            "and reinstall the app to the workspace",
        )
    return Check("slack token", "ok", f"{who}, with every scope the manifest asks for")


def slack_socket_check(settings: Settings, client: httpx.Client, token: str) -> Check:
    """apps.connections.open: the app-level token may open Socket Mode connections."""
    try:
        body = slack_api(settings, client, "apps.connections.open", token).json()
    except httpx.HTTPError as exc:
        return unreachable("slack socket mode", settings.slack_api_url, exc)
    except ValueError:
        return Check("slack socket mode", "error", "apps.connections.open gave no JSON")
    if body.get("ok"):
        return Check("slack socket mode", "ok", "SLACK_APP_TOKEN may open Socket Mode connections")
    return Check(
        "slack socket mode",
        "error",
        f"Slack refused SLACK_APP_TOKEN ({body.get('error')}): enable Socket Mode and create an "
        "app-level token with connections:write (Basic Information > App-Level Tokens)",
    )


# ------------------------------------------------------------------------------- discord
def discord_checks(settings: Settings, client: httpx.Client) -> list[Check]:
    token = settings.discord_token
    if not token:
        return []
    base = settings.discord_api_url.rstrip("/")
    headers = {"Authorization": f"Bot {token}"}
    try:
        me = client.get(f"{base}/users/@me", headers=headers)
        if me.status_code == 401:
            return [Check("discord token", "error", REFUSED)]
        me.raise_for_status()
        application = client.get(f"{base}/applications/@me", headers=headers)
        application.raise_for_status()
        guild_ids = None
        if (settings.discord_guild_id or "").strip().isdigit():
            guilds = client.get(f"{base}/users/@me/guilds", headers=headers)
            guilds.raise_for_status()
            guild_ids = {str(g["id"]) for g in guilds.json()}
    except httpx.HTTPError as exc:
        return [unreachable("discord token", base, exc)]
    user, app = me.json(), application.json()
    checks = [
        Check("discord token", "ok", f"logged in as {user.get('username')} ({user.get('id')})"),
        intents_check(int(app.get("flags") or 0)),
    ]
    if guild_ids is not None:
        checks.append(guild_check(str(settings.discord_guild_id).strip(), guild_ids, app))
    return checks


REFUSED = (
    "Discord refused DISCORD_TOKEN (401): reset the token in the Developer Portal "
    "(your application > Bot > Reset Token) and copy it again"
)


def needed_intents() -> list[str]:
    """The privileged intents PaperBot's client asks for (none today)."""
    from adapters.discord.client import minimal_intents

    wanted = minimal_intents()
    return [name for name in INTENT_FLAGS if getattr(wanted, name)]


def intents_check(flags: int) -> Check:
    needed = needed_intents()
    missing = [name for name in needed if not flags & INTENT_FLAGS[name]]
    if missing:
        return Check(
            "discord intents",
            "error",
            f"turn on the privileged intents {', '.join(missing)} (Developer Portal > Bot)",
        )
    extra = [name for name, bits in INTENT_FLAGS.items() if flags & bits and name not in needed]
    have = f"{', '.join(needed)} on, as needed" if needed else "no privileged intent needed"
    spare = f"; {', '.join(extra)} on but unused: you may turn them off" if extra else ""
    return Check("discord intents", "ok", have + spare)


def guild_check(guild: str, member_of: set[str], app: dict[str, object]) -> Check:
    if guild in member_of:
        return Check("discord server", "ok", f"the bot is in server {guild}")
    invite = ""
    if app.get("id"):
        from adapters.discord.runner import invite_url

        invite = f": invite it with {invite_url(int(str(app['id'])))}"
    return Check("discord server", "error", f"the bot is not in DISCORD_GUILD_ID {guild}{invite}")


# ------------------------------------------------------------------------------- sources
def source_urls(settings: Settings) -> list[tuple[str, str, dict[str, str]]]:
    """(name, url, params) for one cheap request per configured source."""
    feeds = arxiv_feed.feed_urls(settings.arxiv_feed_url, settings.default_categories[:1], 1)
    urls = [
        ("arxiv feed", feeds[0] if feeds else settings.arxiv_feed_url, {}),
        ("arxiv api", settings.arxiv_api_url, {"search_query": "cat:cs.LG", "max_results": "0"}),
        ("hf daily papers", settings.hf_papers_url, {"limit": "1"}),
    ]
    urls += [(f"rss {spec.name}", spec.url, {}) for spec in rss.feed_specs(settings.rss_feeds)]
    return urls


def source_checks(settings: Settings, client: httpx.Client) -> list[Check]:
    return [reach(client, name, url, params) for name, url, params in source_urls(settings)]


def reach(client: httpx.Client, name: str, url: str, params: dict[str, str]) -> Check:
    """One GET whose body is not read: 2xx ok, 429/5xx busy (warn), other 4xx wrong URL."""
    try:
        with client.stream("GET", url, params=params) as resp:
            status = resp.status_code
    except httpx.HTTPError as exc:
        return unreachable(f"source {name}", url, exc)
    if status < 400:
        return Check(f"source {name}", "ok", f"{url} answers (HTTP {status})")
    if status == 429 or status >= 500:
        return Check(f"source {name}", "warn", f"{url} answered HTTP {status}: busy, try later")
    return Check(f"source {name}", "error", f"{url} answered HTTP {status}: check its setting")
