"""`wire ingest` of one document: what it stored before is counted, not parsed again.

As a poll does with a feed's items (`worker.polls`), a document's item fingerprints are taken
first (`worker.parse.prescan`, on the decoded document the parse then reuses); when the store
recorded every one of them (`worker.store.ingested`), the document is not parsed and its
items count as storing them again would (`unchanged`, or `stale` when a later version is
current). Otherwise it is parsed and stored as always, and its items recorded in the same
transaction. `wire reparse` does not come here: it exists to parse again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine

from worker.model import Document
from worker.parse import decode
from worker.parse.prescan import item_fingerprints
from worker.pipeline import IngestResult, ParseOptions, ingest_document
from worker.store import ingested
from worker.store.clusters import Clustering
from worker.store.db import run_transaction


def salt(options: ParseOptions) -> str:
    """What the fingerprints depend on besides the item: how the document is read."""
    return f"ingest|{options.format}|{options.provider}|{options.default_tz}"


def ingest_given(engine: Engine, document: Document, options: ParseOptions,
                 clustering: Clustering, now: datetime) -> IngestResult:
    """Store one document given by hand, in one transaction (or none, when nothing is new).

    Raises DocumentError when it cannot be read, as `ingest_document` does.
    """
    if len(document.content) > options.max_bytes:  # refused by the parse, undecoded
        return run_transaction(engine, lambda conn: ingest_document(
            conn, document, options, clustering, now))
    decoded = decode(document)
    fingerprints = item_fingerprints(document, salt(options), decoded) or []
    if fingerprints:
        with engine.connect() as conn:
            counts = ingested.known_counts(conn, fingerprints)
        if counts is not None:
            return IngestResult(counts=counts)

    def store(conn: Connection) -> IngestResult:
        result = ingest_document(conn, document, options, clustering, now, decoded)
        if fingerprints and not result.problems and len(result.stored) == len(fingerprints):
            ingested.remember(conn, fingerprints, result.stored, now)
        return result

    return run_transaction(engine, store)
