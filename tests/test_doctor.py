"""`wire doctor`: every check once, what is wrong said in words an operator can act on, and
never a secret."""

from __future__ import annotations

import re

import yaml
from alembic import command
from click.testing import CliRunner

import worker.cli.ops  # noqa: F401 - registers the command
from tests.test_poll_integration import REDIS
from worker.cli.app import cli
from worker.store.db import alembic_config, open_store


def doctor(tmp_path, feeds, **env):
    (tmp_path / "feeds.yaml").write_text(yaml.safe_dump({"feeds": feeds}))
    base = {"WIRE_DATABASE_URL": f"sqlite:///{tmp_path}/wire.db",
            "WIRE_BROKER_URL": f"sqla+sqlite:///{tmp_path}/broker.db",
            "WIRE_FEEDS": str(tmp_path / "feeds.yaml")}
    result = CliRunner().invoke(cli, ["doctor"], env={**base, **env})
    checks = [re.match(r"^(?:ok|FAIL)\s+([^:]+):", line) for line in result.output.splitlines()]
    lines = {m.group(1): m.string for m in checks if m}
    return result.exit_code, lines, result.output


def test_a_healthy_deployment_passes_every_check(tmp_path, agency):
    agency.feed("/wire", body=b"<rss/>")
    (tmp_path / "drop").mkdir()
    code, lines, output = doctor(tmp_path, [
        {"name": "wire", "url": agency.url("/wire"), "interval": 60,
         "headers": {"Authorization": "Bearer ${AGENCY_TOKEN}"}},
        {"name": "drop", "folder": str(tmp_path / "drop"), "interval": 60}],
        AGENCY_TOKEN="s3cret-token", WIRE_BROKER_URL=REDIS, WIRE_BROKER_PREFIX="wiretest-doc:")

    assert code == 0, output
    assert set(lines) == {"configuration", "api keys", "store", "broker", "feed wire",
                          "feed drop"}
    assert all(line.startswith("ok") for line in lines.values()), output
    assert "HTTP 200" in lines["feed wire"]
    assert agency.requests_of("/wire")[0].headers["Authorization"] == "Bearer s3cret-token"
    assert "s3cret-token" not in output


def test_each_problem_is_named_with_what_to_do_and_no_secret_is_printed(tmp_path, agency):
    agency.feed("/refused", always_status=401)
    agency.feed("/gone", always_status=404)
    code, lines, output = doctor(tmp_path, [
        {"name": "refused", "url": agency.url("/refused"), "interval": 60,
         "headers": {"Authorization": "Bearer ${AGENCY_TOKEN}"}},
        {"name": "gone", "url": agency.url("/gone"), "interval": 60},
        {"name": "nowhere", "url": "http://user:feedpass@127.0.0.1:1/feed", "interval": 60},
        {"name": "missing", "folder": str(tmp_path / "no-such-folder"), "interval": 60}],
        AGENCY_TOKEN="s3cret-token",
        WIRE_DATABASE_URL="postgresql://wire:dbpass@127.0.0.1:1/wire",
        WIRE_BROKER_URL="redis://:brokerpass@127.0.0.1:1/0")

    assert code == 1
    assert lines["configuration"].startswith("ok")
    assert lines["store"].startswith("FAIL") and "Connection refused" in lines["store"]
    assert "WIRE_DATABASE_URL" in lines["store"]
    assert lines["broker"].startswith("FAIL") and "WIRE_BROKER_URL" in lines["broker"]
    assert "HTTP 401" in lines["feed refused"] and "credentials" in lines["feed refused"]
    assert "HTTP 404" in lines["feed gone"]
    assert lines["feed nowhere"].startswith("FAIL") and "user:***@" in lines["feed nowhere"]
    assert "no such folder" in lines["feed missing"]
    for secret in ("s3cret-token", "dbpass", "brokerpass", "feedpass"):
        assert secret not in output


def test_a_missing_secret_and_an_outdated_store_say_what_to_do(tmp_path):
    url = f"sqlite:///{tmp_path}/wire.db"
    engine = open_store(url)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "-1")
    engine.dispose()

    code, lines, _ = doctor(tmp_path, [
        {"name": "wire", "url": "http://127.0.0.1:1/feed", "interval": 60,
         "headers": {"Authorization": "Bearer ${AGENCY_TOKEN}"}}])

    assert code == 1
    assert "AGENCY_TOKEN is not set" in lines["configuration"]
    assert "run `wire migrate`" in lines["store"]
