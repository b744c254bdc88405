"""`wire run` (the main job), `wire worker`, `wire beat`, `wire feeds` (SPEC "Command line").

`wire run` starts a real Celery worker and a real Celery beat as two child processes on the
configured broker (embedded by default: kombu's SQLAlchemy transport on `wire-broker.db`, no
server) and store, and supervises them until SIGTERM or Ctrl-C, then stops both within seconds.
Child processes rather than threads in this process: the Celery worker owns its process (signal
handlers, a prefork pool that forks), and beat must not live or die with it; two children are
exactly what production runs (`wire beat` once, `wire worker` on any number of machines), so the
embedded run exercises the same code. Stopping: SIGTERM to both (the worker finishes its current
polls), then after `STOP_SECONDS` SIGKILL to whatever is left: a poll cut off loses nothing, its
lease expires and the feed is polled again.

The embedded broker's transport keeps delivered messages as rows; `wire run` prunes the ones
older than an hour so the file does not grow without end.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click

from worker.cli.app import cli, fail, now, settings_of, store_of
from worker.config import WireConfig, load_config
from worker.errors import ConfigError
from worker.ops.health import HealthFigures, feed_health
from worker.settings import Settings

STOP_SECONDS = 8.0
PRUNE_EVERY = 600.0
CELERY_APP = "worker.tasks.app"
#: what a worker consumes unless told otherwise (worker.tasks.app.QUEUES)
ALL_QUEUES = "wire.schedule,wire.poll,wire.alerts"


def _config_or_fail(settings: Settings) -> WireConfig:
    if not settings.feeds_path.exists():
        fail(f"{settings.feeds_path}: no feed configuration here; write one (the repository's "
             "config/feeds.yaml is an example) or point WIRE_FEEDS at it")
    try:
        return load_config(settings.feeds_path, settings.environment)
    except ConfigError as e:
        fail(e)


def _celery(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", CELERY_APP, *args]


def worker_argv(settings: Settings, concurrency: int, queues: str, name: str) -> list[str]:
    return ["worker", "-l", settings.log_level, "-c", str(concurrency), "-Q", queues,
            "-n", name, "--without-gossip", "--without-mingle", "-P", "prefork"]


def beat_argv(settings: Settings) -> list[str]:
    # the schedule is one static entry: nothing to persist, no schedule file to lose or lock
    return ["beat", "-l", settings.log_level, "-S", "celery.beat:Scheduler"]


@cli.command("run")
@click.option("--concurrency", "-c", default=2, show_default=True, help="worker processes")
@click.pass_context
def run_cmd(ctx: click.Context, concurrency: int) -> None:
    """Poll the configured feeds into the store until stopped (SIGTERM or Ctrl-C)."""
    settings = settings_of(ctx)
    config = _config_or_fail(settings)
    store_of(ctx).dispose()
    for feed in config.feeds:
        if feed.protocol == "folder":
            feed.folders()[0].mkdir(parents=True, exist_ok=True)
    stop = {"signal": 0}

    def on_signal(signum: int, _frame: Any) -> None:
        stop["signal"] = signum

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    children = {
        # `wire worker` itself, so that it serves metrics as a production worker does
        "worker": _spawn([sys.executable, "-m", "worker", "worker", "-c", str(concurrency),
                          "-Q", ALL_QUEUES, "-n", f"wire-run-{os.getpid()}@%h"]),
        "beat": _spawn(_celery(*beat_argv(settings))),
    }
    click.echo(f"wire run: polling {len(config.feeds)} feeds from {settings.feeds_path} "
               f"(worker pid {children['worker'].pid}, beat pid {children['beat'].pid}); "
               "Ctrl-C stops", err=True)
    code, last_prune = 0, 0.0
    while not stop["signal"]:
        dead = [name for name, p in children.items() if p.poll() is not None]
        if dead:
            click.echo(f"wire run: {', '.join(dead)} exited unexpectedly; stopping", err=True)
            code = 1
            break
        if time.monotonic() - last_prune > PRUNE_EVERY:
            prune_embedded_broker(settings.broker_url)
            last_prune = time.monotonic()
        time.sleep(0.2)
    _stop(list(children.values()))
    click.echo("wire run: stopped", err=True)
    sys.exit(code)


def _spawn(argv: list[str]) -> subprocess.Popen[bytes]:
    # own session: a terminal's Ctrl-C reaches `wire run`, which stops the children in order
    return subprocess.Popen(argv, start_new_session=True)


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for child in children:  # the process group: the worker's pool children too
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        child.wait()


def prune_embedded_broker(broker_url: str, older_than: float = 3600.0) -> int:
    """Delete delivered messages of the embedded SQLite broker older than `older_than` s."""
    prefix = "sqla+sqlite:///"
    if not broker_url.startswith(prefix):
        return 0
    path = Path(broker_url[len(prefix):])
    if not path.exists():
        return 0
    # the transport stamps a message (naive local time) when it is delivered, not when sent
    cutoff = datetime.now() - timedelta(seconds=older_than)
    try:
        with sqlite3.connect(path, timeout=30) as conn:
            cursor = conn.execute(
                "DELETE FROM kombu_message WHERE visible = 0 AND timestamp < ?",
                (cutoff.isoformat(" "),),
            )
            return cursor.rowcount
    except sqlite3.Error:
        return 0  # not created yet, or another transport version: nothing to prune


@cli.command("worker", context_settings={"ignore_unknown_options": True})
@click.option("--concurrency", "-c", default=2, show_default=True, help="worker processes")
@click.option("--queues", "-Q", default=ALL_QUEUES, show_default=True)
@click.option("--name", "-n", default="wire@%h", show_default=True)
@click.pass_context
def worker_cmd(ctx: click.Context, concurrency: int, queues: str, name: str) -> None:
    """A Celery worker polling feeds (run any number, on any machines)."""
    settings = settings_of(ctx)
    _config_or_fail(settings)
    store_of(ctx).dispose()
    if settings.metrics_bind:
        from worker.ops import exporter

        try:  # before the tasks import prometheus-client (worker.ops.exporter)
            exporter.serve(settings, exporter.prepare(settings))
        except (ConfigError, OSError) as e:
            fail(f"metrics: {e}")
    from worker.tasks.app import app

    app.worker_main(worker_argv(settings, concurrency, queues, name))


@cli.command("beat")
@click.pass_context
def beat_cmd(ctx: click.Context) -> None:
    """Celery beat: the dispatcher's tick (run one; a second one does no harm)."""
    settings = settings_of(ctx)
    _config_or_fail(settings)
    store_of(ctx).dispose()
    from worker.tasks.app import app

    app.start(beat_argv(settings))


@cli.command("feeds")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per feed")
@click.pass_context
def feeds_cmd(ctx: click.Context, as_json: bool) -> None:
    """Every configured feed: last poll, outcome, consecutive failures, next poll."""
    settings = settings_of(ctx)
    config = _config_or_fail(settings)
    from worker.store.feeds import feed_rows

    engine = store_of(ctx)
    rows = feed_rows(engine)
    engine.dispose()
    entries = [feed_status(feed, rows.get(feed.name)) for feed in config.feeds]
    if as_json:
        for entry in entries:
            click.echo(json.dumps(entry, ensure_ascii=False))
        return
    click.echo(render_table(entries, now()))


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def feed_status(feed: Any, row: Any | None, at: datetime | None = None) -> dict[str, Any]:
    """One feed as `wire feeds --json` (and `GET /feeds`) shows it; `health` as of `at`."""
    at = at or datetime.now(timezone.utc)
    health = feed_health(HealthFigures(
        row.consecutive_failures if row else 0, row.last_story_at if row else None,
        row.health_since if row else None, getattr(feed, "quiet_after", None)), at)
    return {
        "name": feed.name,
        "provider": feed.provider,
        "source": feed.source,
        "format": feed.format,
        "interval": feed.interval,
        "enabled": feed.enabled,
        "last_poll": _iso(row.last_poll_at) if row else None,
        "last_success": _iso(row.last_success_at) if row else None,
        "outcome": row.last_outcome if row else None,
        "error": row.last_error if row else None,
        "consecutive_failures": row.consecutive_failures if row else 0,
        "health": health.value,
        "last_story": _iso(row.last_story_at) if row else None,
        "next_poll": _iso(row.next_poll_at) if row and feed.enabled else None,
        "polling": bool(row and row.lease_until and row.lease_until > datetime.now(timezone.utc)),
        "last_new": row.last_new if row else None,
        "last_updated": row.last_updated if row else None,
        "last_duration_ms": round(row.last_duration * 1000, 1) if row and row.last_duration
        is not None else None,
    }


def render_table(entries: list[dict[str, Any]], at: datetime) -> str:
    head = ("FEED", "HEALTH", "OUTCOME", "FAILURES", "LAST POLL", "NEXT POLL", "ERROR")
    lines = [head]
    for e in entries:
        outcome = e["outcome"] or ("disabled" if not e["enabled"] else "never polled")
        lines.append((e["name"], e["health"], outcome, str(e["consecutive_failures"]),
                      e["last_poll"] or "-",
                      _relative(e["next_poll"], at) if e["enabled"] else "disabled",
                      (e["error"] or "")[:80]))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head) - 1)]
    return "\n".join(
        "  ".join(col.ljust(w) for col, w in zip(line[:-1], widths, strict=True)) + "  " + line[-1]
        for line in lines
    ).rstrip()


def _relative(iso: str | None, at: datetime) -> str:
    if iso is None:
        return "when wire runs"
    when = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    seconds = (when - at).total_seconds()
    return f"{iso} (due)" if seconds <= 0 else f"{iso} (in {seconds:.0f}s)"
