"""Hostile and broken input: no document stops a command, a folder or the worker.

Every document of `HOSTILE` goes through `wire ingest` (each on its own, into PostgreSQL, as a
process with a memory cap) and, all together with a good document dropped last, through a drop
folder polled by `wire run`. Each one must come out as a clean parse or a clear error naming
the document; in bounded time and memory; the folder keeps flowing; nothing of a refused
document is stored. Files that must be unreadable are read without root's permission override
(`setpriv` drops it), as a worker running under its own user reads them.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import REPO
from tests.test_poll_integration import wait_for
from worker.store.db import make_engine
from worker.store.models import StoryRow

#: every `wire` process here gets at most this much address space: a document that blows up
#: memory fails the test instead of the machine
MEMORY_CAP = 3 * 1024**3
#: the slowest document below takes ~2 s of CPU; a quadratic path takes minutes
TIME_CAP = 30


def _nested_html_rss(levels: int) -> bytes:
    body = "<div>" * levels + "deep" + "</div>" * levels
    escaped = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
            f'<guid>urn:hostile:nested</guid><title>Nested</title><description>{escaped}'
            f'</description></item></channel></rss>').encode()


def _repeated_json(count: int) -> bytes:
    item = {"altids": {"itemid": ""}, "type": "text", "headline": "Same words",
            "versioncreated": "2026-11-25T10:00:00Z",
            "body_nitf": "<block><p>one two three four five six seven eight nine ten eleven "
                         "twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen "
                         "twenty twentyone twentytwo</p></block>"}
    items = [{**item, "altids": {"itemid": f"rep{n}"}} for n in range(count)]
    return json.dumps({"data": {"items": [{"item": i} for i in items]}}).encode()


#: name -> (content, what must happen: "error" with words the message names, or "stories" n)
HOSTILE: dict[str, tuple[bytes, tuple[str, object]]] = {
    "deep.json": (b"[" * 100_000 + b"]" * 100_000, ("error", "nested too deeply")),
    "nul-headline.json": (json.dumps([{
        "uri": "urn:hostile:nul", "type": "text", "versioncreated": "2026-11-25T10:00:00Z",
        "headline": "Flash\u0000 with NUL\u0001 and \ud800", "body_text": "Body\u0000 text."}]
    ).encode(), ("stories", 1)),
    "nested.xml": (_nested_html_rss(150_000), ("stories", 1)),
    "repeated.json": (_repeated_json(300), ("stories", 300)),
    "billion-laughs.xml": (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                           b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                           b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
                           b'<rss version="2.0"><channel><item><title>&lol3;</title></item>'
                           b'</channel></rss>', ("error", "entit")),
    "external-entity.xml": (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM '
                            b'"file:///etc/passwd">]><rss version="2.0"><channel><item><title>'
                            b'&x;</title></item></channel></rss>', ("error", "entit")),
    "cut-off.xml": (b'<?xml version="1.0"?><newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">'
                    b'<itemSet><newsItem guid="x"', ("error", "")),
    "not-utf8.json": (b'{"uri": "\xff\xfe\xfa"}', ("error", "UTF-8")),
    "garbage.bin": (bytes(range(256)) * 64, ("error", "")),
    "empty.txt": (b"", ("error", "")),
}


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _without_dac_override(argv: list[str]) -> list[str]:
    """As root, run without the capability to read files regardless of their mode."""
    if os.geteuid() != 0:
        return argv
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
            "--inh-caps=-dac_override,-dac_read_search", *argv]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIRE_")}
    return {**env, "PYTHONPATH": str(REPO), **extra}


def _stories(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(StoryRow)).scalar_one()
    finally:
        engine.dispose()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_wire_ingest_of_a_hostile_document_answers_in_bounded_time_and_memory(
        name, tmp_path, pg_store_url):
    content, (outcome, expected) = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(content)
    good = REPO / "tests" / "data" / "text" / "raqqa-aggregator.txt"

    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "worker", "ingest", str(path), str(good)], cwd=tmp_path,
        env=_env(WIRE_DATABASE_URL=pg_store_url), capture_output=True, text=True,
        timeout=TIME_CAP, preexec_fn=_capped)
    took = time.monotonic() - started

    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert "Traceback" not in result.stderr, result.stderr
    if outcome == "error":
        assert result.returncode == 1, result.stderr
        assert counts["errors"] == 1 and counts["new"] == 1  # the good document still went in
        assert str(path) in result.stderr and str(expected) in result.stderr, result.stderr
        assert _stories(pg_store_url) == 1  # nothing of the refused document
    else:
        assert result.returncode == 0, result.stderr
        assert counts["new"] == int(expected) + 1  # type: ignore[call-overload]
    assert took < TIME_CAP


def test_an_unreadable_file_is_an_error_naming_it_and_the_others_go_in(tmp_path, pg_store_url):
    locked = tmp_path / "locked.xml"
    locked.write_bytes(b"<rss/>")
    locked.chmod(0)
    good = REPO / "tests" / "data" / "text" / "raqqa-aggregator.txt"

    result = subprocess.run(
        _without_dac_override([sys.executable, "-m", "worker", "ingest", str(locked), str(good)]),
        cwd=tmp_path, env=_env(WIRE_DATABASE_URL=pg_store_url), capture_output=True, text=True,
        timeout=TIME_CAP)

    assert result.returncode == 1
    assert f"{locked}: cannot read: Permission denied" in result.stderr, result.stderr
    assert json.loads(result.stdout)["new"] == 1


def test_a_drop_folder_sets_every_hostile_document_aside_and_keeps_flowing(tmp_path):
    """All of them at once in one drop folder under `wire run`, an unreadable file first and a
    good document last: the folder empties, each bad one lands in failed/ with its error."""
    drop = tmp_path / "drop"
    drop.mkdir()
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "feeds.yaml").write_text(
        f"feeds:\n  - name: drop\n    folder: {drop}\n    interval: 0.5\n")
    locked = drop / "0-locked.xml"
    locked.write_bytes(b"<rss/>")
    locked.chmod(0)
    for n, (name, (content, _)) in enumerate(sorted(HOSTILE.items()), start=1):
        (drop / f"{n}-{name}").write_bytes(content)
    old = time.time() - 60
    for file in drop.iterdir():  # oldest first: the good document is read after all of them
        os.utime(file, (old, old))
    good = drop / "zz-good.txt"
    good.write_bytes((REPO / "tests" / "data" / "text" / "raqqa-aggregator.txt").read_bytes())

    run = subprocess.Popen(
        _without_dac_override([sys.executable, "-m", "worker", "run", "-c", "1"]), cwd=tmp_path,
        env=_env(WIRE_DISPATCH_SECONDS="0.5"), stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "run.log").open("wb"), preexec_fn=_capped, start_new_session=True)
    try:
        left: Callable[[], list[str]] = lambda: sorted(  # noqa: E731
            p.name for p in drop.iterdir() if p.is_file())
        wait_for(lambda: not left(), 120,
                 f"the folder to empty; left: {left()}\n{(tmp_path / 'run.log').read_text()[-3000:]}")
    finally:
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=30)

    failed = {p.name for p in (drop / "failed").iterdir() if not p.name.endswith(".error.txt")}
    processed = {p.name for p in (drop / "processed").iterdir()}
    refused = {f"{n}-{name}" for n, (name, (_, (outcome, _))) in
               enumerate(sorted(HOSTILE.items()), start=1) if outcome == "error"}
    assert failed == refused | {"0-locked.xml"}
    assert "zz-good.txt" in processed
    error = (drop / "failed" / "0-locked.xml.error.txt").read_text()
    assert "0-locked.xml" in error and "Permission denied" in error
    for name in refused:
        assert name in (drop / "failed" / f"{name}.error.txt").read_text()
    stories = _stories(f"sqlite:///{tmp_path / 'wire.db'}")
    accepted = sum(int(expected) for _, (outcome, expected) in HOSTILE.values()  # type: ignore[call-overload]
                   if outcome == "stories")
    assert stories == accepted + 1


def test_a_feed_repeating_one_text_finds_its_cluster_in_one_index_probe(pg_store_url, now):
    """The oldest story with the same words is found through the (content_hash, id) index:
    the work per new story does not grow with how many stories share its words."""
    from sqlalchemy import text

    from tests.helpers import store_all, version_of

    stories = [version_of(f"urn:same:{n}", body="The same words again and again.")
               for n in range(400)]
    engine = make_engine(pg_store_url)
    try:
        store_all(engine, stories, now)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE stories"))
            plan = conn.execute(text(
                "EXPLAIN (ANALYZE, FORMAT JSON) SELECT cluster_id FROM stories WHERE "
                "content_hash = :h AND id <> 0 AND cluster_id IS NOT NULL ORDER BY id LIMIT 1"),
                {"h": stories[0].content_hash}).scalar_one()
    finally:
        engine.dispose()

    def rows_read(node: dict) -> int:
        own = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
        return max([own, *(rows_read(child) for child in node.get("Plans", []))])

    assert rows_read(plan[0]["Plan"]) <= 2
