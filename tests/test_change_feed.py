"""The change feed (`GET /changes`): every change of a story's current version, once, in order,
never skipped, however many writers commit at once."""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import select, text

from tests.api_server import api_client
from tests.helpers import ingest, store_all, version_of
from worker.store.changes import START, read_changes, record_lifted_embargoes
from worker.store.db import alembic_config, make_engine, migrate
from worker.store.models import StoryRow
from worker.store.reads import story_json

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def follow(client, after=None, limit=100, until=0, timeout=30.0):
    """Every change the feed gives from `after` on, following `next` until a page is empty and
    at least `until` changes came."""
    seen, deadline = [], time.monotonic() + timeout
    while True:
        page = client.get("/changes", params={"limit": limit, **({"after": after} if after else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        seen += body["changes"]
        if not body["changes"]:
            assert body["next"] == after or after is None
            if len(seen) >= until:
                return seen, body["next"]
            assert time.monotonic() < deadline, f"{len(seen)} of {until} changes"
            time.sleep(0.05)
        after = body["next"]


def read_all(engine, until, timeout=30.0):
    """The feed from the start, once it holds `until` changes."""
    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as conn:
            changes = read_changes(conn, START, 1000)
        if len(changes) >= until or time.monotonic() > deadline:
            return changes
        time.sleep(0.05)


def test_every_change_comes_once_in_order_with_the_story_as_that_version_made_it(
    store_url, tmp_path
):
    engine = make_engine(store_url)
    take = {n: version_of("urn:c:1", created=f"2017-10-14T2{n}:00:00Z", version=n,
                          headline=f"Take {n}") for n in range(1, 4)}
    ingest([take[1], version_of("urn:c:2", headline="Other story", body="Something else.")],
           engine, NOW)
    ingest([take[2], take[1]], engine, NOW)  # an update, then the older version again: stale
    ingest([version_of("urn:c:1", created="2017-10-14T23:00:00Z", version=3, headline="Take 3",
                       signals=("correction",)),
            version_of("urn:c:2", created="2017-10-14T23:00:00Z", headline="Other story",
                       body="Something else.", pubstatus="withheld"),
            version_of("urn:c:1", created="2017-10-14T23:30:00Z", version=4, headline="Killed",
                       pubstatus="canceled", body="")], engine, NOW)
    ingest([take[3]], engine, NOW)  # stale: changes nothing current

    with api_client(store_url, tmp_path) as api:
        changes, last = follow(api, limit=2, until=6)
        again, _ = follow(api, after=last)

    assert [(c["story"]["guid"], c["change"], c["story"]["headline"]) for c in changes] == [
        ("urn:c:1", "new", "Take 1"),
        ("urn:c:2", "new", "Other story"),
        ("urn:c:1", "update", "Take 2"),
        ("urn:c:1", "correction", "Take 3"),
        ("urn:c:2", "withheld", "Other story"),
        ("urn:c:1", "kill", "Killed"),
    ]
    assert [c["story"]["version"] for c in changes if c["story"]["guid"] == "urn:c:1"] == [
        1, 2, 3, 4]
    assert len({c["cursor"] for c in changes}) == 6
    assert again == []
    engine.dispose()


def test_joining_a_cluster_is_not_a_change(store):
    words = {"headline": "Quake hits the coast", "body": "A strong earthquake hit the coast."}
    ingest([version_of("urn:q:1", provider="reuters", **words),
            version_of("urn:q:2", provider="ap", **words)], store, NOW)

    changes = read_all(store, 2)
    with store.connect() as conn:
        clusters = {r.cluster_id for r in conn.execute(select(StoryRow.cluster_id))}
    assert len(clusters) == 1  # the copy joined the first story's cluster
    assert [(c.kind, c.story["guid"]) for c in changes] == [("new", "urn:q:1"),
                                                           ("new", "urn:q:2")]


def test_an_embargo_that_ends_is_a_change_once(store):
    lifts = NOW + timedelta(hours=1)
    ingest([version_of("urn:e:1", embargoed=lifts.isoformat()),
            version_of("urn:e:2", embargoed=(NOW - timedelta(hours=1)).isoformat())],
           store, NOW)

    with store.begin() as conn:
        before = record_lifted_embargoes(conn, NOW + timedelta(minutes=59))
    with store.begin() as conn:
        lifted = record_lifted_embargoes(conn, lifts + timedelta(seconds=1))
    with store.begin() as conn:
        again = record_lifted_embargoes(conn, lifts + timedelta(minutes=5))
    changes = read_all(store, 3)

    # urn:e:2's embargo had ended before it was stored: it was never embargoed here
    assert before == [] and again == []
    assert len(lifted) == 1
    assert [(c.kind, c.story["guid"]) for c in changes] == [
        ("new", "urn:e:1"), ("new", "urn:e:2"), ("embargo_lifted", "urn:e:1")]


def test_a_change_takes_its_place_when_it_commits_so_a_reader_never_skips_it(
    pg_store_url, tmp_path
):
    engine = make_engine(pg_store_url)
    early = engine.connect()
    transaction = early.begin()
    # writes first, commits last
    store_stories_in(early, version_of("urn:late:1", headline="Written first, committed last"))
    ingest([version_of("urn:late:2", headline="Written second, committed first")], engine, NOW)
    while_open = read_all(engine, 1)
    transaction.commit()
    early.close()
    after_commit = read_all(engine, 2)
    with engine.connect() as conn:
        # a reader already past the first commit gets the late one after it, not before
        behind = read_changes(conn, while_open[-1].position, 100)

    assert [c.story["guid"] for c in while_open] == ["urn:late:2"]
    assert [c.story["guid"] for c in after_commit] == ["urn:late:2", "urn:late:1"]
    assert [c.story["guid"] for c in behind] == ["urn:late:1"]
    engine.dispose()


def store_stories_in(conn, story):
    from worker.store.writes import write_versions

    write_versions(conn, [story], NOW)


STORIES, TAKES, WRITERS = 12, 6, 4
BASE = datetime(2017, 10, 14, 12, 0, tzinfo=UTC)


def _takes():
    out = []
    for s in range(STORIES):
        for t in range(TAKES):
            killed = s % 4 == 0 and t == TAKES - 1
            out.append(version_of(f"urn:race:{s}", created=(BASE + timedelta(minutes=t)).isoformat(),
                                  version=t + 1, headline=f"Story {s} take {t}",
                                  body=f"Words of story {s}, take {t}.",
                                  pubstatus="canceled" if killed else "usable"))
    return out


def _writer(url, seed, barrier):
    engine = make_engine(url)
    versions = _takes()
    rng = random.Random(seed)
    rng.shuffle(versions)
    barrier.wait()
    for start in range(0, len(versions), 5):
        store_all(engine, versions[start:start + 5], NOW)
    engine.dispose()


def test_a_publisher_paging_while_processes_race_ends_with_the_store(pg_store_url, tmp_path):
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WRITERS)
    writers = [ctx.Process(target=_writer, args=(pg_store_url, seed, barrier))
               for seed in range(WRITERS)]
    seen, expected = [], {}
    with api_client(pg_store_url, tmp_path) as api:

        def publisher():
            after, deadline = None, time.monotonic() + 120
            while time.monotonic() < deadline:
                total = expected.get("rows")  # known once the writers are done
                changes, after = follow(api, after, limit=7)
                seen.extend(changes)
                if total is not None and len(seen) >= total:
                    return
                time.sleep(0.02)

        reader = threading.Thread(target=publisher)
        for w in writers:
            w.start()
        reader.start()
        for w in writers:
            w.join(120)
        engine = make_engine(pg_store_url)
        with engine.connect() as conn:
            expected["rows"] = conn.execute(text("SELECT count(*) FROM story_changes")).scalar_one()
        engine.dispose()
        reader.join(150)
    assert [w.exitcode for w in writers] == [0] * WRITERS

    engine = make_engine(pg_store_url)
    with engine.connect() as conn:
        store = {r.id: story_json(r) for r in conn.execute(select(StoryRow.__table__))}
    engine.dispose()
    rows = expected["rows"]
    view = {}
    for change in seen:  # what a publisher applying the feed in order ends with
        view[change["story"]["story_id"]] = (change["change"], change["story"])

    assert len(seen) == rows  # every change, none twice
    assert len({c["cursor"] for c in seen}) == rows
    assert set(view) == set(store)
    for story_id, (kind, story) in view.items():
        assert story == store[story_id]
        assert (kind == "kill") == (store[story_id]["pubstatus"] == "canceled")
    assert sum(s["pubstatus"] == "canceled" for s in store.values()) == len(range(0, STORIES, 4))


def test_an_upgraded_store_lists_its_stories_in_the_feed_and_in_search(empty_store_url,
                                                                       monkeypatch):
    engine = make_engine(empty_store_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0007")
    # today's write path, on a store at 0007: it has no tombstones of purged stories yet
    monkeypatch.setattr("worker.store.writes.tombstone_keys", lambda conn, identities: {})
    ingest([version_of("urn:old:1", headline="Earthquake in the north"),
            version_of("urn:old:2", headline="Harvest festival", body="Apples and pears.",
                       pubstatus="canceled")], engine, NOW)
    migrate(engine)
    from worker.store.reads import StoryQuery
    from worker.store.search import page_stories

    changes = read_all(engine, 2)
    with engine.connect() as conn:
        found = page_stories(conn, StoryQuery(words="earthquake", status="all"), None, NOW)
    engine.dispose()
    assert [(c.kind, c.story["guid"]) for c in changes] == [("new", "urn:old:1"),
                                                           ("kill", "urn:old:2")]
    assert [s["guid"] for s in found.stories] == ["urn:old:1"]
