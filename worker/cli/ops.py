"""Operations commands: `wire doctor` (what is wrong, in words an operator can act on)."""

from __future__ import annotations

import sys

import click

from worker.cli.app import cli, settings_of


@cli.command("doctor")
@click.pass_context
def doctor_cmd(ctx: click.Context) -> None:
    """Check the settings, the feed file, the store, the broker and every feed's source once.

    Prints one line per check (`ok` or `FAIL` and what to do); exit code 1 when one failed.
    Secrets are never printed.
    """
    from worker.logs import setup_logging
    from worker.ops.doctor import run_checks

    setup_logging("ERROR")  # the checks say what went wrong themselves
    failed = False
    for check in run_checks(settings_of(ctx)):
        click.echo(check.line())
        failed |= not check.ok
    sys.exit(1 if failed else 0)
