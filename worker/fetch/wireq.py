"""dpa wireQ queues (`protocol: dpa-wireq`, SPEC "Delivery protocols").

wireQ is a queue, not a feed: `GET {url}/entries.json` hands out the entries waiting (up to 50),
each with a `_wireq_receipt`, and hides them for a while; an entry is gone only once
`DELETE {url}/entry/{receipt}` is sent, else it comes back (with a new receipt) for ever. Every
answer, a 200 too, carries `retry-after`: the queue's own pacing (short while more entries
wait, long when it is empty), which sets the next poll.

Superdesk deletes before it stores and loses entries on a restart; here an entry is deleted
only after the commit that stored it (`acknowledge`), so a crash at any point loses nothing:
an entry stored but not yet deleted is simply delivered again (a no-op by the merge rule) and
deleted then. The receipts stored but not yet deleted are the position
(`{"pending": [...]}`), written with each entry's stories: the next poll deletes them first,
before they can reappear.

Each entry is one document, its receipt taken out (a delivery token, not content: the archive
of the same entry delivered twice is one document). Entries of one answer are delivered in the
order of the SPEC's version key (`version_created`, then `version`), so a story's versions
arrive oldest first, and an entry that came twice in one answer (the same urn, version and
content) is stored once and both receipts deleted.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from worker.config import FeedConfig
from worker.errors import FeedError
from worker.fetch.agency import AgencyClient
from worker.fetch.base import Batch, FetchContext, Fetched, Position
from worker.model import Document
from worker.normalize.dates import parse_time

log = logging.getLogger(__name__)

RECEIPT = "_wireq_receipt"
#: a receipt the queue no longer knows: already deleted (410) or expired/unknown (404)
GONE = (404, 410)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def open_source(feed: FeedConfig, context: FetchContext) -> WireQSource:
    return WireQSource(feed, context)


@dataclass(frozen=True)
class Entry:
    """One entry to store, and every receipt it came with."""

    key: tuple[datetime, int, str]
    content: bytes
    urn: str
    version: Any
    receipts: tuple[str, ...]


class WireQSource:
    def __init__(self, feed: FeedConfig, context: FetchContext) -> None:
        self.feed = feed
        self.context = context
        self.base = feed.resolved_url(context.environment).rstrip("/")
        self.headers = feed.resolved_headers(context.environment)
        self.http = AgencyClient(feed.name, context, feed.secrets(context.environment))
        #: receipts stored but whose DELETE failed: kept in the position for the next poll
        self.undeleted: list[str] = []

    def fetch(self, position: Position) -> Batch:
        pending = [r for r in position.get("pending") or () if isinstance(r, str)]
        self.undeleted = [r for r in pending if not self._delete(r)]
        answer = self.http.request("GET", f"{self.base}/entries.json", "entries.json",
                                   headers=self.headers)
        if answer.status != 200:
            raise self.http.fail("entries.json", answer)
        pacing = answer.retry_after(self.context.now)
        data = answer.json(self.feed.name, "entries.json")
        raw = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(raw, list):
            raise self.http.error("entries.json: no `entries` list in the answer")
        entries = ordered(raw)
        batch = Batch(next_poll_in=pacing, extra={"entries": len(raw)})
        if not entries:
            batch.unchanged = "no entries"
            batch.position = {"pending": self.undeleted} if pending else None
            return batch
        batch.documents = self._documents(entries, batch)
        return batch

    def _documents(self, entries: list[Entry], batch: Batch) -> Iterator[Fetched]:
        for entry in entries:
            name = f"{self.feed.name}: entry {entry.urn} v{entry.version}"
            document = Document(name=name, content=entry.content,
                                content_type="application/json", received_at=self.context.now)
            position = {"pending": [*self.undeleted, *entry.receipts]}
            yield Fetched(document, position, receipt=entry.receipts)
        # every entry stored and its DELETE sent: keep only what could not be deleted
        batch.position = {"pending": list(self.undeleted)}

    def acknowledge(self, fetched: Fetched, error: str | None) -> None:
        """DELETE the entry's receipts: it is stored (or refused, and recorded as such)."""
        for receipt in fetched.receipt or ():
            if not self._delete(receipt):
                self.undeleted.append(receipt)

    def close(self) -> None:
        pass

    def _delete(self, receipt: str) -> bool:
        """True once the queue no longer holds the receipt; False to try again next poll."""
        try:
            answer = self.http.request("DELETE", f"{self.base}/entry/{receipt}", "DELETE entry",
                                       headers=self.headers)
        except FeedError as e:
            log.warning("wireq_delete_failed", extra={"feed": self.feed.name, "error": str(e)})
            return False
        if answer.status < 300 or answer.status in GONE:
            return True
        log.warning("wireq_delete_failed", extra={"feed": self.feed.name,
                                                  "status": answer.status})
        return False


def ordered(raw: list[Any]) -> list[Entry]:
    """The entries of one answer by the SPEC's version key, each distinct entry once.

    Pure. An entry delivered twice (the same content once its receipt is taken out) becomes
    one Entry with both receipts; entries that are not objects are kept as they are (the
    parser reports them).
    """
    by_content: dict[bytes, Entry] = {}
    for item in raw:
        receipt = item.get(RECEIPT) if isinstance(item, dict) else None
        body = {k: v for k, v in item.items() if k != RECEIPT} if isinstance(item, dict) else item
        content = json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
        receipts = (receipt,) if isinstance(receipt, str) and receipt else ()
        seen = by_content.get(content)
        if seen is not None:
            by_content[content] = Entry(seen.key, seen.content, seen.urn, seen.version,
                                        seen.receipts + receipts)
            continue
        fields = body if isinstance(body, dict) else {}
        created = parse_time(fields.get("version_created")) or _EPOCH
        version = fields.get("version")
        urn = str(fields.get("urn") or fields.get("entry_id") or "?")
        key = (created, version if isinstance(version, int) else 0, urn)
        by_content[content] = Entry(key, content, urn, version, receipts)
    return sorted(by_content.values(), key=lambda e: e.key)
