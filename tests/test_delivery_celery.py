"""The delivery protocols through real Celery: `wire run` on the embedded defaults, and workers
on PostgreSQL + Redis killed with SIGKILL in the middle of a poll: nothing lost, nothing stored
twice, nothing acknowledged to the agency before it was stored."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import yaml
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests.agencies.ap import FakeAP
from tests.agencies.base import Call, Reply
from tests.agencies.reuters import FakeReuters
from tests.agencies.servers import SFTPServer
from tests.agencies.wireq import FakeWireQ
from tests.test_delivery_end_to_end import NITF, QUEUE_TOKEN, SECRETS, Agencies
from tests.test_poll_celery import Cluster, cluster  # noqa: F401 - the fixture
from tests.test_poll_integration import counts, wait_for, write_feeds
from tests.test_run_command import WIRE, env_for
from worker.store.db import make_engine


def guids(engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT guid FROM stories"))]


def stories_so_far(engine, db: Path) -> int:
    """Stories in the embedded store; 0 while `wire run` is still creating it."""
    if not db.exists():
        return 0
    try:
        return counts(engine)[0]
    except OperationalError:
        return 0


def test_wire_run_delivers_every_protocol_into_the_embedded_store(tmp_path):
    agencies = Agencies(tmp_path)
    agencies.wireq.retry_empty = 1  # the queue's pacing, shortened for the test
    workdir = tmp_path / "work"
    (workdir / "config").mkdir(parents=True)
    feeds = agencies.feeds(tmp_path)
    for feed in feeds:
        feed["interval"] = 0.5
    (workdir / "config" / "feeds.yaml").write_text(yaml.safe_dump({"feeds": feeds}))
    agencies.publish(0, 3)
    env = {**env_for(workdir), **agencies.env}
    proc = subprocess.Popen([*WIRE, "run"], cwd=workdir, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    engine = make_engine(f"sqlite:///{workdir / 'wire.db'}")
    try:
        wait_for(lambda: stories_so_far(engine, workdir / "wire.db") == 15, 60,
                 "15 stories from five protocols")
        agencies.publish(3, 1)
        wait_for(lambda: counts(engine)[0] == 20, 30, "the next item of every protocol")
        wait_for(lambda: agencies.wireq.waiting() == 0, 10, "the queue emptied")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        engine.dispose()
        agencies.stop()
    stderr = proc.stderr.read().decode() if proc.stderr else ""

    assert counts(make_engine(f"sqlite:///{workdir / 'wire.db'}")) == (20, 20)
    assert (workdir / "wire-archive").is_dir()  # beside the embedded store
    for value in [*[v for v in SECRETS.values() if v], QUEUE_TOKEN]:
        assert value not in stderr


class SlowAP(FakeAP):
    """AP whose NITF renditions take `delay` seconds: a poll is long enough to be killed in."""

    delay = 0.4

    def answer(self, call: Call) -> Reply:
        if call.path.endswith("/download"):
            time.sleep(self.delay)
        return super().answer(call)


class CheckedWireQ(FakeWireQ):
    """wireQ that notes, at each DELETE, whether the entry was already in the store."""

    def __init__(self, secret: str, engine) -> None:
        super().__init__(secret, max_entries=4, receipt_seconds=3, retry_more=0, retry_empty=1)
        self.engine = engine
        self.deleted_unstored: list[str] = []

    def answer(self, call: Call) -> Reply:
        if call.method == "DELETE":
            time.sleep(0.2)
            receipt = call.path.rsplit("/", 1)[-1]
            urn = next((str(q.entry["urn"]) for q in self.queue if q.receipt == receipt), None)
            if urn is not None and urn not in guids(self.engine):
                self.deleted_unstored.append(urn)
        return super().answer(call)


def test_workers_killed_mid_poll_lose_nothing_store_nothing_twice_and_ack_nothing_unstored(
        cluster, tmp_path, pg_store_url):  # noqa: F811
    engine = make_engine(pg_store_url)
    ap = SlowAP(SECRETS["AP_API_KEY"], page_size=4).start()
    wireq = CheckedWireQ(QUEUE_TOKEN, engine).start()
    drop = tmp_path / "remote"
    (drop / "out").mkdir(parents=True)
    sftp = SFTPServer(drop, "wire", SECRETS["FTP_PASSWORD"]).start()
    rtrs = FakeReuters(SECRETS["REUTERS_CLIENT_ID"], SECRETS["REUTERS_CLIENT_SECRET"],
                       page_size=3).start()
    count = 12
    for n in range(count):
        ap.publish(f"ap{n}", 0, f"2026-11-25T10:{n:02d}:00Z", f"AP story {n}", f"Body {n}.")
        wireq.put({"format": "digitalwires@0.9.1", "urn": f"urn:dpa:{n}", "version": 1,
                   "version_created": f"2026-11-25T10:{n:02d}:00Z", "pubstatus": "usable",
                   "headline": f"dpa Meldung {n}", "article_html": f"<p>Text {n}.</p>"})
        (drop / "out" / f"f{n}.xml").write_text(NITF.format(h=f"SFTP story {n}", i=n))
        rtrs.publish(f"R{n}", 1, f"2026-11-25T10:{n:02d}:00Z", f"Reuters story {n}", f"Body {n}.")
    cluster.env.update({**SECRETS, "DPA_WIREQ_URL": wireq.url, "WIRE_POLL_TIME_LIMIT": "30"})
    write_feeds(Path(cluster.env["WIRE_FEEDS"]), [
        {"name": "ap", "provider": "ap", "protocol": "ap-media", "url": ap.first_url,
         "headers": {"x-api-key": "${AP_API_KEY}"}, "interval": 0.5},
        {"name": "dpa", "provider": "dpa", "protocol": "dpa-wireq", "url": "${DPA_WIREQ_URL}",
         "interval": 0.5},
        {"name": "reuters", "provider": "reuters", "protocol": "reuters-connect",
         "url": rtrs.graphql_url, "interval": 0.5,
         "auth": {"token_url": rtrs.token_url, "client_id": "${REUTERS_CLIENT_ID}",
                  "client_secret": "${REUTERS_CLIENT_SECRET}"}},
        {"name": "sftp", "provider": "partner", "protocol": "sftp", "min_age": 0, "interval": 0.5,
         "url": f"sftp://wire@127.0.0.1:{sftp.port}/out/", "password": "${FTP_PASSWORD}"},
    ])
    try:
        cluster.beat()
        for _ in range(2):  # killed twice, each time part-way through the AP pages
            worker = cluster.worker(concurrency=2)
            before = counts(engine)[0]
            wait_for(lambda b=before: counts(engine)[0] > b, 40,
                     f"stories before the kill\n{cluster.log_text()}")
            cluster.kill(worker)
        cluster.worker(concurrency=2)
        wait_for(lambda: counts(engine)[0] == 4 * count, 90,
                 f"every item after the kills\n{cluster.log_text()}")
        wait_for(lambda: wireq.waiting() == 0, 30, "the queue emptied")
        wait_for(lambda: len(list((drop / "out").glob("*.xml"))) == 0, 30, "files moved")
    finally:
        ap.stop()
        wireq.stop()
        sftp.stop()
        rtrs.stop()
    stored = guids(engine)
    engine.dispose()

    assert counts(make_engine(pg_store_url)) == (4 * count, 4 * count)  # nothing twice
    assert len(stored) == len(set(stored)) == 4 * count  # nothing lost
    assert wireq.deleted_unstored == []  # nothing acknowledged before it was stored
    assert len(rtrs.calls_to("/oauth/token")) == 1  # one token for every worker, kept
    assert sorted(p.name for p in (drop / "out" / "processed").iterdir()) == sorted(
        f"f{n}.xml" for n in range(count))


class HeldWireQ(FakeWireQ):
    """wireQ that holds the first DELETE (the acknowledgement after a commit) until released:
    the window in which the test kills the worker, between the commit and the ack."""

    def __init__(self, secret: str) -> None:
        super().__init__(secret, max_entries=10, receipt_seconds=8, retry_more=0, retry_empty=1)
        self.acking = threading.Event()
        self.release = threading.Event()
        self.held: str | None = None  # the receipt of the acknowledgement the kill cut off
        self.acked_with: dict[str, str] = {}  # urn -> the receipt its entry was deleted with

    def answer(self, call: Call) -> Reply:
        receipt = call.path.rsplit("/", 1)[-1]
        if call.method == "DELETE" and not self.release.is_set():
            self.held = receipt
            self.acking.set()
            self.release.wait(30)
            return Reply(503)  # the worker is gone by now
        urn = next((str(q.entry["urn"]) for q in self.queue if q.receipt == receipt), None)
        reply = super().answer(call)
        if call.method == "DELETE" and reply.status == 204 and urn:
            self.acked_with[urn] = receipt
        return reply


def test_a_worker_killed_between_the_commit_and_the_acknowledgement_loses_and_repeats_nothing(
        cluster, pg_store_url):  # noqa: F811
    """SIGKILL exactly after a document's stories were committed and before the queue heard
    of it: the next worker acknowledges the entry with the receipt committed with its stories
    (before that receipt times out and the entry would come back), and stores nothing twice."""
    engine = make_engine(pg_store_url)
    wireq = HeldWireQ(QUEUE_TOKEN).start()
    for n in range(5):
        wireq.put({"format": "digitalwires@0.9.1", "urn": f"urn:dpa:held:{n}", "version": 1,
                   "version_created": f"2026-11-25T10:{n:02d}:00Z", "pubstatus": "usable",
                   "headline": f"dpa Meldung {n}", "article_html": f"<p>Text {n}.</p>"})
    cluster.env.update({"DPA_WIREQ_URL": wireq.url, "WIRE_POLL_TIME_LIMIT": "30"})
    write_feeds(Path(cluster.env["WIRE_FEEDS"]), [
        {"name": "dpa", "provider": "dpa", "protocol": "dpa-wireq", "url": "${DPA_WIREQ_URL}",
         "interval": 0.5}])
    try:
        cluster.beat()
        worker = cluster.worker(concurrency=1)
        wait_for(wireq.acking.is_set, 40, f"the first acknowledgement\n{cluster.log_text()}")
        stored_at_kill = set(guids(engine))
        cluster.kill(worker)
        wireq.release.set()
        cluster.worker(concurrency=1)
        wait_for(lambda: wireq.waiting() == 0, 60, f"the queue emptied\n{cluster.log_text()}")
    finally:
        wireq.stop()
    stored = guids(engine)
    engine.dispose()

    [cut_off] = [urn for urn, receipt in wireq.acked_with.items() if receipt == wireq.held]
    assert cut_off in stored_at_kill  # the kill came after that entry's commit
    assert sorted(stored) == sorted(f"urn:dpa:held:{n}" for n in range(5))  # once each
    assert sorted(wireq.deleted) == sorted(stored)
