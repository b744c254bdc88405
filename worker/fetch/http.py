"""HTTP(S) fetching with httpx: timeouts, a body cap after decompression, bounded redirects.

`fetch_url` is the one-shot fetch `wire ingest URL` uses. Pollers use the same limits.
"""

from __future__ import annotations

from datetime import datetime, timezone

import httpx

from worker.errors import FeedError
from worker.model import Document

CONNECT_TIMEOUT = 10.0
TOTAL_TIMEOUT = 30.0
MAX_REDIRECTS = 5
USER_AGENT = "wire-ingest/0.1 (+https://github.com/wire-ingest/wire-ingest)"


def make_client(timeout: float = TOTAL_TIMEOUT) -> httpx.Client:
    """A pooled keep-alive client with the product's limits."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT},
    )


def read_capped(response: httpx.Response, name: str, max_bytes: int) -> bytes:
    """The decompressed body, refused once it passes `max_bytes`."""
    chunks = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FeedError(name, f"body larger than the cap of {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_url(
    url: str, max_bytes: int, headers: dict[str, str] | None = None,
    client: httpx.Client | None = None,
) -> Document:
    """GET one URL into a Document; raises FeedError naming the URL and the problem."""
    own = client is None
    client = client or make_client()
    try:
        with client.stream("GET", url, headers=headers or {}) as response:
            if response.status_code >= 400:
                raise FeedError(url, f"HTTP {response.status_code} {response.reason_phrase}")
            body = read_capped(response, url, max_bytes)
            return Document(
                name=url,
                content=body,
                content_type=response.headers.get("content-type"),
                base_url=str(response.url),
                received_at=datetime.now(timezone.utc),
            )
    except httpx.HTTPError as e:
        raise FeedError(url, f"{type(e).__name__}: {e}") from e
    finally:
        if own:
            client.close()
