"""The poll task: one poll of one feed. Thin: lease, fetch, pre-scan, pipeline, outcome.

`wire.poll.feed(feed_id, token)`:

1. check that `token` still holds the feed (else another poll owns it: do nothing), renewing
   the claim when what is left of it would not outlast the run;
2. fetch: an HTTP feed with a conditional GET (`worker.fetch.http.fetch_feed`), or the ready
   files of a drop folder (`worker.fetch.folder`);
3. for a fetched document, the item fingerprints (`worker.parse.prescan`): when the store knows
   every one for this feed, stop; otherwise `worker.pipeline.ingest_document` stores the
   stories and records the fingerprints in the same transaction (the document is decoded
   once for both the pre-scan and the parse);
4. write the outcome, validators, failure count and next poll (`worker.polling.next_schedule`)
   and release the lease, again only under the token; log one `feed_polled` event.

Idempotent: a poll run twice stores nothing twice (the merge rule is a conditional upsert), so
late acks and redelivery after a crash are safe.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import Connection

from worker.config import FeedConfig
from worker.errors import DocumentError, FeedError, WireError
from worker.fetch import folder as drop
from worker.fetch.http import Validators, fetch_feed
from worker.parse import decode
from worker.parse.prescan import item_fingerprints
from worker.pipeline import ParseOptions, ingest_document
from worker.polling import Outcome, lease_seconds, next_schedule
from worker.store.feeds import begin_poll, finish_poll, known_fingerprints, record_fingerprints
from worker.tasks.app import Runtime, app, runtime

log = logging.getLogger(__name__)


@dataclass
class PollReport:
    status: str = "ok"
    new: int = 0
    updated: int = 0
    errors: int = 0
    reason: str | None = None
    validators: Validators | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@app.task(name="wire.poll.feed", ignore_result=True)
def poll_feed(feed_id: int, token: str) -> None:
    """Poll one feed under the claim `token` (see the module docstring)."""
    rt = runtime()
    started = time.monotonic()
    now = datetime.now(timezone.utc)
    row = begin_poll(rt.engine, feed_id, token, now, lease_seconds(rt.poll.time_limit),
                     rt.poll.time_limit)
    if row is None:
        log.info("feed_poll_skipped", extra={"feed_id": feed_id, "reason": "lease lost"})
        return
    feed = FeedConfig.model_validate(row.config)
    unexpected: BaseException | None = None
    try:
        report = poll_once(rt, feed, row, now, started)
        outcome = Outcome(report.status)
    except FeedError as e:
        report, outcome = PollReport("error"), Outcome("error", str(e), e.retry_after)
    except (DocumentError, WireError) as e:
        report, outcome = PollReport("error"), Outcome("error", str(e))
    except SoftTimeLimitExceeded:
        message = f"{feed.name}: poll did not finish within {rt.poll.time_limit * 0.8:.0f} s"
        report, outcome = PollReport("error"), Outcome("error", message)
    except Exception as e:  # noqa: BLE001 - recorded on the feed, then raised to fail visibly
        report, outcome = PollReport("error"), Outcome("error", f"{type(e).__name__}: {e}")
        unexpected = e
    finished = datetime.now(timezone.utc)
    schedule = next_schedule(outcome, feed.interval, row.consecutive_failures, finished,
                             rt.poll.backoff_cap, random.random())
    duration = time.monotonic() - started
    values: dict[str, Any] = {
        "next_poll_at": schedule.next_poll_at,
        "consecutive_failures": schedule.consecutive_failures,
        "last_poll_at": now,
        "last_outcome": outcome.status,
        "last_error": outcome.error,
        "last_duration": duration,
        "last_new": report.new,
        "last_updated": report.updated,
    }
    if not outcome.failed:
        values["last_success_at"] = now
    if report.validators is not None:
        values.update(etag=report.validators.etag, last_modified=report.validators.last_modified,
                      body_hash=report.validators.body_hash)
    kept = finish_poll(rt.engine, feed_id, token, values)
    log.log(
        logging.WARNING if outcome.failed else logging.INFO,
        "feed_polled",
        extra={
            "feed": feed.name, "provider": feed.provider, "status": outcome.status,
            "reason": report.reason, "new": report.new, "updated": report.updated,
            "item_errors": report.errors, "duration_ms": round(duration * 1000, 1),
            "next_poll": schedule.next_poll_at.isoformat(), "failures": schedule.consecutive_failures,
            "error": outcome.error, "lease_kept": kept, **report.extra,
        },
    )
    if unexpected is not None:
        raise unexpected


def poll_once(rt: Runtime, feed: FeedConfig, row: Any, now: datetime, started: float) -> PollReport:
    options = ParseOptions(format=feed.format, provider=feed.provider, default_tz=feed.zone(),
                           max_bytes=rt.settings.max_document_bytes,
                           dedupe_window=rt.settings.dedupe_window)
    if feed.kind == "folder":
        return poll_folder(rt, feed, options, now, started)
    return poll_http(rt, feed, row, options, now)


def poll_http(rt: Runtime, feed: FeedConfig, row: Any, options: ParseOptions,
              now: datetime) -> PollReport:
    kept = Validators(row.etag, row.last_modified, row.body_hash)
    fetched = fetch_feed(rt.client, feed.name, str(feed.url), feed.resolved_headers(rt.settings.environment),
                         kept, rt.settings.max_document_bytes, now)
    if fetched.document is None:
        status = "not_modified" if fetched.unchanged == "304" else "unchanged"
        return PollReport(status, reason=fetched.unchanged, validators=fetched.validators)
    salt = f"{feed.format}|{feed.provider}|{feed.timezone}"
    decoded = decode(fetched.document)  # once, for the pre-scan and the parse
    fingerprints = item_fingerprints(fetched.document, salt, decoded)
    known: set[str] = set()
    if fingerprints:
        known = known_fingerprints(rt.engine, row.id, fingerprints)
        if known.issuperset(fingerprints):
            return PollReport("unchanged", reason="items", validators=fetched.validators,
                              extra={"items": len(fingerprints)})
    unseen = set(fingerprints or ()) - known

    def remember(conn: Connection) -> None:  # in the transaction that stores the stories
        if fingerprints:
            record_fingerprints(conn, row.id, unseen, now)

    result = ingest_document(rt.engine, fetched.document, options, now, decoded, remember)
    for problem in result.problems:
        log.warning("item_problem", extra={"feed": feed.name, "error": problem})
    counts = result.counts
    return PollReport("ok", counts.new, counts.updated, counts.errors, reason=None,
                      validators=fetched.validators,
                      extra={"items": len(fingerprints or ()), "items_known": len(known)})


def poll_folder(rt: Runtime, feed: FeedConfig, options: ParseOptions, now: datetime,
                started: float) -> PollReport:
    """Ingest the ready files of a drop folder, then move each to processed or failed."""
    folder, processed, failed = feed.folders()
    if not folder.is_dir():
        raise FeedError(feed.name, f"drop folder {folder} does not exist")
    report = PollReport("unchanged", reason="no files")
    files = drop.ready_files(folder, time.time())
    budget = rt.poll.time_limit * 0.5  # leave the rest of the folder to the next poll
    moved_failed = 0
    for index, file in enumerate(files):
        if time.monotonic() - started > budget:
            report.extra["files_left"] = len(files) - index
            break
        document = drop.read_file(file, now)
        if document is None:
            continue  # still being written: next poll
        try:
            result = ingest_document(rt.engine, document, options, now)
        except DocumentError as e:
            drop.move_failed(file, failed, str(e))
            moved_failed += 1
            log.warning("document_failed", extra={"feed": feed.name, "document": document.name,
                                                  "error": str(e)})
            continue
        drop.move_processed(file, processed)
        report.status, report.reason = "ok", None
        report.new += result.counts.new
        report.updated += result.counts.updated
        report.errors += result.counts.errors
    if moved_failed:
        report.status, report.reason = "ok", None
        report.extra["files_failed"] = moved_failed
    report.extra["files"] = len(files)
    return report
