"""The benchmark's scenarios; each runs in a fresh process and returns plain figures.

A fresh process per scenario (multiprocessing "spawn") keeps them independent: no warm caches,
no heap left over from another scenario (a big heap slows Python's cyclic GC, docs/design.md "Libraries and costs"),
its own settings for the product (the Celery app reads them at import), and a clean RSS reading.

CPU is process CPU time (`time.process_time`), plus the PostgreSQL backends' CPU when the store
is PostgreSQL (`stores.CpuMeter`). The HTTP server runs in its own process and is not counted:
it stands for the agency's server.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.stores import CpuMeter


def isolated(name: str, kwargs: dict[str, Any], log: str) -> Any:
    """Runs in the fresh child process: its logs go to the log file, then the scenario runs."""
    handle = open(log, "a")  # noqa: SIM115 - lives as long as the child
    os.dup2(handle.fileno(), 2)
    sys.stderr = handle
    return globals()[name](**kwargs)


def _gen(base: str, fmt: str, feed: int, gen: int) -> None:
    httpx.get(f"{base}/_gen/{fmt}/{feed}/{gen}").raise_for_status()


def _ms(seconds: float, count: int) -> float:
    return round(seconds / count * 1000, 3)


# -- unchanged polls ---------------------------------------------------------------------------

MODES = {"304": "cond", "200_same_body": "plain", "200_same_items": "volatile"}


def product_unchanged(db_url: str, base: str, fmt: str, feeds: int, rounds: int,
                      tmp: str) -> dict[str, Any]:
    """CPU per poll of a feed that has nothing new, for each way a server can say so."""
    from bench.product import ProductWorker

    names: dict[str, list[str]] = {}
    config = {}
    for m, (mode, path) in enumerate(MODES.items()):
        names[mode] = [f"{mode}-{fmt}-{i}" for i in range(feeds)]
        for i, name in enumerate(names[mode]):
            config[name] = (f"{base}/{path}/{fmt}/{100 * (m + 1) + i}", fmt)
    worker = ProductWorker(db_url, config, Path(tmp))
    everyone = [n for group in names.values() for n in group]
    for _ in range(2):  # first poll ingests the items, second learns the validators/fingerprints
        worker.make_due(everyone)
        worker.poll(everyone)
    meter = CpuMeter(db_url)
    out: dict[str, Any] = {}
    for mode, group in names.items():
        samples, db = [], []
        worker.make_due(group)  # warm-up: this outcome's statements compiled and cached
        worker.poll(group)
        for _ in range(rounds):
            worker.make_due(group)
            meter.start()
            worker.poll(group)
            cpu, db_cpu = meter.stop()
            samples.append(cpu / len(group))
            db.append(db_cpu / len(group))
        worker.make_due(group)  # one more round, with the stage clock on
        clock = worker.stage_clock()
        start = time.process_time()
        worker.poll(group)
        total = time.process_time() - start
        clock.restore()
        stages = {k: _ms(v, len(group)) for k, v in sorted(clock.seconds.items())}
        stages["task, claim and the rest"] = _ms(total - sum(clock.seconds.values()), len(group))
        out[mode] = {
            "cpu_ms": round(statistics.median(samples) * 1000, 3),
            "db_cpu_ms": round(statistics.median(db) * 1000, 3),
            "stage_ms": stages,
            "outcomes": worker.outcomes(group),
            "polls": rounds * len(group),
        }
    meter.close()
    return out


def baseline_unchanged(db_url: str, base: str, fmt: str, polls: int) -> dict[str, Any]:
    """CPU per poll of the naive worker on a feed that has nothing new."""
    from bench.baseline import NaiveWorker

    naive = NaiveWorker(db_url)
    url = f"{base}/plain/{fmt}/90"
    naive.poll(url, fmt, "bench")
    meter = CpuMeter(db_url)
    samples = []
    for _ in range(polls):
        meter.start()
        new = naive.poll(url, fmt, "bench")
        cpu, db = meter.stop()
        assert new == 0
        samples.append(cpu + db)
    meter.close()
    naive.close()
    return {"cpu_ms": round(statistics.median(samples) * 1000, 3), "polls": polls}


# -- new items ---------------------------------------------------------------------------------


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def product_new_items(db_url: str, base: str, fmt: str, docs: int, tmp: str,
                      sample_every: int = 10, indexed: int = 0) -> dict[str, Any]:
    """Polls that each bring 100 new items, end to end; CPU per item, stages, RSS as it grows.

    `indexed`: that many stories' band keys put in the near-duplicate index first (SQLite),
    as a store in steady operation holds the window's stories.
    """
    from bench.product import ProductWorker

    config = {f"new-{fmt}-{i}": (f"{base}/cond/{fmt}/{1000 + i}", fmt) for i in range(docs + 1)}
    names = list(config)
    worker = ProductWorker(db_url, config, Path(tmp))
    if indexed:
        _fill_index(worker.engine, indexed)
    worker.make_due(names[:1])
    worker.poll(names[:1])  # warm-up: imports, connections, statement caches
    meter = CpuMeter(db_url)
    clock = worker.stage_clock()
    rss = [(100, round(_rss_mb(), 1))]
    cpu = db = 0.0
    for start in range(1, len(names), sample_every):
        group = names[start:start + sample_every]
        worker.make_due(group)
        meter.start()
        worker.poll(group)
        c, d = meter.stop()
        cpu, db = cpu + c, db + d
        rss.append((100 * (start + len(group)), round(_rss_mb(), 1)))
    clock.restore()
    meter.close()
    items = 100 * docs
    stages = {k: _ms(v, items) for k, v in sorted(clock.seconds.items())}
    return {
        "items": items,
        "cpu_ms_per_item": _ms(cpu, items),
        "db_cpu_ms_per_item": _ms(db, items),
        "items_per_core_s": round(items / (cpu + db), 1),
        "stage_ms_per_item": stages,
        "outcomes": worker.outcomes(names),
        "rss_mb_by_stories": rss,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _fill_index(engine: Any, stories: int) -> None:
    """Band keys of `stories` other stories, random (distinct stories share none), this hour."""
    import random
    from datetime import UTC, datetime

    from worker.dedupe.signatures import BANDS

    rng = random.Random(11)
    stamp = int(datetime.now(UTC).timestamp())
    sql = "INSERT OR IGNORE INTO dedupe_bands (band, hash, story_id, at) VALUES (?, ?, ?, ?)"
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        for story in range(stories):
            raw.executemany(sql, [(band, rng.getrandbits(64) - (1 << 63), 10**9 + story, stamp)
                                  for band in range(-1, BANDS)])


def baseline_new_items(db_url: str, base: str, fmt: str, docs: int,
                       sample_every: int = 10) -> dict[str, Any]:
    from bench.baseline import NaiveWorker

    naive = NaiveWorker(db_url)
    naive.poll(f"{base}/plain/{fmt}/1000", fmt, "bench")  # warm-up
    meter = CpuMeter(db_url)
    cpu = db = 0.0
    new = 0
    rss = [(100, round(_rss_mb(), 1))]
    for i in range(1, docs + 1):
        meter.start()
        new += naive.poll(f"{base}/plain/{fmt}/{1000 + i}", fmt, "bench")
        c, d = meter.stop()
        cpu, db = cpu + c, db + d
        if i % sample_every == 0 or i == docs:
            rss.append((100 * (i + 1), round(_rss_mb(), 1)))
    meter.close()
    naive.close()
    items = 100 * docs
    assert new == items, (new, items)
    return {
        "items": items,
        "cpu_ms_per_item": _ms(cpu, items),
        "db_cpu_ms_per_item": _ms(db, items),
        "items_per_core_s": round(items / (cpu + db), 1),
        "rss_mb_by_stories": rss,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


# -- steady state: N feeds, a share of them changed each round ---------------------------------


def product_steady(db_url: str, base: str, fmt: str, feeds: int, rounds: int, changed: float,
                   tmp: str, first: int = 3000) -> dict[str, Any]:
    """CPU per poll when `changed` of the feeds moved one generation since the last poll.

    `first` is the number of the first feed: the server keeps each feed's generation for the
    whole run, so every scenario that moves feeds uses feeds of its own.
    """
    from bench.product import ProductWorker

    config = {f"steady-{fmt}-{i}": (f"{base}/cond/{fmt}/{first + i}", fmt) for i in range(feeds)}
    names = list(config)
    worker = ProductWorker(db_url, config, Path(tmp))
    t0 = time.perf_counter()
    worker.make_due(names)
    worker.poll(names)
    prime_s = time.perf_counter() - t0
    step = max(1, round(1 / changed)) if changed else 0
    meter = CpuMeter(db_url)
    per_poll, statuses = [], {}
    for r in range(1, rounds + 1):
        moved = [i for i in range(feeds) if step and (i + r) % step == 0]
        for i in moved:
            _gen(base, fmt, first + i, r)
        worker.make_due(names)
        meter.start()
        worker.poll(names)
        cpu, db = meter.stop()
        per_poll.append((cpu + db) / feeds)
        for k, v in worker.outcomes(names).items():
            statuses[k] = statuses.get(k, 0) + v
    meter.close()
    return {"feeds": feeds, "rounds": rounds, "changed_share": changed,
            "cpu_ms_per_poll": round(statistics.median(per_poll) * 1000, 3),
            "outcomes": statuses, "prime_seconds": round(prime_s, 1)}


def baseline_steady(db_url: str, base: str, fmt: str, feeds: int, rounds: int,
                    changed: float) -> dict[str, Any]:
    from bench.baseline import NaiveWorker

    first = 4000
    naive = NaiveWorker(db_url)
    urls = [f"{base}/plain/{fmt}/{first + i}" for i in range(feeds)]
    for url in urls:
        naive.poll(url, fmt, "bench")
    step = max(1, round(1 / changed)) if changed else 0
    meter = CpuMeter(db_url)
    per_poll = []
    for r in range(1, rounds + 1):
        for i in range(feeds):
            if step and (i + r) % step == 0:
                _gen(base, fmt, first + i, r)
        meter.start()
        for url in urls:
            naive.poll(url, fmt, "bench")
        cpu, db = meter.stop()
        per_poll.append((cpu + db) / feeds)
    meter.close()
    naive.close()
    return {"feeds": feeds, "rounds": rounds, "changed_share": changed,
            "cpu_ms_per_poll": round(statistics.median(per_poll) * 1000, 3)}


# -- near-duplicate lookup as the index grows ----------------------------------------------------


def dedupe_cost(pg_server: str, sizes: list[int], incoming: int) -> dict[str, Any]:
    """assign_cluster per story against a band index of each size (bench/dedupe_bench.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import dedupe_bench  # the dedupe benchmark's own functions, reused as they are

    rows = dedupe_bench.cost(pg_server, sizes, incoming, seed=7)
    target = 1_000_000 if max(sizes) < 1_000_000 else 10_000_000
    groups: dict[int, list[dict]] = {}
    for row in rows:  # stories per transaction, when the dedupe bench varies it
        groups.setdefault(int(row.get("per_tx", 1)), []).append(row)
    return {"rows": rows, "extrapolation": {
        f"per_tx_{per_tx}": dedupe_bench.extrapolate(group, target)
        for per_tx, group in sorted(groups.items())}}


# -- whole processes: start-up, file ingest beside the peers (bench/processes.py) ------------


def startup(tmp: str, runs: int) -> dict[str, Any]:
    from bench.processes import startup as measure

    return measure(tmp, runs)


def pg_features(pg_server: str, docs: int, rounds: int, tmp: str) -> dict[str, Any]:
    from bench.features import feature_costs

    return feature_costs(pg_server, docs, rounds, tmp)


def peer_ingest(docs: int, rounds: int, tmp: str) -> dict[str, Any]:
    from bench.processes import ingest_files

    return ingest_files(docs, rounds, tmp)


# -- sustained: worker processes polling N unchanged feeds as fast as they can ----------------


def _sustained_config(base: str, fmt: str, feeds: int) -> dict[str, tuple[str, str]]:
    return {f"busy-{fmt}-{i}": (f"{base}/cond/{fmt}/{6000 + i}", fmt) for i in range(feeds)}


def sustained_prime(db_url: str, base: str, fmt: str, feeds: int, tmp: str) -> int:
    """Poll every feed twice (ingest, then learn the validators), so that the next are 304s."""
    from bench.product import ProductWorker

    config = _sustained_config(base, fmt, feeds)
    worker = ProductWorker(db_url, config, Path(tmp))
    for _ in range(2):
        worker.make_due(list(config))
        worker.poll(list(config))
    return len(config)


def sustained_worker(db_url: str, base: str, fmt: str, feeds: int, part: int, parts: int,
                     seconds: float, tmp: str) -> dict[str, Any]:
    """One worker process polling its share of the feeds round-robin for `seconds`.

    Each poll claims its feed by id (one UPDATE: the dispatcher claims in batches, so this is
    the dearer way) and runs the real poll task, as a prefork child would.
    """
    from sqlalchemy import update

    from bench.product import ProductWorker
    from worker.store.models import FeedRow

    config = _sustained_config(base, fmt, feeds)
    worker = ProductWorker(db_url, config, Path(tmp))
    mine = [worker.ids[name] for i, name in enumerate(config) if i % parts == part]
    polls = 0
    cpu0, start = time.process_time(), time.perf_counter()
    while time.perf_counter() - start < seconds:
        feed_id = mine[polls % len(mine)]
        token = f"bench-{part}-{polls}"
        with worker.engine.begin() as conn:
            conn.execute(update(FeedRow).where(FeedRow.id == feed_id).values(lease_token=token))
        worker.task.apply(args=(feed_id, token))
        polls += 1
    wall = time.perf_counter() - start
    return {"polls": polls, "seconds": round(wall, 2),
            "cpu_seconds": round(time.process_time() - cpu0, 2),
            "outcomes": worker.outcomes([n for i, n in enumerate(config) if i % parts == part])}
