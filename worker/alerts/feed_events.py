"""Alerts on feed health (SPEC "Feed health"): rules with `feed_events` fire once per transition.

- `record_feed_alerts` runs in the transaction that writes a feed's new health at the end of
  a poll (`worker.tasks.poll`), under the poll's lease, so a transition is recorded exactly
  once however many workers run, and never without the health it reports (an outbox, as for
  story alerts). One row per rule whose `feed_events` name the event.
- `drain_feed_rule` delivers a rule's feed alerts like story alerts (`worker.alerts.outbox`):
  under the rule's lease, oldest first, one POST at a time, the same signature, retries and
  giving up (`worker.alerts.delivery`). The body is `rule`, `event` (`failing`, `quiet`,
  `recovered`), `feed` (as `wire feeds --json` showed it at the transition) and `sent_at`;
  `X-Wire-Delivery` is `feed-<id>`, the same on every attempt.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, func, insert, select, update

from worker.alerts.delivery import (
    DELIVERY_HEADER,
    gives_up,
    headers_for,
    post_webhook,
    retry_delay,
)
from worker.alerts.rule_config import AlertRule
from worker.errors import ConfigError
from worker.metrics import ALERTS
from worker.model import format_time
from worker.store import alerts as outbox
from worker.store.db import run_transaction
from worker.store.models import FeedAlertRow

log = logging.getLogger(__name__)
FEED_ALERTS = FeedAlertRow.__table__
RULE_LEASE = timedelta(seconds=120)
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def feed_rules(rules: Sequence[AlertRule], event: str) -> list[AlertRule]:
    """The rules an event fires: those whose `feed_events` name it."""
    return [r for r in rules if r.feed_events and event in r.feed_events]


def record_feed_alerts(conn: Connection, rules: Sequence[AlertRule], feed: Mapping[str, Any],
                       event: str, now: datetime) -> list[str]:
    """Record the alerts this transition fires, in the caller's transaction; their rules."""
    fired = [r.name for r in feed_rules(rules, event)]
    if fired:
        conn.execute(insert(FEED_ALERTS), [
            {"rule": name, "feed": feed["name"], "event": event, "feed_state": dict(feed),
             "fired_at": now, "outcome": PENDING, "attempts": 0} for name in fired])
    return fired


def feed_body(rule: str, event: str, feed: Mapping[str, Any], sent_at: datetime) -> bytes:
    return json.dumps({"rule": rule, "event": event, "feed": feed,
                       "sent_at": format_time(sent_at)}, ensure_ascii=False).encode()


@dataclass
class FeedDrain:
    delivered: int = 0
    failed: int = 0
    stopped: str = "empty"


def _next_pending(conn: Connection, rule: str) -> Any | None:
    return conn.execute(select(FEED_ALERTS).where(
        FEED_ALERTS.c.rule == rule, FEED_ALERTS.c.outcome == PENDING)
        .order_by(FEED_ALERTS.c.id).limit(1)).first()


def drain_feed_rule(engine: Engine, rule: str, rules: Mapping[str, AlertRule],
                    environ: Mapping[str, str], client: httpx.Client,
                    clock: Callable[[], datetime]) -> FeedDrain:
    """Deliver the rule's due feed alerts in order, under the rule's delivery lease."""
    report = FeedDrain()
    token = uuid.uuid4().hex
    lease = f"feed:{rule}"  # its own lease: story alerts of a rule of the same name go on
    if not run_transaction(engine, lambda c: outbox.claim_queue(c, lease, token, clock(),
                                                                 RULE_LEASE)):
        report.stopped = "busy"
        return report
    try:
        while True:
            with engine.connect() as conn:
                row = _next_pending(conn, rule)
            if row is None:
                return report
            now = clock()
            if row.next_attempt_at is not None and row.next_attempt_at > now:
                report.stopped = "retry"
                return report
            values = _attempt(rules.get(rule), row, environ, client, now)
            run_transaction(engine, lambda c, v=values, i=row.id: c.execute(
                update(FEED_ALERTS).where(FEED_ALERTS.c.id == i).values(**v)))
            outcome = values["outcome"]
            ALERTS.labels(rule, "retry" if outcome == PENDING else outcome).inc()
            log.log(logging.INFO if outcome == DELIVERED else logging.WARNING,
                    "feed_alert_delivery", extra={"rule": rule, "feed": row.feed,
                                                  "health_event": row.event, "outcome": outcome,
                                                  "status": values.get("last_status"),
                                                  "error": values.get("last_error")})
            if outcome == DELIVERED:
                report.delivered += 1
            elif outcome == FAILED:
                report.failed += 1
            else:
                report.stopped = "retry"
                return report
    finally:
        run_transaction(engine, lambda c: outbox.release_queue(c, lease, token))


def _attempt(config: AlertRule | None, row: Any, environ: Mapping[str, str],
             client: httpx.Client, now: datetime) -> dict[str, Any]:
    attempts = row.attempts + 1
    if config is None:
        return {"outcome": FAILED, "attempts": attempts,
                "last_error": "the rule is no longer configured"}
    body = feed_body(config.name, row.event, row.feed_state, now)
    try:
        secret = config.resolved_secret(environ)
    except ConfigError as e:
        return {"outcome": PENDING, "attempts": attempts, "last_error": str(e),
                "next_attempt_at": now + timedelta(seconds=retry_delay(attempts))}
    headers = headers_for(0, body, secret)
    headers[DELIVERY_HEADER] = f"feed-{row.id}"  # apart from story alerts' numeric ids
    attempt = post_webhook(client, config.webhook, body, headers)
    values: dict[str, Any] = {"attempts": attempts, "last_status": attempt.status,
                              "last_error": attempt.error}
    if attempt.delivered:
        return {**values, "outcome": DELIVERED, "delivered_at": now, "next_attempt_at": None}
    if gives_up(attempt, attempts, row.fired_at, now):
        return {**values, "outcome": FAILED, "next_attempt_at": None}
    return {**values, "outcome": PENDING,
            "next_attempt_at": now + timedelta(seconds=retry_delay(attempts))}


def due_feed_rules(conn: Connection, now: datetime) -> list[str]:
    """Rules whose oldest pending feed alert is due."""
    head = (select(FEED_ALERTS.c.rule, func.min(FEED_ALERTS.c.id).label("first"))
            .where(FEED_ALERTS.c.outcome == PENDING).group_by(FEED_ALERTS.c.rule).subquery())
    rows = conn.execute(select(FEED_ALERTS.c.rule, FEED_ALERTS.c.next_attempt_at)
                        .join(head, head.c.first == FEED_ALERTS.c.id))
    return sorted(r.rule for r in rows if r.next_attempt_at is None or r.next_attempt_at <= now)


def recent_feed_alerts(conn: Connection, limit: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(FEED_ALERTS).order_by(FEED_ALERTS.c.id.desc()).limit(limit))
    return [{"id": f"feed-{r.id}", "rule": r.rule, "change": r.event, "subject": r.feed,
             "fired_at": r.fired_at, "outcome": r.outcome, "attempts": r.attempts,
             "last_error": r.last_error} for r in rows]
