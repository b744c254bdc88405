"""Keep healthy: a worker or the API that loses the store or the broker for a while recovers by
itself, `/readyz` says 503 meanwhile; SIGTERM lets a worker finish its poll and the API answer
the requests in flight. The store and broker that go down are the test's own processes
(tests/servers.py), stopped and started by pid."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.agency_server import rss, wire_items
from tests.api_server import free_port
from tests.conftest import REPO
from tests.helpers import store_all, version_of
from tests.servers import OwnPostgres, OwnRedis
from tests.test_poll_celery import Cluster, cluster  # noqa: F401 - fixture
from tests.test_poll_integration import counts, feed_row, http_feed, wait_for, write_feeds
from worker.store.db import make_engine, open_store


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    server = OwnPostgres().init().start()
    yield server
    server.remove()


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    server = OwnRedis().start()
    yield server
    server.stop()


def wire_env(tmp_path: Path, **env: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WIRE_")}
    base.update(WIRE_FEEDS=str(tmp_path / "feeds.yaml"), PYTHONPATH=str(REPO), **env)
    return base


def start_serve(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = (tmp_path / "serve.log").open("ab")
    proc = subprocess.Popen([sys.executable, "-m", "worker", "serve"], cwd=tmp_path,
                            env={**env, "WIRE_API_BIND": f"127.0.0.1:{port}"}, stdout=log,
                            stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()
        try:
            return httpx.get(base + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, 30, "wire serve")
    return proc, base


def status(base: str, path: str) -> int:
    try:
        return httpx.get(base + path, timeout=10).status_code
    except httpx.HTTPError:
        return 0


def test_readyz_is_503_while_the_store_or_the_broker_is_down_and_the_api_recovers_by_itself(
        own_postgres, own_redis, tmp_path):
    (tmp_path / "feeds.yaml").write_text("feeds: []\n")
    engine = open_store(own_postgres.url)
    store_all(engine, [version_of("urn:resilient")], datetime_now())
    engine.dispose()
    proc, base = start_serve(tmp_path, wire_env(tmp_path, WIRE_DATABASE_URL=own_postgres.url,
                                                 WIRE_BROKER_URL=own_redis.url))
    try:
        assert status(base, "/readyz") == 200

        own_redis.stop()
        answer = httpx.get(base + "/readyz", timeout=10)
        assert answer.status_code == 503
        assert answer.json()["store"] == "ok" and answer.json()["broker"].startswith(
            "unreachable")
        own_redis.start()
        wait_for(lambda: status(base, "/readyz") == 200, 20, "ready again after Redis")

        own_postgres.stop()
        answer = httpx.get(base + "/readyz", timeout=10)
        assert answer.status_code == 503 and answer.json()["store"].startswith("unreachable")
        assert status(base, "/stories?status=all") == 503  # said, not a 500
        own_postgres.start()
        wait_for(lambda: status(base, "/readyz") == 200, 30, "ready again after PostgreSQL")
        wait_for(lambda: status(base, "/stories?status=all") == 200, 30, "stories again")
        stories = httpx.get(base + "/stories?status=all", timeout=10).json()["stories"]
        assert [s["guid"] for s in stories] == ["urn:resilient"]
        assert proc.poll() is None
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def datetime_now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


def test_workers_and_beat_that_lose_the_store_and_then_the_broker_recover_by_themselves(
        own_postgres, own_redis, agency, tmp_path):
    items = wire_items(2)
    agency.feed("/wire", body=rss(items))
    write_feeds(tmp_path / "feeds.yaml", [http_feed(agency, "wire", "/wire", interval=0.5)])
    env = wire_env(tmp_path, WIRE_DATABASE_URL=own_postgres.url, WIRE_BROKER_URL=own_redis.url,
                   WIRE_DISPATCH_SECONDS="0.3", WIRE_POLL_TIME_LIMIT="4")
    procs = Cluster(env, tmp_path)
    open_store(own_postgres.url).dispose()
    procs.worker(concurrency=1)
    procs.beat()
    engine = make_engine(own_postgres.url)
    try:
        wait_for(lambda: counts(engine)[0] == 2, 40, f"the first stories\n{procs.log_text()}")

        # the store goes away for a while: polls fail, nothing is lost
        own_postgres.stop()
        items += wire_items(2, start=2)
        agency.feed("/wire", body=rss(items))
        wait_for(lambda: "OperationalError" in procs.log_text(), 30, "the workers to notice")
        own_postgres.start()
        wait_for(lambda: safe_counts(engine) == 4, 60,
                 f"the stories of the outage\n{procs.log_text()}")

        # then the broker: ticks and polls stop, and resume once it is back (empty)
        own_redis.stop()
        items += wire_items(2, start=4)
        agency.feed("/wire", body=rss(items))
        wait_for(lambda: "Connection" in procs.log_text() and "refused" in procs.log_text()
                 or "Error 111" in procs.log_text(), 30, "the broker to be missed")
        own_redis.start()
        wait_for(lambda: safe_counts(engine) == 6, 90,
                 f"the stories after Redis came back\n{procs.log_text()}")
        assert all(p.poll() is None for p in procs.procs), procs.log_text()
    finally:
        engine.dispose()
        procs.stop_all()


def safe_counts(engine) -> int | None:
    try:
        return counts(engine)[0]
    except Exception:  # noqa: BLE001 - the store is still starting
        return None


def test_a_worker_stopped_with_sigterm_finishes_its_poll_and_exits(
        cluster, agency, tmp_path, pg_store_url):  # noqa: F811
    agency.feed("/slow", body=rss(wire_items(5)), delay=3.0)
    write_feeds(tmp_path / "feeds.yaml", [http_feed(agency, "slow", "/slow", interval=60)])
    beat = cluster.beat()
    worker = cluster.worker(concurrency=1)
    wait_for(lambda: agency.inflight.get("/slow"), 40, f"the poll\n{cluster.log_text()}")
    cluster.kill(beat)

    os.kill(worker.pid, signal.SIGTERM)  # the worker's main process: a warm shutdown

    assert worker.wait(30) == 0, cluster.log_text()
    engine = make_engine(pg_store_url)
    try:
        assert counts(engine) == (5, 5)
        row = feed_row(engine, "slow")
    finally:
        engine.dispose()
    assert row.last_outcome == "ok" and row.lease_until is None
    assert len(agency.requests_of("/slow")) == 1


def test_the_api_answers_the_requests_in_flight_when_stopped(pg_store_url, tmp_path):
    (tmp_path / "feeds.yaml").write_text("feeds: []\n")
    proc, base = start_serve(tmp_path, wire_env(
        tmp_path, WIRE_DATABASE_URL=pg_store_url,
        WIRE_BROKER_URL=f"sqla+sqlite:///{tmp_path}/broker.db"))
    answers: list[int] = []
    conninfo = pg_store_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as lock:
        lock.execute("LOCK TABLE feeds IN ACCESS EXCLUSIVE MODE")  # /feeds now waits
        request = threading.Thread(target=lambda: answers.append(
            httpx.get(base + "/feeds", timeout=60).status_code))
        request.start()
        wait_for(lambda: lock.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND pid <> pg_backend_pid()").fetchone()[0] == 1, 20, "the request to wait")

        proc.send_signal(signal.SIGTERM)
        wait_for(lambda: status(base, "/healthz") == 0, 20, "no new connections taken")
        assert proc.poll() is None  # still answering the request in flight
        lock.rollback()  # the lock goes: the request completes
    request.join(30)
    assert answers == [200]
    # uvicorn ends by re-raising the signal it stopped on, once every request is answered
    assert proc.wait(30) in (0, -signal.SIGTERM)
    assert "Finished server process" in (tmp_path / "serve.log").read_text()
