"""A fake AP Media API: `/media/v/content/feed` with `next_page` cursors, NITF renditions.

Like AP: the feed answers oldest first, `page_size` items a page, with `next_page` continuing
exactly after the page (`qt` names the query, `seq` the place in the stream); a page that is
not full means nothing more is waiting. A query token can be expired (`expire_cursors`): it
then answers HTTP 400 with AP's code 6060, and a new first request (optionally limited by
`mindate:>` in `q`) starts a new one. Every request needs `x-api-key`; `statuses` queues
answers per kind (`feed`, `nitf`) such as 429 with Retry-After, the per-minute quota.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.agencies.base import Call, FakeAgency, Reply

MINDATE = re.compile(r"mindate:>(\S+?Z)")


class FakeAP(FakeAgency):
    def __init__(self, api_key: str, page_size: int = 3) -> None:
        super().__init__()
        self.api_key = api_key
        self.page_size = page_size
        self.stream: list[dict[str, Any]] = []  # every item version in the order AP sent them
        self.queries: dict[str, str] = {}  # qt -> q
        self.expired: set[str] = set()
        self.statuses: dict[str, list[tuple[int, dict[str, str]]]] = {"feed": [], "nitf": []}
        self.bodies: dict[str, str] = {}

    def publish(self, itemid: str, version: int, created: str, headline: str, body: str,
                kind: str = "text", **extra: Any) -> None:
        with self.lock:
            item = {
                "uri": f"{self.base}/media/v/content/{itemid}?qt=x&et={version}",
                "altids": {"itemid": itemid, "etag": f"{itemid}_{version}"},
                "version": version, "type": kind, "urgency": 4, "language": "en",
                "versioncreated": created, "firstcreated": created, "pubstatus": "usable",
                "signals": ["newscontent"], "headline": headline, "slugline": f"BC-{itemid}",
                "bylines": [{"by": "By SAM ROE"}], "located": "CHICAGO",
                "description_summary": "Summary only.", **extra,
            }
            if kind == "text":
                key = f"{itemid}.{version}"
                self.bodies[key] = body
                item["renditions"] = {"nitf": {
                    "contentid": key, "format": "IIM", "mimetype": "text/xml",
                    "href": f"{self.base}/media/v/content/{key}/download?type=text&format=nitf"}}
            self.stream.append(item)

    def expire_cursors(self) -> None:
        with self.lock:
            self.expired |= set(self.queries)

    def fail(self, kind: str, status: int, **headers: str) -> None:
        with self.lock:
            self.statuses[kind].append((status, headers))

    @property
    def first_url(self) -> str:
        return f"{self.base}/media/v/content/feed?q=productid:(1+OR+2)&include=*"

    def answer(self, call: Call) -> Reply:
        if call.headers.get("x-api-key") != self.api_key:
            return Reply.json(401, {"error": {"code": 401, "message": "invalid api key"}})
        if call.path.endswith("/download"):
            return self._nitf(call)
        if call.path == "/media/v/content/feed":
            return self._feed(call)
        return Reply(404)

    def _queued(self, kind: str) -> Reply | None:
        if self.statuses[kind]:
            status, headers = self.statuses[kind].pop(0)
            return Reply.json(status, {"error": {"code": status, "message": "quota exceeded"}},
                              **headers)
        return None

    def _feed(self, call: Call) -> Reply:
        queued = self._queued("feed")
        if queued:
            return queued
        qt = call.query.get("qt", [None])[0]
        if qt is not None:
            if qt in self.expired or qt not in self.queries:
                return Reply.json(400, {"error": {"code": 6060, "message": "qt expired"}})
            start = int(call.query.get("seq", ["0"])[0])
        else:
            q = call.query.get("q", [""])[0]
            qt = uuid.uuid4().hex[:10]
            self.queries[qt] = q
            since = MINDATE.search(q)
            start = 0
            if since:
                start = next((i for i, item in enumerate(self.stream)
                              if item["versioncreated"] > since.group(1)), len(self.stream))
        page = self.stream[start:start + self.page_size]
        nxt = start + len(page)
        return Reply.json(200, {
            "api_version": "2.2", "method": "/content/feed.GET", "id": qt,
            "params": {"qt": qt, "seq": start},
            "data": {"page_size": self.page_size, "current_item_count": len(page),
                     "next_page": f"{self.base}/media/v/content/feed?qt={qt}&seq={nxt}",
                     "items": [{"meta": {"products": [{"id": 1}]}, "item": i} for i in page]},
        })

    def _nitf(self, call: Call) -> Reply:
        queued = self._queued("nitf")
        if queued:
            return queued
        key = call.path.split("/")[-2]
        body = self.bodies.get(key)
        if body is None:
            return Reply(404, b"not found")
        paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
        return Reply(200, (
            '<?xml version="1.0" encoding="utf-8"?><nitf><head><title>x</title></head><body>'
            f"<body.content><block>{paragraphs}</block></body.content></body></nitf>"
        ).encode(), {"Content-Type": "text/xml"})
