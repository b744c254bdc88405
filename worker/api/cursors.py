"""Opaque cursors: a store position, as a URL-safe token a client passes back unchanged.

The token is base64url of a small JSON list whose first element names the kind of position
(`c` change feed, `t` stories by time, `r` stories by rank). Clients must not build or read
them; a token that does not decode is a 400 naming its parameter.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from worker.api.errors import BadParameter


def encode(position: tuple[Any, ...]) -> str:
    values = [v.isoformat() if isinstance(v, datetime) else v for v in position]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, parameter: str, length: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadParameter(parameter, "not a cursor this API gave out") from None
    if not isinstance(values, list) or len(values) != length or not isinstance(values[0], str):
        raise BadParameter(parameter, "not a cursor this API gave out")
    return values


def _int(value: Any, parameter: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise BadParameter(parameter, "not a cursor this API gave out")
    return value


def change_cursor(position: int) -> str:
    return encode(("c", position))


def decode_change(token: str, parameter: str = "after") -> int:
    """A change feed position: the id of the last change seen."""
    kind, id_ = _decode(token, parameter, 2)
    if kind != "c":
        raise BadParameter(parameter, "not a cursor of the change feed")
    return _int(id_, parameter)


def decode_story(token: str, parameter: str = "cursor") -> tuple[Any, ...]:
    """A stories position: ("t", datetime, id), or ("r", offset, newest id of the window)."""
    kind, value, last = _decode(token, parameter, 3)
    if kind == "t" and isinstance(value, str):
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            raise BadParameter(parameter, "not a cursor this API gave out") from None
        if at.tzinfo is not None:
            return ("t", at, _int(last, parameter))
    if kind == "r":
        return ("r", _int(value, parameter), _int(last, parameter))
    raise BadParameter(parameter, "not a cursor this API gave out")
