"""Bearer keys (SPEC "HTTP API": `WIRE_API_KEYS`).

With keys set, every endpoint but `/healthz` and `/readyz` requires `Authorization: Bearer KEY`;
without, the API is open (its default bind is 127.0.0.1). The offered key is compared with
every configured key in constant time (`hmac.compare_digest`, no early exit), so the answer's
timing says nothing about how much of a key was right. Keys are never logged or echoed.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

_bearer = HTTPBearer(auto_error=False, description="a key of WIRE_API_KEYS, when it is set")


class Unauthorized(Exception):
    """No key, or not one of the configured keys: 401."""


def key_matches(offered: str, keys: tuple[bytes, ...]) -> bool:
    candidate = offered.encode("utf-8", "surrogateescape")
    found = False
    for key in keys:
        found |= hmac.compare_digest(candidate, key)
    return found


def require_key(request: Request, credentials: Annotated[
        HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    keys: tuple[bytes, ...] = request.app.state.api_keys
    if not keys:
        return
    if credentials is None or not key_matches(credentials.credentials, keys):
        raise Unauthorized()
