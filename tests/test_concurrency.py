"""Real concurrency: OS processes racing to store overlapping versions into PostgreSQL."""

from __future__ import annotations

import multiprocessing
import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests.helpers import version_of
from worker.store.db import make_engine
from worker.store.models import StoryRow, VersionRow

STORIES = 25
VERSIONS_EACH = 4
PROCESSES = 4
BASE = datetime(2017, 10, 14, 12, 0, tzinfo=timezone.utc)


def all_versions():
    out = []
    for s in range(STORIES):
        for v in range(VERSIONS_EACH):
            out.append(version_of(
                f"urn:race:{s}", created=(BASE + timedelta(minutes=v)).isoformat(),
                headline=f"Story {s} take {v}", version=v + 1,
                pubstatus="canceled" if (s % 5 == 0 and v == VERSIONS_EACH - 1) else "usable",
            ))
    return out


def worker(url: str, seed: int, barrier) -> None:
    from tests.helpers import store_all

    engine = make_engine(url)
    versions = all_versions()
    random.Random(seed).shuffle(versions)
    now = datetime(2026, 11, 25, tzinfo=timezone.utc)
    barrier.wait()
    for start in range(0, len(versions), 7):
        store_all(engine, versions[start:start + 7], now)
    engine.dispose()


def test_racing_processes_end_with_the_greatest_key_current_and_full_history(pg_store_url):
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    procs = [ctx.Process(target=worker, args=(pg_store_url, seed, barrier)) for seed in range(PROCESSES)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * PROCESSES

    engine = make_engine(pg_store_url)
    with engine.connect() as conn:
        rows = conn.execute(select(StoryRow.guid, StoryRow.headline, StoryRow.pubstatus,
                                   StoryRow.version)).all()
        history: dict[str, list[int]] = {}
        for guid, version in conn.execute(
            select(StoryRow.guid, VersionRow.version)
            .join(VersionRow, VersionRow.story_id == StoryRow.id)
        ):
            history.setdefault(guid, []).append(version)
    engine.dispose()

    assert len(rows) == STORIES
    for guid, headline, pubstatus, version in rows:
        number = int(guid.rsplit(":", 1)[1])
        assert headline == f"Story {number} take {VERSIONS_EACH - 1}"
        assert version == VERSIONS_EACH
        assert pubstatus == ("canceled" if number % 5 == 0 else "usable")
        # every version that was ever current or lost reached the history, the current one not
        assert sorted(history[guid]) == list(range(1, VERSIONS_EACH))
