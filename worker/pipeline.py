"""One document through the pipeline: parse -> normalize -> merge/store -> cluster.

`parse_stories` is `wire parse` (nothing stored); `ingest_document` is `wire ingest` and the
poll task: it writes every story of one document in one transaction (sorted by identity so that
concurrent writers take row locks in one order), retried when PostgreSQL reports a deadlock or a
serialization failure, and returns the SPEC counts and the changes (for alerts).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from worker.dedupe import DEFAULT_WINDOW, assign_cluster, index_version
from worker.dedupe.index import fold_recent
from worker.errors import ItemError
from worker.merge import Change
from worker.model import Document, IngestCounts, ItemProblem, Story
from worker.normalize import normalize_item
from worker.parse import MAX_DOCUMENT_BYTES, Decoded, parse_document
from worker.store.writes import known_version_time, write_versions

log = logging.getLogger(__name__)

#: PostgreSQL SQLSTATEs worth retrying the whole document for
_RETRY_SQLSTATES = {"40001", "40P01"}
MAX_WRITE_ATTEMPTS = 5


@dataclass(frozen=True)
class StoryChange:
    """What one version did to the store (alerts fire on new/update/correction/kill)."""

    story_id: int
    cluster_id: int
    change: Change
    story: Story
    joined_cluster: bool = False


@dataclass
class IngestResult:
    counts: IngestCounts = field(default_factory=IngestCounts)
    problems: list[str] = field(default_factory=list)
    changes: list[StoryChange] = field(default_factory=list)


@dataclass(frozen=True)
class ParseOptions:
    format: str = "auto"
    provider: str | None = None
    default_tz: tzinfo = timezone.utc
    max_bytes: int = MAX_DOCUMENT_BYTES
    #: how far back near-duplicate lookups reach (Settings.dedupe_window_hours)
    dedupe_window: timedelta = DEFAULT_WINDOW


def parse_stories(
    document: Document, options: ParseOptions, received_at: datetime,
    decoded: Decoded | None = None,
) -> tuple[list[Story], list[ItemProblem]]:
    """Parse and normalize one document; raises DocumentError for the whole document.

    Provider: the option (CLI or feed) wins, else what the document says, else `unknown`.
    `decoded`: the document already decoded (`worker.parse.decode`), when the caller has it.
    """
    parsed = parse_document(document, options.format, options.max_bytes, decoded)
    stories: list[Story] = []
    problems = list(parsed.problems)
    for item in parsed.items:
        provider = (options.provider or item.provider or "unknown").strip().lower()
        try:
            stories.append(
                normalize_item(
                    item,
                    provider=provider,
                    received_at=received_at,
                    default_tz=options.default_tz,
                    base_url=document.base_url,
                    document=document.name,
                )
            )
        except ItemError as e:
            problems.append(ItemProblem(document.name, e.item, e.message))
    for note in parsed.skipped:
        log.info("item skipped: %s", note, extra={"document": document.name})
    return stories, problems


def ingest_document(
    engine: Engine, document: Document, options: ParseOptions, now: datetime,
    decoded: Decoded | None = None, also: Callable[[Connection], None] | None = None,
) -> IngestResult:
    """Parse one document and store its stories (SPEC "Which version wins", "Clusters").

    Raises DocumentError when the document cannot be read at all; item problems are counted
    as errors and the other items still go in. `also` runs in the same transaction, after the
    stories (the poll records the items' fingerprints there: one commit, and never stories
    stored without them or the reverse).
    """
    stories, problems = parse_stories(document, options, now, decoded)
    result = IngestResult()
    result.problems = [str(p) for p in problems]
    result.counts, result.changes = store_stories(engine, stories, now, options.dedupe_window,
                                                  also)
    result.counts.errors = len(problems)
    counts = result.counts
    log.info(
        "document_ingested",
        extra={"document": document.name, **{f"count_{k}": v for k, v in counts.as_json().items()}},
    )
    return result


def store_stories(
    engine: Engine, stories: list[Story], now: datetime, window: timedelta = DEFAULT_WINDOW,
    also: Callable[[Connection], None] | None = None,
) -> tuple[IngestCounts, list[StoryChange]]:
    """Write normalized stories in one transaction (SPEC "Which version wins", "Clusters").

    Stories are written in identity order so that concurrent writers lock rows in one order;
    a PostgreSQL deadlock or serialization failure retries the whole transaction.
    """
    ordered = sorted(stories, key=lambda s: (s.provider, s.guid, s.key))
    for attempt in range(1, MAX_WRITE_ATTEMPTS + 1):
        try:
            return _write(engine, ordered, now, window, also)
        except DBAPIError as e:
            sqlstate = getattr(e.orig, "sqlstate", None)
            if sqlstate not in _RETRY_SQLSTATES or attempt == MAX_WRITE_ATTEMPTS:
                raise
            log.info("write conflict, retrying", extra={"attempt": attempt})
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def _write(
    engine: Engine, stories: list[Story], now: datetime, window: timedelta,
    also: Callable[[Connection], None] | None = None,
) -> tuple[IngestCounts, list[StoryChange]]:
    counts = IngestCounts()
    changes: list[StoryChange] = []
    with engine.begin() as conn:
        stories = [_first_seen(conn, story) if story.inferred_time else story for story in stories]
        for story, written in zip(stories, write_versions(conn, stories, now)):
            joined = False
            cluster_id = written.cluster_id
            if written.change is Change.NEW:
                cluster_id, joined = assign_cluster(conn, written.story_id, story, now, window)
                counts.new += 1
                counts.duplicates += joined
            elif written.change is Change.UPDATED:
                index_version(conn, written.story_id, story)
                counts.updated += 1
            elif written.change is Change.UNCHANGED:
                counts.unchanged += 1
            else:
                counts.stale += 1
            if written.change in (Change.NEW, Change.UPDATED):
                changes.append(
                    StoryChange(written.story_id, cluster_id or written.story_id, written.change,
                                story, joined)
                )
        if counts.new or counts.updated:
            fold_recent(conn)  # SQLite: now and then, the recent index keys into the main table
        if also is not None:
            also(conn)
    return counts, changes


def _first_seen(conn: Connection, story: Story) -> Story:
    """SPEC: no timestamp -> the time this version (these words) was first received."""
    first_seen = known_version_time(conn, story.provider, story.guid, story.content_hash)
    return story if first_seen is None else story.replace(version_created=first_seen)
