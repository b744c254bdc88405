"""Delivering the alerts outbox: a rule's alerts, after the commit that fired them, in order.

(`worker.alerts.fire` records them, in the version's transaction.)

- `drain_rule` (`wire.alerts.deliver`) delivers one rule's pending alerts oldest first under
  the rule's lease, one POST at a time, outside any transaction (a transaction held across a
  network call would hold back the change feed). It stops at the first failure: the alert
  waits for its retry time and the later ones wait behind it, so a receiver that was down gets
  everything, in order, when it is back. The sweeper (`wire.alerts.sweep`) starts a drain for
  every rule with an alert due, so an alert whose message was lost (a crash between the commit
  and the enqueue) is delivered all the same.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine

from worker.alerts.delivery import (
    gives_up,
    headers_for,
    post_webhook,
    retry_delay,
    webhook_body,
)
from worker.alerts.rule_config import AlertRule
from worker.errors import ConfigError
from worker.metrics import ALERTS
from worker.store import alerts as outbox
from worker.store.changes import story_at_version
from worker.store.db import run_transaction

log = logging.getLogger(__name__)

#: a drain holds its rule this long at most; it stops taking alerts after DRAIN_SECONDS, and
#: one POST takes at most `delivery.TIMEOUT`, so the lease never runs out under a live drain
RULE_LEASE = timedelta(seconds=120)
DRAIN_SECONDS = 30.0


@dataclass
class DrainReport:
    delivered: int = 0
    failed: int = 0
    #: why the drain stopped: empty, retry (an alert waits for its next attempt), busy (another
    #: worker holds the rule), budget
    stopped: str = "empty"


def drain_rule(engine: Engine, rule: str, rules: Mapping[str, AlertRule],
               environ: Mapping[str, str], client: httpx.Client,
               clock: Callable[[], datetime]) -> DrainReport:
    """Deliver the rule's due alerts in order (see the module docstring)."""
    report = DrainReport()
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        token = uuid.uuid4().hex
        if not run_transaction(engine, lambda c, t=token: outbox.claim_queue(
                c, rule, t, clock(), RULE_LEASE)):
            report.stopped = "busy"
            return report
        try:
            report.stopped = _deliver_due(engine, rule, rules, environ, client, clock, report,
                                          deadline)
        finally:
            run_transaction(engine, lambda c, t=token: outbox.release_queue(c, rule, t))
        # an alert committed while the lease was held found the rule busy: look once more
        if report.stopped != "empty" or not _has_due(engine, rule, clock()):
            return report


def _has_due(engine: Engine, rule: str, now: datetime) -> bool:
    with engine.connect() as conn:
        row = outbox.next_pending(conn, rule)
    return row is not None and (row.alert_next_attempt_at is None
                                or row.alert_next_attempt_at <= now)


def _deliver_due(engine: Engine, rule: str, rules: Mapping[str, AlertRule],
                 environ: Mapping[str, str], client: httpx.Client,
                 clock: Callable[[], datetime], report: DrainReport, deadline: float) -> str:
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            row = outbox.next_pending(conn, rule)
        if row is None:
            return "empty"
        now = clock()
        if row.alert_next_attempt_at is not None and row.alert_next_attempt_at > now:
            return "retry"
        config = rules.get(rule)
        values = _attempt(config, row, environ, client, now) if config is not None else {
            "outcome": outbox.FAILED, "last_error": "the rule is no longer configured"}
        run_transaction(engine, lambda c, i=row.alert_id, v=values: outbox.record_attempt(c, i, v))
        outcome = values["outcome"]
        ALERTS.labels(rule, "retry" if outcome == outbox.PENDING else outcome).inc()
        log.log(logging.INFO if outcome == outbox.DELIVERED else logging.WARNING,
                "alert_delivery", extra={"rule": rule, "alert": row.alert_id,
                                         "outcome": outcome, "status": values.get("last_status"),
                                         "error": values.get("last_error")})
        if outcome == outbox.DELIVERED:
            report.delivered += 1
        elif outcome == outbox.FAILED:
            report.failed += 1  # given up: the next alert goes on
        else:
            return "retry"
    return "budget"


def _attempt(config: AlertRule, row: Any, environ: Mapping[str, str], client: httpx.Client,
             now: datetime) -> dict[str, Any]:
    """POST one alert; the column values its outcome writes."""
    attempts = row.alert_attempts + 1
    body = webhook_body(config.name, row.alert_change, story_at_version(row), now)
    try:
        secret = config.resolved_secret(environ)
    except ConfigError as e:
        return {"outcome": outbox.PENDING, "attempts": attempts, "last_error": str(e),
                "next_attempt_at": now + timedelta(seconds=retry_delay(attempts))}
    attempt = post_webhook(client, config.webhook, body, headers_for(row.alert_id, body, secret))
    values: dict[str, Any] = {"attempts": attempts, "last_status": attempt.status,
                              "last_error": attempt.error}
    if attempt.delivered:
        return {**values, "outcome": outbox.DELIVERED, "delivered_at": now,
                "next_attempt_at": None}
    if gives_up(attempt, attempts, row.alert_fired_at, now):
        return {**values, "outcome": outbox.FAILED, "next_attempt_at": None}
    return {**values, "outcome": outbox.PENDING,
            "next_attempt_at": now + timedelta(seconds=retry_delay(attempts))}
