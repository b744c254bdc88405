"""A fake dpa wireQ queue: `GET {base}/entries.json`, `DELETE {base}/entry/{receipt}`.

Like wireQ: a GET hands out up to `max_entries` visible entries, each with a fresh
`_wireq_receipt`, and hides them for `receipt_seconds`; an entry not deleted by then comes back
with a new receipt. A DELETE with the current receipt removes the entry (204), an old or used
receipt is 410, an unknown one 404. Every answer carries `retry-after`: `retry_more` while more
entries wait, `retry_empty` otherwise; `statuses` queues other answers (429 with a long
retry-after). The base path holds a secret token, as the real base URL does.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from tests.agencies.base import Call, FakeAgency, Reply


@dataclass
class Queued:
    entry: dict[str, Any]
    hidden_until: float = 0.0
    receipt: str | None = None


class FakeWireQ(FakeAgency):
    def __init__(self, secret: str, max_entries: int = 50, receipt_seconds: float = 60.0,
                 retry_more: int = 10, retry_empty: int = 100) -> None:
        super().__init__()
        self.secret = secret
        self.max_entries = max_entries
        self.receipt_seconds = receipt_seconds
        self.retry_more = retry_more
        self.retry_empty = retry_empty
        self.queue: list[Queued] = []
        self.used: set[str] = set()
        self.statuses: list[tuple[int, dict[str, str]]] = []
        self.deleted: list[str] = []  # urns, in the order they were deleted

    @property
    def url(self) -> str:
        return f"{self.base}/wq/{self.secret}"

    def put(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.queue.append(Queued(entry))

    def answer(self, call: Call) -> Reply:
        prefix = f"/wq/{self.secret}/"
        if not call.path.startswith(prefix):
            return Reply(403)
        rest = call.path[len(prefix):]
        if self.statuses:
            status, headers = self.statuses.pop(0)
            return Reply.json(status, {"message": "too many requests"}, **headers)
        if call.method == "GET" and rest == "entries.json":
            return self._get()
        if call.method == "DELETE" and rest.startswith("entry/"):
            return self._delete(rest[len("entry/"):])
        return Reply(403)

    def _get(self) -> Reply:
        now = time.monotonic()
        visible = [q for q in self.queue if q.hidden_until <= now]
        handed = visible[: self.max_entries]
        out = []
        for queued in handed:
            if queued.receipt:
                self.used.add(queued.receipt)
            queued.receipt = uuid.uuid4().hex * 4
            queued.hidden_until = now + self.receipt_seconds
            out.append({**queued.entry, "_wireq_receipt": queued.receipt})
        more = len(visible) > len(handed)
        return Reply.json(200, {"entries": out},
                          **{"retry-after": str(self.retry_more if more else self.retry_empty)})

    def _delete(self, receipt: str) -> Reply:
        for queued in self.queue:
            if queued.receipt == receipt:
                self.queue.remove(queued)
                self.used.add(receipt)
                self.deleted.append(str(queued.entry.get("urn")))
                return Reply(204)
        return Reply(410 if receipt in self.used else 404)

    def _get_visible(self) -> int:
        with self.lock:
            return sum(1 for q in self.queue if q.hidden_until <= time.monotonic())

    def waiting(self) -> int:
        with self.lock:
            return len(self.queue)
