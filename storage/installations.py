"""`SqlInstallations`: the InstallationRepository port (app installs, OAuth states) on SQLModel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.errors import StorageError
from bot.models import InstallationRecord, Platform
from storage.store import SqlStore
from storage.tables import InstallationRow, OAuthStateRow
from storage.token_cipher import TokenCipher


def _key(value: str | None) -> str:
    return value or ""


class SqlInstallations:
    """Installs keyed by (platform, enterprise, workspace, installer); states are single-use.
    Each install's data (the SDK's JSON, tokens included) is sealed by `cipher` when it has a
    key (`TOKEN_ENCRYPTION_KEY`)."""

    def __init__(self, store: SqlStore, cipher: TokenCipher | None = None) -> None:
        self.store = store
        self.cipher = cipher or TokenCipher([])

    def save_installation(self, record: InstallationRecord) -> None:
        for _attempt in range(2):  # a concurrent first save of the same key: update instead
            try:
                with self.store.session() as s:
                    row = s.exec(
                        select(InstallationRow).where(
                            InstallationRow.platform == record.platform.value,
                            InstallationRow.enterprise_id == _key(record.enterprise_id),
                            InstallationRow.workspace == _key(record.workspace),
                            InstallationRow.user_id == _key(record.user_id),
                        )
                    ).first()
                    if row is None:
                        row = InstallationRow(
                            platform=record.platform.value,
                            enterprise_id=_key(record.enterprise_id),
                            workspace=_key(record.workspace),
                            user_id=_key(record.user_id),
                            data=self.cipher.seal(record.data),
                            installed_at=record.installed_at,
                        )
                    else:
                        row.data = self.cipher.seal(record.data)
                        row.installed_at = record.installed_at
                    s.add(row)
                return
            except IntegrityError:
                continue
        raise StorageError("could not save the installation (concurrent writes)")

    def find_installation(
        self,
        platform: Platform,
        enterprise_id: str | None,
        workspace: str | None,
        user_id: str | None = None,
    ) -> InstallationRecord | None:
        with self.store.session() as s:
            query = select(InstallationRow).where(
                InstallationRow.platform == platform.value,
                InstallationRow.enterprise_id == _key(enterprise_id),
                InstallationRow.workspace == _key(workspace),
            )
            if user_id is not None:
                query = query.where(InstallationRow.user_id == user_id)
            row = s.exec(
                query.order_by(
                    col(InstallationRow.installed_at).desc(), col(InstallationRow.id).desc()
                )
            ).first()
            if row is None:
                return None
            return InstallationRecord(
                platform=Platform(row.platform),
                enterprise_id=row.enterprise_id or None,
                workspace=row.workspace or None,
                user_id=row.user_id or None,
                data=self.cipher.open(row.data),
                installed_at=row.installed_at,
            )

    def delete_installations(
        self,
        platform: Platform,
        enterprise_id: str | None,
        workspace: str | None,
        user_id: str | None = None,
    ) -> int:
        with self.store.session() as s:
            query = delete(InstallationRow).where(
                col(InstallationRow.platform) == platform.value,
                col(InstallationRow.enterprise_id) == _key(enterprise_id),
                col(InstallationRow.workspace) == _key(workspace),
            )
            if user_id is not None:
                query = query.where(col(InstallationRow.user_id) == user_id)
            return int(s.execute(query).rowcount or 0)  # type: ignore[attr-defined]

    def reseal_installations(self) -> int:
        """Every stored install sealed again with the cipher's first key (plaintext ones too):
        after setting or rotating `TOKEN_ENCRYPTION_KEY`. Returns how many were rewritten."""
        with self.store.session() as s:
            rows = list(s.exec(select(InstallationRow)))
            for row in rows:
                row.data = self.cipher.reseal(row.data)
                s.add(row)
            return len(rows)

    def issue_oauth_state(self, state: str, expires_at: datetime) -> None:
        with self.store.session() as s:
            s.add(OAuthStateRow(state=state, expires_at=expires_at))

    def consume_oauth_state(self, state: str, now: datetime) -> bool:
        with self.store.session() as s:
            row = s.get(OAuthStateRow, state)
            if row is None:
                return False
            s.delete(row)
            return row.expires_at > now


__all__ = ["SqlInstallations"]
