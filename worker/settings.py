"""Settings: the only place that reads os.environ (SPEC "Environment").

Read once at the edge (`Settings.from_env()`) and passed down; nothing below reads the
environment. Every command reads the same variables, so one command works embedded and in
production.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType

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


@dataclass(frozen=True)
class Settings:
    database_url: str
    broker_url: str
    feeds_path: Path
    api_bind: str
    #: documents over this size are refused (SPEC "Bad input"; notes/pollers.md: 15-16 MiB)
    max_document_bytes: int = 16 * 1024 * 1024
    #: near-duplicate lookups only look this far back (issue: a few days)
    dedupe_window_hours: float = 96.0
    log_level: str = "INFO"
    #: how often beat ticks the dispatcher: the finest useful feed interval
    dispatch_seconds: float = 2.0
    #: a poll's hard time limit; the feed's lease is 25 % longer (notes/pollers.md E7)
    poll_time_limit: float = 120.0
    #: the longest back-off of a failing feed (it keeps being tried at this cap)
    backoff_cap_seconds: float = 1800.0
    #: key prefix on a Redis broker shared with other applications
    broker_prefix: str | None = None
    #: the environment as read at start, for `${NAME}` in the feed file (headers, secrets)
    environment: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def dedupe_window(self) -> timedelta:
        return timedelta(hours=self.dedupe_window_hours)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, cwd: Path | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        here = cwd or Path.cwd()
        broker = env.get("WIRE_BROKER_URL") or f"sqla+sqlite:///{here / DEFAULT_BROKER_FILE}"
        return cls(
            database_url=database_url(env.get("WIRE_DATABASE_URL"), here),
            broker_url=broker,
            feeds_path=Path(env.get("WIRE_FEEDS") or here / "config" / "feeds.yaml"),
            api_bind=env.get("WIRE_API_BIND") or "127.0.0.1:8000",
            max_document_bytes=int(env.get("WIRE_MAX_DOCUMENT_BYTES") or 16 * 1024 * 1024),
            dedupe_window_hours=float(env.get("WIRE_DEDUPE_WINDOW_HOURS") or 96),
            log_level=env.get("WIRE_LOG_LEVEL") or "INFO",
            dispatch_seconds=float(env.get("WIRE_DISPATCH_SECONDS") or 2.0),
            poll_time_limit=float(env.get("WIRE_POLL_TIME_LIMIT") or 120.0),
            backoff_cap_seconds=float(env.get("WIRE_BACKOFF_CAP_SECONDS") or 1800.0),
            broker_prefix=env.get("WIRE_BROKER_PREFIX") or None,
            environment=MappingProxyType(env),
        )
