"""The `wire` click group and what every command shares: settings, the store, the clock."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from typing import NoReturn

import click
from sqlalchemy import Engine

from worker.errors import WireError
from worker.logs import setup_logging
from worker.settings import Settings
from worker.store.db import open_store


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """wire-ingest: poll news-agency wires into one clean, deduplicated story store."""
    try:
        ctx.obj = Settings.from_env()
    except WireError as e:
        fail(e)


def settings_of(ctx: click.Context) -> Settings:
    return ctx.find_root().obj  # type: ignore[no-any-return]


def store_of(ctx: click.Context) -> Engine:
    """The store, schema created if empty; exits with the error if it is outdated."""
    settings = settings_of(ctx)
    try:
        return open_store(settings.database_url)
    except WireError as e:
        fail(e)


def fail(error: Exception | str, code: int = 2) -> NoReturn:
    click.echo(f"wire: {error}", err=True)
    sys.exit(code)


def now() -> datetime:
    """The clock, read at the edge only."""
    return datetime.now(timezone.utc)


def quiet_logs(settings: Settings) -> None:
    """One-shot commands log warnings and worse; the long-running ones log at the set level."""
    setup_logging("WARNING" if settings.log_level.upper() == "INFO" else settings.log_level)
