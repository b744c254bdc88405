"""AP Media API feeds (`protocol: ap-media`, SPEC "Delivery protocols").

AP's feed is a cursor: each answer carries `data.next_page`, the request that continues exactly
after it; following it misses nothing and repeats nothing, re-reading the first URL does both.
So the kept position is that link, and the first URL is asked only when there is none:

- a full page (`current_item_count` reaches `page_size`) means more is waiting: its
  `next_page` is followed at once, within the same poll, until a page is not full (or the
  poll's deadline comes); the last link is kept for the next poll;
- each item is one document (`{"data": {"item": ...}}`, read by `worker.parse.apmedia`); a text
  item without a body gets it from its NITF rendition (`renditions.nitf.href`), asked with the
  feed's own headers (the API key) and carried inline as `renditions.nitf.value`;
- an item's position is the page it came from (a crash re-reads that page: re-delivery is a
  no-op), the page's last item moves it to `next_page`;
- a 429 (AP's per-minute quota) ends the poll with AP's `Retry-After` as the back-off; items
  stored so far keep their position;
- an expired cursor (HTTP 400/410: the query token lapses after idle time) restarts from `url`
  limited to items after the last one stored (`mindate:>`, a second early: re-delivering the
  item of that second is a no-op, missing one is not).

The stored link has credential query parameters taken out (and any secret value shown as its
`${NAME}`); they are put back from the configured URL when it is used.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from worker.config import FeedConfig
from worker.fetch.agency import AgencyClient
from worker.fetch.base import Batch, FetchContext, Fetched, Position
from worker.model import Document
from worker.normalize.dates import parse_time
from worker.secrets import CREDENTIAL_PARAMS, expand

log = logging.getLogger(__name__)

#: AP's "cursor expired" answers (the query token lapses after 72 h idle: 400, code 6060)
EXPIRED = (400, 410)
#: non-text items carry no NITF story body
NON_TEXT = {"picture", "graphic", "audio", "video", "complexdata"}
#: a poll follows at most this many full pages (the deadline usually comes first)
MAX_PAGES = 100


def open_source(feed: FeedConfig, context: FetchContext) -> APMediaSource:
    return APMediaSource(feed, context)


class APMediaSource:
    def __init__(self, feed: FeedConfig, context: FetchContext) -> None:
        self.feed = feed
        self.context = context
        self.environ = context.environment
        self.secrets = feed.secrets(self.environ)
        self.headers = feed.resolved_headers(self.environ)
        self.first_url = feed.resolved_url(self.environ)
        self.http = AgencyClient(feed.name, context, self.secrets)

    def fetch(self, position: Position) -> Batch:
        last_created = position.get("last_created")
        kept = position.get("next_page")
        url = self._usable(kept) if kept else self._first(last_created)
        answer = self.http.request("GET", url, "feed page", headers=self.headers)
        if kept and answer.status in EXPIRED:
            log.warning("ap_cursor_expired", extra={"feed": self.feed.name,
                                                    "status": answer.status})
            url = self._first(last_created)
            kept = None
            answer = self.http.request("GET", url, "feed page (cursor expired: restarted)",
                                       headers=self.headers)
        if answer.status != 200:
            raise self.http.fail("feed page", answer)
        data = _data(answer.json(self.feed.name, "feed page"))
        if data is None:
            raise self.http.error("feed page: no `data` object in the answer")
        batch = Batch(extra={"pages": 1})
        if not data.get("items"):
            batch.unchanged = "no items"
            batch.position = {"next_page": self._kept(data.get("next_page")) or kept,
                              "last_created": last_created}
            return batch
        batch.documents = self._documents(data, kept, last_created, batch)
        return batch

    def acknowledge(self, fetched: Fetched, error: str | None) -> None:
        """Nothing to tell AP: the cursor itself moves with the stored position."""

    def close(self) -> None:
        pass

    def _documents(self, data: dict[str, Any], page_link: str | None, last_created: str | None,
                   batch: Batch) -> Iterator[Fetched]:
        for pages in range(1, MAX_PAGES + 1):
            batch.extra["pages"] = pages
            items = [e.get("item", e) for e in data.get("items") or () if isinstance(e, dict)]
            next_page = self._kept(data.get("next_page"))
            for index, item in enumerate(items):
                last_created = _newer(last_created, item.get("versioncreated"))
                done = index == len(items) - 1
                position = {"next_page": next_page if done else page_link,
                            "last_created": last_created}
                yield Fetched(self._document(item), position)
            if not next_page or not _full(data, len(items)):
                return
            if time.monotonic() > self.context.deadline:
                return
            answer = self.http.request("GET", self._usable(next_page), "next page",
                                       headers=self.headers)
            if answer.status != 200:
                raise self.http.fail("next page", answer)
            following = _data(answer.json(self.feed.name, "next page"))
            if following is None:
                raise self.http.error("next page: no `data` object in the answer")
            page_link, data = next_page, following
            if not data.get("items"):
                batch.position = {"next_page": self._kept(data.get("next_page")) or page_link,
                                  "last_created": last_created}
                return

    def _document(self, item: dict[str, Any]) -> Document:
        """The item as a document, its NITF story body fetched when it has none inline."""
        altids = item.get("altids") if isinstance(item.get("altids"), dict) else {}
        itemid = str(altids.get("itemid") or "?")
        renditions = item.get("renditions") if isinstance(item.get("renditions"), dict) else {}
        nitf = renditions.get("nitf") if isinstance(renditions.get("nitf"), dict) else None
        kind = str(item.get("type") or "text").lower()
        if nitf and nitf.get("href") and not nitf.get("value") and kind not in NON_TEXT:
            what = f"NITF rendition of item {itemid}"
            answer = self.http.request("GET", self._usable(str(nitf["href"]), keep_params=True),
                                       what, headers=self.headers)
            if answer.status == 200:
                item = {**item, "renditions": {**renditions, "nitf": {
                    **nitf, "value": answer.body.decode("utf-8", "replace")}}}
            elif answer.status in (403, 404, 410):
                # gone or not licensed: the item's summary stands in for its body
                log.warning("rendition_unavailable", extra={
                    "feed": self.feed.name, "guid": itemid, "status": answer.status})
            else:
                raise self.http.fail(what, answer)  # 429 / 5xx: this page again next poll
        content = json.dumps({"data": {"item": item}}, ensure_ascii=False).encode("utf-8")
        name = f"{self.feed.name}: item {itemid} v{item.get('version', '?')}"
        return Document(name=name, content=content, content_type="application/json",
                        received_at=self.context.now)

    def _first(self, last_created: str | None) -> str:
        """The configured first request, limited to items after `last_created` if known."""
        if not last_created:
            return self.first_url
        when = parse_time(last_created)
        if when is None:
            return self.first_url
        since = (when - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        parts = urlsplit(self.first_url)
        params = parse_qsl(parts.query, keep_blank_values=True)
        query = next((v for k, v in params if k == "q"), "")
        limited = f"({query}) AND mindate:>{since}" if query else f"mindate:>{since}"
        params = [(k, v) for k, v in params if k != "q"] + [("q", limited)]
        return urlunsplit(parts._replace(query=urlencode(params)))

    def _kept(self, link: Any) -> str | None:
        """A `next_page` link as the store keeps it: no credential, no secret value."""
        if not isinstance(link, str) or not link:
            return None
        parts = urlsplit(link)
        params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                  if k.lower() not in CREDENTIAL_PARAMS]
        return self.secrets.redact(urlunsplit(parts._replace(query=urlencode(params))))

    def _usable(self, link: str, keep_params: bool = False) -> str:
        """A kept link made requestable: secrets expanded, the first URL's credentials back."""
        url = expand(link, self.environ, f"feed {self.feed.name!r}: next_page")
        credentials = [(k, v) for k, v in parse_qsl(urlsplit(self.first_url).query,
                                                    keep_blank_values=True)
                       if k.lower() in CREDENTIAL_PARAMS]
        if not credentials:
            return url
        parts = urlsplit(url)
        params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                  if keep_params or k.lower() not in CREDENTIAL_PARAMS]
        names = {k for k, _ in params}
        params += [(k, v) for k, v in credentials if k not in names]
        return urlunsplit(parts._replace(query=urlencode(params)))


def _data(answer: Any) -> dict[str, Any] | None:
    data = answer.get("data") if isinstance(answer, dict) else None
    return data if isinstance(data, dict) else None


def _full(data: dict[str, Any], count: int) -> bool:
    """A page that holds as many items as a page can: more are waiting behind it."""
    size = data.get("page_size")
    current = data.get("current_item_count", count)
    return isinstance(size, int) and isinstance(current, int) and size > 0 and current >= size


def _newer(kept: str | None, created: Any) -> str | None:
    if not isinstance(created, str):
        return kept
    new = parse_time(created)
    if new is None:
        return kept
    old = parse_time(kept) if kept else None
    if old is None or new > old:
        return new.strftime("%Y-%m-%dT%H:%M:%SZ")
    return kept
