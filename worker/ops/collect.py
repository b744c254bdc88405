"""Metrics read when scraped: the deployment's state from the store and the broker.

- `StoreCollector` (the API's `/metrics`): per feed, its health, last success, and the
  counters every poll adds to on its feed row (`wire_polls_total`, `wire_items_total`), so one
  scrape of the API shows the whole deployment, whichever worker polled, across restarts.
- `QueueCollector` (the API and every worker): `wire_queue_depth{queue}`, messages waiting in
  each of the product's queues on the broker.

A part that cannot be reached is left out of the answer and logged (the scrape still shows
the rest; `/readyz` says what is down).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, select

from worker.metrics import HEALTH_STATES
from worker.ops.health import HealthFigures, feed_health
from worker.settings import Settings
from worker.store.models import ITEM_COUNTERS, POLL_COUNTERS, FeedRow

log = logging.getLogger(__name__)

#: the queues `worker.tasks.app` declares (a test keeps the two lists equal)
QUEUES = ("wire.schedule", "wire.poll", "wire.alerts")
#: how long a scrape waits for the broker
BROKER_TIMEOUT = 2.0


class StoreCollector(Collector):
    """Feed health, last success and poll/item counters of every feed, from the feeds table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        try:
            with self.engine.connect() as conn:
                rows = list(conn.execute(select(FeedRow.__table__).order_by(FeedRow.name)))
        except Exception as e:  # noqa: BLE001 - the scrape shows the rest; readyz says why
            log.warning("metrics_store_unreachable", extra={"error": type(e).__name__})
            return
        now = datetime.now(timezone.utc)
        polls = CounterMetricFamily("wire_polls", "Feed polls by outcome (ok, not_modified, "
                                    "unchanged, error), every worker", labels=["feed", "outcome"])
        items = CounterMetricFamily("wire_items", "Items ingested by what they changed, every "
                                    "worker", labels=["feed", "change"])
        success = GaugeMetricFamily("wire_feed_last_success_timestamp_seconds",
                                    "Unix time of the feed's last successful poll", labels=["feed"])
        health = GaugeMetricFamily("wire_feed_health", "1 for the feed's current health state "
                                   "(ok, failing, quiet)", labels=["feed", "state"])
        for row in rows:
            for column in POLL_COUNTERS:
                polls.add_metric([row.name, column.removeprefix("polls_")], getattr(row, column))
            for column in ITEM_COUNTERS:
                items.add_metric([row.name, column.removeprefix("items_")], getattr(row, column))
            if row.last_success_at is not None:
                success.add_metric([row.name], row.last_success_at.timestamp())
            state = feed_health(_figures(row), now).value
            for name in HEALTH_STATES:
                health.add_metric([row.name, name], 1.0 if name == state else 0.0)
        yield from (polls, items, success, health)


def _figures(row: Any) -> HealthFigures:
    return HealthFigures(row.consecutive_failures, row.last_story_at, row.health_since,
                         (row.config or {}).get("quiet_after"))


class QueueCollector(Collector):
    """`wire_queue_depth{queue}`: messages waiting in each queue of the broker."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def collect(self) -> Iterator[Metric]:
        try:
            depths = queue_depths(self.settings)
        except Exception as e:  # noqa: BLE001 - the scrape shows the rest; readyz says why
            log.warning("metrics_broker_unreachable", extra={"error": type(e).__name__})
            return
        family = GaugeMetricFamily("wire_queue_depth", "Messages waiting in a broker queue",
                                   labels=["queue"])
        for queue, depth in depths.items():
            family.add_metric([queue], depth)
        yield family


def broker_options(settings: Settings) -> dict[str, Any]:
    """Transport options for a short-lived connection to the broker (timeouts, key prefix)."""
    options: dict[str, Any] = {}
    if settings.broker_url.startswith(("redis://", "rediss://")):
        options.update(socket_timeout=BROKER_TIMEOUT, socket_connect_timeout=BROKER_TIMEOUT)
        if settings.broker_prefix:
            options["global_keyprefix"] = settings.broker_prefix
    return options


def queue_depths(settings: Settings) -> dict[str, int]:
    """Messages waiting in each queue (a queue never declared holds none)."""
    from kombu import Connection

    with Connection(settings.broker_url, connect_timeout=BROKER_TIMEOUT,
                    transport_options=broker_options(settings)) as broker:
        broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
        channel = broker.default_channel
        # the virtual transports' own count (every priority list of a Redis queue); a passive
        # queue_declare answers NOT_FOUND on a Redis with a key prefix (kombu 5.7)
        return {queue: int(channel._size(queue)) for queue in QUEUES}


def api_registry(settings: Settings, engine: Engine) -> Any:
    """What the API's `/metrics` serves: the deployment's state (store, broker), and the
    declared event metrics of this process (histograms of polls and lag are the workers':
    their `WIRE_METRICS_BIND`)."""
    from prometheus_client import CollectorRegistry

    from worker.metrics import ALERTS, INGEST_LAG, POLL_DURATION

    registry = CollectorRegistry(auto_describe=False)
    for collector in (StoreCollector(engine), QueueCollector(settings), POLL_DURATION,
                      INGEST_LAG, ALERTS):
        registry.register(collector)
    return registry
