"""The `wire` click group and what every command shares: settings, the store, the clock.

The group loads a command's module only when that command runs (`LazyGroup`, click's pattern
for lazily loaded subcommands): `wire --help` lists the commands from the table in
`worker.cli` without importing them, and `wire stories` imports what listing stories needs,
not Celery, FastAPI or the parsers. Importing every command module cost ~0.65 s of CPU at each
start (docs/performance.md "Start-up"), so nothing heavy is imported at module level on this
path; tests/test_startup.py holds `wire --help` to that.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NoReturn

import click

from worker.errors import WireError
from worker.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine


class LazyGroup(click.Group):
    """A click group whose commands are imported when used.

    `lazy` maps a command's name to its object's import path (`module:attribute`) and its
    one-line help (None: a hidden command), so the command list and `--help` need no import.
    Commands added the usual way (`@group.command`) work as in any group.
    """

    def __init__(self, *args: Any, lazy: Mapping[str, tuple[str, str | None]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, tuple[str, str | None]] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name][0].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name][0]} is not a click command")
            self.commands.setdefault(cmd_name, command)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list as click writes it, the help of lazy commands from the table."""
        rows = []
        for name in self.list_commands(ctx):
            if name in self.commands:
                command = self.commands[name]
                if not command.hidden:
                    rows.append((name, command))
            elif self.lazy[name][1] is not None:
                rows.append((name, self.lazy[name][1]))
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        with formatter.section("Commands"):
            formatter.write_dl([
                (name, click.utils.make_default_short_help(cmd, limit) if isinstance(cmd, str)
                 else cmd.get_short_help_str(limit))
                for name, cmd in rows])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    from worker.store.db import open_store

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
    from worker.logs import setup_logging

    setup_logging("WARNING" if settings.log_level.upper() == "INFO" else settings.log_level)
