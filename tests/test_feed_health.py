"""SPEC "Feed health": ok, failing from the third consecutive failed poll, quiet after
`quiet_after` seconds without a new or updated story; the events between them, once each;
shown by `wire feeds`, `GET /feeds` and the metrics."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from itertools import pairwise

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import update

from tests.agency_server import rss, wire_items
from tests.api_server import api_client
from tests.test_poll_integration import feed_row, http_feed, poller  # noqa: F401 - fixture
from worker.logs import JsonFormatter
from worker.ops.health import FAILING_AFTER, Health, HealthFigures, feed_health, transition_event
from worker.store.models import FeedRow

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def figures(failures=0, last_story=None, since=None, quiet_after=None):
    return HealthFigures(failures, last_story, since, quiet_after)


@pytest.mark.parametrize("failures, expected", [(0, "ok"), (2, "ok"), (3, "failing"),
                                                (40, "failing")])
def test_a_feed_is_failing_from_its_third_consecutive_failed_poll(failures, expected):
    assert feed_health(figures(failures), T0).value == expected


def test_a_feed_is_quiet_after_quiet_after_seconds_without_a_story():
    story = T0 - timedelta(seconds=599)
    assert feed_health(figures(last_story=story, quiet_after=600), T0) is Health.OK
    assert feed_health(figures(last_story=story, quiet_after=600),
                       T0 + timedelta(seconds=1)) is Health.QUIET
    # without quiet_after a feed is never quiet
    assert feed_health(figures(last_story=T0 - timedelta(days=30)), T0) is Health.OK


def test_before_its_first_story_a_feed_is_quiet_counted_from_when_its_state_began():
    assert feed_health(figures(since=T0 - timedelta(seconds=60), quiet_after=120), T0) \
        is Health.OK
    assert feed_health(figures(since=T0 - timedelta(seconds=120), quiet_after=120), T0) \
        is Health.QUIET


def test_failing_wins_over_quiet():
    assert feed_health(figures(FAILING_AFTER, T0 - timedelta(days=1), None, 60), T0) \
        is Health.FAILING


@pytest.mark.parametrize("before, after, event", [
    (None, "ok", None), (None, "failing", "failing"), (None, "quiet", "quiet"),
    ("ok", "ok", None), ("ok", "failing", "failing"), ("ok", "quiet", "quiet"),
    ("failing", "ok", "recovered"), ("quiet", "ok", "recovered"),
    ("failing", "quiet", "quiet"), ("quiet", "failing", "failing"),
    ("failing", "failing", None), ("quiet", "quiet", None),
])
def test_each_transition_is_one_event(before, after, event):
    assert transition_event(Health(before) if before else None, Health(after)) == event


@given(st.lists(st.sampled_from(["fail", "story", "nothing"]), max_size=40),
       st.lists(st.integers(0, 400), min_size=40, max_size=40))
def test_events_follow_the_states_once_per_change_whatever_the_polls(polls, gaps):
    """Replaying any sequence of polls as the poll task does: an event exactly when the state
    changes, `recovered` only after failing or quiet, never the same event twice in a row."""
    now, failures, last_story, state, since = T0, 0, None, None, None
    events, states = [], []
    for poll, gap in zip(polls, gaps, strict=False):
        now += timedelta(seconds=gap)
        failures = failures + 1 if poll == "fail" else 0
        last_story = now if poll == "story" else last_story
        after = feed_health(figures(failures, last_story, since, quiet_after=300), now)
        event = transition_event(state, after)
        if after is not state:
            since = now
        events.append(event)
        states.append((state, after))
        state = after
    for (before, after), event in zip(states, events, strict=True):
        assert (event is not None) == (before is not after and not (before is None and
                                                                    after is Health.OK))
        if event == "recovered":
            assert before in (Health.FAILING, Health.QUIET)
    fired = [e for e in events if e]
    assert all(a != b for a, b in pairwise(fired))


# -- through the poll task, wire feeds and the API ---------------------------------------------

def json_lines(caplog):
    """The log lines as the product writes them (keys of the poll's log context included)."""
    return [json.loads(line) for line in caplog.text.splitlines()]


def health_events(caplog):
    return [(e["feed"], e["health_event"]) for e in json_lines(caplog)
            if e["event"] == "feed_health_changed"]


@pytest.fixture
def json_caplog(caplog):
    caplog.set_level(logging.INFO)
    caplog.handler.setFormatter(JsonFormatter())
    return caplog


def feeds_json(poller):  # noqa: F811
    import worker.cli.run  # noqa: F401 - registers the command
    from worker.cli.app import cli

    env = {"WIRE_DATABASE_URL": str(poller.engine.url.render_as_string(hide_password=False)),
           "WIRE_FEEDS": str(poller.feeds_path)}
    result = CliRunner().invoke(cli, ["feeds", "--json"], env=env)
    assert result.exit_code == 0, result.output
    return {e["name"]: e for e in map(json.loads, result.output.splitlines())}


def test_a_failing_feed_is_failing_from_the_third_failed_poll_and_recovers(
        poller, agency, json_caplog):  # noqa: F811
    caplog = json_caplog
    agency.feed("/wire", always_status=500)
    poller.configure([http_feed(agency, "wire", "/wire")])
    poller.poll_due()
    for _ in range(FAILING_AFTER - 1):
        assert feed_row(poller.engine, "wire").health == "ok"
        poller.make_due("wire")
        poller.poll_due()

    assert feed_row(poller.engine, "wire").health == "failing"
    assert feeds_json(poller)["wire"]["health"] == "failing"
    assert health_events(caplog) == [("wire", "failing")]

    poller.make_due("wire")
    poller.poll_due()  # a fourth failure: no second event
    agency.feed("/wire", always_status=None, body=rss(wire_items(2)))
    poller.make_due("wire")
    poller.poll_due()

    assert feeds_json(poller)["wire"]["health"] == "ok"
    assert health_events(caplog) == [("wire", "failing"), ("wire", "recovered")]


def test_a_feed_bringing_nothing_for_quiet_after_is_quiet_until_a_story_comes(
        poller, agency, json_caplog, tmp_path):  # noqa: F811
    caplog = json_caplog
    items = wire_items(2)
    agency.feed("/wire", body=rss(items))
    poller.configure([http_feed(agency, "wire", "/wire", quiet_after=600)])
    poller.poll_due()
    assert feed_row(poller.engine, "wire").health == "ok"
    with poller.engine.begin() as conn:  # the last story came 11 minutes ago
        conn.execute(update(FeedRow).values(
            last_story_at=datetime.now(timezone.utc) - timedelta(seconds=660)))

    poller.make_due("wire")
    poller.poll_due()  # 304: nothing new

    assert feed_row(poller.engine, "wire").last_outcome == "not_modified"
    assert feed_row(poller.engine, "wire").health == "quiet"
    assert feeds_json(poller)["wire"]["health"] == "quiet"
    with api_client(str(poller.engine.url.render_as_string(hide_password=False)), tmp_path,
                    WIRE_FEEDS=str(poller.feeds_path)) as api:
        assert api.get("/feeds").json()["feeds"][0]["health"] == "quiet"
        text = api.get("/metrics").text
    assert 'wire_feed_health{feed="wire",state="quiet"} 1.0' in text
    assert 'wire_feed_health{feed="wire",state="ok"} 0.0' in text

    agency.feed("/wire", body=rss([*items, *wire_items(1, start=5)]))
    poller.make_due("wire")
    poller.poll_due()
    assert feed_row(poller.engine, "wire").health == "ok"
    assert health_events(caplog) == [("wire", "quiet"), ("wire", "recovered")]
