"""API keys and their roles. A key is shown once, when made; only its SHA-256 is stored.

Roles rise: a viewer reads rotas and scenarios; a coordinator also requests rotas; a planner
also runs comparisons (the released-hours report, which plans several rotas).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from api.db import ApiKeyRow, utc, utcnow

__all__ = ["ApiKey", "KeyStore", "Role", "token_sha256"]

TOKEN_PREFIX = "dck_"
TOKEN_BYTES = 32


class Role(StrEnum):
    VIEWER = "viewer"
    COORDINATOR = "coordinator"
    PLANNER = "planner"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    id: str
    label: str
    role: Role
    created_at: dt.datetime
    revoked: bool


def _key(row: ApiKeyRow) -> ApiKey:
    created = utc(row.created_at)
    assert created is not None  # NOT NULL
    return ApiKey(row.id, row.label, Role(row.role), created, row.revoked_at is not None)


class KeyStore:
    def __init__(self, engine: Engine):
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def create(self, role: Role, label: str = "") -> tuple[ApiKey, str]:
        """A new key and its token (32 random bytes): the token is not kept, show it now."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        row = ApiKeyRow(
            id=uuid.uuid4().hex[:12],
            label=label,
            role=role.value,
            token_sha256=token_sha256(token),
            created_at=utcnow(),
        )
        with self._sessions() as session, session.begin():
            session.add(row)
        return _key(row), token

    def find(self, token: str) -> ApiKey | None:
        """The key of ``token``, unless unknown or revoked."""
        with self._sessions() as session:
            row = session.scalar(
                select(ApiKeyRow).where(
                    ApiKeyRow.token_sha256 == token_sha256(token), ApiKeyRow.revoked_at.is_(None)
                )
            )
            return _key(row) if row is not None else None

    def all(self) -> list[ApiKey]:
        with self._sessions() as session:
            rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)).all()
            return [_key(row) for row in rows]

    def revoke(self, key_id: str) -> bool:
        with self._sessions() as session, session.begin():
            changed = session.execute(
                update(ApiKeyRow)
                .where(ApiKeyRow.id == key_id, ApiKeyRow.revoked_at.is_(None))
                .values(revoked_at=utcnow())
                .returning(ApiKeyRow.id)
            ).first()
            return changed is not None
