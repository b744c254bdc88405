"""Settings that reach the pipeline: the near-duplicate window, and the index pruned to it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

import worker.tasks.app as tasks_app
from worker.settings import Settings
from worker.store.db import make_engine
from worker.store.models import DedupeBandRow, DedupeRecentRow
from worker.tasks.app import Runtime

WORDS = ("the council said on Tuesday that the reconstruction of the northern bridge would "
         "begin next spring after engineers found cracks in two of its piers and traffic was "
         "diverted through the old town where shop owners complained about lost business").split()


def report(sentences: int, twist: str = "") -> str:
    paragraphs = []
    for n in range(sentences):
        rotated = WORDS[n % len(WORDS):] + WORDS[: n % len(WORDS)]
        paragraphs.append(f"<p>{' '.join(rotated)} number {n} {twist}.</p>")
    return "".join(paragraphs)


def rss(guid: str, title: str, body: str, when: datetime) -> bytes:
    stamp = when.strftime("%a, %d %b %Y %H:%M:%S +0000")
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
            f"<guid>{guid}</guid><title>{title}</title><pubDate>{stamp}</pubDate>"
            f"<description><![CDATA[{body}]]></description></item></channel></rss>").encode()


def ingest(path, db, window_hours, tmp_path):
    env = {**os.environ, "WIRE_DATABASE_URL": db, "WIRE_DEDUPE_WINDOW_HOURS": str(window_hours)}
    result = subprocess.run([sys.executable, "-m", "worker", "ingest", str(path)], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout)


def test_a_copy_outside_the_dedupe_window_starts_its_own_cluster(tmp_path, sqlite_url):
    first = datetime(2017, 10, 14, 8, tzinfo=timezone.utc)
    original = tmp_path / "a.xml"
    original.write_bytes(rss("urn:a", "Bridge to close", report(12), first))
    late = tmp_path / "b.xml"
    late.write_bytes(rss("urn:b", "Bridge closing", report(12, "indeed"), first + timedelta(hours=10)))
    in_window = tmp_path / "c.xml"
    in_window.write_bytes(rss("urn:c", "Bridge closes", report(12, "too"), first + timedelta(hours=3)))

    ingest(original, sqlite_url, 5, tmp_path)
    outside = ingest(late, sqlite_url, 5, tmp_path)
    inside = ingest(in_window, sqlite_url, 5, tmp_path)

    assert outside["new"] == 1 and outside["duplicates"] == 0
    assert inside["new"] == 1 and inside["duplicates"] == 1


def test_beat_prunes_index_keys_older_than_the_window(tmp_path, sqlite_url):
    old = datetime.now(timezone.utc) - timedelta(hours=30)
    (tmp_path / "old.xml").write_bytes(rss("urn:old", "Old bridge", report(8), old))
    (tmp_path / "new.xml").write_bytes(rss("urn:new", "New tunnel", report(8, "tunnel"),
                                           datetime.now(timezone.utc)))
    ingest(tmp_path / "old.xml", sqlite_url, 24, tmp_path)
    ingest(tmp_path / "new.xml", sqlite_url, 24, tmp_path)
    settings = Settings.from_env({"WIRE_DATABASE_URL": sqlite_url, "WIRE_DEDUPE_WINDOW_HOURS": "24"},
                                 cwd=tmp_path)
    tasks_app._runtime = Runtime(settings)
    try:
        from worker.tasks.maintenance import prune_index

        pruned = prune_index.apply().get()
    finally:
        tasks_app._runtime = None

    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        left = sum(conn.execute(select(func.count()).select_from(table)).scalar_one()
                   for table in (DedupeBandRow, DedupeRecentRow))  # SQLite keeps new keys apart
    engine.dispose()
    assert pruned > 0 and left > 0
    assert "prune-dedupe-index" in tasks_app.app.conf.beat_schedule
