"""Operations on beat's clock. Thin: the work is in `worker.ops`.

- `wire.ops.sample` (every `SAMPLE_EVERY_SECONDS`): the deployment's counters summed for the
  status page's charts (`worker.ops.samples`).
- `wire.ops.housekeeping` (hourly): retention of history, stories and processed drop-folder
  files, each by its setting (`worker.ops.housekeeping`).
- `wire.alerts.deliver_feed(rule)` and `wire.alerts.sweep_feed` (every
  `WIRE_ALERT_SWEEP_SECONDS`), on the alerts queue: the alerts of feeds' health transitions
  (`worker.alerts.feed_events`), delivered like story alerts.

Both are harmless when run twice or on two workers at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timezone

from worker.alerts.feed_events import drain_feed_rule, due_feed_rules
from worker.config import load_config
from worker.errors import ConfigError
from worker.ops.housekeeping import housekeeping
from worker.ops.samples import take_sample
from worker.store.db import run_transaction
from worker.tasks.app import ALERTS_QUEUE, app, runtime

log = logging.getLogger(__name__)


@app.task(name="wire.ops.sample", ignore_result=True, acks_late=False)
def sample() -> None:
    """Store the sums of every feed's counters (one row a minute)."""
    rt = runtime()
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    run_transaction(rt.engine, lambda conn: take_sample(conn, now))


@app.task(name="wire.ops.housekeeping", ignore_result=True)
def housekeeping_task() -> None:
    """Retention of history, stories and processed drop-folder files, by their settings."""
    rt = runtime()
    try:
        config = load_config(rt.settings.feeds_path, rt.settings.environment)
    except ConfigError:
        config = None  # the dispatcher says why; the store's rules still apply
    report = housekeeping(rt.engine, rt.settings, config, datetime.now(timezone.utc))
    log.info("housekeeping", extra=vars(report))


#: a deliver message older than this is dropped: the sweeper sends a fresh one
DELIVER_EXPIRES = 60.0


def send_feed_deliveries(rules: Iterable[str]) -> None:
    """Ask for the delivery of these rules' new feed alerts (after the commit that fired them)."""
    for rule in sorted(set(rules)):
        deliver_feed.apply_async((rule,), queue=ALERTS_QUEUE, expires=DELIVER_EXPIRES)


@app.task(name="wire.alerts.deliver_feed", ignore_result=True)
def deliver_feed(rule: str) -> int:
    """Deliver one rule's due feed alerts, oldest first; the number delivered."""
    from worker.tasks.alerts import clock, rules_in_force, webhook_client

    rt = runtime()
    rules = rules_in_force(rt.settings.feeds_path, rt.settings.environment)
    return drain_feed_rule(rt.engine, rule, rules, rt.settings.environment, webhook_client(),
                           clock).delivered


@app.task(name="wire.alerts.sweep_feed", ignore_result=True, acks_late=False)
def sweep_feed() -> int:
    """A deliver message for every rule with a feed alert due (first try or retry)."""
    rt = runtime()
    now = datetime.now(timezone.utc)
    rules = run_transaction(rt.engine, lambda conn: due_feed_rules(conn, now), autocommit=True)
    send_feed_deliveries(rules)
    return len(rules)
