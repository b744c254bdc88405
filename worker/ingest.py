"""`wire ingest` of documents given by hand: what it stored before is counted, not parsed again.

As a poll does with a feed's items (`worker.polls`), a document's item fingerprints are taken
first (`worker.parse.prescan`, on the decoded document the parse then reuses); when the store
recorded every one of them (`worker.store.ingested`), the document is not parsed and its
items count as storing them again would (`unchanged`, or `stale` when a later version is
current). Otherwise it is parsed and stored as always, and its items recorded in the same
transaction. `wire reparse` does not come here: it exists to parse again.

The parsing and storing half (`worker.pipeline`: the parsers' normalizing, near-duplicate
detection with numpy and rensa, the alert and cluster statements) is imported with the first
document that has something new: a folder whose files are all stored costs their
fingerprints and a lighter start-up (docs/performance.md, "Known costs" 7).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from worker.documents import IngestResult, ParseOptions
from worker.model import Document
from worker.parse import Decoded, decode
from worker.parse.prescan import item_fingerprints
from worker.store import ingested
from worker.store.db import run_transaction

if TYPE_CHECKING:
    from worker.store.clusters import Clustering


def salt(options: ParseOptions) -> str:
    """What the fingerprints depend on besides the item: how the document is read."""
    return f"ingest|{options.format}|{options.provider}|{options.default_tz}"


class GivenDocuments:
    """Stores documents given by hand, each in one transaction (or none, when nothing is new).

    `window`: how far back near-duplicates are looked for (Settings.dedupe_window; None: the
    default). One instance per command: it keeps the near-duplicate shingle cache.
    """

    def __init__(self, engine: Engine, options: ParseOptions,
                 window: timedelta | None = None) -> None:
        self.engine = engine
        self.options = options
        self.window = window
        self._clustering: Clustering | None = None

    def ingest(self, document: Document, now: datetime) -> IngestResult:
        """Raises DocumentError when the document cannot be read, as a parse does."""
        if len(document.content) > self.options.max_bytes:  # refused by the parse, undecoded
            return self._store(document, now, None, [])
        decoded = decode(document)
        fingerprints = item_fingerprints(document, salt(self.options), decoded) or []
        if fingerprints:
            with self.engine.connect() as conn:
                counts = ingested.known_counts(conn, fingerprints)
            if counts is not None:
                return IngestResult(counts=counts)
        return self._store(document, now, decoded, fingerprints)

    def _store(self, document: Document, now: datetime, decoded: Decoded | None,
               fingerprints: list[str]) -> IngestResult:
        from worker.pipeline import ingest_document  # with the first document to parse

        clustering = self.clustering()

        def store(conn: Connection) -> IngestResult:
            result = ingest_document(conn, document, self.options, clustering, now, decoded)
            if fingerprints and not result.problems and len(result.stored) == len(fingerprints):
                ingested.remember(conn, fingerprints, result.stored, now)
            return result

        return run_transaction(self.engine, store)

    def clustering(self) -> Clustering:
        """The command's near-duplicate settings and shingle cache, made on first use."""
        if self._clustering is None:
            from worker.store.clusters import Clustering

            self._clustering = Clustering() if self.window is None else Clustering(self.window)
        return self._clustering
