"""The Prometheus metrics of SPEC "HTTP API" (`GET /metrics`; workers on `WIRE_METRICS_BIND`).

One registry for the product, with every metric the SPEC names declared here, so each process
(API, worker) exposes the same names. Callers update them where the event happens
(`ALERTS.labels(rule, outcome).inc()` after a webhook delivery); nothing here reads the store.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

POLLS = Counter("wire_polls", "Feed polls by outcome", ["feed", "outcome"], registry=REGISTRY)
POLL_DURATION = Histogram("wire_poll_duration_seconds", "How long a feed poll took", ["feed"],
                          registry=REGISTRY)
ITEMS = Counter("wire_items", "Items ingested by what they changed (new, updated, unchanged, "
                "stale, duplicate)", ["feed", "change"], registry=REGISTRY)
FEED_LAST_SUCCESS = Gauge("wire_feed_last_success_timestamp_seconds",
                          "Unix time of the feed's last successful poll", ["feed"],
                          registry=REGISTRY)
FEED_HEALTH = Gauge("wire_feed_health", "1 for the feed's current health state (ok, failing, "
                    "quiet)", ["feed", "state"], registry=REGISTRY)
INGEST_LAG = Histogram("wire_ingest_lag_seconds", "From a version's version_created to stored",
                       registry=REGISTRY,
                       buckets=(1, 5, 15, 30, 60, 120, 300, 900, 3600, 21600, 86400))
ALERTS = Counter("wire_alerts", "Alert deliveries by outcome (delivered, retry, failed)",
                 ["rule", "outcome"], registry=REGISTRY)
QUEUE_DEPTH = Gauge("wire_queue_depth", "Messages waiting in a broker queue", ["queue"],
                    registry=REGISTRY)
