"""Observe: JSON log lines with the same keys on every line of a poll and one line per poll;
Prometheus metrics from the API (the deployment, from the store) and from a real worker's
prefork processes (multiprocess mode: nothing lost, dead processes handled)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import psutil
from prometheus_client.parser import text_string_to_metric_families

from tests.agency_server import rss, wire_items
from tests.api_server import api_client, free_port
from tests.test_feed_health import json_caplog, json_lines  # noqa: F401 - fixture
from tests.test_poll_celery import cluster  # noqa: F401 - fixture
from tests.test_poll_integration import http_feed, poller, wait_for, write_feeds  # noqa: F401
from worker.ops.collect import QUEUES, queue_depths
from worker.settings import Settings
from worker.store.db import make_engine
from worker.store.feeds import feed_rows
from worker.store.models import POLL_COUNTERS


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """{sorted labels: value} of one sample name in a Prometheus text answer."""
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                out[tuple(sorted(sample.labels.items()))] = sample.value
    return out


def test_every_line_of_a_poll_names_its_feed_provider_and_poll_and_a_quiet_poll_is_one_line(
        poller, agency, json_caplog, tmp_path):  # noqa: F811
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "good.xml").write_bytes(rss(wire_items(2, prefix="urn:drop:")))
    (drop / "bad.xml").write_bytes(b"<?xml version='1.0'?><no-wire-format/>")
    for path in drop.iterdir():
        os.utime(path, (time.time() - 5, time.time() - 5))
    agency.feed("/wire", body=rss(wire_items(3)))
    poller.configure([http_feed(agency, "wire", "/wire"),
                      {"name": "drop", "provider": "dpa", "folder": str(drop), "interval": 60}])
    poller.poll_due()
    agency.feed("/wire", body=rss(wire_items(3), build_date="Wed, 25 Nov 2026 12:05:00 GMT"))
    for _ in range(2):  # the same items in a new body, then a 304
        poller.make_due("wire")
        poller.poll_due()

    lines = [e for e in json_lines(json_caplog) if e["logger"].startswith("worker.")
             and e["event"] != "feeds_synced"]
    assert all(e["feed"] in ("wire", "drop") and e["poll"] for e in lines)
    assert all(e["provider"] == {"wire": "agency", "drop": "dpa"}[e["feed"]] for e in lines)
    polls = [e for e in lines if e["event"] == "feed_polled"]
    assert len({p["poll"] for p in polls}) == len(polls) == 4
    dropped = [e for e in lines if e["feed"] == "drop"]
    assert sorted(e["event"] for e in dropped) == ["document_failed", "feed_polled"]
    assert len({e["poll"] for e in dropped}) == 1
    wire = [p for p in polls if p["feed"] == "wire"]
    assert [p["status"] for p in wire] == ["ok", "unchanged", "not_modified"]
    # every poll of the HTTP feed, new items or not: one line, none per item
    for poll in wire:
        assert [e["event"] for e in lines if e["poll"] == poll["poll"]] == ["feed_polled"]


def test_the_api_metrics_count_every_poll_and_item_of_every_feed(poller, agency, tmp_path):  # noqa: F811
    agency.feed("/a", body=rss(wire_items(3)))
    agency.feed("/down", always_status=503)
    poller.configure([http_feed(agency, "a", "/a"), http_feed(agency, "down", "/down")])
    poller.poll_due()
    agency.feed("/a", body=rss(wire_items(3), build_date="Wed, 25 Nov 2026 12:05:00 GMT"))
    for _ in range(2):
        poller.make_due("a")
        poller.make_due("down")
        poller.poll_due()

    url = poller.engine.url.render_as_string(hide_password=False)
    with api_client(url, tmp_path, WIRE_FEEDS=str(poller.feeds_path)) as api:
        text = api.get("/metrics").text
    polls = samples(text, "wire_polls_total")
    assert polls[(("feed", "a"), ("outcome", "ok"))] == 1
    assert polls[(("feed", "a"), ("outcome", "unchanged"))] == 1
    assert polls[(("feed", "a"), ("outcome", "not_modified"))] == 1
    assert polls[(("feed", "down"), ("outcome", "error"))] == 3
    items = samples(text, "wire_items_total")
    assert items[(("change", "new"), ("feed", "a"))] == 3
    assert items[(("change", "unchanged"), ("feed", "a"))] == 3
    last = samples(text, "wire_feed_last_success_timestamp_seconds")
    assert abs(last[(("feed", "a"),)] - time.time()) < 60 and (("feed", "down"),) not in last
    health = samples(text, "wire_feed_health")
    assert health[(("feed", "down"), ("state", "failing"))] == 1
    assert health[(("feed", "a"), ("state", "ok"))] == 1
    assert set(samples(text, "wire_queue_depth")) == {(("queue", q),) for q in QUEUES}


def test_queue_depth_counts_the_messages_waiting_on_a_prefixed_redis(tmp_path):
    from kombu import Connection

    from tests.test_poll_integration import REDIS

    prefix = f"wiretest-depth-{os.getpid()}:"
    settings = Settings.from_env({"WIRE_BROKER_URL": REDIS, "WIRE_BROKER_PREFIX": prefix},
                                 tmp_path)
    with Connection(REDIS, transport_options={"global_keyprefix": prefix}) as broker:
        queue = broker.SimpleQueue("wire.poll")
        for n in range(3):
            queue.put({"n": n})
        try:
            assert queue_depths(settings) == {"wire.schedule": 0, "wire.poll": 3,
                                              "wire.alerts": 0}
        finally:
            queue.clear()
            queue.close()


def test_the_queues_counted_are_the_queues_the_workers_declare():
    from worker.tasks.app import app

    assert {q.name for q in app.conf.task_queues} <= set(QUEUES)


def scrape(port: int) -> str:
    return httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text


def test_a_workers_prefork_processes_are_counted_together_and_a_killed_one_is_not_lost(
        cluster, agency, tmp_path, pg_store_url):  # noqa: F811
    for name in ("a", "b", "c", "d"):
        agency.feed(f"/{name}", body=rss(wire_items(2, prefix=f"urn:{name}:")), delay=0.05)
    write_feeds(tmp_path / "feeds.yaml", [http_feed(agency, n, f"/{n}", interval=0.3)
                                          for n in ("a", "b", "c", "d")])
    port = free_port()
    folder = tmp_path / "metrics"
    cluster.env.update(WIRE_METRICS_BIND=f"127.0.0.1:{port}", WIRE_METRICS_DIR=str(folder))
    worker = cluster.worker(concurrency=2)
    beat = cluster.beat()
    engine = make_engine(pg_store_url)
    try:
        def store_polls() -> int:
            return sum(getattr(r, c) for r in feed_rows(engine).values() for c in POLL_COUNTERS)

        wait_for(lambda: store_polls() >= 40, 60, f"40 polls\n{cluster.log_text()}")
        pids = {int(f.stem.rsplit("_", 1)[1]) for f in folder.glob("counter_*.db")}
        assert len(pids) == 2, "both pool processes polled and wrote their own counts"
        child = psutil.Process(worker.pid).children()[0]
        os.kill(child.pid, signal.SIGKILL)  # a pool process dies; Celery starts another
        wait_for(lambda: store_polls() >= 60, 60, "polls after the pool process died")

        cluster.kill(beat)  # no more polls: the worker's totals must equal the store's
        settings = Settings.from_env({**cluster.env}, tmp_path)
        # the killed process's poll comes back to the other (or is dropped unrun and gives
        # its feed back): slow on a loaded machine, so the wait is long and says what it saw
        wait_for(lambda: not any(r.lease_until for r in feed_rows(engine).values())
                 and queue_depths(settings)["wire.poll"] == 0, 120,
                 lambda: f"the last polls to end: leases "
                 f"{ {n: r.lease_until for n, r in feed_rows(engine).items()} }, queue "
                 f"{queue_depths(settings)}\n{cluster.log_text()[-4000:]}")
        text = scrape(port)
        rows = feed_rows(engine)
    finally:
        engine.dispose()
    polls = samples(text, "wire_polls_total")
    for name, row in rows.items():
        for column in POLL_COUNTERS:
            label = (("feed", name), ("outcome", column.removeprefix("polls_")))
            assert polls.get(label, 0) == getattr(row, column), label
    durations = samples(text, "wire_poll_duration_seconds_count")
    assert sum(durations.values()) == sum(polls.values()) >= 60
    health = samples(text, "wire_feed_health")
    assert all(health[(("feed", n), ("state", "ok"))] == 1 for n in rows)
    assert samples(text, "wire_queue_depth")[(("queue", "wire.poll"),)] == 0
    assert child.pid in {int(f.stem.rsplit("_", 1)[1]) for f in Path(folder).glob("*.db")}
