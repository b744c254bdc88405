"""`wire stories`, `wire versions` and `wire story` on the embedded store read it with sqlite3
and SQL compiled ahead (worker/store/embedded.py): the same answers as through SQLAlchemy, for
every filter, and through SQLAlchemy whenever the store is not an ordinary current one."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import RECEIVED, store_all, version_of
from worker.store import compiled_reads, embedded, reads
from worker.store.db import HEAD_REVISION, make_engine, open_store
from worker.store.rows import STATUSES, StoryQuery

ROOT = Path(__file__).resolve().parents[1]
PROVIDERS = ("reuters", "ap", "dpa")


def test_the_compiled_statements_are_what_sqlalchemy_compiles_now():
    assert Path(compiled_reads.__file__).read_text() == reads.compiled_reads(HEAD_REVISION), (
        "the statements of worker/store/reads.py changed: run python scripts/compile_reads.py")


def _varied_store(url: str) -> None:
    """Stories of three providers, some updated, killed, withheld or under embargo, with
    headlines that share words so that some cluster together."""
    engine = open_store(url)
    stories = []
    for i in range(40):
        created = (RECEIVED - timedelta(hours=i // 2)).isoformat()  # pairs: ties on time
        stories.append(version_of(
            f"g{i}", created=created, provider=PROVIDERS[i % 3],
            headline=f"Storm {i % 5} hits the coast", body=f"Story {i % 7} of the storm. " * 20,
            pubstatus=("usable", "usable", "withheld", "canceled")[i % 4],
            embargoed=(RECEIVED + timedelta(hours=1 - i % 3)).isoformat() if i % 5 == 0 else None,
            signals=("update",) if i % 6 == 0 else ()))
    store_all(engine, stories, RECEIVED)
    updates = [version_of(f"g{i}", created=(RECEIVED + timedelta(minutes=i)).isoformat(),
                          provider=PROVIDERS[i % 3], headline=f"Storm {i} update", version=2)
               for i in range(0, 40, 4)]
    store_all(engine, updates, RECEIVED)
    engine.dispose()


@contextlib.contextmanager
def _both(url: str):
    engine = make_engine(url)
    conn = embedded.open_embedded(url)
    assert conn is not None
    try:
        with engine.connect() as through_sqlalchemy:
            yield conn, through_sqlalchemy
    finally:
        conn.close()
        engine.dispose()


@pytest.fixture(scope="module")
def varied_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('varied') / 'wire.db'}"
    _varied_store(url)
    return url


@settings(max_examples=60, deadline=None)
@given(status=st.sampled_from(STATUSES), provider=st.sampled_from((None, *PROVIDERS, "afp")),
       since_hours=st.one_of(st.none(), st.integers(-45, 2)),
       cluster=st.one_of(st.none(), st.integers(0, 45)), limit=st.integers(1, 60),
       now_hours=st.integers(-2, 3))
def test_embedded_reads_answer_as_sqlalchemy_does(varied_url, status, provider, since_hours,
                                                  cluster, limit, now_hours):
    since = None if since_hours is None else RECEIVED + timedelta(hours=since_hours)
    query = StoryQuery(provider=provider, since=since, cluster=cluster, status=status,
                       limit=limit)
    now = RECEIVED + timedelta(hours=now_hours)
    with _both(varied_url) as (fast, slow):
        expected = reads.list_stories(slow, query, now)
        assert embedded.list_stories(fast, query, now) == expected
        for story_id in (*(s["story_id"] for s in expected[:3]), 10_000):
            assert embedded.story_versions(fast, story_id) == reads.story_versions(slow, story_id)
            assert embedded.get_story(fast, story_id) == reads.get_story(slow, story_id)


def test_a_store_that_is_not_an_ordinary_current_one_is_read_through_sqlalchemy(tmp_path):
    path = tmp_path / "wire.db"
    url = f"sqlite:///{path}"
    assert embedded.open_embedded(url) is None  # missing: SQLAlchemy creates it
    open_store(url).dispose()
    conn = embedded.open_embedded(url)
    assert conn is not None
    conn.close()
    for other in ("postgresql://root@127.0.0.1/test", f"{url}?timeout=3", "sqlite://",
                  "sqlite:///:memory:"):
        assert embedded.open_embedded(other) is None, other
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '0001'")
    assert embedded.open_embedded(url) is None


def _wire(args: list[str], url: str, cwd: Path, *, modules: bool = False):
    """`wire ARGS` in a new process; with `modules`, also the top-level packages it imported."""
    code = ("import sys, json\nfrom worker.cli import main\n"
            f"sys.argv = ['wire', *{args!r}]\n"
            "try:\n    main()\nfinally:\n"
            "    sys.stderr.write('\\n' + json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    env = {**os.environ, "WIRE_DATABASE_URL": url}
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    err, _, imported = done.stderr.rpartition("\n")
    return done.returncode, done.stdout, err, set(json.loads(imported))


def test_wire_stories_and_versions_on_the_embedded_store_need_no_sqlalchemy(tmp_path):
    url = f"sqlite:///{tmp_path / 'wire.db'}"
    _varied_store(url)
    code, out, err, modules = _wire(["stories", "--json", "--status", "all"], url, tmp_path)
    assert code == 0, err
    listed = [json.loads(line) for line in out.splitlines()]
    assert len(listed) == 40
    assert "sqlalchemy" not in modules
    with _both(url) as (_, slow):
        assert listed == reads.list_stories(slow, StoryQuery(status="all"), RECEIVED)
    code, out, err, modules = _wire(["versions", str(listed[0]["story_id"]), "--json"], url,
                                    tmp_path)
    assert code == 0, err
    assert "sqlalchemy" not in modules
    assert [json.loads(line)["current"] for line in out.splitlines()].count(True) == 1


def test_an_outdated_store_still_says_to_migrate(tmp_path):
    path = tmp_path / "wire.db"
    url = f"sqlite:///{path}"
    open_store(url).dispose()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '0017'")
    code, _, err, modules = _wire(["stories"], url, tmp_path)
    assert code == 2
    assert "wire migrate" in err and "0017" in err
    assert "sqlalchemy" in modules
