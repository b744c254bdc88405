"""Real Celery workers and beats, as processes, on Redis and PostgreSQL against the local
agency server: no feed polled twice at once, a SIGKILLed worker loses nothing."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agency_server import rss, wire_items
from tests.conftest import REPO
from tests.test_poll_integration import REDIS, counts, feed_row, http_feed, wait_for, write_feeds
from worker.store.db import make_engine


class Cluster:
    """Celery workers and beats as real processes; every one is killed at teardown."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def _start(self, argv: list[str], label: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{label}-{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen([sys.executable, "-c", "from worker.cli import main; main()",
                                 *argv], env=self.env, cwd=self.logs, stdout=log, stderr=log,
                                start_new_session=True)
        self.procs.append(proc)
        return proc

    def worker(self, concurrency: int = 2, queues: str | None = None) -> subprocess.Popen[bytes]:
        """A worker on `queues` (comma-separated), or on every queue by default."""
        only = ["-Q", queues] if queues else []
        return self._start(["worker", "-c", str(concurrency), *only, "-n",
                            f"w{len(self.procs)}-{uuid.uuid4().hex[:6]}@%h"], "worker")

    def beat(self) -> subprocess.Popen[bytes]:
        return self._start(["beat"], "beat")

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def stop_all(self) -> None:
        for proc in self.procs:
            self.kill(proc)

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.logs.glob("*.log"))


@pytest.fixture
def cluster(pg_store_url: str, tmp_path: Path) -> Iterator[Cluster]:
    prefix = f"wiretest-{uuid.uuid4().hex[:8]}:"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIRE_")}
    env.update({
        "WIRE_DATABASE_URL": pg_store_url,
        "WIRE_BROKER_URL": REDIS,
        "WIRE_BROKER_PREFIX": prefix,
        "WIRE_FEEDS": str(tmp_path / "feeds.yaml"),
        "WIRE_DISPATCH_SECONDS": "0.3",
        "WIRE_POLL_TIME_LIMIT": "6",
        "PYTHONPATH": str(REPO),
    })
    c = Cluster(env, tmp_path)
    yield c
    c.stop_all()
    import redis

    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


def test_two_workers_and_two_beats_poll_every_feed_but_never_one_feed_twice_at_once(
    cluster, agency, tmp_path, pg_store_url
):
    items = {path: wire_items(5, prefix=f"urn:{path[1:]}:") for path in ("/a", "/b", "/slow")}
    for path, its in items.items():
        agency.feed(path, body=rss(its))
    agency.feed("/slow", delay=1.5)
    agency.feed("/down", always_status=500)
    agency.feed("/limited", always_status=429, retry_after="600")
    failing = [http_feed(agency, "down", "/down", interval=0.5),
               http_feed(agency, "limited", "/limited", interval=0.5)]
    write_feeds(tmp_path / "feeds.yaml", [
        http_feed(agency, "a", "/a", interval=0.5), http_feed(agency, "b", "/b", interval=0.5),
        http_feed(agency, "slow", "/slow", interval=0.3), *failing])
    started = time.monotonic()
    for _ in range(2):
        cluster.worker(concurrency=2)
        cluster.beat()
    engine = make_engine(pg_store_url)
    try:
        wait_for(lambda: counts(engine)[0] == 15, 40, f"15 stories\n{cluster.log_text()}")
        items["/a"][0] = {**items["/a"][0], "title": "Updated headline",
                          "date": "Wed, 25 Nov 2026 11:30:00 GMT"}
        agency.feed("/a", body=rss(items["/a"]))
        wait_for(lambda: counts(engine) == (15, 16), 20, "the updated version")
        # a feed added to the file is polled without restarting anything
        agency.feed("/late", body=rss(wire_items(2, prefix="urn:late:")))
        write_feeds(tmp_path / "feeds.yaml", [
            http_feed(agency, "a", "/a", interval=0.5), http_feed(agency, "b", "/b", interval=0.5),
            http_feed(agency, "slow", "/slow", interval=0.3),
            http_feed(agency, "late", "/late", interval=0.5), *failing])
        wait_for(lambda: counts(engine) == (17, 18), 20, "the feed added to the file")
        # the slow feed (1.5 s per answer) is polled again and again, one poll at a time,
        # and the failing one is retried with back-off
        wait_for(lambda: len(agency.requests_of("/slow")) >= 3, 20, "a third poll of /slow")
        wait_for(lambda: feed_row(engine, "down").consecutive_failures >= 2, 20,
                 "a second failure of /down")
        time.sleep(1)
        down = feed_row(engine, "down")
    finally:
        engine.dispose()
    elapsed = time.monotonic() - started

    assert len(agency.requests_of("/slow")) >= 3
    assert agency.max_inflight == {"/a": 1, "/b": 1, "/slow": 1, "/late": 1, "/down": 1,
                                   "/limited": 1}
    # back-off from 0.5 s doubling (1, 2, 4, 8 s..., at most 20 % less): about log2(t) requests,
    # where polling every 0.5 s would have made 2 t
    assert 2 <= len(agency.requests_of("/down")) <= 2 + math.log2(elapsed / 0.4 + 1)
    assert down.consecutive_failures >= 2 and "HTTP 500" in down.last_error
    assert len(agency.requests_of("/limited")) == 1  # Retry-After: 600
    later = agency.requests_of("/b")[1:]
    assert later and all("If-None-Match" in r.headers for r in later)
    assert {r.status for r in later} == {304}


def test_a_worker_killed_mid_poll_loses_nothing_and_duplicates_nothing(
    cluster, agency, tmp_path, pg_store_url
):
    agency.feed("/slow", body=rss(wire_items(20)), delay=2.0)
    write_feeds(tmp_path / "feeds.yaml", [http_feed(agency, "slow", "/slow", interval=0.5)])
    cluster.beat()
    first = cluster.worker(concurrency=1)
    wait_for(lambda: agency.inflight.get("/slow"), 30, f"the first poll\n{cluster.log_text()}")

    cluster.kill(first)  # SIGKILL, worker and pool, while the agency is answering
    engine = make_engine(pg_store_url)
    try:
        assert counts(engine) == (0, 0)
        cluster.worker(concurrency=1)
        wait_for(lambda: counts(engine) == (20, 20), 40, f"every story\n{cluster.log_text()}")
        time.sleep(1.5)
        assert counts(engine) == (20, 20)
        assert feed_row(engine, "slow").consecutive_failures == 0
    finally:
        engine.dispose()
    assert agency.max_inflight["/slow"] == 1


def test_a_poll_message_dropped_behind_busy_workers_does_not_strand_its_feed(
    cluster, agency, tmp_path, pg_store_url
):
    """Both processes of the polling worker are busy with slow feeds (the dispatcher runs on
    its own, as in production); the drop folder's poll messages expire unrun (5 s). Each
    dropped message gives its feed back, so the folder is polled as soon as a process is free:
    not after its claim would have run out."""
    agency.feed("/slow1", body=rss(wire_items(1, prefix="urn:s1:")), delay=9)
    agency.feed("/slow2", body=rss(wire_items(1, prefix="urn:s2:")), delay=9)
    drop = tmp_path / "drop"
    drop.mkdir()
    write_feeds(tmp_path / "feeds.yaml", [
        http_feed(agency, "slow1", "/slow1", interval=3600),
        http_feed(agency, "slow2", "/slow2", interval=3600),
        {"name": "folder", "folder": str(drop), "interval": 1}])
    cluster.env["WIRE_POLL_TIME_LIMIT"] = "30"
    cluster.worker(concurrency=1, queues="wire.schedule")
    cluster.worker(concurrency=2, queues="wire.poll")
    cluster.beat()
    engine = make_engine(pg_store_url)
    try:
        # both processes busy with the slow feeds; the folder's message now waits behind them
        wait_for(lambda: all(agency.requests_of(p) for p in ("/slow1", "/slow2")), 30,
                 f"both slow feeds polled\n{cluster.log_text()}")
        busy_from = time.monotonic()
        document = REPO / "tests" / "data" / "text" / "raqqa-aggregator.txt"
        (drop / "story.txt").write_bytes(document.read_bytes())
        wait_for(lambda: (drop / "processed" / "story.txt").exists(), 40,
                 f"the dropped story\n{cluster.log_text()}")
        waited = time.monotonic() - busy_from
    finally:
        engine.dispose()

    # the slow polls end ~9 s after they began; a stranded claim would hold the folder for
    # about the poll's full lease (37.5 s) instead
    assert waited < 20, waited
    assert "feed_poll_dropped" in cluster.log_text()
