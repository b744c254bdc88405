"""Settings: the only place that reads os.environ (SPEC "Environment").

Read once at the edge (`Settings.from_env()`) and passed down; nothing below reads the
environment. Every command reads the same variables, so one command works embedded and in
production.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

from worker.errors import ConfigError

#: SPEC: the embedded default store is a SQLite file under the working folder
DEFAULT_DB_FILE = "wire.db"
#: SPEC: the embedded default broker needs no server (kombu's SQLAlchemy transport on SQLite)
DEFAULT_BROKER_FILE = "wire-broker.db"


def database_url(raw: str | None, cwd: Path) -> str:
    """SQLAlchemy URL of the store; a plain `postgresql://` URL gets the installed psycopg 3."""
    if not raw:
        return f"sqlite:///{cwd / DEFAULT_DB_FILE}"
    for plain in ("postgresql://", "postgres://"):
        if raw.startswith(plain):
            return "postgresql+psycopg://" + raw[len(plain):]
    return raw


def embedded_broker_url(store_url: str, cwd: Path) -> str:
    """SPEC "Environment": the embedded broker lives beside the embedded store, so two stores
    run from one folder never share a queue (a SQLite store's folder; else the working folder)."""
    folder = cwd
    if store_url.startswith("sqlite:///") and store_url != "sqlite:///:memory:":
        folder = Path(store_url[len("sqlite:///"):]).parent
    return f"sqla+sqlite:///{folder / DEFAULT_BROKER_FILE}"


@dataclass(frozen=True)
class Settings:
    """Every setting, with its default and its reason; `from_env` reads the variables."""

    database_url: str
    broker_url: str
    feeds_path: Path
    api_bind: str = "127.0.0.1:8000"
    #: documents over this size are refused (15-16 MiB is the common default: docs/design.md "Polling")
    max_document_bytes: int = 16 * 1024 * 1024
    #: near-duplicate lookups only look this far back: syndication copies arrive within days
    dedupe_window_hours: float = 96.0
    log_level: str = "INFO"
    #: how often beat ticks the dispatcher: the finest useful feed interval
    dispatch_seconds: float = 2.0
    #: a poll's hard time limit; the lease of a started poll is 25 % longer (docs/operations.md)
    poll_time_limit: float = 120.0
    #: the longest back-off of a failing feed (it keeps being tried at this cap)
    backoff_cap_seconds: float = 1800.0
    #: key prefix on a Redis broker shared with other applications
    broker_prefix: str | None = None
    #: WIRE_API_KEYS as given: comma-separated keys, or `@/path` to a file of one key a line
    api_keys_source: str | None = None
    #: how often beat looks for alerts to deliver again and embargoes that ended
    alert_sweep_seconds: float = 5.0
    #: where fetched documents are archived (SPEC "Environment" WIRE_ARCHIVE): a folder, or
    #: `store`; unset, a folder beside an embedded SQLite store, else the store itself
    archive: str | None = None
    #: archived documents are kept this many days (`wire reparse` reaches that far back)
    archive_days: float = 90.0
    #: where a worker serves its Prometheus metrics (`host:port`); unset: not served
    metrics_bind: str | None = None
    #: the folder a worker's processes share their metrics through (prometheus-client's
    #: multiprocess mode); unset: a fresh temporary folder per worker start
    metrics_dir: str | None = None
    #: housekeeping (docs/operations.md "Keep healthy"); unset keeps everything.
    #: history versions (not current) received more than this many days ago are deleted
    history_days: float | None = None
    #: stories not updated for this many days are purged, leaving a tombstone (never
    #: re-ingested as new); must reach past the near-duplicate window
    story_days: float | None = None
    #: files in a drop folder's processed/ older than this many days are deleted
    processed_days: float | None = None
    #: the environment as read at start, for `${NAME}` in the feed file (headers, secrets)
    environment: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def dedupe_window(self) -> timedelta:
        return timedelta(hours=self.dedupe_window_hours)

    def api_keys(self) -> tuple[str, ...]:
        """The bearer keys the API requires (SPEC "HTTP API"); empty: the API is open.

        Read when `wire serve` starts, not by every command: a key file is the API's business.
        Raises ConfigError naming WIRE_API_KEYS when the file cannot be read or holds no key.
        """
        source = self.api_keys_source
        if not source:
            return ()
        if source.startswith("@"):
            path = Path(source[1:])
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError as e:
                raise ConfigError("WIRE_API_KEYS", f"cannot read {path}: {e.strerror or e}") from e
            keys = tuple(k.strip() for k in lines if k.strip() and not k.startswith("#"))
        else:
            keys = tuple(k.strip() for k in source.split(",") if k.strip())
        if not keys:
            raise ConfigError("WIRE_API_KEYS", "set but holds no key")
        return keys

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, cwd: Path | None = None
                 ) -> Settings:
        env = dict(os.environ if environ is None else environ)
        here = cwd or Path.cwd()
        store = database_url(env.get("WIRE_DATABASE_URL"), here)
        read = _Reader(env)
        settings = cls(
            database_url=store,
            broker_url=env.get("WIRE_BROKER_URL") or embedded_broker_url(store, here),
            feeds_path=Path(env.get("WIRE_FEEDS") or here / "config" / "feeds.yaml"),
            api_bind=read.text("WIRE_API_BIND", "api_bind"),
            max_document_bytes=read.number("WIRE_MAX_DOCUMENT_BYTES", "max_document_bytes", int),
            dedupe_window_hours=read.number("WIRE_DEDUPE_WINDOW_HOURS", "dedupe_window_hours"),
            log_level=read.text("WIRE_LOG_LEVEL", "log_level"),
            dispatch_seconds=read.number("WIRE_DISPATCH_SECONDS", "dispatch_seconds"),
            poll_time_limit=read.number("WIRE_POLL_TIME_LIMIT", "poll_time_limit"),
            backoff_cap_seconds=read.number("WIRE_BACKOFF_CAP_SECONDS", "backoff_cap_seconds"),
            broker_prefix=env.get("WIRE_BROKER_PREFIX") or None,
            api_keys_source=env.get("WIRE_API_KEYS") or None,
            alert_sweep_seconds=read.number("WIRE_ALERT_SWEEP_SECONDS", "alert_sweep_seconds"),
            archive=env.get("WIRE_ARCHIVE") or None,
            archive_days=read.number("WIRE_ARCHIVE_DAYS", "archive_days"),
            metrics_bind=env.get("WIRE_METRICS_BIND") or None,
            metrics_dir=env.get("WIRE_METRICS_DIR") or None,
            history_days=read.number("WIRE_HISTORY_DAYS", "history_days"),
            story_days=read.number("WIRE_STORY_DAYS", "story_days"),
            processed_days=read.number("WIRE_PROCESSED_DAYS", "processed_days"),
            environment=MappingProxyType(env),
        )
        if settings.story_days and settings.story_days * 24 < settings.dedupe_window_hours:
            # a purged story's near-duplicate keys must have left the index before it goes
            raise ConfigError("WIRE_STORY_DAYS", f"{settings.story_days:g} days is shorter than "
                              f"the near-duplicate window ({settings.dedupe_window_hours:g} h)")
        return settings


_DEFAULTS = {f.name: f.default for f in fields(Settings)}


@dataclass(frozen=True)
class _Reader:
    """Variables with the field's default when unset or empty; a bad number is refused with
    the variable's name (ConfigError), not a traceback."""

    env: Mapping[str, str]

    def text(self, variable: str, name: str) -> str:
        return self.env.get(variable) or _DEFAULTS[name]  # type: ignore[no-any-return]

    def number(self, variable: str, name: str, kind: type = float) -> Any:
        raw = self.env.get(variable)
        if not raw:
            return _DEFAULTS[name]
        try:
            value = kind(raw)
        except ValueError:
            raise ConfigError(variable, f"not a number: {raw!r}") from None
        if value <= 0:
            raise ConfigError(variable, f"must be greater than 0, not {raw}")
        return value
