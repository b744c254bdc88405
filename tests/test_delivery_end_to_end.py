"""Every delivery protocol through the poll task (dispatcher tick and `wire.poll.feed`, in this
process) on both stores: stories in, position kept, agency acknowledged, documents archived,
`wire reparse`, and no secret anywhere a person or the store could see it (`wire feeds`, the
API's `/feeds` and `/metrics`, logs, errors, every table, the archive)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

import worker.cli.reparse
import worker.cli.run  # noqa: F401 - registers `wire feeds`
import worker.tasks.app as tasks_app
from tests.agencies.ap import FakeAP
from tests.agencies.reuters import FakeReuters
from tests.agencies.servers import FTPServer, SFTPServer
from tests.agencies.wireq import FakeWireQ
from tests.api_server import api_settings, serving
from tests.test_poll_integration import Poller, counts, feed_row
from worker.archive import unpack
from worker.cli.app import cli
from worker.logs import setup_logging
from worker.settings import Settings
from worker.store.models import Base, FeedRow
from worker.store.shared import ArchivedDocumentRow
from worker.tasks.app import Runtime

SECRETS = {
    "AP_API_KEY": "ap-Secret-Key-123",
    "DPA_WIREQ_URL": None,  # the queue's URL, a secret as a whole (set per test)
    "REUTERS_CLIENT_ID": "rtrs-client-id-77",
    "REUTERS_CLIENT_SECRET": "rtrs-Secret-Value-99",
    "FTP_PASSWORD": "ftp-Secret-Pass-55",
}
QUEUE_TOKEN = "wq-Secret-Token-31"
NITF = ('<?xml version="1.0"?><nitf><head><title>{h}</title><docdata><doc-id id-string="{i}"/>'
        '<date.issue norm="20261125T100000Z"/></docdata></head><body><body.head><hedline><hl1>'
        '{h}</hl1></hedline></body.head><body.content><p>Text of {h}.</p></body.content></body>'
        '</nitf>')


class Agencies:
    def __init__(self, root: Path) -> None:
        self.ap = FakeAP(SECRETS["AP_API_KEY"], page_size=2).start()
        self.wireq = FakeWireQ(QUEUE_TOKEN).start()
        self.reuters = FakeReuters(SECRETS["REUTERS_CLIENT_ID"],
                                   SECRETS["REUTERS_CLIENT_SECRET"]).start()
        self.drop = root / "remote"
        (self.drop / "out").mkdir(parents=True)
        (self.drop / "sout").mkdir()
        self.ftp = FTPServer(self.drop, "wire", SECRETS["FTP_PASSWORD"]).start()
        self.sftp = SFTPServer(self.drop, "wire", SECRETS["FTP_PASSWORD"]).start()
        self.env = {**SECRETS, "DPA_WIREQ_URL": self.wireq.url}

    def stop(self) -> None:
        for server in (self.ap, self.wireq, self.reuters, self.ftp, self.sftp):
            server.stop()

    def feeds(self, tmp: Path) -> list[dict[str, Any]]:
        return [
            {"name": "ap", "provider": "ap", "protocol": "ap-media", "url": self.ap.first_url,
             "headers": {"x-api-key": "${AP_API_KEY}"}, "interval": 30},
            {"name": "dpa", "provider": "dpa", "protocol": "dpa-wireq",
             "url": "${DPA_WIREQ_URL}", "interval": 30},
            {"name": "reuters", "provider": "reuters", "protocol": "reuters-connect",
             "url": self.reuters.graphql_url, "interval": 30, "channels": ["STK567"],
             "auth": {"token_url": self.reuters.token_url, "client_id": "${REUTERS_CLIENT_ID}",
                      "client_secret": "${REUTERS_CLIENT_SECRET}", "audience": "aud"}},
            {"name": "partner-ftp", "provider": "partner", "protocol": "ftp", "min_age": 0,
             "url": f"ftp://wire@127.0.0.1:{self.ftp.port}/out/",
             "password": "${FTP_PASSWORD}", "interval": 30},
            {"name": "partner-sftp", "provider": "partner", "protocol": "sftp", "min_age": 0,
             "url": f"sftp://wire@127.0.0.1:{self.sftp.port}/sout/",
             "password": "${FTP_PASSWORD}", "interval": 30},
        ]

    def publish(self, start: int, count: int) -> None:
        for n in range(start, start + count):
            self.ap.publish(f"ap{n}", 0, f"2026-11-25T10:{n:02d}:00Z", f"AP story {n}",
                            f"AP body {n}.")
            self.wireq.put({"format": "digitalwires@0.9.1", "urn": f"urn:dpa:{n}", "version": 1,
                            "version_created": f"2026-11-25T10:{n:02d}:00Z",
                            "pubstatus": "usable", "headline": f"dpa Meldung {n}",
                            "article_html": f"<p>dpa Text {n}.</p>", "language": "de"})
            self.reuters.publish(f"R{n}", 1, f"2026-11-25T10:{n:02d}:00Z", f"Reuters story {n}",
                                 f"Reuters body {n}.")
            (self.drop / "out" / f"f{n}.xml").write_text(NITF.format(h=f"FTP story {n}", i=n))
            (self.drop / "sout" / f"s{n}.xml").write_text(NITF.format(h=f"SFTP story {n}",
                                                                      i=f"s{n}"))


@pytest.fixture
def agencies(tmp_path) -> Iterator[Agencies]:
    a = Agencies(tmp_path)
    yield a
    a.stop()


@pytest.fixture
def poller(store_url, tmp_path, agencies, monkeypatch) -> Iterator[Poller]:
    for key, value in agencies.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("WIRE_ARCHIVE", str(tmp_path / "archive"))
    p = Poller(store_url, tmp_path / "feeds.yaml")
    p.runtime = Runtime(Settings.from_env({
        **agencies.env, "WIRE_DATABASE_URL": store_url, "WIRE_FEEDS": str(p.feeds_path),
        "WIRE_ARCHIVE": str(tmp_path / "archive")}, tmp_path))
    p.engine.dispose()
    p.engine = p.runtime.engine
    tasks_app._runtime = p.runtime
    yield p
    tasks_app._runtime = None
    p.engine.dispose()


def stories_of(engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT provider, count(*) FROM stories GROUP BY provider"))
        return dict(rows.all())


def test_every_protocol_delivers_through_the_poll_task_acknowledges_and_archives(
        poller, agencies, tmp_path):
    agencies.publish(0, 3)
    poller.configure(agencies.feeds(tmp_path))

    assert poller.poll_due() == 5

    assert stories_of(poller.engine) == {"ap": 3, "dpa": 3, "reuters": 3, "partner": 6}
    assert agencies.wireq.waiting() == 0
    assert sorted(p.name for p in (agencies.drop / "out" / "processed").iterdir()) == [
        "f0.xml", "f1.xml", "f2.xml"]
    assert feed_row(poller.engine, "ap").position["next_page"].endswith("seq=3")
    assert feed_row(poller.engine, "reuters").position["cursor"]
    with poller.engine.connect() as conn:
        archived = conn.execute(select(func.count()).select_from(ArchivedDocumentRow)).scalar()
    assert archived == 15  # one document per item/entry/file
    # the dpa queue paces the next poll by its retry-after (100 s), the others by interval
    dpa, ap = feed_row(poller.engine, "dpa"), feed_row(poller.engine, "ap")
    assert (dpa.next_poll_at - dpa.last_poll_at).total_seconds() >= 99
    assert (ap.next_poll_at - ap.last_poll_at).total_seconds() < 40

    # an unchanged poll stores and archives nothing new
    for name in ("ap", "dpa", "reuters", "partner-ftp", "partner-sftp"):
        poller.make_due(name)
    poller.poll_due()
    assert counts(poller.engine)[0] == 15
    with poller.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ArchivedDocumentRow)).scalar() == 15

    # new items of every agency arrive on the next poll, exactly once
    agencies.publish(3, 2)
    for name in ("ap", "dpa", "reuters", "partner-ftp", "partner-sftp"):
        poller.make_due(name)
    poller.poll_due()
    assert stories_of(poller.engine) == {"ap": 5, "dpa": 5, "reuters": 5, "partner": 10}
    assert len(agencies.ap.calls_to("/content/feed")) and sum(
        1 for c in agencies.ap.calls_to("/content/feed") if "q" in c.query) == 1


def test_reparse_runs_the_archive_through_the_parsers_by_the_normal_rules(
        poller, agencies, tmp_path, monkeypatch, store_url):
    agencies.publish(0, 2)
    poller.configure(agencies.feeds(tmp_path))
    poller.poll_due()
    monkeypatch.setenv("WIRE_DATABASE_URL", store_url)
    monkeypatch.setenv("WIRE_FEEDS", str(tmp_path / "feeds.yaml"))
    runner = CliRunner()

    again = runner.invoke(cli, ["reparse"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.output) == {
        "new": 0, "updated": 0, "unchanged": 10, "stale": 0, "duplicates": 0, "errors": 0,
        "documents": 10}

    # a "parser fix": the stored version of one story is older than what its document gives
    with poller.engine.begin() as conn:
        conn.execute(text("UPDATE stories SET headline = 'garbled', content_hash = '0' "
                          "WHERE guid = 'urn:dpa:1'"))
    one_feed = runner.invoke(cli, ["reparse", "--feed", "dpa", "--since", "2000-01-01T00:00:00Z"])
    assert json.loads(one_feed.output)["documents"] == 2
    with poller.engine.connect() as conn:
        assert conn.execute(text("SELECT headline FROM stories WHERE guid = 'urn:dpa:1'")
                            ).scalar() == "dpa Meldung 1"


def test_no_secret_reaches_the_store_the_logs_the_errors_wire_feeds_or_the_archive(
        poller, agencies, tmp_path, monkeypatch, store_url, caplog):
    agencies.publish(0, 2)
    feeds = agencies.feeds(tmp_path)
    # failures on every side: errors must not quote a secret either
    agencies.wireq.statuses.append((500, {}))
    agencies.ap.fail("nitf", 503)
    agencies.reuters.token_statuses.append(500)
    feeds.append({"name": "literal", "protocol": "ftp", "interval": 30,
                  "url": f"ftp://wire:{SECRETS['FTP_PASSWORD']}x@127.0.0.1:1/out/"})
    poller.configure(feeds)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))  # restored after the test
    monkeypatch.setattr(root, "level", root.level)
    setup_logging("DEBUG")  # a worker at its most talkative
    caplog.set_level("DEBUG")
    poller.poll_due()
    with poller.engine.connect() as conn:
        first_errors = [r.last_error for r in conn.execute(select(FeedRow)) if r.last_error]
    for name in ("ap", "dpa", "reuters"):
        poller.make_due(name)
    poller.poll_due()  # the second poll succeeds: a token is now in the store
    monkeypatch.setenv("WIRE_DATABASE_URL", store_url)
    monkeypatch.setenv("WIRE_FEEDS", str(tmp_path / "feeds.yaml"))
    shown = CliRunner().invoke(cli, ["feeds", "--json"]).output + CliRunner().invoke(
        cli, ["feeds"]).output
    with serving(api_settings(store_url, tmp_path, **agencies.env)) as base:
        api = httpx.get(f"{base}/feeds").text + httpx.get(f"{base}/metrics").text
    assert '"name":"dpa"' in api.replace(" ", "") and "wire_" in api

    dumped = []
    with poller.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in ("source_tokens", "archive_blobs"):
                continue  # the token is the one secret the store keeps, by design
            dumped += [repr(tuple(row)) for row in conn.execute(select(table))]
        errors = [r.last_error for r in conn.execute(select(FeedRow)) if r.last_error]
    archive = [unpack(p.read_bytes()).decode("utf-8", "replace")
               for p in (tmp_path / "archive").rglob("*.z")]
    everything = "\n".join([shown, api, *dumped, *first_errors, *errors, *archive, caplog.text])

    assert len(first_errors) >= 4 and "***" in shown and "${DPA_WIREQ_URL}" in shown
    for value in [*[v for v in SECRETS.values() if v], QUEUE_TOKEN,
                  *agencies.reuters.tokens]:
        assert value not in everything, value


def test_an_http_feed_takes_its_url_from_the_environment_and_never_shows_it(
        poller, agencies, tmp_path, agency):
    from tests.agency_server import rss, wire_items
    agency.feed("/secret-feed-path-8812", body=rss(wire_items(2)))
    agency.feed("/secret-down-path-8813", always_status=500)
    poller.runtime = Runtime(Settings.from_env({
        "FEED_URL": agency.url("/secret-feed-path-8812"),
        "DOWN_URL": agency.url("/secret-down-path-8813"),
        "WIRE_DATABASE_URL": str(poller.engine.url.render_as_string(hide_password=False)),
        "WIRE_FEEDS": str(poller.feeds_path)}, tmp_path))
    tasks_app._runtime = poller.runtime
    poller.configure([{"name": "up", "url": "${FEED_URL}", "interval": 30},
                      {"name": "down", "url": "${DOWN_URL}", "interval": 30}])

    poller.poll_due()

    assert counts(poller.engine)[0] == 2
    down = feed_row(poller.engine, "down")
    assert "HTTP 500" in down.last_error and "${DOWN_URL}" in down.last_error
    assert "secret-down-path" not in down.last_error
