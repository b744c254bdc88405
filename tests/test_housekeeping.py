"""Housekeeping: retention of history, of stories (a purged story never comes back as new),
and of processed drop-folder files, each by its setting."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.helpers import store_all, version_of, versions
from worker.errors import ConfigError
from worker.ops.housekeeping import housekeeping, purge_processed
from worker.settings import Settings
from worker.store.changes import START, read_changes
from worker.store.models import StoryRow, TombstoneRow

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def settings(tmp_path, **env) -> Settings:
    return Settings.from_env({k: str(v) for k, v in env.items()}, tmp_path)


def count(store, table) -> int:
    with store.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_history_older_than_its_retention_goes_and_the_current_version_stays(store, tmp_path):
    first = version_of("urn:a", created=iso(days_ago(40)), headline="First")
    second = version_of("urn:a", created=iso(days_ago(35)), headline="Second")
    third = version_of("urn:a", created=iso(days_ago(1)), headline="Third")
    store_all(store, [first], days_ago(40))
    store_all(store, [second], days_ago(35))
    store_all(store, [third], days_ago(1))
    assert [v["headline"] for v in versions(store, "urn:a", NOW)] == ["First", "Second", "Third"]

    report = housekeeping(store, settings(tmp_path, WIRE_HISTORY_DAYS=30), None, NOW)

    # "First" was current from 40 days ago, "Second" from 35: both older than 30 days
    assert report.versions == 2
    assert [v["headline"] for v in versions(store, "urn:a", NOW)] == ["Third"]
    with store.connect() as conn:
        assert [c.story["headline"] for c in read_changes(conn, START, 100)] == ["Third"]


def test_nothing_is_deleted_without_a_setting(store, tmp_path):
    store_all(store, [version_of("urn:a", created=iso(days_ago(400)))], days_ago(400))
    store_all(store, [version_of("urn:a", created=iso(days_ago(399)), headline="B")],
              days_ago(399))

    report = housekeeping(store, settings(tmp_path), None, NOW)

    assert (report.versions, report.stories, report.files) == (0, 0, 0)
    assert len(versions(store, "urn:a", NOW)) == 2


def test_a_purged_story_leaves_a_tombstone_and_is_never_ingested_again_as_new(store, tmp_path):
    old = version_of("urn:old", created=iso(days_ago(100)), headline="Old news")
    older = version_of("urn:old", created=iso(days_ago(101)), headline="Older news")
    recent = version_of("urn:recent", created=iso(days_ago(2)), headline="Recent news",
                        body="Something else entirely happened in another town.")
    store_all(store, [older], days_ago(101))
    store_all(store, [old, recent], days_ago(100))

    report = housekeeping(store, settings(tmp_path, WIRE_STORY_DAYS=30), None, NOW)

    assert report.stories == 1
    with store.connect() as conn:
        assert [r.guid for r in conn.execute(select(StoryRow))] == ["urn:recent"]
        tomb = conn.execute(select(TombstoneRow)).one()
    assert (tomb.provider, tomb.guid, tomb.version_created) == ("reuters", "urn:old",
                                                                days_ago(100))
    # the agency sends the old versions again: nothing comes back
    counts, changes = store_all(store, [old, older], NOW)
    assert (counts.new, counts.unchanged, counts.stale) == (0, 1, 1) and not changes
    assert count(store, StoryRow.__table__) == 1
    # a newer version of the purged story is news (a late kill): stored again
    kill = version_of("urn:old", created=iso(days_ago(1)), headline="Old news withdrawn",
                      pubstatus="canceled")
    counts, changes = store_all(store, [kill], NOW)
    assert counts.new == 1 and changes[0].story.pubstatus == "canceled"


def test_story_retention_must_reach_past_the_near_duplicate_window(tmp_path):
    with pytest.raises(ConfigError, match="WIRE_STORY_DAYS"):
        settings(tmp_path, WIRE_STORY_DAYS=2, WIRE_DEDUPE_WINDOW_HOURS=96)
    assert settings(tmp_path, WIRE_STORY_DAYS=5).story_days == 5


def test_processed_files_older_than_their_retention_are_deleted_failed_ones_never(tmp_path):
    from worker.config import parse_config

    drop = tmp_path / "drop"
    for folder, name, age in [("processed", "old.xml", 10), ("processed", "new.xml", 1),
                              ("failed", "bad.xml", 100)]:
        path = drop / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
        stamp = (NOW - timedelta(days=age)).timestamp()
        os.utime(path, (stamp, stamp))
    config = parse_config({"feeds": [{"name": "drop", "folder": str(drop), "interval": 5}]},
                          "feeds.yaml", {})
    engine_settings = settings(tmp_path, WIRE_PROCESSED_DAYS=7)
    from worker.store.db import open_store

    engine = open_store(engine_settings.database_url)
    try:
        report = housekeeping(engine, engine_settings, config, NOW)
    finally:
        engine.dispose()

    assert report.files == 1
    assert sorted(p.name for p in (drop / "processed").iterdir()) == ["new.xml"]
    assert (drop / "failed" / "bad.xml").exists()
    assert purge_processed(tmp_path / "no-such-folder", NOW) == 0
