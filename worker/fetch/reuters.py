"""Reuters Connect (`protocol: reuters-connect`, SPEC "Delivery protocols").

Reuters Connect is GraphQL behind OAuth2 client credentials:

- the token: asked from `auth.token_url` (`grant_type=client_credentials` with `client_id`,
  `client_secret`, `audience`, `scope`), kept in the store until a minute before it expires
  (`worker.store.shared`), so every worker shares one token instead of asking at every poll; a
  401 drops it and asks once for a new one. It is never logged, and it is redacted from every
  error like the client secret;
- new items: `search` in `cursorMode: POLL` sorted by date, with the kept `endCursor`, page after
  page at once while `hasNextPage` is true; the last `endCursor` is kept for the next poll. The
  first poll, having no cursor, starts `FIRST_POLL_HOURS` back (a cursor-less search would
  otherwise return 30 days);
- each new item's body: `item(id: versionedGuid)`, one document per item, read by
  `worker.parse.reuters` (which honours `edStat:D` and a canceled `pubStatus` as a kill).

The position is `{"cursor": C, "done": [...]}`: C asks for the page being delivered, `done` the
items of it already stored. A crash re-reads that page and skips what is done; the page's last
item moves the cursor to its `endCursor`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from worker.config import FeedConfig
from worker.fetch.agency import AgencyClient, Answer
from worker.fetch.base import Batch, FetchContext, Fetched, Position
from worker.model import Document
from worker.store.shared import forget_token, load_token, save_token

log = logging.getLogger(__name__)

#: items per search page (Reuters' maximum is 100)
PAGE_SIZE = 100
#: a token is renewed this long before it expires
TOKEN_MARGIN = timedelta(seconds=60)
#: when the token answer says no lifetime (Reuters' tokens last 24 h)
DEFAULT_TOKEN_SECONDS = 3600
FIRST_POLL_HOURS = 24
MAX_PAGES = 50

SEARCH = """query WireSearch($cursor: String, $limit: Int, $filter: SearchFilter) {
  search(option: {cursorMode: POLL}, sort: {direction: ASC, field: DATE},
         cursor: $cursor, limit: $limit, filter: $filter) {
    pageInfo { endCursor hasNextPage }
    items { versionedGuid uri version versionCreated }
  }
}"""

ITEM = """query WireItem($id: ID!) {
  item(id: $id) {
    uri versionedGuid usn version versionCreated firstCreated pubStatus signal urgency
    headLine slug byLine dateLine language credit copyrightNotice keyword channels
    fragment bodyXhtml
    subject { code name rel }
  }
}"""


def open_source(feed: FeedConfig, context: FetchContext) -> ReutersSource:
    return ReutersSource(feed, context)


class ReutersSource:
    def __init__(self, feed: FeedConfig, context: FetchContext) -> None:
        self.feed = feed
        self.context = context
        self.url = feed.resolved_url(context.environment)
        self.auth = feed.resolved_auth(context.environment)
        self.secrets = feed.secrets(context.environment)
        self.http = AgencyClient(feed.name, context, self.secrets)
        self.token_key = hashlib.sha256("\n".join(
            self.auth.get(k, "") for k in ("token_url", "client_id", "audience", "scope")
        ).encode()).hexdigest()
        self.token: str | None = None

    def fetch(self, position: Position) -> Batch:
        cursor = position.get("cursor")
        done = set(position.get("done") or ())
        page = self._search(cursor)
        items, end, more = _page(page)
        batch = Batch(extra={"pages": 1, "items": len(items)})
        fresh = [i for i in items if i.get("versionedGuid") not in done]
        if not fresh and not more:
            batch.unchanged = "no items"
            if end and end != cursor:
                batch.position = {"cursor": end, "done": []}
            return batch
        batch.documents = self._documents(cursor, page, done, batch)
        return batch

    def acknowledge(self, fetched: Fetched, error: str | None) -> None:
        """Nothing to tell Reuters: the cursor moves with the stored position."""

    def close(self) -> None:
        pass

    def _documents(self, cursor: str | None, page: Any, done: set[str],
                   batch: Batch) -> Iterator[Fetched]:
        for pages in range(1, MAX_PAGES + 1):
            batch.extra["pages"] = pages
            items, end, more = _page(page)
            todo = [i for i in items if isinstance(i.get("versionedGuid"), str)
                    and i["versionedGuid"] not in done]
            for index, item in enumerate(todo):
                guid = item["versionedGuid"]
                last = index == len(todo) - 1
                if last:
                    position = {"cursor": end or cursor, "done": []}
                else:
                    done.add(guid)
                    position = {"cursor": cursor, "done": sorted(done)}
                yield Fetched(self._item(guid), position)
            if not todo and end and end != cursor:
                batch.position = {"cursor": end, "done": []}
            if not more or not end or time.monotonic() > self.context.deadline:
                return
            cursor, done = end, set()
            page = self._search(cursor)

    def _search(self, cursor: str | None) -> Any:
        filter_: dict[str, Any] = {"mediaTypes": ["TEXT"]}
        if self.feed.channels:
            filter_["channel"] = list(self.feed.channels)
        if cursor is None:
            since = self.context.now - timedelta(hours=FIRST_POLL_HOURS)
            filter_["dateRange"] = f"{since:%Y.%m.%d.%H.%M}-{self.context.now:%Y.%m.%d.%H.%M}"
        variables = {"cursor": cursor, "limit": PAGE_SIZE, "filter": filter_}
        answer = self._graphql(SEARCH, variables, "search")
        data = self._data(answer, "search")
        if not isinstance(data.get("search"), dict):
            raise self.http.error("search: no `search` in the answer")
        return data["search"]

    def _item(self, versioned_guid: str) -> Document:
        what = f"item {versioned_guid}"
        answer = self._graphql(ITEM, {"id": versioned_guid}, what)
        # the answer as it is: a GraphQL error for this one item is this document's failure
        return Document(name=f"{self.feed.name}: {what}", content=answer.body,
                        content_type="application/json", received_at=self.context.now)

    def _graphql(self, query: str, variables: dict[str, Any], what: str) -> Answer:
        body = json.dumps({"query": query, "variables": variables})
        for attempt in (1, 2):
            token = self._token(renew=attempt == 2)
            answer = self.http.request("POST", self.url, what, content=body, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            if answer.status == 401 and attempt == 1:
                forget_token(self.context.store, self.token_key, token)
                continue
            if answer.status != 200:
                raise self.http.fail(what, answer)
            return answer
        raise AssertionError("unreachable")

    def _data(self, answer: Answer, what: str) -> dict[str, Any]:
        parsed = answer.json(self.feed.name, what)
        data = parsed.get("data") if isinstance(parsed, dict) else None
        if not isinstance(data, dict) or data.get("search") is None:
            errors = parsed.get("errors") if isinstance(parsed, dict) else None
            message = (errors[0].get("message") if isinstance(errors, list) and errors
                       and isinstance(errors[0], dict) else None)
            raise self.http.error(f"{what}: {message or 'no data in the answer'}")
        return data

    def _token(self, renew: bool) -> str:
        """The shared token; a new one from the token endpoint when there is none (or `renew`)."""
        now = self.context.now
        if not renew:
            kept = self.token or load_token(self.context.store, self.token_key, now + TOKEN_MARGIN)
            if kept:
                self._use(kept)
                return kept
        form = {"grant_type": "client_credentials", **{
            k: v for k, v in self.auth.items() if k != "token_url"}}
        answer = self.http.request("POST", self.auth["token_url"], "access token", data=form)
        if answer.status != 200:
            raise self.http.fail("access token", answer)
        granted = answer.json(self.feed.name, "access token")
        token = granted.get("access_token") if isinstance(granted, dict) else None
        if not isinstance(token, str) or not token:
            raise self.http.error("access token: no access_token in the answer")
        lifetime = granted.get("expires_in")
        seconds = lifetime if isinstance(lifetime, int | float) and lifetime > 0 \
            else DEFAULT_TOKEN_SECONDS
        save_token(self.context.store, self.token_key, token, now + timedelta(seconds=seconds))
        self._use(token)
        return token

    def _use(self, token: str) -> None:
        self.token = token
        self.secrets = self.secrets.with_value(token)
        self.http.secrets = self.secrets


def _page(search: Any) -> tuple[list[dict[str, Any]], str | None, bool]:
    """(items, endCursor, hasNextPage) of a search answer."""
    info = search.get("pageInfo") if isinstance(search.get("pageInfo"), dict) else {}
    items = [i for i in search.get("items") or () if isinstance(i, dict)]
    end = info.get("endCursor") if isinstance(info.get("endCursor"), str) else None
    return items, end, bool(info.get("hasNextPage"))
