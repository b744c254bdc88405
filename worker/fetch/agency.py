"""What the agencies' HTTP APIs share: one request with the product's limits, errors that name
the feed and what was asked but never a URL or a secret, and the agency's pacing.

An agency API's URLs are secrets in their own right (dpa's wireQ base URL is the credential;
AP's links may carry a key), so an error says what was asked (`entries.json`, `next page`,
`NITF rendition of item X`) and the status, and every message still passes through the feed's
`Secrets.redact` (a library's exception text can quote a URL).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from worker.errors import FeedError
from worker.fetch.base import FetchContext
from worker.fetch.http import TOTAL_TIMEOUT, read_capped
from worker.polling import parse_retry_after
from worker.secrets import Secrets


@dataclass(frozen=True)
class Answer:
    """An HTTP answer read whole (within the size cap)."""

    status: int
    headers: httpx.Headers
    body: bytes

    def retry_after(self, now: datetime) -> float | None:
        return parse_retry_after(self.headers.get("retry-after"), now)

    def json(self, feed: str, what: str) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as e:
            raise FeedError(feed, f"{what}: HTTP {self.status} answer is not JSON ({e})") from None


class AgencyClient:
    """Requests of one feed to its agency, with its secrets kept out of every error."""

    def __init__(self, feed: str, context: FetchContext, secrets: Secrets) -> None:
        self.feed = feed
        self.context = context
        self.secrets = secrets

    def request(self, method: str, url: str, what: str, **kwargs: Any) -> Answer:
        """One request; FeedError (naming `what`, never the URL) for a transport failure."""
        deadline = time.monotonic() + TOTAL_TIMEOUT
        try:
            with self.context.client.stream(method, url, **kwargs) as response:
                body = read_capped(response, self.feed, self.context.max_bytes, deadline)
                return Answer(response.status_code, response.headers, body)
        except FeedError as e:
            raise FeedError(self.feed, self.secrets.redact(f"{what}: {e.message}")) from None
        except httpx.HTTPError as e:
            message = self.secrets.redact(f"{what}: {type(e).__name__}: {e}")
            raise FeedError(self.feed, message) from None

    def fail(self, what: str, answer: Answer) -> FeedError:
        """The FeedError for an answer that is not what was wanted (with its Retry-After)."""
        retry_after = answer.retry_after(self.context.now) if answer.status in (429, 503) else None
        detail = _detail(answer.body)
        message = f"{what}: HTTP {answer.status}" + (f" ({detail})" if detail else "")
        return FeedError(self.feed, self.secrets.redact(message), retry_after)

    def error(self, message: str) -> FeedError:
        return FeedError(self.feed, self.secrets.redact(message))


def _detail(body: bytes) -> str:
    """A short reason from an error body (`{"error": {"message": ...}}` or plain text)."""
    text = body[:300].decode("utf-8", "replace").strip()
    try:
        data = json.loads(body[:4000])
    except ValueError:
        return " ".join(text.split())[:120] if text and "<" not in text[:1] else ""
    if isinstance(data, dict):
        for key in ("error_description", "message", "error"):
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get("message") or value.get("code")
            if isinstance(value, str | int) and value:
                return str(value)[:120]
    return ""
