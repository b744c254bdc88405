"""`python -m bench.api_bench`: alert latency and the publishers' API, measured (docs/performance.md).

    .venv/bin/python -m bench.api_bench                    # everything: ~30 min on 2 cores
    .venv/bin/python -m bench.api_bench --only latency     # drop folder -> webhook, both stacks
    .venv/bin/python -m bench.api_bench --only api --sizes 100000
    options: --pg URL (a PostgreSQL server; the bench creates and drops its databases),
             --redis URL (default redis://127.0.0.1:6379/14), --samples N (default 50),
             --sizes N,N (default 100000,1000000), --out PATH (bench/results/api-latest.json),
             --keep (keep each size's store, database wire_bench_api_N, and reuse it)

Latency (`bench.alert_latency`): from the start of the poll that ingests a dropped document to
its webhook arriving at a local receiver, through `wire run` (SQLite, embedded broker) and
through `wire worker` + `wire beat` on PostgreSQL and Redis. Target: p99 under 1 s.

API: a PostgreSQL store of N stories (`bench.api_data`), `wire serve --workers 2`, and for
`GET /changes?after=&limit=100` (at random positions) and `GET /stories?q=&limit=100` (words
of three frequencies): the latency of one client's requests one after the other (p50/p99),
requests per second with 4 clients at once, and beside them the same SQL run directly on a
psycopg connection (the database's share) and the store function that builds the page (the
database plus SQLAlchemy and rendering). Target: p99 under 50 ms for a page of 100 at 1M.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench import alert_latency, api_data
from bench.stores import DEFAULT_PG, fresh_store

RESULTS = Path(__file__).resolve().parent / "results"
REQUESTS = 200
LOAD_SECONDS = 15.0
CLIENTS = 4


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def latency(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    print("latency, embedded (wire run: SQLite, embedded broker)", flush=True)
    embedded = tmp / "embedded"
    out["embedded"] = alert_latency.measure(
        embedded, {"WIRE_DATABASE_URL": f"sqlite:///{embedded}/wire.db"},
        [["run", "-c", "2"]], args.samples)
    print(f"  {out['embedded']}", flush=True)
    print("latency, PostgreSQL + Redis (wire worker -c 2, wire beat)", flush=True)
    with fresh_store("postgresql", tmp, args.pg) as url:
        prefix = f"wire-bench-{os.getpid()}:"
        out["postgresql"] = alert_latency.measure(
            tmp / "pg", {"WIRE_DATABASE_URL": url, "WIRE_BROKER_URL": args.redis,
                         "WIRE_BROKER_PREFIX": prefix},
            [["worker", "-c", "2"], ["beat"]], args.samples)
        _clear_redis(args.redis, prefix)
    print(f"  {out['postgresql']}", flush=True)
    return out


def _clear_redis(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


class Served:
    """`wire serve --workers 2` on a free port, on the store at `url`."""

    def __init__(self, url: str, tmp: Path) -> None:
        self.port = free_port()
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("WIRE_")},
               "WIRE_DATABASE_URL": url, "WIRE_API_BIND": f"127.0.0.1:{self.port}",
               "WIRE_LOG_LEVEL": "WARNING", "WIRE_FEEDS": str(tmp / "none.yaml")}
        self.proc = subprocess.Popen([sys.executable, "-m", "worker", "serve", "--workers", "2"],
                                     env=env, cwd=tmp, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{self.base}/healthz", timeout=2)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(20)


def _timed(call: Any, items: list[Any]) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        call(item)
        out.append(time.perf_counter() - started)
    return out


def _load(base: str, paths: list[str], seconds: float) -> dict[str, float]:
    """CLIENTS threads requesting `paths` in turn for `seconds`: requests/s and p99."""
    times: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        mine = []
        with httpx.Client(base_url=base, timeout=30) as http:
            n = offset
            while time.monotonic() < stop:
                started = time.perf_counter()
                http.get(paths[n % len(paths)]).raise_for_status()
                mine.append(time.perf_counter() - started)
                n += CLIENTS
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"requests_per_s": round(len(times) / seconds, 1), "p99_ms": round(pct(times, 99), 1),
            "p50_ms": round(pct(times, 50), 1)}


def api(args: argparse.Namespace, tmp: Path, size: int) -> dict[str, Any]:
    from sqlalchemy import create_engine
    from sqlalchemy.dialects import postgresql

    from worker.store.changes import read_changes
    from worker.store.db import open_store
    from worker.store.reads import StoryQuery
    from worker.store.search import page_stories

    out: dict[str, Any] = {"stories": size}
    with (kept_store(args.pg, size) if args.keep else fresh_store("postgresql", tmp, args.pg)
          ) as url:
        if not args.keep or not api_data.loaded(url, size):
            open_store(url).dispose()
            print(f"api at {size:,} stories: loading", flush=True)
            out["load"] = api_data.load(url, size, log=lambda m: print(m, flush=True))
        words = api_data.query_words(url, size)
        out["words"] = words
        rng = random.Random(size)
        positions = [rng.randrange(0, size - 100) for _ in range(REQUESTS)]
        queries = {band: [rng.choice(ws) for _ in range(REQUESTS // 2)]
                   for band, ws in words.items() if ws}
        engine = create_engine(url, pool_size=2)
        now = datetime.now(UTC)
        raw = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        # what the server keeps in memory decides how often a search reads a cold page
        out["shared_buffers"] = raw.execute("SHOW shared_buffers").fetchone()[0]
        served = Served(url, tmp)
        try:
            with engine.connect() as conn:
                # the SQL each page runs, compiled with its parameters, for the direct figure
                def sql_of(stmt: Any) -> str:
                    return str(stmt.compile(dialect=postgresql.dialect(),
                                            compile_kwargs={"literal_binds": True}))

                figures: dict[str, Any] = {}
                with httpx.Client(base_url=served.base, timeout=30) as http:
                    cases: dict[str, tuple[list[Any], Any, Any, Any]] = {
                        "changes": (positions,
                                    lambda p: http.get("/changes", params={"after": _cursor(p),
                                                                            "limit": 100}),
                                    lambda p: read_changes(conn, p, 100),
                                    lambda p: [(_changes_sql(sql_of, p), None)]),
                    }
                    for band, qs in queries.items():
                        cases[f"search_{band}"] = (
                            qs, lambda q: http.get("/stories", params={"q": q, "limit": 100}),
                            lambda q: page_stories(conn, StoryQuery(words=q, limit=100), None, now),
                            lambda q: _captured(conn, lambda: page_stories(
                                conn, StoryQuery(words=q, limit=100), None, now)))
                    for name, (items, via_api, via_store, sql) in cases.items():
                        _timed(via_api, items[:10])  # warm the caches
                        api_t = _timed(lambda i, f=via_api: f(i).raise_for_status(), items)
                        store_t = _timed(via_store, items)
                        statements = [sql(i) for i in items]
                        sql_t = _timed(lambda run: [_replay(raw, q, p) for q, p in run],
                                       statements)
                        paths = [str(via_api(i).request.url).removeprefix(served.base)
                                 for i in items[:50]]
                        figures[name] = {
                            "api_p50_ms": round(pct(api_t, 50), 2),
                            "api_p99_ms": round(pct(api_t, 99), 2),
                            "store_p50_ms": round(pct(store_t, 50), 2),
                            "store_p99_ms": round(pct(store_t, 99), 2),
                            "sql_p50_ms": round(pct(sql_t, 50), 2),
                            "sql_p99_ms": round(pct(sql_t, 99), 2),
                            "load": _load(served.base, paths, LOAD_SECONDS),
                        }
                        print(f"  {name}: {figures[name]}", flush=True)
                out["figures"] = figures
        finally:
            served.stop()
            raw.close()
            engine.dispose()
    return out


@contextlib.contextmanager
def kept_store(pg_server: str, size: int) -> Iterator[str]:
    """`--keep`: the database `wire_bench_api_<size>`, made on first use and kept, so that a
    second run measures the same stories without loading them again (~30 min at 1M)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(pg_server.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"wire_bench_api_{size}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
                        ).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield server.set(database=name).render_as_string(hide_password=False)


def _cursor(position: int) -> str:
    from worker.api.cursors import change_cursor

    return change_cursor(position)


def _changes_sql(sql_of: Any, position: int) -> str:
    from sqlalchemy import select

    from worker.store.changes import CHANGES, versioned_select

    page = (select(CHANGES).where(CHANGES.c.id > position).order_by(CHANGES.c.id).limit(100)
            .subquery("c"))
    return sql_of(versioned_select(page, page.c.id, page.c.kind).order_by(page.c.id))


def _replay(raw: Any, sql: str, params: Any) -> Any:
    """Run one captured statement (a SET too) and read all it answers."""
    cursor = raw.execute(sql, params)
    return cursor.fetchall() if cursor.description is not None else None


def _captured(conn: Any, call: Any) -> list[tuple[str, Any]]:
    """The statements (with their parameters) `call` runs on `conn`: the same SQL, to run
    directly on the driver."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(conn, "before_cursor_execute", record)
    return seen


def machine_state() -> dict[str, Any]:
    import psutil

    load1, load5, _ = os.getloadavg()
    return {"cores": os.cpu_count(), "load_1m": round(load1, 2), "load_5m": round(load5, 2),
            "ram_gb": round(psutil.virtual_memory().total / 2**30),
            "python": sys.version.split()[0]}


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.api_bench",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=["latency", "api"], action="append")
    ap.add_argument("--pg", default=os.environ.get("WIRE_BENCH_PG_URL", DEFAULT_PG))
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    ap.add_argument("--samples", type=int, default=50)
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--out", default=str(RESULTS / "api-latest.json"))
    ap.add_argument("--keep", action="store_true",
                    help="keep each size's store (database wire_bench_api_N) and reuse it")
    args = ap.parse_args()
    sections = args.only or ["latency", "api"]
    results: dict[str, Any] = {"command": "python -m bench.api_bench " + " ".join(sys.argv[1:]),
                               "when": datetime.now(UTC).isoformat(timespec="seconds"),
                               "machine_before": machine_state()}
    tmp = Path(tempfile.mkdtemp(prefix="wire-api-bench-"))
    if "latency" in sections:
        results["latency"] = latency(args, tmp)
    if "api" in sections:
        results["api"] = [api(args, tmp, int(n)) for n in args.sizes.split(",")]
    results["machine_after"] = machine_state()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"results: {out}", flush=True)


if __name__ == "__main__":
    main()
