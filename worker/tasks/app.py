"""The Celery app, its settings with their reasons, and each worker process's resources.

Queues (all declared, named by purpose): `wire.schedule` carries the dispatcher's tick,
`wire.poll` one message per feed poll, `wire.alerts` webhook deliveries and their sweeps
(`worker.tasks.alerts`). A worker consumes all three by default; a big deployment can run
separate pools (`wire worker -Q wire.poll`), and a delivery to a slow receiver never delays a
poll when `wire.alerts` has its own (`wire worker -Q wire.alerts`).

Settings and why (docs/design.md "Polling", "Libraries and costs"):

- `task_acks_late` + `task_reject_on_worker_lost`: a poll whose worker dies is delivered again,
  and a poll is idempotent (the merge rule is a conditional upsert, fingerprints are written after
  the stories), so a killed worker loses nothing and duplicates nothing.
- `worker_prefetch_multiplier = 1`: polls are slow I/O; a worker must not hoard messages that
  another idle worker could run.
- `task_time_limit` (default 120 s, `WIRE_POLL_TIME_LIMIT`) is below the lease a started poll
  takes (`worker.polling.lease_seconds`), so a poll can never outlive its claim on the feed; a
  poll message the worker drops unrun gives its feed back (`_give_back_dropped_poll`).
- every message expires (the dispatcher's tick after one tick, a poll after about one interval):
  after an outage the backlog is dropped, not replayed.
- Redis `visibility_timeout` stays at 1 h: no task uses ETA or countdown (back-off lives in the
  store), so nothing waits in Redis longer than a poll runs; a message of a worker killed with
  SIGKILL comes back after it, and meanwhile its feed's lease expires and the feed is claimed anew.
- no result backend: nothing ever waits for a task's result (no `.get()` in a task).
- the embedded broker (`sqla+sqlite:///wire-broker.db`, kombu's SQLAlchemy transport) gets a long
  SQLite busy timeout: beat and the worker processes write to it at once.

Per process: a prefork child must not use the database connections or HTTP connections of the
process it was forked from; `worker_process_init` drops them and each child opens its own, lazily.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from celery import Celery, signals
from kombu import Queue
from sqlalchemy import Engine

from worker.archive import Archive, archive_of
from worker.config import FeedConfig, WireConfig, load_config
from worker.errors import ConfigError
from worker.fetch.http import make_client
from worker.logs import setup_logging
from worker.settings import Settings
from worker.store.clusters import Clustering
from worker.store.db import open_store

log = logging.getLogger(__name__)
SCHEDULE_QUEUE = "wire.schedule"
POLL_QUEUE = "wire.poll"
ALERTS_QUEUE = "wire.alerts"
QUEUES = (SCHEDULE_QUEUE, POLL_QUEUE, ALERTS_QUEUE)
#: how often a worker reads the embedded broker's table for messages (`_embedded_polling`)
EMBEDDED_POLL_SECONDS = 0.25
#: how often beat asks for the near-duplicate index to be pruned (worker.tasks.maintenance)
PRUNE_EVERY_SECONDS = 3600.0
#: how often beat samples the counters for the status page's charts (worker.tasks.ops)
SAMPLE_EVERY_SECONDS = 60.0
#: how often beat runs the retention rules (worker.tasks.ops)
HOUSEKEEPING_EVERY_SECONDS = 3600.0


def make_app(settings: Settings) -> Celery:
    app = Celery("wire", broker=settings.broker_url, include=[
        "worker.tasks.schedule", "worker.tasks.poll", "worker.tasks.maintenance",
        "worker.tasks.alerts", "worker.tasks.ops",
    ])
    app.conf.update(
        task_queues=[Queue(name, routing_key=name) for name in QUEUES],
        task_default_queue=POLL_QUEUE,
        task_routes={"wire.schedule.*": {"queue": SCHEDULE_QUEUE},
                     "wire.poll.*": {"queue": POLL_QUEUE},
                     "wire.maintenance.*": {"queue": SCHEDULE_QUEUE},
                     "wire.alerts.*": {"queue": ALERTS_QUEUE},
                     "wire.ops.*": {"queue": SCHEDULE_QUEUE}},
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=settings.poll_time_limit,
        task_soft_time_limit=settings.poll_time_limit * 0.8,
        task_ignore_result=True,
        result_backend=None,
        task_serializer="json",
        accept_content=["json"],
        enable_utc=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        broker_connection_retry_on_startup=True,
        broker_transport_options=_transport_options(settings),
        beat_schedule={
            "dispatch-due-feeds": _every("wire.schedule.dispatch", settings.dispatch_seconds,
                                         SCHEDULE_QUEUE, expires=max(1.0, settings.dispatch_seconds)),
            # alerts whose message was lost or whose retry is due; embargoes that ended
            "sweep-alerts": _every("wire.alerts.sweep", settings.alert_sweep_seconds, ALERTS_QUEUE),
            "lift-embargoes": _every("wire.alerts.lift_embargoes", settings.alert_sweep_seconds,
                                     ALERTS_QUEUE),
            "prune-dedupe-index": _every("wire.maintenance.prune", PRUNE_EVERY_SECONDS,
                                         SCHEDULE_QUEUE),
            "housekeeping": _every("wire.ops.housekeeping", HOUSEKEEPING_EVERY_SECONDS,
                                   SCHEDULE_QUEUE),
            # feed alerts whose message was lost or whose retry is due
            "sweep-feed-alerts": _every("wire.alerts.sweep_feed", settings.alert_sweep_seconds,
                                        ALERTS_QUEUE),
            "sample-counters": _every("wire.ops.sample", SAMPLE_EVERY_SECONDS, SCHEDULE_QUEUE),
        },
        beat_max_loop_interval=max(1.0, settings.dispatch_seconds),
    )
    return app


def _every(task: str, seconds: float, queue: str, expires: float | None = None
           ) -> dict[str, Any]:
    """A beat entry: `task` every `seconds` on `queue`; a message not run within a period
    (`expires`) is dropped, since the next one does the same work."""
    return {"task": task, "schedule": seconds,
            "options": {"expires": seconds if expires is None else expires, "queue": queue}}


def _transport_options(settings: Settings) -> dict[str, Any]:
    url = settings.broker_url
    if url.startswith("sqla+sqlite"):
        _embedded_polling()
        # these go to SQLAlchemy's create_engine as they are
        return {"connect_args": {"timeout": 30}}
    if url.startswith(("redis://", "rediss://", "sentinel://")):
        options: dict[str, Any] = {"visibility_timeout": 3600}
        prefix = settings.broker_prefix
        if prefix:
            options["global_keyprefix"] = prefix
        return options
    return {}


def _embedded_polling() -> None:
    """The embedded broker is a table the worker reads every `EMBEDDED_POLL_SECONDS`.

    kombu's default, 1 s, was most of an alert's way from the poll to its webhook: p50 1.04 s
    from the poll's start (bench/api_bench.py, 8 drops); at 0.25 s, 0.27 s (p99 0.31 s, 12
    drops). The reads cost an idle `wire run` 1.4 % of a core more (3.6 % against 2.0-2.3 %;
    at 0.1 s: 5.1-5.7 %). Set on the transport class: its transport options all go to
    `create_engine`, which refuses one it does not know.
    """
    from kombu.transport import sqlalchemy

    sqlalchemy.Transport.polling_interval = EMBEDDED_POLL_SECONDS


@dataclass
class Runtime:
    """What one worker process holds: settings, the store engine, the HTTP client, the
    configuration, and the near-duplicate shingle cache."""

    settings: Settings
    _engine: Engine | None = None
    _client: httpx.Client | None = None
    _config_key: tuple[Any, ...] | None = None
    config: WireConfig | None = None
    refused: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    _clustering: Clustering | None = None
    _file: tuple[tuple[Any, ...], WireConfig] | None = None

    @property
    def archive(self) -> Archive:
        return archive_of(self.settings)

    def feed_config(self, name: str) -> FeedConfig | None:
        """The feed as the configuration file says it now, with the secrets the store never
        holds (literal credentials); None if the file no longer has it or cannot be read."""
        path: Path = self.settings.feeds_path
        try:
            stat = path.stat()
            key = (str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
            if self._file is None or self._file[0] != key:
                self._file = (key, load_config(path, self.settings.environment))
        except (OSError, ConfigError):
            return None
        return self._file[1].feed(name)

    @property
    def clustering(self) -> Clustering:
        if self._clustering is None:
            self._clustering = Clustering(self.settings.dedupe_window)
        return self._clustering

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_store(self.settings.database_url)
        return self._engine

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = make_client()
        return self._client

    def changed_config(self) -> tuple[tuple[Any, ...], WireConfig] | None:
        """(file key, configuration) if the file changed since the last sync, else None.

        Raises ConfigError for an invalid file (the last good configuration stays in force).
        """
        path: Path = self.settings.feeds_path
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if key == self._config_key:
            return None
        return key, load_config(path, self.settings.environment)

    def synced(self, key: tuple[Any, ...], config: WireConfig) -> None:
        self._config_key, self.config = key, config

    def after_fork(self) -> None:
        if self._engine is not None:
            self._engine.dispose(close=False)  # the parent's connections stay the parent's
        self._engine = None
        self._client = None
        self._config_key = None


app = make_app(Settings.from_env())
_runtime: Runtime | None = None


def runtime() -> Runtime:
    global _runtime
    if _runtime is None:
        _runtime = Runtime(Settings.from_env())
    return _runtime


@signals.worker_process_init.connect
def _fresh_resources_after_fork(**_: Any) -> None:
    if _runtime is not None:
        _runtime.after_fork()


@signals.task_revoked.connect
def _give_back_dropped_poll(request: Any = None, expired: bool = False, **_: Any) -> None:
    """A poll message the worker drops unrun (expired while every process was busy) gives its
    feed back at once, so the next tick claims it again instead of it waiting for its claim
    to run out (`worker.polling`)."""
    if request is None or getattr(request, "task", None) != "wire.poll.feed":
        return
    from worker.store.feeds import release_claim

    try:
        feed_id, token = request.args
        released = release_claim(runtime().engine, int(feed_id), str(token))
    except Exception:  # the claim still runs out by itself; a signal handler must not raise
        log.exception("poll_release_failed", extra={"feed_id": getattr(request, "args", None)})
        return
    log.info("feed_poll_dropped", extra={"feed_id": feed_id, "expired": expired,
                                         "released": released})


@signals.worker_process_shutdown.connect
def _metrics_of_an_exiting_process(pid: Any = None, **_: Any) -> None:
    from worker.ops.exporter import process_exited

    process_exited(int(pid) if pid else os.getpid())


@signals.setup_logging.connect
def _json_logs(loglevel: Any = None, **_: Any) -> None:
    """Celery logs through the product's JSON lines, like every other command."""
    if isinstance(loglevel, int):
        loglevel = logging.getLevelName(loglevel)
    setup_logging(str(loglevel or Settings.from_env().log_level).upper())
    # one line per task received/succeeded every dispatch tick drowns the `feed_polled` events
    for name in ("celery.app.trace", "celery.worker.strategy"):
        logging.getLogger(name).setLevel(logging.WARNING)
