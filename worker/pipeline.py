"""One document through the pipeline: parse -> normalize -> merge/store -> cluster -> alerts.

`parse_stories` is `wire parse` (nothing stored). `store_stories` writes the stories of one
document inside the caller's transaction, in identity order (so concurrent writers take row
locks in one order), and returns the SPEC counts and the changes (for alerts). The caller owns
the transaction (`worker.store.db.run_transaction`, which also retries a deadlock), so a poll
writes its feed position and item fingerprints in the same commit as the stories.

`one_document` is the one place that decides what a failure of one document means: whatever
its kind (unreadable, a parser bug, a value the store refused, an OS error), it is that
document's failure, reported with its name, and the next document goes in. Only the store
being unreachable propagates, since no other document could be stored either.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING

from sqlalchemy import Connection
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from worker.alerts.fire import fire_alerts
from worker.errors import ItemError, WireError
from worker.merge import Change
from worker.model import Document, IngestCounts, Story, VersionKey
from worker.normalize import normalize_item
from worker.parse import MAX_DOCUMENT_BYTES, Decoded, parse_document
from worker.store.band_index import fold_recent
from worker.store.clusters import Clustering, cluster_document
from worker.store.writes import known_version_time, write_versions

if TYPE_CHECKING:  # the configuration (pydantic) is not imported to store stories
    from worker.alerts.rule_config import AlertRule

log = logging.getLogger(__name__)

#: store errors that mean the store cannot be reached at all: they stop a poll or a command
#: instead of failing one document (SQLAlchemy's OperationalError also covers a refused
#: connection; a value the store refuses is a DataError or an IntegrityError)
STORE_UNREACHABLE = (OperationalError, InterfaceError, DisconnectionError)


@dataclass(frozen=True)
class ParseOptions:
    format: str = "auto"
    provider: str | None = None
    default_tz: tzinfo = timezone.utc
    max_bytes: int = MAX_DOCUMENT_BYTES
    #: the alert rules each version that becomes current is held against (SPEC "Alerts")
    alert_rules: tuple[AlertRule, ...] = ()


@dataclass(frozen=True)
class StoryChange:
    """What one version did to the store: it became current (alerts fire on these)."""

    story_id: int
    cluster_id: int
    change: Change  # NEW or UPDATED
    story: Story
    joined_cluster: bool = False


@dataclass
class IngestResult:
    counts: IngestCounts = field(default_factory=IngestCounts)
    #: the items that could not be read, each naming its document and item
    problems: list[str] = field(default_factory=list)
    changes: list[StoryChange] = field(default_factory=list)
    #: the rules that fired a new alert, recorded in the same transaction (to deliver after it)
    alerts: list[str] = field(default_factory=list)
    #: (story_id, version key as stored) of each story given, in the order given
    stored: list[tuple[int, VersionKey]] = field(default_factory=list)


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


@dataclass
class DocumentOutcome:
    """How one document went: stored (`result`), or failed as a whole (`error`)."""

    document: str
    result: IngestResult = field(default_factory=IngestResult)
    error: str | None = None
    #: every item of it was known already: not parsed, nothing stored (a poll's pre-scan)
    known: bool = False
    items: int = 0

    @property
    def failed(self) -> bool:
        return self.error is not None


@contextmanager
def one_document(name: str, **log_keys: object) -> Iterator[DocumentOutcome]:
    """Contain the failure of one document: whatever it raises becomes `outcome.error`.

    A WireError (unreadable, unsafe, too large) is expected and said in one line; anything
    else is a bug or a value the store refused, logged with its traceback and kept with the
    document as "unexpected". Both leave the store as it was (the transaction rolled back).
    The store being unreachable propagates: no other document could be stored either.
    """
    outcome = DocumentOutcome(name)
    try:
        yield outcome
    except STORE_UNREACHABLE:
        raise
    except WireError as e:
        outcome.error = str(e)
        log.warning("document_failed", extra={"document": name, "error": outcome.error,
                                              **log_keys})
    except Exception as e:
        outcome.error = f"{name}: unexpected {type(e).__name__}: {e}"
        log.exception("document_failed", extra={"document": name, "error": outcome.error,
                                                "unexpected": True, **log_keys})
