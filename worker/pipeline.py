"""One document through the pipeline: parse -> normalize -> merge/store -> cluster -> alerts.

`parse_stories` is `wire parse` (nothing stored). `store_stories` writes the stories of one
document inside the caller's transaction, in identity order (so concurrent writers take row
locks in one order), and returns the SPEC counts and the changes (for alerts). The caller owns
the transaction (`worker.store.db.run_transaction`, which also retries a deadlock), so a poll
writes its feed position and item fingerprints in the same commit as the stories. What a
document's ingest is given and gives back, and what its failure means (`one_document`), is
`worker.documents`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from worker.alerts.fire import fire_alerts
from worker.documents import IngestResult, ParseOptions, StoryChange
from worker.errors import ItemError
from worker.merge import Change
from worker.model import Document, Story
from worker.normalize import normalize_item
from worker.parse import Decoded, parse_document
from worker.store.band_index import fold_recent
from worker.store.clusters import Clustering, cluster_document
from worker.store.writes import known_version_time, write_versions

if TYPE_CHECKING:  # the configuration (pydantic) is not imported to store stories
    from worker.alerts.rule_config import AlertRule

log = logging.getLogger(__name__)


def parse_stories(
    document: Document, options: ParseOptions, received_at: datetime,
    decoded: Decoded | None = None,
) -> tuple[list[Story], list[ItemError]]:
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
            stories.append(normalize_item(
                item, provider=provider, received_at=received_at, default_tz=options.default_tz,
                base_url=document.base_url, document=document.name,
            ))
        except ItemError as e:
            problems.append(e)
    for note in parsed.skipped:
        log.info("item skipped: %s", note, extra={"document": document.name})
    return stories, problems


def ingest_document(
    conn: Connection, document: Document, options: ParseOptions, clustering: Clustering,
    now: datetime, decoded: Decoded | None = None,
) -> IngestResult:
    """Parse one document and store its stories in the caller's transaction.

    Raises DocumentError when the document cannot be read at all; item problems are counted
    as errors and the other items still go in.
    """
    stories, problems = parse_stories(document, options, now, decoded)
    result = store_stories(conn, stories, clustering, now, options.alert_rules)
    result.problems = [str(p) for p in problems]
    result.counts.errors = len(problems)
    log.info("document_ingested", extra={
        "document": document.name, **{f"count_{k}": v for k, v in result.counts.as_json().items()}})
    return result


def store_stories(
    conn: Connection, stories: list[Story], clustering: Clustering, now: datetime,
    alert_rules: Sequence[AlertRule] = (),
) -> IngestResult:
    """Write normalized stories in the caller's transaction (SPEC "Which version wins",
    "Clusters"): in identity order, so that concurrent writers lock rows in one order. The
    alerts the new current versions fire are recorded in the same transaction ("Alerts")."""
    order = sorted(range(len(stories)),
                   key=lambda i: (stories[i].provider, stories[i].guid, stories[i].key))
    ordered = [stories[i] for i in order]
    ordered = [_first_seen(conn, s) if s.inferred_time else s for s in ordered]
    result = IngestResult()
    counts = result.counts
    writes = list(zip(ordered, write_versions(conn, ordered, now), strict=True))
    stored = {i: (w.story_id, story.key) for i, (story, w) in zip(order, writes, strict=True)}
    result.stored = [stored[i] for i in range(len(stories))]
    current = [(w.story_id, story, w.change is Change.NEW) for story, w in writes
               if w.change in (Change.NEW, Change.UPDATED)]
    clusters = cluster_document(conn, current, clustering) if current else {}
    for story, written in writes:
        joined = False
        cluster_id = written.cluster_id
        if written.change is Change.NEW:
            cluster_id, joined = clusters[written.story_id]
            counts.new += 1
            counts.duplicates += joined
        elif written.change is Change.UPDATED:
            counts.updated += 1
        elif written.change is Change.UNCHANGED:
            counts.unchanged += 1
        else:
            counts.stale += 1
        if written.change in (Change.NEW, Change.UPDATED):
            result.changes.append(StoryChange(written.story_id, cluster_id or written.story_id,
                                              written.change, story, joined))
    if counts.new or counts.updated:
        fold_recent(conn)  # SQLite: now and then, the recent index keys into the main table
    result.alerts = fire_alerts(conn, result.changes, alert_rules, now)
    return result


def _first_seen(conn: Connection, story: Story) -> Story:
    """SPEC: no timestamp -> the time this version (these words) was first received."""
    first_seen = known_version_time(conn, story.provider, story.guid, story.content_hash)
    return story if first_seen is None else story.replace(version_created=first_seen)
