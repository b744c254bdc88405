"""`python -m bench --only scale`: the deployment's shape, measured on this machine.

One `wire beat` and one, then two, `wire worker -c 1` processes on Redis (a key prefix of
their own) and a fresh PostgreSQL database, polling the benchmark's loopback feeds
(`bench.server`). Each fleet runs two phases:

1. new items: `feeds` feeds of 100 new items each are added to the feed file at once; the
   figure is items stored per second from then until the last is stored;
2. polls: the same feeds switched to their conditional URLs and polled as often as the
   dispatcher can claim them (interval and tick 0.1 s): after the first poll (every item known,
   nothing parsed) each poll is a 304. The figure is polls per second over `seconds`, with the
   queue's depth at the end (growing: the workers are the limit; empty: the demand is).

Alongside, the CPU seconds of the worker processes, of beat and of the database's backends in
each phase, the machine's busy share, and the database's growth per item stored (for sizing,
docs/operations.md). Processes are started and stopped by pid; the database is dropped.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psutil
import yaml
from sqlalchemy import func, select, text

from bench.stores import CpuMeter, fresh_store

REDIS = os.environ.get("WIRE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
REPO = Path(__file__).resolve().parents[1]


def _write_feeds(path: Path, feeds: list[dict[str, Any]]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump({"feeds": feeds}))
    os.replace(tmp, path)


def _cpu(pids: list[int]) -> float:
    """CPU seconds of these processes and their children, as far as they still run."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            proc = psutil.Process(pid)
            for p in [proc, *proc.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    t = p.cpu_times()
                    total += t.user + t.system
    return total


class Fleet:
    """beat and `workers` worker processes on one store; stopped by pid."""

    def __init__(self, url: str, workers: int, tmp: Path) -> None:
        self.feeds = tmp / f"feeds-{uuid.uuid4().hex[:6]}.yaml"
        _write_feeds(self.feeds, [])
        self.prefix = f"wire-bench-{uuid.uuid4().hex[:8]}:"
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIRE_")}
        env.update(WIRE_DATABASE_URL=url, WIRE_BROKER_URL=REDIS, WIRE_BROKER_PREFIX=self.prefix,
                   WIRE_FEEDS=str(self.feeds), WIRE_DISPATCH_SECONDS="0.1",
                   WIRE_LOG_LEVEL="WARNING", PYTHONPATH=str(REPO))
        self.logs = tmp / f"fleet-{workers}.log"
        log = self.logs.open("ab")
        wire = [sys.executable, "-m", "worker"]
        self.beat = subprocess.Popen([*wire, "beat"], env=env, stdout=log, stderr=log,
                                     start_new_session=True)
        self.workers = [subprocess.Popen([*wire, "worker", "-c", "1", "-n",
                                          f"bench{i}-{uuid.uuid4().hex[:6]}@%h"],
                                         env=env, stdout=log, stderr=log,
                                         start_new_session=True) for i in range(workers)]
        self.settings_env = env

    def stop(self) -> None:
        for proc in [self.beat, *self.workers]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in [self.beat, *self.workers]:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        import redis

        client = redis.Redis.from_url(REDIS)
        keys = list(client.scan_iter(f"{self.prefix}*"))
        if keys:
            client.delete(*keys)

    def queue_depth(self) -> int:
        from worker.ops.collect import queue_depths
        from worker.settings import Settings

        return queue_depths(Settings.from_env(self.settings_env))["wire.poll"]


def _sums(engine: Any) -> tuple[int, int]:
    """(polls, new items) summed over every feed's counters."""
    from worker.store.models import POLL_COUNTERS, FeedRow

    feeds = FeedRow.__table__
    with engine.connect() as conn:
        row = conn.execute(select(
            func.coalesce(func.sum(sum(feeds.c[c] for c in POLL_COUNTERS)), 0),
            func.coalesce(func.sum(feeds.c.items_new), 0))).one()
    return int(row[0]), int(row[1])


def _db_bytes(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar())


def _wait(check: Any, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(0.05)
    raise TimeoutError(f"gave up after {timeout} s")


def run_fleet(url: str, base: str, workers: int, feeds: int, seconds: float,
              tmp: Path) -> dict[str, Any]:
    from worker.store.db import open_store

    engine = open_store(url)
    fleet = Fleet(url, workers, tmp)
    meter = CpuMeter(url)
    pids = [p.pid for p in fleet.workers]
    try:
        time.sleep(3)  # processes up (imports, broker connection): not part of the figures
        before = _db_bytes(engine)
        expected = feeds * 100
        meter.start()
        cpu0, beat0, machine0 = _cpu(pids), _cpu([fleet.beat.pid]), psutil.cpu_times()
        _write_feeds(fleet.feeds, [{"name": f"f{i}", "provider": "bench", "interval": 3600,
                                    "url": f"{base}/plain/rss/{i}"} for i in range(feeds)])
        took = _wait(lambda: _sums(engine)[1] >= expected, 600)
        _, db_cpu = meter.stop()
        new = {"items": expected, "seconds": round(took, 2),
               "items_per_s": round(expected / took, 1),
               "cpu_s": {"workers": round(_cpu(pids) - cpu0, 2),
                         "beat": round(_cpu([fleet.beat.pid]) - beat0, 2),
                         "postgres": round(db_cpu, 2)},
               "machine_busy": _busy(machine0, took),
               "db_bytes_per_item": round((_db_bytes(engine) - before) / expected),
               "postgres_cpu_ms_per_item": round(db_cpu / expected * 1000, 3)}

        _write_feeds(fleet.feeds, [{"name": f"f{i}", "provider": "bench", "interval": 0.1,
                                    "url": f"{base}/cond/rss/{i}"} for i in range(feeds)])
        time.sleep(3)  # each feed's first conditional poll (items known) is not counted
        polls0 = _sums(engine)[0]
        meter.start()
        cpu0, beat0, machine0 = _cpu(pids), _cpu([fleet.beat.pid]), psutil.cpu_times()
        time.sleep(seconds)
        polls = _sums(engine)[0] - polls0
        _, db_cpu = meter.stop()
        poll = {"polls": polls, "seconds": seconds, "polls_per_s": round(polls / seconds, 1),
                "demand_per_s": round(feeds / 0.1, 1),
                "queue_depth_at_end": fleet.queue_depth(),
                "cpu_s": {"workers": round(_cpu(pids) - cpu0, 2),
                          "beat": round(_cpu([fleet.beat.pid]) - beat0, 2),
                          "postgres": round(db_cpu, 2)},
                "machine_busy": _busy(machine0, seconds),
                "cpu_ms_per_poll": round((_cpu(pids) - cpu0 + db_cpu) / max(polls, 1) * 1000,
                                         2)}
        return {"workers": workers, "feeds": feeds, "new_items": new, "polls": poll}
    finally:
        fleet.stop()
        meter.close()
        engine.dispose()


def _busy(before: Any, seconds: float) -> float:
    """The machine's busy share over the phase (1.0: every core busy all the time)."""
    after = psutil.cpu_times()
    busy = sum(getattr(after, f) - getattr(before, f)
               for f in ("user", "system", "nice", "irq", "softirq"))
    return round(busy / (seconds * (os.cpu_count() or 1)), 2)


def scale(base: str, pg_server: str, tmp: Path, quick: bool) -> dict[str, Any]:
    """Both fleets, one after the other, each on a fresh database."""
    feeds, seconds = (8, 4.0) if quick else (60, 15.0)
    out: dict[str, Any] = {"cores": os.cpu_count(), "load_before": os.getloadavg()[0]}
    for workers in (1, 2):
        with fresh_store("postgresql", tmp, pg_server) as url:
            out[f"workers_{workers}"] = run_fleet(url, base, workers, feeds, seconds, tmp)
            print(f"  {'scale':20} {workers} worker{'s' if workers > 1 else ' '}  "
                  f"{json.dumps(out[f'workers_{workers}']['polls']['polls_per_s'])} polls/s, "
                  f"{out[f'workers_{workers}']['new_items']['items_per_s']} new items/s",
                  flush=True)
    one, two = out["workers_1"], out["workers_2"]
    out["speedup"] = {
        "polls": round(two["polls"]["polls_per_s"] / max(one["polls"]["polls_per_s"], 1e-9), 2),
        "new_items": round(two["new_items"]["items_per_s"]
                           / max(one["new_items"]["items_per_s"], 1e-9), 2)}
    return out


def table(r: dict[str, Any]) -> str:
    lines = ["", "scale-out (beat + N worker processes, PostgreSQL + Redis, this machine):",
             f"  {'':28}{'1 worker':>14}{'2 workers':>14}"]
    one, two = r["workers_1"], r["workers_2"]
    rows = [("new items/s", lambda x: x["new_items"]["items_per_s"]),
            ("  machine busy", lambda x: x["new_items"]["machine_busy"]),
            ("  worker CPU s", lambda x: x["new_items"]["cpu_s"]["workers"]),
            ("  PostgreSQL CPU s", lambda x: x["new_items"]["cpu_s"]["postgres"]),
            ("  store bytes per item", lambda x: x["new_items"]["db_bytes_per_item"]),
            ("polls/s (304)", lambda x: x["polls"]["polls_per_s"]),
            ("  demand polls/s", lambda x: x["polls"]["demand_per_s"]),
            ("  queue depth at end", lambda x: x["polls"]["queue_depth_at_end"]),
            ("  machine busy", lambda x: x["polls"]["machine_busy"]),
            ("  CPU ms per poll (all)", lambda x: x["polls"]["cpu_ms_per_poll"]),
            ("  beat CPU s", lambda x: x["polls"]["cpu_s"]["beat"])]
    for label, get in rows:
        lines.append(f"  {label:28}{get(one)!s:>14}{get(two)!s:>14}")
    lines.append(f"  speed-up with 2 workers: polls x{r['speedup']['polls']}, "
                 f"new items x{r['speedup']['new_items']}")
    return "\n".join(lines)
