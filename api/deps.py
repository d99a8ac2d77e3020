"""What a route may ask for: the service's parts, and a key of at least some role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.config import ServiceSettings
from api.keys import ApiKey, KeyStore, Role
from api.runner import JobRunner
from api.shipped import ShippedScenarios
from api.store import JobStore

__all__ = ["Coordinator", "Planner", "Services", "ServicesDep", "Viewer"]


@dataclass(frozen=True)
class Services:
    """Everything a request may use, made once per app when it starts (``api.main``)."""

    settings: ServiceSettings
    store: JobStore
    keys: KeyStore
    runner: JobRunner
    shipped: ShippedScenarios


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(_services)]

_bearer = HTTPBearer(
    auto_error=False,
    description="an API key made with `domcare keys create --role viewer|coordinator|planner`",
)


def _key(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiKey:
    if credentials is None:
        raise HTTPException(
            401,
            "an API key is needed: send the header 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    key = services.keys.find(credentials.credentials)
    if key is None:
        raise HTTPException(
            401, "this API key is not known, or was revoked", headers={"WWW-Authenticate": "Bearer"}
        )
    return key


def _role(needed: Role) -> object:
    def check(key: Annotated[ApiKey, Depends(_key)]) -> ApiKey:
        if not key.role.allows(needed):
            raise HTTPException(
                403, f"this needs a {needed.value} key (or higher); this key is a {key.role.value}"
            )
        return key

    return Depends(check)


Viewer = Annotated[ApiKey, _role(Role.VIEWER)]
"""Reads rotas, comparisons and scenarios."""
Coordinator = Annotated[ApiKey, _role(Role.COORDINATOR)]
"""Also requests rotas."""
Planner = Annotated[ApiKey, _role(Role.PLANNER)]
"""Also runs comparisons."""
