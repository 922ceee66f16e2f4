"""Secrets PaperBot makes for itself, made once and shared by every process on the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select

from storage.base import StoreBase
from storage.tables import AppSecretRow

_SECRET = AppSecretRow.__table__  # type: ignore[attr-defined]


class SecretStore(StoreBase):
    """`app_secret(name, make)`: the stored secret, created on first use."""

    def app_secret(self, name: str, make: Callable[[], str], *, now: datetime) -> str:
        """The secret under `name`; the first caller's `make()` is stored (insert if absent),
        so two processes starting at once still end up with one secret."""
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        insert = dialect.insert(_SECRET).values(name=name, value=make(), created_at=now)
        with self.session() as s:
            s.execute(insert.on_conflict_do_nothing(index_elements=["name"]))
            value = s.exec(select(AppSecretRow.value).where(AppSecretRow.name == name)).one()
        return value
