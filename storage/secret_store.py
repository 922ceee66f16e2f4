"""Secrets the app generates for itself once and keeps in the database (the link key)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from storage.base import StoreBase
from storage.tables import AppSecretRow


class SecretStore(StoreBase):
    """`get_or_create_secret`: the first process to ask creates it, every other one reads it."""

    def get_or_create_secret(self, name: str, make: Callable[[], str], *, now: datetime) -> str:
        with self.session() as s:
            row = s.get(AppSecretRow, name)
            if row is not None:
                return row.value
        try:
            with self.session() as s:
                s.add(AppSecretRow(name=name, value=make(), created_at=now))
        except IntegrityError:
            pass  # another process created it between our read and our insert: use theirs
        with self.session() as s:
            row = s.get(AppSecretRow, name)
            assert row is not None
            return row.value
