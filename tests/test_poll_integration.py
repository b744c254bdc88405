"""Polling end to end: the poll task in process on both stores against the local agency server
(real Celery processes: tests/test_poll_celery.py)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select, update

import worker.tasks.app as tasks_app
from tests.agency_server import AgencyServer, rss, wire_items
from worker.settings import Settings
from worker.store.db import make_engine
from worker.store.feeds import claim_due
from worker.store.models import FeedRow, StoryRow, VersionRow
from worker.tasks.app import Runtime
from worker.tasks.poll import poll_feed
from worker.tasks.schedule import sync_config

REDIS = os.environ.get("WIRE_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def write_feeds(path: Path, feeds: list[dict[str, Any]]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump({"feeds": feeds}), encoding="utf-8")
    os.replace(tmp, path)  # whole file at once: a reader never sees half of it


def counts(engine: Engine) -> tuple[int, int]:
    """(stories, versions in all): each story's current version plus its history rows."""
    with engine.connect() as conn:
        stories = conn.execute(select(func.count()).select_from(StoryRow)).scalar_one()
        return stories, stories + conn.execute(
            select(func.count()).select_from(VersionRow)).scalar_one()


def feed_row(engine: Engine, name: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(FeedRow).where(FeedRow.name == name)).one()


def wait_for(check: Callable[[], Any], timeout: float,
             what: str | Callable[[], str]) -> Any:
    """`check()` once it is true; `what` (or what it returns, read at the end) names it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for "
                         f"{what() if callable(what) else what}")


# -- the poll task in process ------------------------------------------------------------------

class Poller:
    """The dispatcher and the poll task run in this process, on a test store."""

    def __init__(self, url: str, feeds_path: Path) -> None:
        self.feeds_path = feeds_path
        settings = Settings.from_env({"WIRE_DATABASE_URL": url, "WIRE_FEEDS": str(feeds_path)},
                                     feeds_path.parent)
        self.runtime = Runtime(settings)
        self.engine = self.runtime.engine

    def configure(self, feeds: list[dict[str, Any]]) -> None:
        write_feeds(self.feeds_path, feeds)

    def poll_due(self, at: datetime | None = None) -> int:
        """One dispatcher tick, the polls run here instead of on a worker."""
        at = at or datetime.now(timezone.utc)
        sync_config(at)
        token = uuid.uuid4().hex
        claims = claim_due(self.engine, at, token, 60)
        for claim in claims:
            poll_feed(claim.feed_id, token)
        return len(claims)

    def make_due(self, name: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(FeedRow).where(FeedRow.name == name).values(
                next_poll_at=datetime.now(timezone.utc) - timedelta(seconds=1)))


@pytest.fixture
def poller(store_url: str, tmp_path: Path) -> Iterator[Poller]:
    p = Poller(store_url, tmp_path / "feeds.yaml")
    tasks_app._runtime = p.runtime
    yield p
    tasks_app._runtime = None
    p.engine.dispose()


def http_feed(agency: AgencyServer, name: str, path: str, interval: float = 60,
              **extra: Any) -> dict[str, Any]:
    return {"name": name, "provider": "agency", "url": agency.url(path), "interval": interval,
            **extra}


def test_new_and_updated_items_arrive_as_stories_and_versions(poller, agency):
    items = wire_items(3)
    agency.feed("/wire", body=rss(items))
    poller.configure([http_feed(agency, "wire", "/wire")])

    assert poller.poll_due() == 1
    assert counts(poller.engine) == (3, 3)
    items[1] = {**items[1], "title": "Story 1, updated", "date": "Wed, 25 Nov 2026 11:00:00 GMT"}
    items.append(wire_items(1, start=7)[0])
    agency.feed("/wire", body=rss(items))
    poller.make_due("wire")
    poller.poll_due()

    assert counts(poller.engine) == (4, 5)
    row = feed_row(poller.engine, "wire")
    assert (row.last_outcome, row.last_new, row.last_updated, row.consecutive_failures) == (
        "ok", 1, 1, 0)
    assert row.lease_until is None and row.lease_token is None


def test_an_unchanged_feed_is_asked_conditionally_and_a_304_is_not_a_failure(poller, agency):
    agency.feed("/wire", body=rss(wire_items(2)))
    poller.configure([http_feed(agency, "wire", "/wire", interval=30)])
    poller.poll_due()
    poller.make_due("wire")
    before = datetime.now(timezone.utc)

    poller.poll_due()

    second = agency.requests_of("/wire")[1]
    assert second.status == 304 and "If-None-Match" in second.headers
    row = feed_row(poller.engine, "wire")
    assert (row.last_outcome, row.consecutive_failures) == ("not_modified", 0)
    assert row.next_poll_at >= before + timedelta(seconds=29)


def test_a_feed_repeating_the_same_100_items_costs_little_more_than_its_fetch(poller, agency):
    items = wire_items(100)
    agency.feed("/wire", body=rss(items), etag=False, last_modified=False)
    poller.configure([http_feed(agency, "wire", "/wire")])
    poller.poll_due()
    durations = []
    for minute in range(5):  # new bytes every poll (lastBuildDate), the same items
        agency.feed("/wire", body=rss(items, build_date=f"Wed, 25 Nov 2026 12:0{minute}:00 GMT"))
        poller.make_due("wire")
        poller.poll_due()
        row = feed_row(poller.engine, "wire")
        assert (row.last_outcome, row.last_new, row.last_updated) == ("unchanged", 0, 0)
        durations.append(row.last_duration)

    first_poll = feed_row(poller.engine, "wire")
    assert counts(poller.engine) == (100, 100)
    assert sorted(durations)[2] < 0.1  # measured ~10-20 ms against ~0.5 s for the full parse
    assert first_poll.last_error is None


def test_failures_back_off_exponentially_and_success_resets(poller, agency):
    agency.feed("/wire", body=rss(wire_items(1)), always_status=500)
    poller.configure([http_feed(agency, "wire", "/wire", interval=10)])
    waits = []
    for _ in range(3):
        started = datetime.now(timezone.utc)
        poller.poll_due(started)
        row = feed_row(poller.engine, "wire")
        waits.append((row.next_poll_at - started).total_seconds())
        poller.make_due("wire")

    assert row.consecutive_failures == 3 and row.last_outcome == "error"
    assert "HTTP 500" in row.last_error and "wire" in row.last_error
    assert 16 <= waits[0] <= 21 and 32 <= waits[1] <= 41 and 64 <= waits[2] <= 81
    agency.feed("/wire", always_status=None)
    poller.poll_due()
    row = feed_row(poller.engine, "wire")
    assert (row.consecutive_failures, row.last_outcome, row.last_error) == (0, "ok", None)


def test_a_429_retry_after_is_honoured(poller, agency):
    agency.feed("/wire", body=rss(wire_items(1)), statuses=[429], retry_after="600")
    poller.configure([http_feed(agency, "wire", "/wire", interval=5)])
    started = datetime.now(timezone.utc)

    poller.poll_due(started)
    poller.poll_due(started + timedelta(seconds=300))  # not due yet: nothing is asked

    row = feed_row(poller.engine, "wire")
    assert (row.next_poll_at - started).total_seconds() >= 600
    assert len(agency.requests_of("/wire")) == 1


def test_a_poll_whose_claim_was_taken_over_does_nothing(poller, agency):
    agency.feed("/wire", body=rss(wire_items(1)))
    poller.configure([http_feed(agency, "wire", "/wire")])
    sync_config(datetime.now(timezone.utc))
    now = datetime.now(timezone.utc)
    old = claim_due(poller.engine, now, "old-token", 0.0)  # claimed, then expired
    new = claim_due(poller.engine, now + timedelta(seconds=1), "new-token", 60)

    poll_feed(old[0].feed_id, "old-token")

    assert agency.requests_of("/wire") == [] and counts(poller.engine) == (0, 0)
    poll_feed(new[0].feed_id, "new-token")
    assert counts(poller.engine) == (1, 1)


def test_drop_folder_files_are_ingested_then_moved_and_bad_ones_set_aside(poller, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.xml").write_bytes(rss(wire_items(2)))
    (drop / "bad.json").write_bytes(b"{\"entries\": [{\"urn\": ")
    (drop / "b.xml.tmp").write_bytes(rss(wire_items(1, start=5)))
    old = time.time() - 5
    for name in ("a.xml", "bad.json", "b.xml.tmp"):
        os.utime(drop / name, (old, old))
    poller.configure([{"name": "inbox", "provider": "agency", "folder": str(drop),
                       "interval": 1}])

    poller.poll_due()

    assert counts(poller.engine) == (2, 2)
    assert (drop / "processed" / "a.xml").exists()
    assert (drop / "failed" / "bad.json").exists()
    assert "bad.json: malformed JSON" in (drop / "failed" / "bad.json.error.txt").read_text()
    assert sorted(p.name for p in drop.iterdir()) == ["b.xml.tmp", "failed", "processed"]
    row = feed_row(poller.engine, "inbox")
    assert (row.last_outcome, row.last_new, row.consecutive_failures) == ("ok", 2, 0)


def test_a_missing_drop_folder_is_a_failure_shown_on_the_feed(poller, tmp_path):
    poller.configure([{"name": "inbox", "folder": str(tmp_path / "nowhere"), "interval": 1}])

    poller.poll_due()

    row = feed_row(poller.engine, "inbox")
    assert row.last_outcome == "error" and "nowhere" in row.last_error


def test_config_changes_apply_at_the_next_tick(poller, agency):
    agency.feed("/a", body=rss(wire_items(1)))
    agency.feed("/b", body=rss(wire_items(1, start=10)))
    poller.configure([http_feed(agency, "a", "/a", interval=600)])
    poller.poll_due()
    time.sleep(0.01)

    poller.configure([http_feed(agency, "a", "/a", interval=5), http_feed(agency, "b", "/b")])
    poller.poll_due()

    with poller.engine.connect() as conn:
        names = sorted(conn.execute(select(FeedRow.name)).scalars())
    assert names == ["a", "b"]
    row = feed_row(poller.engine, "a")
    assert row.interval == 5 and (row.next_poll_at - row.last_poll_at).total_seconds() < 6
    poller.configure([http_feed(agency, "b", "/b")])
    poller.poll_due()
    with poller.engine.connect() as conn:
        assert list(conn.execute(select(FeedRow.name)).scalars()) == ["b"]


def test_racing_dispatchers_never_claim_one_feed_twice(pg_store_url, tmp_path):
    engine = make_engine(pg_store_url)
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        conn.execute(FeedRow.__table__.insert(), [
            {"name": f"f{i}", "url": "http://x", "format": "auto", "interval": 1,
             "enabled": True, "config": {}, "consecutive_failures": 0, "next_poll_at": now}
            for i in range(200)])
    claimed: list[int] = []
    barrier = threading.Barrier(8)

    def dispatcher() -> None:
        barrier.wait()
        for _ in range(5):
            claims = claim_due(engine, now, uuid.uuid4().hex, 60, limit=30)
            claimed.extend(c.feed_id for c in claims)

    threads = [threading.Thread(target=dispatcher) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()

    assert len(claimed) == 200 and len(set(claimed)) == 200


def test_a_database_restart_costs_neither_a_dispatch_nor_a_poll(pg_store_url, tmp_path, agency):
    """Pooled connections the server closed (a restart, an idle timeout) are replaced when
    their first statement fails: the dispatcher's claim and the poll still go through."""
    poller = Poller(pg_store_url, tmp_path / "feeds.yaml")
    engine = poller.engine

    def kill_pooled_connections() -> None:
        with engine.connect() as conn:  # the pooled connection the next statement will use
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        killer = make_engine(pg_store_url)
        with killer.connect() as conn:
            assert conn.exec_driver_sql(f"SELECT pg_terminate_backend({pid})").scalar()
        killer.dispose()

    tasks_app._runtime = poller.runtime
    try:
        agency.feed("/wire", body=rss(wire_items(2)))
        poller.configure([http_feed(agency, "wire", "/wire")])
        sync_config(datetime.now(timezone.utc))
        poller.make_due("wire")

        kill_pooled_connections()
        claims = claim_due(engine, datetime.now(timezone.utc), "token", 60)
        assert [c.name for c in claims] == ["wire"]

        kill_pooled_connections()
        poll_feed(claims[0].feed_id, "token")
        assert counts(engine) == (2, 2)
        assert feed_row(engine, "wire").last_outcome == "ok"
    finally:
        tasks_app._runtime = None
        engine.dispose()


def _archived(engine: Engine) -> int:
    from worker.store.shared import ArchivedDocumentRow

    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(ArchivedDocumentRow)).scalar_one()


def test_a_document_is_archived_in_the_commit_that_stores_its_stories(poller, agency,
                                                                      monkeypatch):
    """A poll whose store transaction fails archives nothing (the document comes again and is
    archived with its stories then); one that cannot be parsed is archived for a reparse."""
    import worker.polls

    agency.feed("/wire", body=rss(wire_items(3)))
    agency.feed("/broken", body=b"<?xml version='1.0'?><unknown-wire><item/></unknown-wire>")
    poller.configure([http_feed(agency, "wire", "/wire"), http_feed(agency, "broken", "/broken")])
    stored = worker.polls.store_stories

    def failing(*args: Any, **kwargs: Any) -> Any:
        stored(*args, **kwargs)  # the stories are written, then the transaction fails
        raise RuntimeError("the store went away mid-transaction")

    monkeypatch.setattr(worker.polls, "store_stories", failing)
    assert poller.poll_due() == 2
    assert counts(poller.engine) == (0, 0)
    assert feed_row(poller.engine, "wire").last_outcome == "error"
    assert _archived(poller.engine) == 1  # only the document no format reads
    assert feed_row(poller.engine, "broken").last_outcome == "error"

    monkeypatch.setattr(worker.polls, "store_stories", stored)
    poller.make_due("wire")
    poller.poll_due()
    assert counts(poller.engine) == (3, 3)
    assert _archived(poller.engine) == 2
