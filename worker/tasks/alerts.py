"""Alert tasks on the `wire.alerts` queue. Thin: the work is in `worker.alerts.outbox`.

- `wire.alerts.deliver(rule)`: deliver the rule's due alerts, in order. Sent right after the
  commit that fired them (the poll), and by the sweeper.
- `wire.alerts.sweep` (beat, every `WIRE_ALERT_SWEEP_SECONDS`): a deliver message for every
  rule with an alert due (a first attempt whose message was lost, or a retry whose time came).
- `wire.alerts.lift_embargoes` (beat, same period): `embargo_lifted` changes and their alerts.

Messages expire: a drain started by a later message or sweep does the same work, so a
backlog of them after an outage is dropped, not replayed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from celery import signals

from worker.alerts.fire import lift_embargoes
from worker.alerts.outbox import drain_rule
from worker.alerts.rule_config import AlertRule
from worker.config import load_config
from worker.errors import ConfigError
from worker.store.alerts import due_rules
from worker.store.db import run_transaction
from worker.tasks.app import ALERTS_QUEUE, app, runtime

log = logging.getLogger(__name__)
#: a deliver message older than this is dropped: the sweeper sends a fresh one
DELIVER_EXPIRES = 60.0

_client: httpx.Client | None = None
_rules: tuple[tuple[Any, ...], dict[str, AlertRule]] | None = None


def clock() -> datetime:
    return datetime.now(UTC)


def webhook_client() -> httpx.Client:
    """This process's HTTP client for webhooks (no redirects: a POST is not re-sent elsewhere)."""
    global _client
    if _client is None:
        _client = httpx.Client(follow_redirects=False, headers={"User-Agent": "wire-ingest"})
    return _client


def rules_in_force(feeds_path: Path, environ: Any) -> dict[str, AlertRule]:
    """The alert rules of the configuration file, read again when it changed.

    An invalid file keeps the last good rules in force (the dispatcher logs why).
    """
    global _rules
    try:
        stat = feeds_path.stat()
    except OSError:
        return {} if _rules is None else _rules[1]
    key = (str(feeds_path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    if _rules is None or _rules[0] != key:
        try:
            config = load_config(feeds_path, environ)
        except ConfigError:
            return {} if _rules is None else _rules[1]
        _rules = (key, {rule.name: rule for rule in config.alerts})
    return _rules[1]


def alert_rules() -> list[AlertRule]:
    """The rules the ingest path evaluates, in the file's order."""
    rt = runtime()
    return list(rules_in_force(rt.settings.feeds_path, rt.settings.environment).values())


def send_deliveries(rules: Iterable[str]) -> None:
    """Ask for the delivery of these rules' new alerts (after the commit that fired them)."""
    for rule in sorted(set(rules)):
        deliver.apply_async((rule,), queue=ALERTS_QUEUE, expires=DELIVER_EXPIRES)


@app.task(name="wire.alerts.deliver", ignore_result=True)
def deliver(rule: str) -> int:
    """Deliver one rule's due alerts, oldest first; the number delivered."""
    rt = runtime()
    report = drain_rule(rt.engine, rule, rules_in_force(rt.settings.feeds_path,
                                                        rt.settings.environment),
                        rt.settings.environment, webhook_client(), clock)
    if report.stopped == "budget":
        send_deliveries([rule])  # more to deliver: go on in a fresh message
    return report.delivered


@app.task(name="wire.alerts.sweep", ignore_result=True, acks_late=False)
def sweep() -> int:
    """Send a deliver message for every rule with an alert due."""
    rules = due_rules_now()
    send_deliveries(rules)
    return len(rules)


def due_rules_now() -> list[str]:
    rt = runtime()
    now = clock()
    return run_transaction(rt.engine, lambda conn: due_rules(conn, now), autocommit=True)


@app.task(name="wire.alerts.lift_embargoes", ignore_result=True, acks_late=False)
def lift() -> int:
    """Record the embargoes that ended (change feed) and deliver the alerts they fire."""
    rt = runtime()
    rules = alert_rules()
    now = clock()
    fired = run_transaction(rt.engine, lambda conn: lift_embargoes(conn, rules, now))
    send_deliveries(fired)
    return len(fired)


@signals.worker_process_init.connect
def _fresh_client_after_fork(**_: Any) -> None:
    global _client
    _client = None
