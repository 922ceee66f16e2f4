"""Settings: one object read once from the environment and `.env`, validated at start."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.commands.permissions import Policy


def default_database_url() -> str:
    """A SQLite file in the user's data directory, or ./paperbot.db if that cannot be created."""
    try:
        from platformdirs import user_data_dir

        folder = Path(user_data_dir("paperbot", appauthor=False))
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / 'paperbot.db'}"
    except OSError:
        return "sqlite:///./paperbot.db"


class Settings(BaseSettings):
    """Every setting has a default; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    # --- core ---
    database_url: str = ""
    log_level: str = "INFO"
    log_format: str = Field(default="auto", pattern="^(auto|rich|plain|json)$")
    new_channel_lookback_days: int = Field(default=3, ge=0, le=60)
    default_digest_size: int = Field(default=5, ge=1, le=25)
    default_timezone: str = "UTC"
    default_digest_time: str = "09:00"
    # who may change a channel from chat: admins | anyone | user ids (besides admins)
    settings_admins: str = "admins"

    # --- console adapter ---
    console_outbox: Path | None = None

    # --- sources ---
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_feed_url: str = "https://rss.arxiv.org/rss"
    hf_papers_url: str = "https://huggingface.co/api/daily_papers"
    arxiv_default_categories: str = "cs.AI,cs.CL,cs.CV,cs.LG"
    rss_feeds: str = ""  # comma-separated URLs, optionally name=url
    http_user_agent: str = "PaperBot/0.1 (+https://github.com/paperbot; research digest bot)"
    arxiv_min_interval_seconds: float = Field(default=3.0, ge=0)
    http_timeout_seconds: float = Field(default=30.0, gt=0)
    http_max_attempts: int = Field(default=4, ge=1, le=10)
    http_backoff_seconds: float = Field(default=2.0, ge=0)
    http_max_retry_after_seconds: float = Field(default=300.0, ge=0)
    http_max_bytes: int = Field(default=50_000_000, ge=1_000)
    arxiv_lock_file: str = ""  # shares the arXiv limit between processes; "" = user cache dir
    arxiv_feed_categories_per_request: int = Field(default=4, ge=1, le=50)
    arxiv_api_page_size: int = Field(default=500, ge=1, le=2000)
    arxiv_api_max_results: int = Field(default=2000, ge=1, le=30000)
    arxiv_backfill_max_results: int = Field(default=10000, ge=1, le=30000)
    hf_page_size: int = Field(default=50, ge=1, le=100)
    hf_max_pages: int = Field(default=4, ge=1, le=50)
    hf_fill_from_arxiv: bool = True  # look HF-only papers up on the arXiv API (categories)
    source_fetch_deadline_seconds: float = Field(default=120.0, gt=0)  # per source and run
    arxiv_feed_fallback: bool = True  # a broken feed: the same announcement from the API

    # --- ranking ---
    ranker: str = "auto"  # auto | lexical | semantic
    embedding_model: str = "all-MiniLM-L6-v2"
    embedding_max_tokens: int = Field(default=128, ge=16, le=512)
    popularity_weight: float = Field(default=0.1, ge=0)

    # --- reactions ---
    positive_emoji: str = "+1,thumbsup,heart,star,fire,tada,star-struck,100,rocket,eyes"
    negative_emoji: str = "-1,thumbsdown,no_entry_sign,x,zzz"
    processed_event_retention_hours: float = Field(default=48.0, ge=1)

    # --- slack ---
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    # Fernet key(s) sealing stored OAuth installs (tokens) at rest; "new,old" while rotating.
    token_encryption_key: str | None = Field(default=None, repr=False)
    slack_api_url: str = "https://slack.com/api/"
    slack_redirect_url: str | None = None  # OAuth redirect URL if Slack must be told it
    slack_command: str = "/papers"
    slack_pace_seconds: float = Field(default=1.0, ge=0)  # gap between posts to one channel
    slack_max_retries: int = Field(default=2, ge=0, le=10)  # 429 retries per Web API call
    slack_max_retry_wait: float = Field(default=30.0, ge=0)  # longer Retry-After: give up
    # posts a second to one workspace, all channels together (0: no ceiling but the channels')
    slack_workspace_posts_per_second: float = Field(default=0.0, ge=0)
    # reactions.add calls a minute per workspace (the 👍/👎 under each paper; Slack's Tier 3)
    slack_reactions_per_minute: float = Field(default=50.0, gt=0)

    # --- discord ---
    discord_token: str | None = None
    discord_api_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str | None = None
    discord_guild_id: str | None = None
    discord_global_per_second: float = Field(default=50.0, gt=0)  # requests a second per bot
    discord_reaction_share: float = Field(default=0.1, ge=0.01, le=0.5)  # of that, for votes

    # --- email (a channel `email:ADDRESS` gets the digest by SMTP) ---
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_from: str | None = None  # the sender address, e.g. "PaperBot <paperbot@lab.org>"
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    email_rate_per_minute: float = Field(default=30.0, gt=0)  # messages per SMTP server
    email_link_days: int = Field(default=30, ge=1, le=3650)  # how long 👍/👎 links work
    email_unsubscribe_days: int = Field(default=365, ge=1, le=3650)
    public_url: str | None = None  # public base URL of `paperbot serve` (emailed links, pages)
    link_signing_key: str | None = Field(default=None, repr=False)  # else kept in the database

    # --- llm summaries (optional) ---
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str | None = None
    llm_daily_budget: int = Field(default=200, ge=0)
    llm_timeout_seconds: float = Field(default=20.0, gt=0)

    # --- questions in a paper's thread (@PaperBot ...)
    answer_rate_per_hour: int = Field(default=10, ge=0, le=1000)  # per channel; 0 turns off
    answer_max_question_chars: int = Field(default=300, ge=20, le=4000)
    answer_full_text: bool = True  # also read arXiv's HTML full text (cached in the database)
    arxiv_html_url: str = "https://arxiv.org/html"
    answer_full_text_timeout_seconds: float = Field(default=10.0, gt=0)
    answer_full_text_max_bytes: int = Field(default=5_000_000, ge=10_000)

    # --- scheduling and delivery ---
    worker_id: str = ""  # default: hostname:pid
    tick_interval_seconds: float = Field(default=30.0, gt=0)
    claim_batch_size: int = Field(default=20, ge=1, le=1000)
    claim_lease_seconds: float = Field(default=300.0, gt=0)
    catchup_grace_hours: float = Field(default=12.0, ge=0)
    delivery_max_attempts: int = Field(default=5, ge=1)
    delivery_backoff_seconds: float = Field(default=60.0, ge=0)
    delivery_backoff_max_seconds: float = Field(default=3600.0, ge=0)
    delivery_inline_wait_seconds: float = Field(default=5.0, ge=0)
    delivery_uncertain: str = Field(default="repost", pattern="^(repost|skip)$")
    delivery_concurrency: int = Field(default=256, ge=1, le=4096)  # channels in flight per worker
    worker_processes: int = Field(default=1, ge=1, le=64)  # `paperbot run`: cores delivering
    plan_concurrency: int = Field(default=4, ge=1, le=256)  # digests ranked at once per process
    worker_gc_gen0: int = Field(default=50_000, ge=0)  # young garbage collections; 0: Python's
    delivery_pace_margin: float = Field(default=0.02, ge=0, le=1)  # each pace stretched by
    vote_lane_threads: int = Field(default=2, ge=1, le=64)
    vote_queue_max: int = Field(default=20_000, ge=10)  # in memory; the rest in the store
    arxiv_holidays: str = "new-year,thanksgiving,christmas"  # rules (bot/holidays.py) or dates
    arxiv_fetch_delay_minutes: int = Field(default=270, ge=0, le=1440)
    hf_fetch_hours_utc: str = "9,15"

    # --- web ---
    port: int = Field(default=3000, ge=1, le=65535)
    web_host: str = "0.0.0.0"
    web_link_days: float = Field(default=7.0, gt=0, le=365)  # how long a channel page link works

    @field_validator("settings_admins")
    @classmethod
    def _check_settings_admins(cls, value: str) -> str:
        from bot.commands.permissions import Policy

        try:
            Policy.parse(value)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        return value.strip() or "admins"

    @field_validator("database_url")
    @classmethod
    def _normalise_db_url(cls, value: str) -> str:
        value = value.strip()
        if value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value[len("postgres://") :]
        elif value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value[len("postgresql://") :]
        return value

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()

    @staticmethod
    def _split(value: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in value.split(",") if part.strip())

    @property
    def slack_requested(self) -> bool:
        """Any Slack setting present means the user asked for Slack (then it must be complete)."""
        return any(
            (
                self.slack_bot_token,
                self.slack_app_token,
                self.slack_signing_secret,
                self.slack_client_id,
                self.slack_client_secret,
            )
        )

    @property
    def settings_policy(self) -> Policy:
        """SETTINGS_ADMINS as a policy (see `bot.commands.permissions`)."""
        from bot.commands.permissions import Policy

        return Policy.parse(self.settings_admins)

    @property
    def positive_emoji_set(self) -> frozenset[str]:
        return frozenset(self._split(self.positive_emoji))

    @property
    def negative_emoji_set(self) -> frozenset[str]:
        return frozenset(self._split(self.negative_emoji))

    @property
    def default_categories(self) -> tuple[str, ...]:
        return self._split(self.arxiv_default_categories)

    def arxiv_lock_path(self) -> Path | None:
        """The lock file sharing the arXiv rate limit between processes ("none" disables it)."""
        if self.arxiv_lock_file.strip().lower() == "none":
            return None
        if self.arxiv_lock_file.strip():
            return Path(self.arxiv_lock_file).expanduser()
        try:
            from platformdirs import user_cache_dir

            return Path(user_cache_dir("paperbot", appauthor=False)) / "arxiv-rate.lock"
        except OSError:
            return None

    @property
    def email_requested(self) -> bool:
        """An SMTP server is configured: email channels get their digests."""
        return bool(self.smtp_host)

    def require(self, *names: str, why: str) -> None:
        """Fail fast, naming each missing variable, when a platform the user asked for lacks it."""
        missing = [n.upper() for n in names if not getattr(self, n)]
        if missing:
            raise ConfigError(
                f"{why} needs {', '.join(missing)} (set it in the environment or .env)"
            )


def load_settings(**overrides: object) -> Settings:
    """Read settings once; invalid values become a ConfigError that names the variable."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from exc
