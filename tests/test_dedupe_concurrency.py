"""Two OS processes ingesting copies of the same stories at once end with one cluster per story."""

from __future__ import annotations

import multiprocessing
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.helpers import version_of
from worker.store.db import make_engine
from worker.store.models import StoryRow

EVENTS = 30
BASE = datetime(2017, 10, 14, 12, 0, tzinfo=UTC)
WORDS = ["army", "council", "city", "border", "police", "talks", "minister", "said", "fighters", "civilians", "deal", "river", "ceasefire", "vote", "court", "market", "prices", "water", "power", "school", "hospital", "road", "bridge", "aid", "convoy", "mayor", "truck", "village", "north", "south", "east", "west", "night", "morning", "officials"]


def event_text(event: int) -> list[str]:
    """A distinct story per event: its own words, names and numbers."""
    r = random.Random(event)
    return [" ".join(r.choice(WORDS) + (str(r.randint(1, 999)) if r.random() < 0.2 else "")
                     for _ in range(r.randint(25, 40))) + "." for _ in range(6)]


def copy_text(paragraphs: list[str], provider: str) -> str:
    """Another agency's light edit: its own dateline, a credit tail, one paragraph dropped."""
    out = [f"BEIRUT ({provider.upper()}) - {paragraphs[0]}", *paragraphs[1:]]
    del out[3 if provider == "ap" else 4]
    return "\n\n".join([*out, f"(Reporting by {provider} staff)"])


def worker(url: str, provider: str, barrier) -> None:
    from tests.helpers import store_all

    engine = make_engine(url)
    stories = [version_of(f"urn:{provider}:{e}", created=(BASE + timedelta(minutes=e)).isoformat(),
                          headline=f"{provider} {e}", body=copy_text(event_text(e), provider),
                          provider=provider)
               for e in range(EVENTS)]
    now = datetime(2026, 11, 25, tzinfo=UTC)
    barrier.wait()
    for start in range(0, EVENTS, 3):  # documents of three stories, in the same order as the rival
        store_all(engine, stories[start:start + 3], now)
    engine.dispose()


def test_two_processes_ingesting_copies_at_once_end_in_one_cluster_per_story(pg_store_url):
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=worker, args=(pg_store_url, p, barrier)) for p in ("ap", "dpa")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]

    engine = make_engine(pg_store_url)
    with engine.connect() as conn:
        rows = conn.execute(select(StoryRow.guid, StoryRow.cluster_id)).all()
    engine.dispose()
    clusters = defaultdict(set)
    for guid, cluster_id in rows:
        clusters[int(guid.rsplit(":", 1)[1])].add(cluster_id)
    assert len(rows) == 2 * EVENTS
    assert {e: len(c) for e, c in clusters.items()} == {e: 1 for e in range(EVENTS)}
    assert len({next(iter(c)) for c in clusters.values()}) == EVENTS  # events stay apart
