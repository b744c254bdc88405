"""Webhook delivery of one alert (SPEC "Alerts"): the body, its signature, one POST, its outcome.

The body is JSON: `rule`, `change`, `story` (as `wire stories --json`, the version that fired)
and `sent_at` (this attempt's time). Headers: `X-Wire-Delivery` (the alert's id, the same on
every attempt, so a receiver can drop duplicates) and, when the rule has a `secret`,
`X-Wire-Signature: sha256=<hex HMAC-SHA256 of the body>`.

A failed attempt is retried after `retry_delay` (5 s, doubling to at most `MAX_RETRY_DELAY`):
the first retry comes within 30 s, and a receiver that was down for an hour gets its backlog
within five minutes of coming back. An alert is given up (`failed`) when the receiver refused
it `MAX_REFUSALS` times with a client error that retrying cannot cure (400, 404, 410, 413,
422, ...), or after `GIVE_UP_AFTER` of failures: until then it holds back the later alerts of
its rule, which are delivered in order.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from worker.model import format_time

SIGNATURE_HEADER = "X-Wire-Signature"
DELIVERY_HEADER = "X-Wire-Delivery"
FIRST_RETRY_DELAY = 5.0
MAX_RETRY_DELAY = 300.0
GIVE_UP_AFTER = timedelta(hours=24)
MAX_REFUSALS = 3
TIMEOUT = 10.0
#: client errors worth retrying: the receiver may accept the same request later
_TRANSIENT_4XX = {408, 409, 423, 425, 429}


@dataclass(frozen=True)
class Attempt:
    """What one POST came to: delivered (2xx), or the status and a short error."""

    delivered: bool
    status: int | None = None
    error: str | None = None

    @property
    def refused(self) -> bool:
        """A client error that the same request will meet again."""
        return (self.status is not None and 400 <= self.status < 500
                and self.status not in _TRANSIENT_4XX)


def webhook_body(rule: str, change: str, story: dict[str, Any], sent_at: datetime) -> bytes:
    return json.dumps({"rule": rule, "change": change, "story": story,
                       "sent_at": format_time(sent_at)}, ensure_ascii=False).encode()


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the exact body bytes with the rule's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def headers_for(alert_id: int, body: bytes, secret: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json", DELIVERY_HEADER: str(alert_id),
               "User-Agent": "wire-ingest"}
    if secret:
        headers[SIGNATURE_HEADER] = signature(secret, body)
    return headers


def post_webhook(client: httpx.Client, url: str, body: bytes,
                 headers: dict[str, str]) -> Attempt:
    """One POST; never raises for what the receiver or the network does.

    The error names the status or the kind of failure, never the URL (it may hold credentials).
    """
    try:
        response = client.post(url, content=body, headers=headers, timeout=TIMEOUT)
    except httpx.TimeoutException:
        return Attempt(False, error="timed out")
    except httpx.HTTPError as e:
        return Attempt(False, error=f"cannot connect: {type(e).__name__}")
    if 200 <= response.status_code < 300:
        return Attempt(True, response.status_code)
    return Attempt(False, response.status_code, f"HTTP {response.status_code}")


def retry_delay(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones: 5, 10, 20, ... at most 300."""
    return min(FIRST_RETRY_DELAY * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY)


def gives_up(attempt: Attempt, attempts: int, fired_at: datetime, now: datetime) -> bool:
    """Whether a failed alert is abandoned after `attempts` tries (this one included)."""
    return (attempt.refused and attempts >= MAX_REFUSALS) or now - fired_at >= GIVE_UP_AFTER
