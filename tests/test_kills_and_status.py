"""Kills, withholds and embargoes as publishers see them through `wire stories`."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers import current, ingest, version_of
from worker.store.reads import StoryQuery, list_stories


def visible(store, now, status="usable"):
    with store.connect() as conn:
        return [s["guid"] for s in list_stories(conn, StoryQuery(status=status), now)]


def test_a_winning_kill_hides_the_story_and_an_older_redelivery_does_not_revive_it(store, now):
    usable = version_of("urn:k:1", created="2017-10-14T20:00:00Z", version=1)
    kill = version_of("urn:k:1", created="2017-10-14T21:00:00Z", version=2, pubstatus="canceled",
                      body="")

    ingest([usable], store, now)
    assert visible(store, now) == ["urn:k:1"]

    ingest([kill], store, now)
    assert visible(store, now) == []
    assert visible(store, now, "canceled") == ["urn:k:1"]
    assert "kill" in current(store, "urn:k:1", now)["signals"]

    counts = ingest([usable], store, now)
    assert counts.stale == 1
    assert visible(store, now) == []


def test_a_kill_arriving_before_the_story_still_wins(store, now):
    ingest([version_of("urn:k:2", created="2017-10-14T21:00:00Z", pubstatus="Killed"),
            version_of("urn:k:2", created="2017-10-14T20:00:00Z")], store, now)

    assert visible(store, now) == []
    assert current(store, "urn:k:2", now)["pubstatus"] == "canceled"


def test_withheld_stories_are_listed_only_under_their_status(store, now):
    ingest([version_of("urn:w:1", pubstatus="withheld")], store, now)

    assert visible(store, now) == []
    assert visible(store, now, "withheld") == ["urn:w:1"]
    assert visible(store, now, "all") == ["urn:w:1"]


def test_embargoed_story_appears_when_the_embargo_ends(store, now):
    lifts = now + timedelta(hours=1)
    ingest([version_of("urn:e:1", embargoed=lifts.isoformat())], store, now)

    assert visible(store, now) == []
    assert visible(store, now, "embargoed") == ["urn:e:1"]
    assert visible(store, lifts + timedelta(seconds=1)) == ["urn:e:1"]
    assert visible(store, lifts + timedelta(seconds=1), "embargoed") == []


def test_stories_are_listed_newest_version_first_and_filtered(store, now):
    ingest([version_of("urn:o:1", created="2017-10-14T20:00:00Z", provider="ap"),
            version_of("urn:o:2", created="2017-10-14T22:00:00Z", provider="dpa"),
            version_of("urn:o:3", created="2017-10-14T21:00:00Z", provider="ap")], store, now)

    assert visible(store, now) == ["urn:o:2", "urn:o:3", "urn:o:1"]
    with store.connect() as conn:
        ap = list_stories(conn, StoryQuery(provider="ap"), now)
        since = list_stories(conn, StoryQuery(since=_t("2017-10-14T21:00:00Z")), now)
        limited = list_stories(conn, StoryQuery(limit=1), now)
    assert [s["guid"] for s in ap] == ["urn:o:3", "urn:o:1"]
    assert [s["guid"] for s in since] == ["urn:o:2", "urn:o:3"]
    assert [s["guid"] for s in limited] == ["urn:o:2"]


def _t(text):
    from worker.normalize.dates import parse_time

    return parse_time(text)


def test_an_item_without_timestamp_keeps_its_first_received_time(store, now):
    story = version_of("urn:t:1", created=None)
    later = now + timedelta(hours=2)

    ingest([story], store, now)
    counts = ingest([version_of("urn:t:1", created=None)], store, later)

    assert counts.unchanged == 1
    assert current(store, "urn:t:1", later)["version_created"] == "2026-11-25T12:00:00Z"


def test_an_item_without_timestamp_whose_words_change_becomes_a_new_version(store, now):
    later = now + timedelta(hours=2)
    ingest([version_of("urn:t:2", created=None, body="First words.")], store, now)
    from worker.model import ItemData
    from worker.normalize import normalize_item
    from tests.helpers import store_all

    changed = normalize_item(ItemData(guid="urn:t:2", headline="Raqqa falls", body_text="New words."),
                             provider="reuters", received_at=later)
    counts, _ = store_all(store, [changed], later)

    assert counts.updated == 1
    assert current(store, "urn:t:2", later)["body_text"] == "New words."
