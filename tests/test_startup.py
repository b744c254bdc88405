"""Starting `wire` imports what the command needs, no more (docs/performance.md "Start-up").

The guard counts modules, not seconds: `wire --help` must not import the store, the broker, the
web framework or the parsers; `wire stories` only the store's (and on a current embedded store not even SQLAlchemy:
tests/test_embedded_reads.py). The command table that lets the
group list its commands without importing them must match the commands themselves, and the
schema revision every command checks must be the migrations' head.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from worker.cli import COMMANDS, cli
from worker.store.db import HEAD_REVISION, alembic_head

#: what no command needs just to start
HEAVY = ("celery", "kombu", "alembic", "fastapi", "uvicorn", "starlette", "httpx", "numpy",
         "rensa", "nh3", "feedparser", "pydantic", "yaml", "paramiko")
#: what `wire --help` does not need either
STORE_AND_PARSERS = ("sqlalchemy", "psycopg", "lxml")


def imported_by(args: list[str], cwd: Path, url: str | None = None) -> set[str]:
    """The top-level packages a `wire` process has imported when the command is done."""
    code = ("import sys, json\nfrom worker.cli import main\n"
            f"sys.argv = ['wire', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write('\\n' + json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    env = {"PATH": "/usr/bin:/bin", "WIRE_DATABASE_URL": url or f"sqlite:///{cwd / 'wire.db'}"}
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.rsplit("\n", 1)[-1]))


def test_wire_help_imports_neither_the_store_nor_the_parsers(tmp_path):
    modules = imported_by(["--help"], tmp_path)
    assert "click" in modules
    assert modules.isdisjoint(HEAVY + STORE_AND_PARSERS), modules & set(HEAVY + STORE_AND_PARSERS)


def test_wire_stories_imports_the_store_only(tmp_path):
    imported_by(["migrate"], tmp_path)  # a small store
    # opened through SQLAlchemy (as a URL with options is)
    modules = imported_by(["stories"], tmp_path, f"sqlite:///{tmp_path / 'wire.db'}?timeout=5")
    assert "sqlalchemy" in modules
    assert modules.isdisjoint(HEAVY), modules & set(HEAVY)
    modules = imported_by(["stories"], tmp_path)  # read with sqlite3 alone
    assert modules.isdisjoint(HEAVY + ("sqlalchemy",)), modules & set(HEAVY + ("sqlalchemy",))


def test_wire_ingest_of_stored_files_does_not_load_the_parsing_half(tmp_path):
    """A folder ingested again (a cron job's usual run) costs fingerprints, not the parsers'
    normalizing and near-duplicate stack; a new file in it brings that stack in."""
    from tests.agency_server import rss, wire_items

    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.xml").write_bytes(rss(wire_items(3)))
    first = imported_by(["ingest", str(drop)], tmp_path)
    assert {"numpy", "rensa", "nh3"} <= first
    again = imported_by(["ingest", str(drop)], tmp_path)
    assert again.isdisjoint({"numpy", "rensa", "nh3"}), again & {"numpy", "rensa", "nh3"}
    (drop / "b.xml").write_bytes(rss(wire_items(4)[3:]))
    assert {"numpy", "rensa", "nh3"} <= imported_by(["ingest", str(drop)], tmp_path)


def test_the_schema_revision_checked_at_start_is_the_migrations_head():
    assert alembic_head() == HEAD_REVISION, (
        f"the newest migration is {alembic_head()}: set worker.store.db.HEAD_REVISION to it")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_command_table_matches_each_command(name):
    path, short_help = COMMANDS[name]
    command = cli.get_command(click.Context(cli), name)
    assert isinstance(command, click.Command) and command.name == name, path
    if short_help is None:
        assert command.hidden
    else:
        assert command.get_short_help_str(1000) == short_help


def test_every_command_and_its_help_is_listed():
    runner = CliRunner()
    listing = runner.invoke(cli, ["--help"])
    assert listing.exit_code == 0
    shown = {line.split()[0] for line in listing.output.split("Commands:")[1].splitlines()
             if line.strip()}
    assert shown == {name for name, (_, short) in COMMANDS.items() if short is not None}
    for name in COMMANDS:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, f"wire {name} --help: {result.output}"
        assert f"Usage: cli {name}" in result.output or f"Usage: wire {name}" in result.output
