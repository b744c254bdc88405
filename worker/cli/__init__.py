"""The `wire` command line (SPEC "Command line"): one group, commands in the modules below."""

from __future__ import annotations

import importlib

from worker.cli.app import cli

#: modules that add their commands to the group
COMMAND_MODULES = ("worker.cli.stories", "worker.cli.run", "worker.cli.clusters",
                   "worker.cli.serve", "worker.cli.reparse", "worker.cli.alerts",)


def main() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name)
    cli()
