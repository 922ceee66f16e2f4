"""The slack-bolt App: `/papers` commands, reaction events and mentions, mapped to the core.

Commands are acknowledged within Slack's 3 seconds: fast subcommands answer in the ack itself,
slow ones (`now`, `search`) ack "Working on it…" and answer through `response_url` once done
(bolt runs the listener on after the ack when `process_before_response` is False, the default).
Reactions become `core.on_reaction(ReactionEvent)`; the store counts one `event_id` once, so a
Slack retry (`X-Slack-Retry-Num`) is harmless. Each command carries a check of whether its
caller is a workspace admin (`users.info`, cached), which the core runs only for commands that
change the channel. A mention of the bot (`app_mention`) is a question about the paper whose
thread it is in, answered in that thread (`chat.postMessage` with `thread_ts`); the core answers
a re-delivered event id once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import replace
from typing import Any, Protocol

from slack_bolt import Ack, App, BoltContext, Respond
from slack_bolt.error import BoltError
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

from adapters.slack import files, inbound, render
from adapters.slack.admins import SlackAdmins
from adapters.slack.client import api_error_code, make_client
from bot.answers import Question
from bot.config import Settings
from bot.errors import CommandError, ConfigError, InvalidInput, PaperBotError
from bot.models import CommandRequest, ReactionEvent, Reply
from bot.ports import Clock
from bot.rich import code, concat, plain

log = logging.getLogger(__name__)
_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="papers-command")

BOT_SCOPES = (
    "chat:write",
    "commands",
    "reactions:read",
    "reactions:write",
    "channels:join",
    "channels:history",
    "groups:history",
    "users:read",
    "app_mentions:read",
    "files:read",
)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
EVENTS_PATH = "/slack/events"
ACK_BUDGET = 2.0  # seconds a command may take before we ack and answer via response_url
WORKING = "Working on it… I'll answer here when it's done."
SORRY = "Sorry, something went wrong on my side. Please try again in a minute."


class SlackCore(Protocol):
    """What the Slack app needs from the core (`bot.service.PaperBot`)."""

    clock: Clock
    settings: Settings

    def on_command(self, req: CommandRequest) -> Reply: ...
    def on_reaction(self, event: ReactionEvent) -> bool: ...
    def on_question(self, question: Question) -> Reply | None: ...


def run_command(core: SlackCore, req: CommandRequest) -> Reply:
    """One bulkhead per command (the core creates the channel on first use); a failure
    becomes a short, private reply and never reaches Slack as a 500."""
    try:
        return core.on_command(req)
    except InvalidInput as exc:
        message = exc.rich if isinstance(exc, CommandError) else plain(str(exc))
        usage = getattr(exc, "usage", None)
        return Reply(message + (concat("\nUsage: ", code(usage)) if usage else ""), ok=False)
    except PaperBotError as exc:
        log.warning("/papers %s failed: %s", inbound.subcommand(req.text), exc)
        return Reply(plain(SORRY), ok=False)
    except Exception:
        log.exception("/papers %s crashed", inbound.subcommand(req.text))
        return Reply(plain(SORRY), ok=False)


def answer_in_thread(
    core: SlackCore, client: WebClient, question: Question, thread_ts: str | None
) -> None:
    """One bulkhead per question: the core's reply, posted in the question's thread (with the
    client bolt hands the listener: this workspace's token)."""
    try:
        reply = core.on_question(question)
    except Exception:
        log.exception("question in %s not answered", question.channel)
        reply = Reply(plain(SORRY), ok=False, ephemeral=False)
    if reply is None:
        return
    try:
        client.chat_postMessage(channel=question.channel, **render.thread_reply(reply, thread_ts))
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("could not answer in %s: %s", question.channel, type(exc).__name__)


def register_listeners(
    app: App,
    core: SlackCore,
    *,
    command: str = "/papers",
    ack_budget: float = ACK_BUDGET,
    admins: SlackAdmins | None = None,
) -> None:
    """Attach the `/papers` command, reaction events and a no-op action ack to `app`."""
    app.command(command)(papers_listener(core, ack_budget, admins or SlackAdmins()))

    def on_reaction(body: dict[str, Any], context: BoltContext) -> None:
        event = inbound.reaction_event(body, bot_user_id=context.bot_user_id)
        if event is None:
            return
        try:
            core.on_reaction(event)
        except Exception:
            log.exception("reaction %s in %s not recorded", event.emoji, event.channel)

    app.event("reaction_added")(on_reaction)
    app.event("reaction_removed")(on_reaction)

    @app.event("app_mention")
    def on_mention(body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        question = inbound.mention_question(body, bot_user_id=context.bot_user_id)
        if question is not None:
            answer_in_thread(core, client, question, inbound.reply_thread(body))

    @app.action(re.compile(".*"))
    def on_action(ack: Ack) -> None:  # link buttons and future interactivity: just ack
        ack()

    @app.error
    def on_error(error: Exception) -> None:  # never log bodies: they carry tokens
        log.error("Slack request failed: %s", type(error).__name__)


def papers_listener(
    core: SlackCore, ack_budget: float, admins: SlackAdmins
) -> Callable[[Ack, dict[str, Any], Respond, WebClient], None]:
    """The `/papers` listener: answer in the ack when quick, else ack first and respond later."""

    def on_papers(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        req = inbound.command_request(body)
        if req is None:
            ack(text="This command only works in a channel.", response_type="ephemeral")
            return
        # the client bolt hands a listener carries this workspace's token (OAuth installs too)
        req = replace(req, caller_admin=admins.check(client, req.workspace, req.user_id))
        if inbound.subcommand(req.text) == "import":  # the file is found once it is allowed
            channel, user = req.channel, req.user_id
            req = replace(req, upload=lambda: files.upload_lookup(client, channel, user))
        if inbound.is_slow(req.text):
            ack(text=WORKING, response_type="ephemeral")
            reply = run_command(core, req)
        else:
            # Most commands answer in the ack itself; one that is unexpectedly slow (a paper
            # look-up, a busy database) is acked before Slack's 3 s and answered afterwards.
            future = _pool.submit(run_command, core, req)
            try:
                ack(**render.reply_payload(future.result(timeout=ack_budget)))
                return
            except FutureTimeout:
                ack(text=WORKING, response_type="ephemeral")
            reply = future.result()
        try:
            respond(**render.reply_payload(reply))
        except Exception as exc:  # the response_url expired or Slack is down: log, no crash
            log.warning("could not answer /papers %s: %s", req.text[:20], type(exc).__name__)

    return on_papers


def build_app(
    core: SlackCore,
    settings: Settings,
    *,
    installation_store: InstallationStore | None = None,
    state_store: OAuthStateStore | None = None,
    client: WebClient | None = None,
    socket_mode: bool = False,
    process_before_response: bool = False,
    ack_budget: float = ACK_BUDGET,
    admins: SlackAdmins | None = None,
) -> App:
    """The bolt App for HTTP mode (multi-workspace OAuth when client id/secret are set, else
    SLACK_BOT_TOKEN) or Socket Mode (SLACK_BOT_TOKEN). Missing settings raise ConfigError."""
    oauth = bool(settings.slack_client_id or settings.slack_client_secret) and not socket_mode
    if socket_mode:
        settings.require("slack_bot_token", "slack_app_token", why="Slack Socket Mode")
    elif oauth:
        settings.require(
            "slack_signing_secret",
            "slack_client_id",
            "slack_client_secret",
            why="Slack multi-workspace install (OAuth)",
        )
        if installation_store is None or state_store is None:
            raise ConfigError("Slack OAuth needs the database-backed installation store")
    else:
        settings.require("slack_signing_secret", "slack_bot_token", why="Slack HTTP mode")
    common: dict[str, Any] = {
        "name": "paperbot",
        "process_before_response": process_before_response,
        "request_verification_enabled": not socket_mode,
        "signing_secret": settings.slack_signing_secret or "",
        "logger": logging.getLogger("slack_bolt.paperbot"),
    }
    try:
        app = _new_app(settings, oauth, installation_store, state_store, client, common)
    except BoltError as exc:
        cause = exc.__context__
        if not isinstance(cause, SlackApiError):
            raise ConfigError(f"the Slack app could not start: {exc}") from exc
        code = api_error_code(cause)
        raise ConfigError(f"Slack rejected SLACK_BOT_TOKEN at start-up ({code})") from exc
    except (SlackClientError, OSError) as exc:
        raise ConfigError(
            f"cannot reach Slack at SLACK_API_URL={settings.slack_api_url} ({type(exc).__name__})"
        ) from exc
    register_listeners(
        app, core, command=settings.slack_command, ack_budget=ack_budget, admins=admins
    )
    return app


def _new_app(
    settings: Settings,
    oauth: bool,
    installation_store: InstallationStore | None,
    state_store: OAuthStateStore | None,
    client: WebClient | None,
    common: dict[str, Any],
) -> App:
    if oauth:
        assert installation_store is not None and state_store is not None
        app = App(
            client=client or make_client(base_url=settings.slack_api_url),
            oauth_settings=OAuthSettings(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret,
                scopes=list(BOT_SCOPES),
                installation_store=installation_store,
                state_store=state_store,
                install_path=INSTALL_PATH,
                redirect_uri_path=REDIRECT_PATH,
                redirect_uri=settings.slack_redirect_url or None,
            ),
            **common,
        )
        app.enable_token_revocation_listeners()
    else:
        app = App(
            client=client
            or make_client(base_url=settings.slack_api_url, token=settings.slack_bot_token),
            **common,
        )
    return app
