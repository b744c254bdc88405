"""`wire ingest` counts duplicates; `wire stories --cluster`, `wire cluster`, `wire recluster`."""

from __future__ import annotations

import shutil

import pytest

from tests.test_cli import lines, wire
from tests.test_dedupe_clusters import FOLLOW_UP, FOUR, cluster_of
from worker.dedupe import choose
from worker.store.clusters import recluster
from worker.normalize.dates import parse_time
from worker.store.db import make_engine


@pytest.fixture
def raqqa_folder(tmp_path):
    """The four Raqqa items and the follow-up, named so that a folder ingests them in time order."""
    folder = tmp_path / "drop"
    folder.mkdir()
    for n, path in enumerate([*FOUR, FOLLOW_UP]):
        shutil.copy(path, folder / f"{n}-{path.name}")
    return folder


def test_ingest_counts_the_three_copies_of_the_raqqa_story_as_duplicates(store_url, tmp_path,
                                                                           raqqa_folder):
    result = wire("ingest", str(raqqa_folder), db=store_url, cwd=tmp_path)

    assert lines(result) == [{"new": 5, "updated": 0, "unchanged": 0, "stale": 0,
                              "duplicates": 3, "errors": 0}]
    again = wire("ingest", str(raqqa_folder), db=store_url, cwd=tmp_path)
    assert lines(again)[0]["unchanged"] == 5 and lines(again)[0]["duplicates"] == 0


def test_stories_by_cluster_lists_the_four_items_and_cluster_shows_their_similarity(
        store_url, tmp_path, raqqa_folder):
    wire("ingest", str(raqqa_folder), db=store_url, cwd=tmp_path)
    everything = lines(wire("stories", "--status", "all", "--json", db=store_url, cwd=tmp_path))
    reuters = next(s for s in everything if s["guid"].endswith("L8N1MP0F4"))

    members = lines(wire("stories", "--cluster", str(reuters["cluster_id"]), "--json",
                         db=store_url, cwd=tmp_path))
    shown = lines(wire("cluster", str(reuters["cluster_id"]), "--json", db=store_url, cwd=tmp_path))
    listed = lines(wire("clusters", "--json", db=store_url, cwd=tmp_path))

    assert sorted(s["provider"] for s in members) == ["ap", "dpa", "reuters", "unknown"]
    assert shown[0]["story_id"] == reuters["cluster_id"] and shown[0]["jaccard"] == 1.0
    assert all(0.45 <= s["jaccard"] < 1 for s in shown[1:])
    assert listed == [{"cluster_id": reuters["cluster_id"], "size": 4,
                       "first": "2017-10-14T15:12:40Z",
                       "providers": ["ap", "dpa", "reuters", "unknown"],
                       "headline": reuters["headline"]}]


def test_recluster_applies_changed_thresholds_to_a_time_range(store_url, tmp_path, raqqa_folder,
                                                                now, monkeypatch):
    wire("ingest", str(raqqa_folder), db=store_url, cwd=tmp_path)
    store = make_engine(store_url)
    aggregator_guid = next(s["guid"] for s in lines(wire(
        "stories", "--provider", "unknown", "--json", db=store_url, cwd=tmp_path)))
    reuters = "tag:reuters.com,0000:newsml_L8N1MP0F4"
    assert cluster_of(store, aggregator_guid, now) == cluster_of(store, reuters, now)

    monkeypatch.setattr(choose, "JACCARD_MIN", 0.99)
    monkeypatch.setattr(choose, "CONTAINMENT_MIN", 1.01)
    strict = recluster(store, parse_time("2017-10-14T00:00:00Z"), parse_time("2017-10-15T00:00:00Z"))

    assert strict.as_json() == {"stories": 4, "changed": 3, "clusters": 4}
    assert cluster_of(store, aggregator_guid, now) != cluster_of(store, reuters, now)
    store.dispose()

    monkeypatch.undo()
    result = wire("recluster", "--since", "2017-10-14T00:00:00Z", "--until", "2017-10-15T00:00:00Z",
                  db=store_url, cwd=tmp_path)
    assert lines(result) == [{"stories": 4, "changed": 3, "clusters": 1}]
    store = make_engine(store_url)
    assert cluster_of(store, aggregator_guid, now) == cluster_of(store, reuters, now)
    store.dispose()


def test_recluster_refuses_a_range_that_ends_before_it_starts(tmp_path):
    result = wire("recluster", "--since", "2017-10-15T00:00:00Z", "--until", "2017-10-14T00:00:00Z",
                  db=f"sqlite:///{tmp_path}/w.db", cwd=tmp_path, check=False)
    assert result.returncode == 2 and "--until" in result.stderr


def test_dedupe_prune_drops_keys_older_than_the_window(tmp_path, raqqa_folder):
    db = f"sqlite:///{tmp_path}/w.db"
    wire("ingest", str(raqqa_folder), db=db, cwd=tmp_path)
    assert lines(wire("dedupe-prune", db=db, cwd=tmp_path))[0]["pruned"] > 0  # 2017 is long gone
    assert lines(wire("dedupe-prune", db=db, cwd=tmp_path)) == [{"pruned": 0}]

