"""Scale out: two worker processes and one beat on the shared Redis (a key prefix of their own)
and PostgreSQL share the polls, and no poll is done twice."""

from __future__ import annotations

import json
import time

from tests.agency_server import rss, wire_items
from tests.test_poll_celery import cluster  # noqa: F401 - fixture
from tests.test_poll_integration import counts, http_feed, wait_for, write_feeds
from worker.ops.collect import queue_depths
from worker.settings import Settings
from worker.store.db import make_engine
from worker.store.feeds import feed_rows
from worker.store.models import POLL_COUNTERS

FEEDS = 12


def polls_in_store(engine) -> int:
    return sum(getattr(r, c) for r in feed_rows(engine).values() for c in POLL_COUNTERS)


def test_two_workers_and_one_beat_share_the_polls_without_double_work(
        cluster, agency, tmp_path, pg_store_url):  # noqa: F811
    for i in range(FEEDS):
        agency.feed(f"/f{i}", body=rss(wire_items(3, prefix=f"urn:f{i}:")), delay=0.02)
    write_feeds(tmp_path / "feeds.yaml", [http_feed(agency, f"f{i}", f"/f{i}", interval=0.5)
                                          for i in range(FEEDS)])
    workers = [cluster.worker(concurrency=1), cluster.worker(concurrency=1)]
    beat = cluster.beat()
    started = time.monotonic()
    engine = make_engine(pg_store_url)
    try:
        wait_for(lambda: counts(engine)[0] == FEEDS * 3, 60,
                 f"every feed's stories\n{cluster.log_text()}")
        wait_for(lambda: polls_in_store(engine) >= 8 * FEEDS, 90, "eight polls of each feed")
        cluster.kill(beat)  # no more polls: every count can be compared
        settings = Settings.from_env(cluster.env, tmp_path)
        wait_for(lambda: not any(r.lease_until for r in feed_rows(engine).values())
                 and queue_depths(settings)["wire.poll"] == 0, 30, "the last polls to end")
        elapsed = time.monotonic() - started
        polls = polls_in_store(engine)
        stored = counts(engine)
    finally:
        engine.dispose()

    # each worker process did a share of the polls, and together exactly the polls made
    by_worker = []
    for proc in workers:
        log = tmp_path / f"worker-{cluster.procs.index(proc)}.log"
        lines = [json.loads(line) for line in log.read_text().splitlines()
                 if line.startswith("{")]
        by_worker.append(sum(1 for e in lines if e.get("event") == "feed_polled"))
    assert all(n > 0 for n in by_worker), by_worker
    assert sum(by_worker) == polls
    # no double work: one request per poll, never two polls of a feed at once, nothing twice
    assert len(agency.requests) == polls
    assert set(agency.max_inflight.values()) == {1}
    assert stored == (FEEDS * 3, FEEDS * 3)
    for i in range(FEEDS):
        assert len(agency.requests_of(f"/f{i}")) <= elapsed / 0.5 + 2
