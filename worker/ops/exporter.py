"""A worker's Prometheus endpoint (`WIRE_METRICS_BIND`), across its prefork processes.

A Celery worker polls in several forked processes; each counts its own polls. prometheus-client's
multiprocess mode makes every process write its values to files in one folder, and the worker's
main process serves the sum (`MultiProcessCollector`). What that mode needs, done here:

- `prepare` runs before anything imports prometheus-client (the library picks the mode at
  import): it empties the folder (`WIRE_METRICS_DIR`, else a fresh temporary one) so that a
  restarted worker does not add its predecessor's counts, and names it in
  `PROMETHEUS_MULTIPROC_DIR` for this process and the pool processes it forks.
- `serve` answers scrapes from the main process's thread; each scrape first forgets the live
  gauges of processes that are gone (`mark_process_dead`: a pool process killed or replaced).
  Counters and histograms of dead processes stay in the sum, as a counter must.
- `process_exited` is called by each pool process as it exits (Celery's
  `worker_process_shutdown`).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from worker.errors import ConfigError
from worker.settings import Settings

log = logging.getLogger(__name__)
_FOLDER: Path | None = None
_PID = re.compile(r"_(\d+)\.db$")


def prepare(settings: Settings) -> Path:
    """Set up multiprocess mode in an empty folder; call before prometheus-client is imported."""
    global _FOLDER
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before the metrics folder was set")
    folder = Path(settings.metrics_dir or tempfile.mkdtemp(prefix="wire-metrics-"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
    except OSError as e:
        raise ConfigError("WIRE_METRICS_DIR", f"cannot use {folder}: {e.strerror or e}") from e
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)  # the library's own switch
    _FOLDER = folder
    return folder


def serve(settings: Settings, folder: Path) -> Any:
    """Serve the worker's metrics on `WIRE_METRICS_BIND` from a thread; returns the server."""
    from prometheus_client import CollectorRegistry, start_http_server

    from worker.cli.serve import parse_bind
    from worker.ops.collect import QueueCollector

    try:
        host, port = parse_bind(str(settings.metrics_bind))
    except ValueError as e:
        raise ConfigError("WIRE_METRICS_BIND", str(e).split(": ", 1)[-1]) from None
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Processes(folder))
    registry.register(QueueCollector(settings))
    server, _ = start_http_server(port, host, registry=registry)
    log.info("metrics_serving", extra={"bind": f"{host}:{port}", "folder": str(folder)})
    return server


class _Processes:
    """The sum over every process's files, after forgetting the processes that are gone."""

    def __init__(self, folder: Path) -> None:
        from prometheus_client.multiprocess import MultiProcessCollector

        self.folder = folder
        self.collector = MultiProcessCollector(None, path=str(folder))

    def collect(self) -> Iterator[Any]:
        forget_dead(self.folder)
        return self.collector.collect()


def forget_dead(folder: Path) -> list[int]:
    """Drop the live gauges of processes that no longer exist; the pids dropped."""
    from prometheus_client.multiprocess import mark_process_dead

    pids = {int(m.group(1)) for f in folder.glob("*.db") if (m := _PID.search(f.name))}
    dead = [pid for pid in sorted(pids) if not _alive(pid)]
    for pid in dead:
        mark_process_dead(pid, str(folder))
    return dead


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_exited(pid: int) -> None:
    """A pool process is exiting: its live gauges leave the sum (multiprocess mode only)."""
    if _FOLDER is not None:
        from prometheus_client.multiprocess import mark_process_dead

        mark_process_dead(pid, str(_FOLDER))
