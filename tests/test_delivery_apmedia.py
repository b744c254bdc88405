"""AP Media API delivery (SPEC "Delivery protocols", `ap-media`) against a local fake AP."""

from __future__ import annotations

import pytest

from tests.agencies.ap import FakeAP
from tests.agencies.driver import context, feed_of, poll
from worker.fetch import ap_media

KEY = "ap-key-7Hq2ZxW"
ENV = {"AP_API_KEY": KEY}


@pytest.fixture
def ap():
    fake = FakeAP(KEY, page_size=3).start()
    yield fake
    fake.stop()


def publish(ap, count, start=0):
    for n in range(start, start + count):
        ap.publish(f"id{n:03d}", 0, f"2026-11-25T10:{n:02d}:00Z", f"Story {n}",
                   f"Body of story {n}.\n\nSecond paragraph {n}.")


def feed(ap):
    return feed_of(ENV, provider="ap", protocol="ap-media", url=ap.first_url,
                   headers={"x-api-key": "${AP_API_KEY}"})


def test_full_pages_are_followed_at_once_and_the_next_page_link_is_kept(ap, engine, now):
    publish(ap, 7)  # pages of 3: full, full, then 1

    first = poll(ap_media, feed(ap), context(ENV, engine, now), {})

    assert [s.guid for s in first.stories] == [f"id{n:03d}" for n in range(7)]
    assert len(ap.calls_to("/content/feed")) == 3
    assert first.position["next_page"].endswith("seq=7")
    publish(ap, 2, start=7)
    second = poll(ap_media, feed(ap), context(ENV, engine, now), first.position)
    assert [s.guid for s in second.stories] == ["id007", "id008"]
    feeds = ap.calls_to("/content/feed")
    assert [c.query.get("q") for c in feeds[3:]] == [None]  # never the first URL again
    assert feeds[3].query["seq"] == ["7"]


def test_a_page_that_is_not_full_ends_the_poll_and_an_empty_one_only_moves_the_link(ap, engine,
                                                                                      now):
    publish(ap, 2)
    first = poll(ap_media, feed(ap), context(ENV, engine, now), {})
    assert len(first.stories) == 2 and len(ap.calls_to("/content/feed")) == 1

    empty = poll(ap_media, feed(ap), context(ENV, engine, now), first.position)

    assert empty.documents == [] and empty.batch.unchanged == "no items"
    assert empty.position["next_page"].endswith("seq=2")


def test_bodies_come_from_the_nitf_rendition_asked_with_the_api_key(ap, engine, now):
    publish(ap, 1)

    result = poll(ap_media, feed(ap), context(ENV, engine, now), {})

    story = result.stories[0]
    assert story.body_text == "Body of story 0.\n\nSecond paragraph 0."
    downloads = ap.calls_to("/download")
    assert len(downloads) == 1 and downloads[0].headers["x-api-key"] == KEY


def test_a_quota_answer_backs_off_by_retry_after_and_keeps_the_position(ap, engine, now):
    publish(ap, 2)
    ap.fail("feed", 429, **{"Retry-After": "42"})

    result = poll(ap_media, feed(ap), context(ENV, engine, now), {"next_page": None})

    assert result.failure is not None and result.failure.retry_after == 42
    assert result.documents == [] and result.position == {"next_page": None}
    assert KEY not in str(result.failure)


def test_a_failure_in_the_middle_of_a_page_loses_nothing_and_repeats_only_that_page(ap, engine,
                                                                                      now):
    publish(ap, 5)  # page 1: id000-id002, page 2: id003-id004
    first = poll(ap_media, feed(ap), context(ENV, engine, now), {})
    assert len(first.stories) == 5
    publish(ap, 4, start=5)  # a full page 3 (id005-id007), then id008
    ap.fail("nitf", 503)  # id005's body fails: nothing of page 3 is stored
    failed = poll(ap_media, feed(ap), context(ENV, engine, now), first.position)
    assert failed.failure is not None and failed.stories == []
    assert failed.position == first.position

    again = poll(ap_media, feed(ap), context(ENV, engine, now), failed.position)
    assert [s.guid for s in again.stories] == ["id005", "id006", "id007", "id008"]


def test_a_crash_after_some_items_of_a_page_redelivers_that_page_only(ap, engine, now):
    publish(ap, 3)
    crashed = poll(ap_media, feed(ap), context(ENV, engine, now), {}, stop_after=2)
    assert [s.guid for s in crashed.stories] == ["id000", "id001"]

    after = poll(ap_media, feed(ap), context(ENV, engine, now), crashed.position)

    assert {s.guid for s in after.stories} >= {"id002"}
    assert {s.guid for s in crashed.stories + after.stories} == {"id000", "id001", "id002"}


def test_an_expired_cursor_restarts_from_the_url_after_the_last_item_stored(ap, engine, now):
    publish(ap, 2)
    first = poll(ap_media, feed(ap), context(ENV, engine, now), {})
    publish(ap, 2, start=2)
    ap.expire_cursors()

    second = poll(ap_media, feed(ap), context(ENV, engine, now), first.position)

    # the last stored item's second is asked again: re-delivering it is a no-op, missing an
    # item of the same second would not be
    assert [s.guid for s in second.stories] == ["id001", "id002", "id003"]
    asked = [c.query["q"][0] for c in ap.calls_to("/content/feed") if "q" in c.query]
    assert len(asked) == 2 and "mindate:>2026-11-25T10:00:59Z" in asked[1]
    assert second.position["next_page"].endswith("seq=4")


def test_the_kept_link_holds_no_credential(ap, engine, now):
    publish(ap, 1)
    with_key = feed_of(ENV, provider="ap", protocol="ap-media",
                       url=ap.first_url + "&apikey=${AP_API_KEY}")
    ap.api_key = KEY

    result = poll(ap_media, with_key, context(ENV, engine, now), {})

    assert KEY not in repr(result.position)
