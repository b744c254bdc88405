"""`wire run` on the embedded defaults, `wire feeds`, and the start-up checks of run/worker/beat."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, func, select

from tests.agency_server import rss, wire_items
from tests.conftest import REPO
from worker.cli.run import prune_embedded_broker
from worker.store.models import StoryRow

WIRE = [sys.executable, "-c", "from worker.cli import main; main()"]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A new user's working folder: nothing but a feeds file."""
    (tmp_path / "config").mkdir()
    return tmp_path


def env_for(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIRE_")}
    env.update({"PYTHONPATH": str(REPO), "WIRE_DISPATCH_SECONDS": "0.5"})
    return env


def wire(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*WIRE, *args], check=False, cwd=workdir, env=env_for(workdir), capture_output=True,
                          text=True, timeout=60)


def stories_in(db: Path) -> int:
    if not db.exists():
        return 0
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(StoryRow)).scalar_one()
    except Exception:  # noqa: BLE001 - the schema may not be there yet
        return 0
    finally:
        engine.dispose()


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], check=False,
                         capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], check=False,
                         capture_output=True, text=True)
    return bool(state.stdout.strip()) and not state.stdout.strip().startswith("Z")


def test_wire_run_polls_http_feeds_and_drop_folders_into_the_embedded_store_until_sigterm(
    workdir, agency
):
    agency.feed("/wire", body=rss(wire_items(3)))
    (workdir / "config" / "feeds.yaml").write_text(yaml.safe_dump({"feeds": [
        {"name": "agency", "provider": "agency", "url": agency.url("/wire"), "interval": 0.5},
        {"name": "inbox", "provider": "local", "folder": "var/drop/inbox", "interval": 0.5},
    ]}))
    proc = subprocess.Popen([*WIRE, "run"], cwd=workdir, env=env_for(workdir),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 45
        dropped = False
        while stories_in(workdir / "wire.db") < 5 and time.monotonic() < deadline:
            inbox = workdir / "var" / "drop" / "inbox"
            if inbox.is_dir() and not dropped:  # `wire run` made the folder
                shutil.copy(REPO / "tests" / "data" / "rss" / "rss20-wire.xml", inbox / "a.xml")
                os.utime(inbox / "a.xml", (time.time() - 5, time.time() - 5))
                dropped = True
            time.sleep(0.3)
        assert stories_in(workdir / "wire.db") >= 5, proc.stderr and "no stories"
        assert (workdir / "wire-broker.db").exists()  # the embedded broker, no server
        assert (workdir / "var" / "drop" / "inbox" / "processed" / "a.xml").exists()
        time.sleep(1.5)
        shown = [json.loads(line) for line in wire(workdir, "feeds", "--json").stdout.splitlines()]
        children = children_of(proc.pid)
        assert len(children) == 2  # a worker and a beat

        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
        stop_seconds = time.monotonic() - started
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    stderr = proc.stderr.read().decode() if proc.stderr else ""

    assert code == 0, stderr[-3000:]
    assert stop_seconds < 10
    assert not any(alive(pid) for pid in children)
    by_name = {f["name"]: f for f in shown}
    assert by_name["agency"]["outcome"] == "not_modified"
    assert by_name["agency"]["consecutive_failures"] == 0 and by_name["agency"]["next_poll"]
    assert by_name["inbox"]["outcome"] in ("ok", "unchanged")
    assert '"event": "feed_polled"' in stderr and '"feed": "agency"' in stderr
    assert '"logger": "httpx"' not in stderr  # one line per poll, not one more per request
    assert len([r for r in agency.requests_of("/wire") if r.status == 304]) >= 2


def test_wire_feeds_lists_every_configured_feed_even_before_the_first_poll(workdir):
    (workdir / "config" / "feeds.yaml").write_text(yaml.safe_dump({"feeds": [
        {"name": "dpa-wire", "provider": "dpa", "url": "http://127.0.0.1:9/feed", "interval": 60},
        {"name": "paused", "folder": "var/drop/x", "interval": 60, "enabled": False},
    ]}))

    table = wire(workdir, "feeds")
    as_json = wire(workdir, "feeds", "--json")

    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:4] == ["FEED", "HEALTH", "OUTCOME", "FAILURES"]
    assert "dpa-wire" in lines[1] and "never polled" in lines[1]
    assert "paused" in lines[2] and "disabled" in lines[2]
    first = json.loads(as_json.stdout.splitlines()[0])
    assert first == {**first, "name": "dpa-wire", "source": "http://127.0.0.1:9/feed",
                     "last_poll": None, "outcome": None, "consecutive_failures": 0,
                     "health": "ok"}


@pytest.mark.parametrize("command", ["run", "worker", "beat", "feeds"])
def test_an_invalid_feeds_file_is_refused_at_start_naming_the_file_feed_and_key(workdir, command):
    (workdir / "config" / "feeds.yaml").write_text(
        "feeds:\n  - {name: dpa-wire, url: 'http://x', interval: 0}\n")

    result = wire(workdir, command)

    assert result.returncode == 2
    assert "feeds.yaml" in result.stderr and "feed 'dpa-wire'" in result.stderr
    assert "interval" in result.stderr


def test_the_embedded_broker_forgets_delivered_messages_after_an_hour(tmp_path):
    import sqlite3
    from datetime import datetime, timedelta

    db = tmp_path / "wire-broker.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE kombu_message (id INTEGER PRIMARY KEY, visible BOOLEAN, "
                     "timestamp DATETIME, payload TEXT)")
        old = (datetime.now() - timedelta(hours=2)).isoformat(" ")
        new = datetime.now().isoformat(" ")
        conn.executemany("INSERT INTO kombu_message (visible, timestamp, payload) VALUES (?,?,?)",
                         [(0, old, "delivered long ago"), (0, new, "delivered now"),
                          (1, None, "waiting")])

    assert prune_embedded_broker(f"sqla+sqlite:///{db}") == 1
    with sqlite3.connect(db) as conn:
        left = [r[0] for r in conn.execute("SELECT payload FROM kombu_message ORDER BY id")]
    assert left == ["delivered now", "waiting"]
