"""The poll task: one poll of one feed. Thin: lease, `worker.polls.poll`, outcome.

`wire.poll.feed(feed_id, token)`:

1. check that `token` still holds the feed (else another poll owns it: do nothing), renewing
   the claim so that it outlasts the run;
2. poll the feed's source (`worker.polls`): every document stored with the feed's position,
   acknowledged after its commit;
3. write the outcome, failure count and next poll (`worker.polling.next_schedule`) and the
   position, and release the lease, again only under the token; log one `feed_polled` event.

Idempotent: a poll run twice stores nothing twice (the merge rule is a conditional upsert), so
late acks and redelivery after a crash are safe.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from datetime import datetime, timezone
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import Connection

from worker.alerts.feed_events import feed_rules, record_feed_alerts
from worker.config import FeedConfig
from worker.errors import FeedError, WireError
from worker.fetch.base import FetchContext
from worker.logs import log_context
from worker.metrics import record_poll
from worker.ops.health import Health, HealthFigures, feed_health, transition_event
from worker.polling import Outcome, PollStatus, lease_seconds, next_schedule
from worker.polls import PollContext, PollReport, poll
from worker.store.feeds import begin_poll, finish_poll
from worker.tasks import ops as ops_tasks
from worker.tasks.alerts import alert_rules, send_deliveries
from worker.tasks.app import Runtime, app, runtime

log = logging.getLogger(__name__)
#: a poll stops taking new documents from its source after this share of its time limit: the
#: rest waits for the next poll, and the poll ends before the soft limit cuts it off
DOCUMENT_BUDGET = 0.5


@app.task(name="wire.poll.feed", ignore_result=True, bind=True)
def poll_feed(self: Any, feed_id: int, token: str) -> None:
    """Poll one feed under the claim `token` (see the module docstring)."""
    rt = runtime()
    started = time.monotonic()
    now = datetime.now(timezone.utc)
    limit = rt.settings.poll_time_limit
    row = begin_poll(rt.engine, feed_id, token, now, lease_seconds(limit), limit)
    if row is None:
        log.info("feed_poll_skipped", extra={"feed_id": feed_id, "reason": "lease lost"})
        return
    # the file's own feed (the store masks credentials written into it), else the store's copy
    stored = FeedConfig.model_validate(row.config)
    feed = rt.feed_config(stored.name) or stored
    poll_id = self.request.id or uuid.uuid4().hex
    with log_context(feed=feed.name, provider=feed.provider, poll=poll_id):
        _poll(rt, feed, row, token, now, started)


def _poll(rt: Runtime, feed: FeedConfig, row: Any, token: str, now: datetime,
          started: float) -> None:
    limit = rt.settings.poll_time_limit
    unexpected: BaseException | None = None
    report = PollReport()
    try:
        report = poll(_context(rt, feed, row, token, now, started))
        outcome = Outcome(report.status, report.error, report.next_poll_in)
    except FeedError as e:
        outcome = Outcome(PollStatus.ERROR, str(e), e.retry_after)
    except WireError as e:
        outcome = Outcome(PollStatus.ERROR, str(e))
    except SoftTimeLimitExceeded:
        outcome = Outcome(PollStatus.ERROR,
                          f"{feed.name}: poll did not finish within {limit * 0.8:.0f} s")
    except Exception as e:  # noqa: BLE001 - recorded on the feed, then raised to fail visibly
        outcome = Outcome(PollStatus.ERROR, f"{feed.name}: {type(e).__name__}: {e}")
        unexpected = e
    _finish(rt, feed, row, token, now, started, report, outcome)
    if unexpected is not None:
        raise unexpected


def _context(rt: Runtime, feed: FeedConfig, row: Any, token: str, now: datetime,
             started: float) -> PollContext:
    fetch = FetchContext(
        client=rt.client, environment=rt.settings.environment,
        max_bytes=rt.settings.max_document_bytes, now=now,
        deadline=started + rt.settings.poll_time_limit * DOCUMENT_BUDGET, store=rt.engine,
    )
    return PollContext(row.id, token, feed, row.position or {}, fetch, rt.clustering,
                       rt.archive, alert_rules=tuple(alert_rules()),
                       alerted=send_deliveries)


def _finish(rt: Runtime, feed: FeedConfig, row: Any, token: str, now: datetime, started: float,
            report: PollReport, outcome: Outcome) -> None:
    finished = datetime.now(timezone.utc)
    schedule = next_schedule(outcome, feed.interval, row.consecutive_failures, finished,
                             rt.settings.backoff_cap_seconds, random.random())
    duration = time.monotonic() - started
    values: dict[str, Any] = {
        "next_poll_at": schedule.next_poll_at,
        "consecutive_failures": schedule.consecutive_failures,
        "last_poll_at": now,
        "last_outcome": outcome.status.value,
        "last_error": outcome.error,
        "last_duration": duration,
        "last_new": report.new,
        "last_updated": report.updated,
    }
    if not outcome.failed:
        values["last_success_at"] = now
    if report.position is not None:
        values["position"] = dict(report.position)
    last_story_at = now if report.new or report.updated else row.last_story_at
    if last_story_at is not row.last_story_at:
        values["last_story_at"] = last_story_at
    before = Health(row.health) if row.health else None
    health = feed_health(HealthFigures(schedule.consecutive_failures, last_story_at,
                                       row.health_since, feed.quiet_after), finished)
    event = transition_event(before, health)
    if health is not before:
        values.update(health=health.value, health_since=finished)
    items = {"new": report.new, "updated": report.updated, "unchanged": report.unchanged,
             "stale": report.stale, "duplicate": report.duplicates}
    counters = {f"polls_{outcome.status.value}": 1,
                **{f"items_{change}": n for change, n in items.items()}}
    fired: list[str] = []
    then = None
    rules = feed_rules(alert_rules(), event) if event is not None else []
    if rules:  # the transition's alerts, in the transaction that records it (an outbox)
        state = _feed_state(feed, row, values, finished)

        def then(conn: Connection) -> None:
            fired.extend(record_feed_alerts(conn, rules, state, str(event), finished))

    kept = finish_poll(rt.engine, row.id, token, values, counters, then)
    if fired:
        ops_tasks.send_feed_deliveries(fired)
    record_poll(feed.name, outcome.status.value, duration, items, report.created, finished,
                None if outcome.failed else now, health.value)
    if event is not None and kept:
        log.warning("feed_health_changed", extra={
            "health_event": event, "health": health.value,
            "before": before.value if before else None, "error": outcome.error})
    log.log(
        logging.WARNING if outcome.failed else logging.INFO,
        "feed_polled",
        extra={
            "status": outcome.status.value,
            "reason": report.reason, "new": report.new, "updated": report.updated,
            "item_errors": report.item_errors, "documents": report.documents,
            "documents_failed": len(report.failed), "duration_ms": round(duration * 1000, 1),
            "next_poll": schedule.next_poll_at.isoformat(),
            "failures": schedule.consecutive_failures, "health": health.value,
            "error": outcome.error, "lease_kept": kept, **report.extra,
        },
    )


def _feed_state(feed: FeedConfig, row: Any, values: dict[str, Any], at: datetime
                ) -> dict[str, Any]:
    """The feed as `wire feeds --json` shows it once this poll's outcome is written."""
    from types import SimpleNamespace

    from worker.cli.run import feed_status

    after = SimpleNamespace(**{**row._mapping, **values, "lease_until": None})
    return feed_status(feed, after, at)
