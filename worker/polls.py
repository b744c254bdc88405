"""One poll of one feed, without Celery: fetch from the feed's source, store, acknowledge.

SPEC "Delivery protocols": each document the source delivers is stored in one transaction
together with the feed's position and its items' fingerprints, and acknowledged to the source
only after that commit. Per document:

1. the item fingerprints (`worker.parse.prescan`): when the store has every one for this feed,
   the document is not parsed (the poll of an unchanged feed stops here);
2. otherwise it is parsed and normalized, then stored (`worker.pipeline.store_stories`) with
   the fingerprints of its new items, the source's position and the alerts its versions fire,
   in one commit; the alerts' delivery is asked for right after it (`PollContext.alerted`);
3. the source is told (`acknowledge`): stored, or failed with the document's error.

A document that fails, whatever the reason, is that document's failure
(`worker.documents.one_document`): recorded, acknowledged with its error, and the next one goes
in. The poll ends with a failure only when the source itself fails, the store is unreachable,
or every document it delivered failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from worker.alerts.rule_config import AlertRule
from worker.archive import Archive
from worker.config import FeedConfig
from worker.documents import DocumentOutcome, IngestResult, ParseOptions, one_document
from worker.errors import DocumentError
from worker.fetch import open_source
from worker.fetch.base import FetchContext, Fetched, Position
from worker.model import Document
from worker.parse import decode
from worker.parse.prescan import item_fingerprints
from worker.pipeline import parse_stories, store_stories
from worker.polling import PollStatus
from worker.store.clusters import Clustering
from worker.store.db import run_transaction
from worker.store.feeds import known_fingerprints, record_fingerprints, set_position

log = logging.getLogger(__name__)


@dataclass
class PollReport:
    """What one poll did, for its outcome, the feed row and its log line."""

    status: PollStatus = PollStatus.UNCHANGED
    #: why nothing was stored: the source's word (`304`, `body`, `no files`) or `items`
    reason: str | None = None
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    duplicates: int = 0
    item_errors: int = 0
    #: the version_created of each version that became current (the ingest lag metric)
    created: list[datetime] = field(default_factory=list)
    documents: int = 0
    #: the errors of the documents that failed, each naming its document
    failed: list[str] = field(default_factory=list)
    #: the position to keep at the end of the poll (what changed without a document)
    position: Position | None = None
    #: the source's own pacing, seconds until the next poll
    next_poll_in: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def error(self) -> str | None:
        """The poll's error: set when every document it delivered failed."""
        if self.status is not PollStatus.ERROR:
            return None
        more = f" (and {len(self.failed) - 1} more)" if len(self.failed) > 1 else ""
        return self.failed[0] + more

    def add(self, outcome: DocumentOutcome) -> None:
        self.documents += 1
        if outcome.failed:
            self.failed.append(str(outcome.error))
        elif outcome.known:
            self.extra["items_known"] = self.extra.get("items_known", 0) + outcome.items
            self.unchanged += outcome.items
        else:
            counts = outcome.result.counts
            self.new += counts.new
            self.updated += counts.updated
            self.unchanged += counts.unchanged
            self.stale += counts.stale
            self.duplicates += counts.duplicates
            self.item_errors += counts.errors
            self.created += [change.story.version_created for change in outcome.result.changes]
            self.status = PollStatus.OK


@dataclass(frozen=True)
class PollContext:
    """Everything a poll uses, built by the task from the worker's runtime."""

    feed_id: int
    token: str
    feed: FeedConfig
    position: Position
    fetch: FetchContext
    clustering: Clustering
    #: where fetched documents are archived (`wire reparse`); None archives nothing
    archive: Archive | None = None
    #: the alert rules in force, and who to tell (after each commit) which of them fired
    alert_rules: tuple[AlertRule, ...] = ()
    alerted: Callable[[Sequence[str]], None] | None = None


def poll(ctx: PollContext) -> PollReport:
    """Poll the feed once; raises FeedError when its source fails (see the module docstring)."""
    source = open_source(ctx.feed.protocol, ctx.feed, ctx.fetch)
    try:
        batch = source.fetch(ctx.position)
        report = PollReport(next_poll_in=batch.next_poll_in)
        for fetched in batch.documents:
            outcome = store_fetched(ctx, fetched)
            source.acknowledge(fetched, outcome.error)
            report.add(outcome)
            # the position moves on past a failed document too (it is archived and recorded),
            # unless the source wants it fetched again (an HTTP feed shows as failing)
            if fetched.position is not None and not (outcome.failed and fetched.retry_on_failure):
                report.position = fetched.position
        if batch.position is not None:  # read once the documents are done: a source may set it
            report.position = batch.position  # as it delivers (what is left to acknowledge)
        report.extra.update(batch.extra)
    finally:
        source.close()
    if report.status is not PollStatus.OK:
        if report.failed and len(report.failed) == report.documents:
            report.status = PollStatus.ERROR
        elif report.documents:
            report.reason = "items"
        elif batch.unchanged == "304":
            report.status, report.reason = PollStatus.NOT_MODIFIED, "304"
        else:
            report.reason = batch.unchanged
    return report


def options_of(feed: FeedConfig, max_bytes: int,
               alert_rules: tuple[AlertRule, ...] = ()) -> ParseOptions:
    return ParseOptions(format=feed.format, provider=feed.provider, default_tz=feed.zone(),
                        max_bytes=max_bytes, alert_rules=alert_rules)


def archive_options(feed: FeedConfig) -> dict[str, Any]:
    """The parse options an archived document is kept with (`wire reparse` uses them)."""
    return {"format": feed.format, "provider": feed.provider, "timezone": feed.timezone}


def archive(ctx: PollContext, document: Document) -> None:
    """Archive a document that could not be read, in a transaction of its own."""
    if ctx.archive is not None:
        ctx.archive.put(ctx.fetch.store, ctx.feed.name, document, archive_options(ctx.feed),
                        ctx.fetch.now)


def store_fetched(ctx: PollContext, fetched: Fetched) -> DocumentOutcome:
    """Store one delivered document with the feed's position, in one commit (a failed
    document: see `one_document`). The position of a document with nothing to store is kept
    when the poll ends (`PollReport.position`)."""
    document, feed, now = fetched.document, ctx.feed, ctx.fetch.now
    with one_document(document.name, feed=feed.name) as outcome:
        if fetched.error is not None:
            raise DocumentError(document.name, fetched.error)
        try:
            decoded = decode(document)  # once, for the pre-scan and the parse
        except DocumentError:
            archive(ctx, document)  # what could not be read is archived too
            raise
        salt = f"{feed.format}|{feed.provider}|{feed.timezone}"
        fingerprints = item_fingerprints(document, salt, decoded) or ()
        known = known_fingerprints(ctx.fetch.store, ctx.feed_id, fingerprints)
        if fingerprints and known.issuperset(fingerprints):
            outcome.known, outcome.items = True, len(fingerprints)
        else:
            # archived in the commit that stores its stories: a document in the archive is
            # one whose stories are stored (the bytes are compressed before, outside it)
            packed = (ctx.archive.pack(ctx.fetch.store, feed.name, document)
                      if ctx.archive is not None else None)
            options = options_of(feed, ctx.fetch.max_bytes, ctx.alert_rules)
            try:
                stories, problems = parse_stories(document, options, now, decoded)
            except Exception:
                if packed is not None:  # kept for `wire reparse` after a parser fix
                    with ctx.fetch.store.begin() as conn:
                        ctx.archive.record(conn, packed, archive_options(feed), now)  # type: ignore[union-attr]
                raise
            unseen = set(fingerprints) - known

            def store(conn: Connection) -> IngestResult:
                if packed is not None:
                    ctx.archive.record(conn, packed, archive_options(feed), now)  # type: ignore[union-attr]
                result = store_stories(conn, stories, ctx.clustering, now, options.alert_rules)
                record_fingerprints(conn, ctx.feed_id, unseen, now)
                if fetched.position is not None:
                    set_position(conn, ctx.feed_id, ctx.token, fetched.position)
                return result

            outcome.result = run_transaction(ctx.fetch.store, store)
            if outcome.result.alerts and ctx.alerted is not None:
                ctx.alerted(outcome.result.alerts)  # committed: deliver them now
            outcome.result.problems = [str(p) for p in problems]
            outcome.result.counts.errors = len(problems)
            for problem in outcome.result.problems:
                log.warning("item_problem", extra={"feed": feed.name, "error": problem})
    return outcome
