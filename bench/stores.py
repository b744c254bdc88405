"""Scratch stores for the benchmark and a CPU meter that counts the database server too.

Each scenario gets a fresh store: a new SQLite file, or a new PostgreSQL database created on the
server given (default `postgresql://postgres@127.0.0.1:5432/`) and dropped afterwards.

SQLite runs inside the worker process, so the process's CPU time is the whole cost. PostgreSQL
runs in other processes: `CpuMeter` adds the CPU time of the backends serving the scratch
database (their `pg_stat_activity` pids, CPU time from /proc/<pid>/schedstat in nanoseconds),
so "items per core" counts the database's work as well; the report gives both parts.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/"


def _driver(url: str) -> str:
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


@contextlib.contextmanager
def fresh_store(kind: str, tmp: Path, pg_server: str = DEFAULT_PG) -> Iterator[str]:
    """The URL of an empty store of this kind (`sqlite` or `postgresql`), removed afterwards."""
    if kind == "sqlite":
        path = tmp / f"bench-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for extra in ("", "-wal", "-shm", ".migrate-lock"):
                Path(str(path) + extra).unlink(missing_ok=True)
        return
    server = make_url(_driver(pg_server))
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"wire_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class CpuMeter:
    """CPU seconds of this process, plus those of the PostgreSQL backends of `url`'s database."""

    def __init__(self, url: str) -> None:
        self.database = None
        self.admin = None
        if url.startswith("postgres"):
            u = make_url(_driver(url))
            self.database = u.database
            self.admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def _db_seconds(self) -> float:
        if self.admin is None:
            return 0.0
        with self.admin.connect() as conn:
            pids = conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": self.database}
            ).scalars().all()
        total = 0.0
        for pid in pids:
            try:  # nanoseconds on CPU; psutil's cpu_times counts 10 ms clock ticks
                total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
            except (OSError, ValueError, IndexError):
                with contextlib.suppress(psutil.Error):
                    t = psutil.Process(pid).cpu_times()
                    total += t.user + t.system
        return total

    def start(self) -> None:
        self._db0 = self._db_seconds()
        self._cpu0 = time.process_time()

    def stop(self) -> tuple[float, float]:
        """(this process's, the database backends') CPU seconds since `start`."""
        cpu = time.process_time() - self._cpu0
        return cpu, self._db_seconds() - self._db0

    def close(self) -> None:
        if self.admin is not None:
            self.admin.dispose()
