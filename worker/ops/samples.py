"""The status page's charts: the deployment's counters sampled once a minute.

Every poll adds to its feed row's counters (polls by outcome, items by change) in the update
that ends it, so nothing here costs a poll anything. `take_sample` (beat, `wire.ops.sample`,
once a minute) stores their sums over every feed; a chart is the difference between
consecutive samples, per minute (`per_minute`, pure). A feed removed from the file takes its
counts with it: a negative difference counts as 0. Samples older than `KEEP` are deleted by
the same task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from worker.store.models import ITEM_COUNTERS, POLL_COUNTERS, FeedRow, OpsSampleRow

COUNTERS = (*POLL_COUNTERS, *ITEM_COUNTERS)
#: how long samples are kept (the charts show the last hours)
KEEP = timedelta(hours=48)
SAMPLES = OpsSampleRow.__table__


def take_sample(conn: Connection, now: datetime) -> dict[str, int]:
    """Store the sums of every feed's counters at `now`, forget old samples; the sums."""
    feeds = FeedRow.__table__
    row = conn.execute(select(*(func.coalesce(func.sum(feeds.c[c]), 0) for c in COUNTERS))).one()
    sums = {name: int(value) for name, value in zip(COUNTERS, row, strict=True)}
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(SAMPLES)
    conn.execute(insert.values(at=now, counters=sums).on_conflict_do_nothing())
    conn.execute(delete(SAMPLES).where(SAMPLES.c.at < now - KEEP))
    return sums


def samples_since(conn: Connection, since: datetime) -> list[tuple[datetime, dict[str, Any]]]:
    rows = conn.execute(select(SAMPLES.c.at, SAMPLES.c.counters).where(SAMPLES.c.at >= since)
                        .order_by(SAMPLES.c.at))
    return [(r.at, dict(r.counters)) for r in rows]


@dataclass(frozen=True)
class Bar:
    """One interval of a chart: when it ended, and per counter how many per minute."""

    at: datetime
    rates: dict[str, float]


def per_minute(samples: list[tuple[datetime, dict[str, Any]]], counters: tuple[str, ...]
               ) -> list[Bar]:
    """Per-minute rates between consecutive samples (a missing counter counts as 0)."""
    bars = []
    for (before, old), (at, new) in pairwise(samples):
        minutes = (at - before).total_seconds() / 60
        if minutes <= 0:
            continue
        bars.append(Bar(at, {c: max(0, int(new.get(c, 0)) - int(old.get(c, 0))) / minutes
                             for c in counters}))
    return bars
