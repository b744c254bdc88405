"""What each feature of the write path costs per new item on PostgreSQL, worker and server.

The same parsed documents are stored (`worker.pipeline.store_stories`, one transaction per
100-item document, as a poll does) into fresh stores that differ by one feature each: all of
them; no full-text search (its trigger and GIN index dropped); no change feed (its triggers
dropped); no near-duplicate detection (clustering replaced by "every story its own cluster");
neither of the two (what the write path costs without the two features that cost most); the
search index over the words alone (without migration 0019's id blocks).
The history trigger fires only when a version replaces another, never for a new story. CPU is
this process's plus the database backends' (`stores.CpuMeter`); variants are interleaved,
their order rotated each round, and a figure is the median of the rounds. Parsing and
normalizing are not in these figures (they happen before, once).
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.stores import CpuMeter, fresh_store

_NO_SEARCH = ("DROP TRIGGER stories_search_new ON stories",
              "DROP TRIGGER stories_search_change ON stories",
              "DROP INDEX ix_stories_search")
#: variant -> the statements that take its feature out of a fresh store
VARIANTS: dict[str, tuple[str, ...]] = {
    "everything": (),
    "no full-text search": _NO_SEARCH,
    "no change feed": ("DROP TRIGGER stories_record_new ON stories",
                       "DROP TRIGGER stories_record_change ON stories"),
    "no near-duplicate detection": (),
    "no full-text search or near-dup": _NO_SEARCH,
    # the search index over the words alone, as before migration 0019
    "no id blocks in the search index": (
        "DROP INDEX ix_stories_search",
        "CREATE INDEX ix_stories_search ON stories USING gin (search)"),
}


#: the variants whose stories each stay their own cluster (no near-duplicate detection)
OWN_CLUSTERS = ("no near-duplicate detection", "no full-text search or near-dup")


def _own_clusters(conn: Any, versions: list[Any], clustering: Any) -> dict[int, tuple[int, bool]]:
    return {story_id: (story_id, False) for story_id, _, new in versions if new}


def feature_costs(pg_server: str, docs: int, rounds: int, tmp: str) -> dict[str, Any]:
    from sqlalchemy import text

    from bench import feeds
    from worker import pipeline
    from worker.model import Document
    from worker.store.clusters import Clustering
    from worker.store.db import open_store, run_transaction

    now = datetime.now(UTC)
    parsed = [pipeline.parse_stories(
        Document(name=f"f{i}", content=feeds.document("rss", 8500 + i, 0)),
        pipeline.ParseOptions(format="rss", provider="bench"), now)[0] for i in range(docs + 1)]
    items = sum(len(stories) for stories in parsed[1:])
    names = list(VARIANTS)
    samples: dict[str, dict[str, list[float]]] = {n: {"worker": [], "server": []} for n in names}
    clustering_of = pipeline.cluster_document
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            with fresh_store("postgresql", Path(tmp), pg_server) as url:
                engine = open_store(url)
                with engine.begin() as conn:
                    for statement in VARIANTS[name]:
                        conn.execute(text(statement))
                if name in OWN_CLUSTERS:
                    pipeline.cluster_document = _own_clusters  # type: ignore[assignment]
                try:
                    clustering = Clustering()
                    run_transaction(engine, lambda c, k=clustering: pipeline.store_stories(
                        c, parsed[0], k, now))  # warm-up: statements prepared
                    meter = CpuMeter(url)
                    meter.start()
                    for stories in parsed[1:]:
                        run_transaction(engine, lambda c, s=stories, k=clustering:
                                        pipeline.store_stories(c, s, k, now))
                    worker, server = meter.stop()
                    meter.close()
                finally:
                    pipeline.cluster_document = clustering_of  # type: ignore[assignment]
                    engine.dispose()
            samples[name]["worker"].append(worker / items)
            samples[name]["server"].append(server / items)
    ms = {n: {k: round(statistics.median(v) * 1000, 4) for k, v in s.items()}
          for n, s in samples.items()}
    for v in ms.values():
        v["total"] = round(v["worker"] + v["server"], 4)
    everything = ms["everything"]["total"]
    return {"items": items, "rounds": rounds, "ms_per_item": ms,
            "feature_ms_per_item": {n[3:]: round(everything - ms[n]["total"], 4)
                                    for n in names if n.startswith("no ")}}
