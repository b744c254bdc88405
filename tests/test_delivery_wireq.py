"""dpa wireQ delivery (SPEC "Delivery protocols", `dpa-wireq`) against a local fake queue."""

from __future__ import annotations

import time

import pytest

from tests.agencies.driver import context, feed_of, poll
from tests.agencies.wireq import FakeWireQ
from worker.fetch import wireq

SECRET = "q7Xc2mTtokenZ9"


def entry(urn, version, created, headline):
    return {"format": "digitalwires@0.9.1", "urn": urn, "entry_id": f"{urn}-{version}",
            "version": version, "version_created": created, "pubstatus": "usable",
            "language": "de", "headline": headline, "updated": created,
            "article_html": f"<section class=\"main\"><p>{headline}. Text.</p></section>"}


@pytest.fixture
def queue():
    fake = FakeWireQ(SECRET, max_entries=50, receipt_seconds=60).start()
    yield fake
    fake.stop()


def feed(env):
    return feed_of(env, provider="dpa", protocol="dpa-wireq", url="${DPA_WIREQ_URL}")


def env_of(queue):
    return {"DPA_WIREQ_URL": queue.url}


def test_entries_are_stored_then_deleted_and_retry_after_sets_the_next_poll(queue, engine, now):
    queue.put(entry("urn:a", 1, "2026-11-25T10:00:00+01:00", "Erste Meldung"))
    queue.put(entry("urn:b", 1, "2026-11-25T10:05:00+01:00", "Zweite Meldung"))
    env = env_of(queue)

    result = poll(wireq, feed(env), context(env, engine, now), {})

    assert [s.guid for s in result.stories] == ["urn:a", "urn:b"]
    assert queue.waiting() == 0 and queue.deleted == ["urn:a", "urn:b"]
    assert result.batch.next_poll_in == 100  # the queue said: empty, come back in 100 s
    assert result.position == {"pending": []}
    empty = poll(wireq, feed(env), context(env, engine, now), result.position)
    assert empty.documents == [] and empty.batch.next_poll_in == 100


def test_a_queue_with_more_waiting_paces_the_next_poll_short(queue, engine, now):
    queue.max_entries = 2
    for n in range(3):
        queue.put(entry(f"urn:{n}", 1, f"2026-11-25T10:0{n}:00Z", f"Meldung {n}"))
    env = env_of(queue)

    result = poll(wireq, feed(env), context(env, engine, now), {})

    assert len(result.stories) == 2 and result.batch.next_poll_in == 10


def test_nothing_is_deleted_before_it_is_stored_and_pending_receipts_go_first(queue, engine, now):
    queue.put(entry("urn:a", 1, "2026-11-25T10:00:00Z", "Meldung"))
    env = env_of(queue)

    crashed = poll(wireq, feed(env), context(env, engine, now), {}, stop_after=1)

    assert len(crashed.stories) == 1 and queue.waiting() == 1  # stored, not yet deleted
    assert len(crashed.position["pending"]) == 1
    after = poll(wireq, feed(env), context(env, engine, now), crashed.position)
    assert queue.waiting() == 0 and after.documents == []
    assert queue.calls_to("/entry/")[0].method == "DELETE"


def test_an_entry_not_deleted_comes_back_and_is_stored_again_as_a_no_op(queue, engine, now):
    queue.receipt_seconds = 0.2
    queue.put(entry("urn:a", 1, "2026-11-25T10:00:00Z", "Meldung"))
    env = env_of(queue)
    first = poll(wireq, feed(env), context(env, engine, now), {}, stop_after=1)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not queue._get_visible():
        time.sleep(0.02)

    again = poll(wireq, feed(env), context(env, engine, now), {})  # the position was lost too

    assert [s.as_json() for s in again.stories] == [s.as_json() for s in first.stories]
    assert queue.waiting() == 0


def test_one_answer_is_delivered_oldest_version_first_and_a_repeated_entry_once(queue, engine,
                                                                               now):
    newer = entry("urn:x", 2, "2026-11-25T11:00:00+01:00", "Neue Fassung")
    older = entry("urn:x", 1, "2026-11-25T10:00:00+01:00", "Erste Fassung")
    for one in (newer, older, newer):
        queue.put(one)
    env = env_of(queue)

    result = poll(wireq, feed(env), context(env, engine, now), {})

    assert [s.version for s in result.stories] == [1, 2]
    assert queue.waiting() == 0  # the repeated entry's two receipts were both deleted


def test_a_429_backs_off_by_its_retry_after_and_the_base_url_stays_secret(queue, engine, now):
    queue.statuses.append((429, {"retry-after": "3600"}))
    env = env_of(queue)

    result = poll(wireq, feed(env), context(env, engine, now), {})

    assert result.failure is not None and result.failure.retry_after == 3600
    assert SECRET not in str(result.failure) and "${DPA_WIREQ_URL}" not in str(result.failure)
    assert "entries.json" in str(result.failure)
