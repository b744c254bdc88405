"""The Prometheus metrics of SPEC "HTTP API" (`GET /metrics`; workers on `WIRE_METRICS_BIND`).

Every metric a process records is declared here, so each process has the same names. Workers
record events where they happen: `record_poll` once per poll (the poll task's outcome),
`ALERTS.labels(rule, outcome).inc()` after a webhook delivery. With several prefork processes
a worker runs in prometheus-client's multiprocess mode (`worker.ops.exporter`), so the gauges
say how their values from many processes combine (`multiprocess_mode`).

What is the deployment's state rather than one process's events (feed health, queue depth,
counters summed over every worker) is read from the store and the broker when scraped
(`worker.ops.collect`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

POLLS = Counter("wire_polls", "Feed polls by outcome (ok, not_modified, unchanged, error)",
                ["feed", "outcome"], registry=REGISTRY)
POLL_DURATION = Histogram("wire_poll_duration_seconds", "How long a feed poll took", ["feed"],
                          registry=REGISTRY, buckets=(.001, .0025, .005, .01, .025, .05, .1, .25,
                                                      .5, 1, 2.5, 5, 10, 30, 60, 120))
ITEMS = Counter("wire_items", "Items ingested by what they changed (new, updated, unchanged, "
                "stale, duplicate)", ["feed", "change"], registry=REGISTRY)
FEED_LAST_SUCCESS = Gauge("wire_feed_last_success_timestamp_seconds",
                          "Unix time of the feed's last successful poll", ["feed"],
                          registry=REGISTRY, multiprocess_mode="max")
FEED_HEALTH = Gauge("wire_feed_health", "1 for the feed's current health state (ok, failing, "
                    "quiet)", ["feed", "state"], registry=REGISTRY,
                    multiprocess_mode="mostrecent")
INGEST_LAG = Histogram("wire_ingest_lag_seconds", "From a version's version_created to stored",
                       registry=REGISTRY,
                       buckets=(1, 5, 15, 30, 60, 120, 300, 900, 3600, 21600, 86400))
ALERTS = Counter("wire_alerts", "Alert deliveries by outcome (delivered, retry, failed)",
                 ["rule", "outcome"], registry=REGISTRY)

HEALTH_STATES = ("ok", "failing", "quiet")
#: SPEC labels of `wire_items_total{change}`
ITEM_CHANGES = ("new", "updated", "unchanged", "stale", "duplicate")


def record_poll(feed: str, outcome: str, seconds: float, items: Mapping[str, int],
                created: Iterable[datetime], stored: datetime, succeeded_at: datetime | None,
                health: str) -> None:
    """One poll's metrics: its outcome and duration, its items, the lag of each version it
    made current, the feed's last success and health. About 15 us (docs/operations.md)."""
    duration, last_success, states = _children(feed)
    _labelled(POLLS, feed, outcome).inc()
    duration.observe(seconds)
    for change, count in items.items():
        if count:
            _labelled(ITEMS, feed, change).inc(count)
    for at in created:
        INGEST_LAG.observe(max(0.0, (stored - at).total_seconds()))
    if succeeded_at is not None:
        last_success.set(succeeded_at.timestamp())
    for state, gauge in states.items():
        gauge.set(1 if state == health else 0)


# A poll's labelled children, kept: `.labels()` builds and checks its label tuple on every
# call, a third of record_poll's cost when called seven times per poll
_CHILDREN: dict[str, tuple[Any, Any, dict[str, Any]]] = {}
_LABELLED: dict[tuple[int, str, str], Any] = {}


def _children(feed: str) -> tuple[Any, Any, dict[str, Any]]:
    found = _CHILDREN.get(feed)
    if found is None:
        found = _CHILDREN[feed] = (POLL_DURATION.labels(feed), FEED_LAST_SUCCESS.labels(feed),
                                   {s: FEED_HEALTH.labels(feed, s) for s in HEALTH_STATES})
    return found


def _labelled(metric: Any, feed: str, label: str) -> Any:
    key = (id(metric), feed, label)
    found = _LABELLED.get(key)
    if found is None:
        found = _LABELLED[key] = metric.labels(feed, label)
    return found
