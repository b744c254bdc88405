"""Small builders for tests: stories as a format would deliver them, and store read-backs."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import Engine

from worker.documents import IngestResult, ParseOptions, StoryChange
from worker.model import Document, IngestCounts, ItemData, Story
from worker.normalize import normalize_item
from worker.pipeline import ingest_document, parse_stories, store_stories
from worker.store.clusters import Clustering
from worker.store.db import run_transaction
from worker.store.reads import StoryQuery, list_stories, story_versions

RECEIVED = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def version_of(
    guid: str,
    created: str | None = "2017-10-14T21:41:42Z",
    headline: str = "Raqqa falls",
    body: str = "BEIRUT (Reuters) - Fighters left the city.",
    version: int | None = None,
    pubstatus: str = "usable",
    provider: str = "reuters",
    embargoed: str | None = None,
    signals: tuple[str, ...] = (),
) -> Story:
    item = ItemData(
        guid=guid, version=version, version_created=created, pubstatus=pubstatus,
        headline=headline, body_text=body, embargoed=embargoed, signals=signals,
    )
    return normalize_item(item, provider=provider, received_at=RECEIVED)


def store_all(store: Engine, stories: list[Story], now: datetime,
              clustering: Clustering | None = None) -> tuple[IngestCounts, list[StoryChange]]:
    """Store stories as one document, in one transaction (as a poll does)."""
    result = run_transaction(store, lambda conn: store_stories(
        conn, stories, clustering or Clustering(), now))
    return result.counts, result.changes


def ingest_file(store: Engine, document: Document, now: datetime,
                options: ParseOptions | None = None) -> IngestResult:
    """Parse and store one document in one transaction (as `wire ingest` does)."""
    return run_transaction(store, lambda conn: ingest_document(
        conn, document, options or ParseOptions(), Clustering(), now))


def ingest(stories: list[Story], store: Engine, now: datetime) -> IngestCounts:
    """Store versions one document each, in the given order, like separate deliveries."""
    total = IngestCounts()
    for story in stories:
        counts, _ = store_all(store, [story], now)
        total.add(counts)
    return total


def current(store: Engine, guid: str, now: datetime, status: str = "all") -> dict | None:
    with store.connect() as conn:
        stories = list_stories(conn, StoryQuery(status=status, limit=10_000), now)
    matches = [s for s in stories if s["guid"] == guid]
    assert len(matches) <= 1
    return matches[0] if matches else None


def versions(store: Engine, guid: str, now: datetime) -> list[dict]:
    story = current(store, guid, now)
    assert story is not None
    with store.connect() as conn:
        return story_versions(conn, story["story_id"]) or []


def json_document(content, name: str) -> Document:
    """A document from bytes, or from a JSON value serialized."""
    raw = content if isinstance(content, bytes) else json.dumps(content).encode()
    return Document(name, raw)


def parse_json(content, name: str, format: str = "auto"):
    """`wire parse` of one JSON document: (stories, problems), received at RECEIVED."""
    return parse_stories(json_document(content, name), ParseOptions(format=format), RECEIVED)
