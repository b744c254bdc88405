"""A PostgreSQL and a Redis of the test's own, as processes it can stop and start by pid.

Fault tests stop these, never the machine's shared servers: each runs on its own free port
with its own data folder, and `stop` signals only the pid this module started.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.api_server import free_port


def _wait(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class OwnRedis:
    """redis-server on a free port, in memory only."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> OwnRedis:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=1)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        _wait(up, 20, f"Redis on port {self.port}")
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(20)


class OwnPostgres:
    """A PostgreSQL cluster in a temporary folder, on a free port, run as the postgres user
    (the server refuses root); `stop` is a fast shutdown of the postmaster by its pid."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="wire-test-pg-"))
        self.data = self.folder / "data"
        self.proc: subprocess.Popen[bytes] | None = None
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        assert bins, "PostgreSQL server binaries are required (/usr/lib/postgresql/*/bin)"
        self.bin = Path(bins[-1])

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, argv: list[str], **kwargs) -> subprocess.Popen[bytes]:
        # setpriv execs in place: the pid is the server's own, not a wrapper's
        return subprocess.Popen(["setpriv", "--reuid=postgres", "--regid=postgres",
                                 "--init-groups", *argv], **kwargs)

    def init(self) -> OwnPostgres:
        shutil.chown(self.folder, "postgres", "postgres")
        os.chmod(self.folder, 0o700)
        initdb = self._as_postgres([str(self.bin / "initdb"), "-D", str(self.data), "-A",
                                    "trust", "-U", "postgres", "--no-sync"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, err = initdb.communicate(timeout=120)
        assert initdb.returncode == 0, err.decode()
        return self

    def start(self) -> OwnPostgres:
        log = open(self.folder / "server.log", "ab")  # noqa: SIM115 - the server's own log
        self.proc = self._as_postgres(
            [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port), "-k",
             str(self.folder), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
             "-c", "max_connections=60"], stdout=log, stderr=log)
        import psycopg

        def up() -> bool:
            try:
                psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres "
                                "dbname=postgres connect_timeout=1").close()
                return True
            except psycopg.OperationalError:
                assert self.proc.poll() is None, (self.folder / "server.log").read_text()
                return False

        _wait(up, 60, f"PostgreSQL on port {self.port}")
        return self

    def stop(self) -> None:
        """Fast shutdown: clients are disconnected, the server exits."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(60)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
