"""Chat app installs (OAuth tokens) sealed at rest with Fernet; keys can be rotated."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.errors import ConfigError, StorageError

SEALED = "fernet:"  # stored values that start with this are sealed; others are plaintext


class TokenCipher:
    """Seals with the first of `TOKEN_ENCRYPTION_KEY`'s keys and opens with any of them.

    Without keys it stores plaintext (as before) and refuses to guess at sealed values."""

    def __init__(self, keys: list[str]) -> None:
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in keys]) if keys else None
        except ValueError:
            raise ConfigError(
                "TOKEN_ENCRYPTION_KEY: every key must be a Fernet key (32 url-safe base64 bytes, "
                'e.g. from python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())")'
            ) from None

    @classmethod
    def from_setting(cls, text: str | None) -> TokenCipher:
        """`key` or `new,old,...` (comma-separated: the first seals, all open)."""
        return cls([k.strip() for k in (text or "").split(",") if k.strip()])

    @property
    def enabled(self) -> bool:
        return self._fernet is not None

    def seal(self, text: str) -> str:
        if self._fernet is None:
            return text
        return SEALED + self._fernet.encrypt(text.encode()).decode()

    def open(self, stored: str) -> str:
        if not stored.startswith(SEALED):
            return stored  # written before a key was set: sealed at the next save or reseal
        if self._fernet is None:
            raise StorageError("a stored install is encrypted but TOKEN_ENCRYPTION_KEY is not set")
        try:
            return self._fernet.decrypt(stored[len(SEALED) :].encode()).decode()
        except InvalidToken:
            raise StorageError(
                "a stored install is encrypted with a key TOKEN_ENCRYPTION_KEY does not hold"
            ) from None

    def reseal(self, stored: str) -> str:
        """The value sealed with the current first key (plaintext sealed too)."""
        if self._fernet is None:
            raise ConfigError("set TOKEN_ENCRYPTION_KEY to seal the stored installs")
        return self.seal(self.open(stored))


__all__ = ["SEALED", "TokenCipher"]
