"""The `wire` command as a user types it (SPEC "Command line"), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path

import pytest
from alembic import command

from tests.conftest import REPO
from worker.model import STORY_KEYS
from worker.store.db import alembic_config, head_revision, make_engine

SEED = "seeds/000_9ad5b8a81939a933.txt"


def wire(*args: str, db: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WIRE_DATABASE_URL": db}
    result = subprocess.run(
        [sys.executable, "-m", "worker", *args], cwd=cwd, env=env, text=True,
        capture_output=True, timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def lines(result: subprocess.CompletedProcess[str]) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_parse_prints_every_spec_key_for_the_seed(shared, tmp_path):
    result = wire("parse", str(shared / SEED), db=f"sqlite:///{tmp_path}/x.db", cwd=tmp_path)

    (story,) = lines(result)
    assert list(story) == list(STORY_KEYS)
    assert story["headline"] == "ISIS Facing Imminent Collapse in Syria's Raqqa"
    assert story["credits"] == ["Reuters", "AP", "dpa"]
    assert not (tmp_path / "x.db").exists()  # parse stores nothing


def test_parse_reports_a_bad_document_and_still_prints_the_others(shared, tmp_path):
    bad = tmp_path / "broken.xml"
    bad.write_text("<rss><channel><item><title>cut off")
    result = wire("parse", str(bad), str(shared / SEED), db="sqlite://", cwd=tmp_path, check=False)

    assert result.returncode == 1
    assert "broken.xml" in result.stderr
    assert [s["headline"] for s in lines(result)] == ["ISIS Facing Imminent Collapse in Syria's Raqqa"]


def test_parse_with_unknown_format_names_the_known_ones(shared, tmp_path):
    result = wire("parse", "--format", "nope", str(shared / SEED), db="sqlite://", cwd=tmp_path,
                  check=False)
    assert result.returncode == 1
    assert "unknown format 'nope'" in result.stderr and "rss" in result.stderr


@pytest.fixture
def db(store_url):
    return store_url


def test_ingest_then_list_stories_and_versions(shared, tmp_path, db):
    rss = shared / "realworld" / "rss-parser" / "guardian.rss"
    first = lines(wire("ingest", str(shared / SEED), str(rss), "--provider", "guardian",
                       db=db, cwd=tmp_path))
    again = lines(wire("ingest", str(shared / SEED), str(rss), "--provider", "guardian",
                       db=db, cwd=tmp_path))

    assert first[0]["new"] > 1 and first[0]["errors"] == 0
    assert again == [{"new": 0, "updated": 0, "unchanged": first[0]["new"], "stale": 0,
                      "duplicates": 0, "errors": 0}]
    stories = lines(wire("stories", "--json", "--limit", "500", db=db, cwd=tmp_path))
    assert len(stories) == first[0]["new"]
    assert {"story_id", "cluster_id", "received_at", "updated_at"} <= set(stories[0])
    created = [s["version_created"] for s in stories]
    assert created == sorted(created, reverse=True)
    raqqa = next(s for s in stories if s["headline"].startswith("ISIS Facing"))
    versions = lines(wire("versions", str(raqqa["story_id"]), "--json", db=db, cwd=tmp_path))
    assert [v["current"] for v in versions] == [True]
    text = wire("stories", "--provider", "guardian", "--limit", "3", db=db, cwd=tmp_path).stdout
    assert len(text.splitlines()) == 3 and "guardian" in text


def test_ingest_counts_errors_and_keeps_the_good_documents(shared, tmp_path):
    bad = tmp_path / "drop" / "bad.json"
    bad.parent.mkdir()
    bad.write_text('{"uri": ')
    (tmp_path / "drop" / "seed.txt").write_bytes((shared / SEED).read_bytes())
    db = f"sqlite:///{tmp_path}/wire.db"

    result = wire("ingest", str(tmp_path / "drop"), db=db, cwd=tmp_path, check=False)

    assert result.returncode == 1
    assert "bad.json" in result.stderr and "malformed JSON" in result.stderr
    assert lines(result)[0]["new"] == 1 and lines(result)[0]["errors"] == 1


def test_ingest_fetches_http_urls(shared, tmp_path):
    folder = shared / "realworld" / "rss-parser"

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(folder), **kw)

        def log_message(self, *a):
            pass

    server = HTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/heise.atom"
        result = wire("ingest", url, db=f"sqlite:///{tmp_path}/w.db", cwd=tmp_path)
        missing = wire("ingest", url + ".missing", db=f"sqlite:///{tmp_path}/w.db", cwd=tmp_path,
                       check=False)
    finally:
        server.shutdown()
    assert lines(result)[0]["new"] > 0
    assert missing.returncode == 1 and "404" in missing.stderr and "heise.atom.missing" in missing.stderr


def test_embedded_default_store_is_a_sqlite_file_in_wal_mode(shared, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIRE_")}
    subprocess.run([sys.executable, "-m", "worker", "ingest", str(shared / SEED)], cwd=tmp_path,
                   env=env, check=True, capture_output=True, timeout=120)
    engine = make_engine(f"sqlite:///{tmp_path}/wire.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -16_384  # KiB
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 8192
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 4000  # pages
    engine.dispose()


def test_an_outdated_store_is_refused_until_wire_migrate(tmp_path):
    db = f"sqlite:///{tmp_path}/old.db"
    engine = make_engine(db)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
    engine.dispose()

    if head_revision() == "0001":
        assert wire("stories", db=db, cwd=tmp_path).returncode == 0
        return
    refused = wire("stories", db=db, cwd=tmp_path, check=False)
    assert refused.returncode == 2 and "wire migrate" in refused.stderr
    migrated = wire("migrate", db=db, cwd=tmp_path)
    assert head_revision() in migrated.stdout
    assert wire("stories", db=db, cwd=tmp_path).returncode == 0


def test_console_script_is_installed():
    exe = Path(sys.executable).with_name("wire")
    assert exe.exists(), "pip install -e . installs the `wire` console script"
    assert REPO.joinpath("pyproject.toml").read_text().count('wire = "worker.cli:main"') == 1
