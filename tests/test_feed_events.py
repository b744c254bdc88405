"""SPEC "Feed health": an alert rule with `feed_events` fires on the feed's transitions, once per
transition, with the event and the feed as `wire feeds --json` shows it, delivered like story
alerts (signed, retried, kept with its outcome)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from sqlalchemy import select

import worker.tasks.ops as ops_tasks
from tests.agency_server import rss, wire_items
from tests.api_server import api_client
from tests.helpers import version_of
from tests.test_poll_integration import feed_row, http_feed, poller  # noqa: F401 - fixture
from tests.webhook_receiver import Receiver
from worker.alerts.feed_events import drain_feed_rule
from worker.config import parse_config
from worker.errors import ConfigError
from worker.ops.health import FAILING_AFTER
from worker.store.clusters import Clustering
from worker.store.db import run_transaction
from worker.store.models import FeedAlertRow


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def sent(monkeypatch):
    """The delivery messages the poll asks for (rules), instead of a broker."""
    asked: list[str] = []
    monkeypatch.setattr(ops_tasks, "send_feed_deliveries", lambda rules: asked.extend(rules))
    return asked


def configure(poller, agency, receiver, environ=None, **rule):  # noqa: F811
    config = {"feeds": [http_feed(agency, "wire", "/wire")],
              "alerts": [{"name": "wires-down", "webhook": receiver.url,
                          "feed_events": ["failing", "quiet", "recovered"], **rule}]}
    if environ:  # the workers' environment, for the rule's ${NAME}
        settings = poller.runtime.settings
        poller.runtime.settings = replace(settings, environment={**settings.environment,
                                                                 **environ})
    poller.feeds_path.write_text(yaml.safe_dump(config))
    return {r.name: r for r in parse_config(config, "feeds.yaml", environ or {}).alerts}


def poll_times(poller, n):  # noqa: F811
    for _ in range(n):
        poller.make_due("wire")
        poller.poll_due()


def drain(poller, rules, receiver, at=None, environ=None):  # noqa: F811
    import httpx

    with httpx.Client() as client:
        return drain_feed_rule(poller.engine, "wires-down", rules, environ or {}, client,
                               lambda: at or datetime.now(UTC))


def test_a_feed_events_rule_fires_once_per_transition_with_the_feed(
        poller, agency, receiver, sent):  # noqa: F811
    agency.feed("/wire", always_status=503)
    rules = configure(poller, agency, receiver)
    poll_times(poller, FAILING_AFTER + 2)  # failing from the third; two more failures

    assert sent == ["wires-down"]
    assert drain(poller, rules, receiver).delivered == 1
    agency.feed("/wire", always_status=None, body=rss(wire_items(2)))
    poll_times(poller, 2)  # recovered, then ok again
    assert drain(poller, rules, receiver).delivered == 1

    bodies = [d.json for d in receiver.accepted()]
    assert [(b["rule"], b["event"]) for b in bodies] == [("wires-down", "failing"),
                                                        ("wires-down", "recovered")]
    failing = bodies[0]["feed"]
    assert failing["name"] == "wire" and failing["health"] == "failing"
    assert failing["consecutive_failures"] == FAILING_AFTER and "HTTP 503" in failing["error"]
    assert bodies[1]["feed"]["health"] == "ok" and bodies[1]["sent_at"].endswith("Z")
    ids = [d.headers["X-Wire-Delivery"] for d in receiver.accepted()]
    assert ids[0].startswith("feed-") and len(set(ids)) == 2
    with poller.engine.connect() as conn:
        outcomes = [r.outcome for r in conn.execute(select(FeedAlertRow))]
    assert outcomes == ["delivered", "delivered"]
    # the status page lists them with their delivery
    url = poller.engine.url.render_as_string(hide_password=False)
    with api_client(url, poller.feeds_path.parent, WIRE_FEEDS=str(poller.feeds_path)) as api:
        page = api.get("/").text
        listed = api.get("/alerts").json()
    alerts = page[page.index('<section id="alerts">'):]
    assert alerts.count("feed wire") == 2 and alerts.count("delivered") == 2
    assert "recovered" in alerts and "failing" in alerts
    # and so do `GET /alerts` and `wire alerts`, newest first, as the deliveries named them
    assert listed["alerts"] == []
    assert [(a["id"], a["event"], a["outcome"], a["feed"]["health"])
            for a in listed["feed_alerts"]] == [(ids[1], "recovered", "delivered", "ok"),
                                                (ids[0], "failing", "delivered", "failing")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIRE_")}
    shown = subprocess.run([sys.executable, "-m", "worker", "alerts", "--json"], check=True,
                           env={**env, "WIRE_DATABASE_URL": url}, cwd=poller.feeds_path.parent,
                           capture_output=True, text=True, timeout=60).stdout
    assert [json.loads(line) for line in shown.splitlines()] == listed["feed_alerts"]


def test_a_feed_alert_is_signed_and_retried_until_the_receiver_takes_it(
        poller, agency, receiver, sent):  # noqa: F811
    agency.feed("/wire", always_status=500)
    rules = configure(poller, agency, receiver, {"HOOK_SECRET": "s3cret"},
                      secret="${HOOK_SECRET}", feed_events=["failing"])
    poll_times(poller, FAILING_AFTER)
    receiver.fail_with = [503]
    now = datetime.now(UTC)

    first = drain(poller, rules, receiver, now, {"HOOK_SECRET": "s3cret"})
    assert (first.delivered, first.stopped) == (0, "retry")
    assert drain(poller, rules, receiver, now + timedelta(seconds=1),
                 {"HOOK_SECRET": "s3cret"}).delivered == 0  # not due yet
    again = drain(poller, rules, receiver, now + timedelta(seconds=30), {"HOOK_SECRET": "s3cret"})

    assert again.delivered == 1
    attempts = receiver.deliveries
    assert [d.status for d in attempts] == [503, 204]
    assert attempts[0].headers["X-Wire-Delivery"] == attempts[1].headers["X-Wire-Delivery"]
    assert attempts[1].signed_with("s3cret")


def test_a_feed_events_rule_never_fires_on_stories(store):
    from worker.pipeline import store_stories

    rules = parse_config({"alerts": [{"name": "ops", "webhook": "http://127.0.0.1:1/h",
                                      "feed_events": ["failing"]}]}, "feeds.yaml", {}).alerts
    story = version_of("urn:x").replace(urgency=1)
    result = run_transaction(store, lambda conn: store_stories(
        conn, [story], Clustering(), datetime.now(UTC), tuple(rules)))
    assert result.alerts == []


@pytest.mark.parametrize("alert, message", [
    ({"feed_events": ["down"]}, "feed_events: unknown feed event 'down'"),
    ({"feed_events": ["failing"], "when": {"urgency_at_most": 1}},
     "give either when or feed_events"),
])
def test_a_wrong_feed_events_rule_is_refused_naming_the_alert_and_key(alert, message):
    raw = {"alerts": [{"name": "ops", "webhook": "http://127.0.0.1:1/h", **alert}]}
    with pytest.raises(ConfigError, match=message) as error:
        parse_config(raw, "feeds.yaml", {})
    assert "alert 'ops'" in str(error.value)
