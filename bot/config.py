"""Settings: one object read once from the environment and `.env`, validated at start."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError


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
    new_channel_lookback_days: int = Field(default=3, ge=0, le=60)
    default_digest_size: int = Field(default=5, ge=1, le=25)
    default_timezone: str = "UTC"
    default_digest_time: str = "09:00"

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

    # --- ranking ---
    ranker: str = "auto"  # auto | lexical | semantic
    embedding_model: str = "all-MiniLM-L6-v2"
    embedding_max_tokens: int = Field(default=128, ge=16, le=512)
    popularity_weight: float = Field(default=0.1, ge=0)

    # --- reactions ---
    positive_emoji: str = "+1,thumbsup,heart,star,fire,tada,star-struck,100,rocket,eyes"
    negative_emoji: str = "-1,thumbsdown,no_entry_sign,x,zzz"

    # --- slack ---
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_api_url: str = "https://slack.com/api/"

    # --- discord ---
    discord_token: str | None = None
    discord_api_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str | None = None
    discord_guild_id: str | None = None

    # --- llm summaries (optional) ---
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str | None = None
    llm_daily_budget: int = Field(default=200, ge=0)
    llm_timeout_seconds: float = Field(default=20.0, gt=0)

    # --- web ---
    port: int = Field(default=3000, ge=1, le=65535)

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
    def positive_emoji_set(self) -> frozenset[str]:
        return frozenset(self._split(self.positive_emoji))

    @property
    def negative_emoji_set(self) -> frozenset[str]:
        return frozenset(self._split(self.negative_emoji))

    @property
    def default_categories(self) -> tuple[str, ...]:
        return self._split(self.arxiv_default_categories)

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
