"""Alerts through the API and the CLI: `GET /alerts`, the live stream (Server-Sent Events) read
by a real HTTP client, resumed with `Last-Event-ID`, and `wire alerts`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import httpx
import pytest

from tests.api_server import api_settings, serving
from tests.conftest import REPO
from tests.helpers import version_of
from tests.test_alerts import drain, ingest_with, rules_for
from tests.webhook_receiver import Receiver
from worker.store.db import make_engine

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def flash(guid, headline):
    return version_of(guid, headline=headline, body=f"{headline}, the report said.").replace(
        urgency=1)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


def events(response, count):
    """The next `count` SSE events of a streaming response, as (id, event, data) tuples."""
    found, fields = [], {}
    for line in response.iter_lines():
        if line == "":
            if "data" in fields:
                found.append((fields.get("id"), fields.get("event"), json.loads(fields["data"])))
                if len(found) == count:
                    return found
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
    raise AssertionError(f"the stream ended after {len(found)} events")


def test_the_stream_sends_alerts_as_they_fire_and_resumes_after_the_last_seen(
    store_url, store, tmp_path, receiver
):
    rules = rules_for(receiver)
    ingest_with(store, rules, [flash("urn:s:0", "Before anyone listened")])
    with serving(api_settings(store_url, tmp_path)) as base, httpx.Client(
            base_url=base, timeout=20) as client:
        with client.stream("GET", "/alerts/stream") as live:
            assert live.status_code == 200
            assert live.headers["content-type"].startswith("text/event-stream")
            ingest_with(store, rules, [flash("urn:s:1", "Quake hits the capital")])
            [(first_id, kind, alert)] = events(live, 1)
        assert kind == "alert"
        assert alert["rule"] == "flash" and alert["change"] == "new"
        assert alert["story"]["headline"] == "Quake hits the capital"
        assert first_id == str(alert["id"])

        # missed while disconnected: a reconnecting client gets them, in order, once
        ingest_with(store, rules, [flash("urn:s:2", "Aftershock")])
        ingest_with(store, rules, [flash("urn:s:3", "Tsunami warning")])
        with client.stream("GET", "/alerts/stream",
                           headers={"Last-Event-ID": first_id}) as resumed:
            missed = events(resumed, 2)
        assert [a["story"]["headline"] for _, _, a in missed] == ["Aftershock", "Tsunami warning"]
        assert [int(i) for i, _, _ in missed] == sorted(int(i) for i, _, _ in missed)

        refused = client.get("/alerts/stream", headers={"Last-Event-ID": "yesterday"})
        assert refused.status_code == 400 and refused.json()["parameter"] == "Last-Event-ID"

        listed = client.get("/alerts").json()["alerts"]
        assert [a["story"]["headline"] for a in listed] == [
            "Tsunami warning", "Aftershock", "Quake hits the capital", "Before anyone listened"]
        assert {a["outcome"] for a in listed} == {"pending"}
        later = client.get("/alerts", params={"since": "2030-01-01T00:00:00Z"}).json()
        assert later == {"alerts": [], "feed_alerts": []}


def test_wire_alerts_lists_alerts_newest_first_with_their_outcome(sqlite_url, tmp_path,
                                                                 receiver):
    store = make_engine(sqlite_url)
    rules = rules_for(receiver)
    ingest_with(store, rules, [flash("urn:w:1", "First flash")])
    ingest_with(store, rules, [flash("urn:w:2", "Second flash")])
    drain(store, rules, "flash")
    store.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIRE_")}
    env.update(WIRE_DATABASE_URL=sqlite_url, PYTHONPATH=str(REPO))

    def wire(*args):
        return subprocess.run([sys.executable, "-m", "worker", "alerts", *args], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=60,
                              check=True).stdout

    as_json = [json.loads(line) for line in wire("--json").splitlines()]
    assert [(a["story"]["headline"], a["outcome"], a["attempts"]) for a in as_json] == [
        ("Second flash", "delivered", 1), ("First flash", "delivered", 1)]
    assert wire("--json", "--since", "2030-01-01T00:00:00Z") == ""
    table = wire().splitlines()
    assert len(table) == 2 and "Second flash" in table[0] and "delivered" in table[0]

