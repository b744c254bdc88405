"""The `http` protocol (SPEC "Delivery protocols"): conditional GET with httpx.

`fetch_url` is the one-shot fetch `wire ingest URL` uses; `fetch_feed` is the poller's, behind
`HttpSource` (the feed's position is its validators). Both use one pooled keep-alive client
(`make_client`, one per worker process) and the same limits.

What `fetch_feed` does to keep a poll of an unchanged feed cheap and polite (docs/design.md "Polling"):

- it sends `If-None-Match` / `If-Modified-Since` from the validators kept for the feed; a 304
  ends the poll, and the validators the 304 carries replace the kept ones (a server may rotate
  them; readers that kept stale validators were fetching the whole feed ever after);
- a 200 whose ETag equals the kept one ends the poll before the body is read (servers that
  ignore `If-None-Match` but send a stable ETag);
- a 200 whose body hashes (xxh3-128) like the last one ends the poll before any parse;
  the new validators are still returned, so they are kept.

Limits: connect timeout 10 s; every read 30 s; the whole body within `TOTAL_TIMEOUT` (a server that
trickles an endless body is cut off); the body is capped *after* decompression (a small gzip
bomb cannot blow up the worker); at most `MAX_REDIRECTS` redirects. A 429 or 503 carries its
`Retry-After` in the FeedError, for the schedule.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import httpx
import xxhash

from worker.errors import FeedError
from worker.fetch.base import Batch, FetchContext, Fetched, Position
from worker.model import Document
from worker.polling import parse_retry_after

if TYPE_CHECKING:
    from worker.config import FeedConfig

CONNECT_TIMEOUT = 10.0
TOTAL_TIMEOUT = 30.0
MAX_REDIRECTS = 5
USER_AGENT = "wire-ingest/0.1 (+https://github.com/wire-ingest/wire-ingest)"
#: pooled keep-alive connections per worker process
MAX_CONNECTIONS = 20


def make_client(timeout: float = TOTAL_TIMEOUT) -> httpx.Client:
    """A pooled keep-alive client with the product's limits."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=10,
                            keepalive_expiry=60.0),
    )


def read_capped(
    response: httpx.Response, name: str, max_bytes: int, deadline: float | None = None
) -> bytes:
    """The decompressed body, refused once it passes `max_bytes` or the monotonic `deadline`."""
    chunks = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FeedError(name, f"body larger than the cap of {max_bytes} bytes")
        if deadline is not None and time.monotonic() > deadline:
            raise FeedError(name, "body not received within the total timeout")
        chunks.append(chunk)
    return b"".join(chunks)


def body_hash(content: bytes) -> str:
    return xxhash.xxh3_128_hexdigest(content)


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
            body = read_capped(response, url, max_bytes, time.monotonic() + TOTAL_TIMEOUT)
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


@dataclass(frozen=True)
class Validators:
    """What is kept per feed between polls to ask "anything new?"."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """One poll's fetch: a document, or `unchanged` set to why not (`304`, `etag`, `body`)."""

    validators: Validators
    status_code: int
    document: Document | None = None
    unchanged: str | None = None


def fetch_feed(
    client: httpx.Client,
    name: str,
    url: str,
    headers: dict[str, str],
    kept: Validators,
    max_bytes: int,
    now: datetime,
    total_timeout: float = TOTAL_TIMEOUT,
) -> FetchResult:
    """Conditional GET of a feed; raises FeedError (naming the feed) for every failure."""
    request_headers = dict(headers)
    if kept.etag:
        request_headers["If-None-Match"] = kept.etag
    if kept.last_modified:
        request_headers["If-Modified-Since"] = kept.last_modified
    deadline = time.monotonic() + total_timeout
    try:
        with client.stream("GET", url, headers=request_headers) as response:
            return _read_response(response, name, kept, max_bytes, now, deadline)
    except httpx.HTTPError as e:
        raise FeedError(name, f"{url}: {type(e).__name__}: {e}") from e


def _read_response(
    response: httpx.Response, name: str, kept: Validators, max_bytes: int, now: datetime,
    deadline: float,
) -> FetchResult:
    code = response.status_code
    etag = response.headers.get("etag")
    last_modified = response.headers.get("last-modified")
    if code == 304:
        response.read()  # nothing to read, but a response read to its end keeps the connection
        validators = Validators(etag or kept.etag, last_modified or kept.last_modified,
                                kept.body_hash)
        return FetchResult(validators, code, unchanged="304")
    if code >= 300:
        retry_after = None
        if code in (429, 503):
            retry_after = parse_retry_after(response.headers.get("retry-after"), now)
        raise FeedError(name, f"{response.url}: HTTP {code} {response.reason_phrase}",
                        retry_after)
    if etag and etag == kept.etag:
        return FetchResult(Validators(etag, last_modified or kept.last_modified, kept.body_hash),
                           code, unchanged="etag")
    body = read_capped(response, name, max_bytes, deadline)
    if not body.strip():
        raise FeedError(name, f"{response.url}: HTTP {code} with an empty body")
    digest = body_hash(body)
    validators = Validators(etag, last_modified, digest)
    if digest == kept.body_hash:
        return FetchResult(validators, code, unchanged="body")
    document = Document(
        name=f"{name}: {response.url}",
        content=body,
        content_type=response.headers.get("content-type"),
        base_url=str(response.url),
        received_at=now,
    )
    return FetchResult(validators, code, document=document)


class HttpSource:
    """A feed at an http(s) URL; its position is the validators of the last answer."""

    def __init__(self, feed: FeedConfig, context: FetchContext) -> None:
        self.feed = feed
        self.context = context

    def fetch(self, position: Position) -> Batch:
        kept = Validators(position.get("etag"), position.get("last_modified"),
                          position.get("body_hash"))
        ctx = self.context
        # `${NAME}` in the URL is expanded only here; what it turns into is never shown
        secrets = self.feed.secrets(ctx.environment)
        try:
            fetched = fetch_feed(ctx.client, self.feed.name,
                                 self.feed.resolved_url(ctx.environment),
                                 self.feed.resolved_headers(ctx.environment), kept,
                                 ctx.max_bytes, ctx.now)
        except FeedError as e:
            raise FeedError(e.feed, secrets.redact(e.message), e.retry_after) from None
        validators = asdict(fetched.validators)
        if fetched.document is None:
            return Batch(position=validators, unchanged=fetched.unchanged)
        document = replace(fetched.document, name=secrets.redact(fetched.document.name))
        # a body that does not parse is fetched again next time: the feed shows as failing
        return Batch([Fetched(document, validators, retry_on_failure=True)])

    def acknowledge(self, fetched: Fetched, error: str | None) -> None:
        pass  # an HTTP feed keeps nothing for us to take away

    def close(self) -> None:
        pass  # the client is the worker process's


def open_source(feed: FeedConfig, context: FetchContext) -> HttpSource:
    return HttpSource(feed, context)
