"""Alerts on both stores: fired with their version, delivered to a real local webhook receiver
once each, signed, retried, in order; re-deliveries and racing workers fire nothing twice."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from tests.helpers import version_of
from tests.webhook_receiver import Receiver
from worker.alerts.delivery import MAX_RETRY_DELAY
from worker.alerts.fire import lift_embargoes
from worker.alerts.outbox import drain_rule
from worker.config import parse_config
from worker.store.alerts import due_rules, list_alerts
from worker.store.clusters import Clustering
from worker.store.db import make_engine, run_transaction
from worker.store.models import AlertRow

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SECRET = "hook-secret"
ENV = {"WIRE_HOOK_SECRET": SECRET}


def rules_for(receiver, **when):
    raw = {"alerts": [
        {"name": "flash", "when": {"urgency_at_most": 2, **when}, "webhook": receiver.url,
         "secret": "${WIRE_HOOK_SECRET}"},
        {"name": "kills", "when": {"changes": ["kill"]}, "webhook": receiver.url},
        {"name": "lifted", "when": {"changes": ["embargo_lifted"]}, "webhook": receiver.url},
    ]}
    return {r.name: r for r in parse_config(raw, "feeds.yaml", ENV).alerts}


def flash(guid, created="2017-10-14T21:00:00Z", **fields):
    return version_of(guid, created=created, **fields).replace(urgency=1)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


def ingest_with(store, rules, stories, now=NOW):
    fired = run_transaction(store, lambda conn: _store(conn, stories, rules, now))
    return fired


def _store(conn, stories, rules, now):
    from worker.pipeline import store_stories

    return store_stories(conn, stories, Clustering(), now, tuple(rules.values())).alerts


def drain(store, rules, rule, at=NOW):
    with httpx.Client() as client:
        return drain_rule(store, rule, rules, ENV, client, lambda: at)


def test_each_alert_arrives_once_signed_with_the_spec_body(store, receiver):
    rules = rules_for(receiver)
    fired = ingest_with(store, rules, [flash("urn:a:1", headline="Quake hits the capital"),
                                       version_of("urn:a:2", headline="Calm day")])
    again = ingest_with(store, rules, [flash("urn:a:1", headline="Quake hits the capital")])

    assert fired == ["flash"] and again == []  # a re-delivered document fires nothing
    report = drain(store, rules, "flash")
    assert report.delivered == 1 and drain(store, rules, "flash").delivered == 0
    [delivery] = receiver.accepted()
    body = delivery.json
    assert delivery.signed_with(SECRET)
    assert not delivery.signed_with("another secret")
    assert set(body) == {"rule", "change", "story", "sent_at"}
    assert (body["rule"], body["change"]) == ("flash", "new")
    assert body["story"]["guid"] == "urn:a:1" and body["story"]["urgency"] == 1
    assert set(body["story"]) >= {"story_id", "cluster_id", "received_at", "updated_at",
                                  "content_hash", "headline", "body_html"}
    with store.connect() as conn:
        [alert] = list_alerts(conn, None, 10)
    assert delivery.headers["X-Wire-Delivery"] == str(alert["id"])
    assert (alert["outcome"], alert["attempts"], alert["last_status"]) == ("delivered", 1, 204)


def test_corrections_and_kills_fire_the_rules_that_name_them(store, receiver):
    rules = rules_for(receiver, changes=["correction", "kill"])
    ingest_with(store, rules, [flash("urn:k:1", created="2017-10-14T20:00:00Z", version=1)])
    ingest_with(store, rules, [flash("urn:k:1", created="2017-10-14T21:00:00Z", version=2,
                                     signals=("correction",))])
    ingest_with(store, rules, [flash("urn:k:1", created="2017-10-14T22:00:00Z", version=3,
                                     pubstatus="canceled", body="")])
    for rule in rules:
        drain(store, rules, rule)

    seen = sorted((d.json["rule"], d.json["change"], d.json["story"]["version"])
                  for d in receiver.accepted())
    assert seen == [("flash", "correction", 2), ("flash", "kill", 3), ("kills", "kill", 3)]


def test_a_failing_receiver_gets_the_retry_within_30_seconds_and_order_holds(store, receiver):
    rules = rules_for(receiver)
    ingest_with(store, rules, [flash("urn:r:1", headline="First flash")])
    ingest_with(store, rules, [flash("urn:r:2", headline="Second flash")])
    receiver.fail_with = [500, 503]

    first = drain(store, rules, "flash")
    assert (first.delivered, first.stopped) == (0, "retry")
    with store.connect() as conn:
        assert due_rules(conn, NOW) == []
        assert due_rules(conn, NOW + timedelta(seconds=30)) == ["flash"]
    assert drain(store, rules, "flash", NOW + timedelta(seconds=30)).delivered == 0
    assert drain(store, rules, "flash", NOW + timedelta(seconds=60)).delivered == 2

    assert [d.status for d in receiver.deliveries] == [500, 503, 204, 204]
    assert [d.json["story"]["headline"] for d in receiver.accepted()] == ["First flash",
                                                                         "Second flash"]
    ids = [d.headers["X-Wire-Delivery"] for d in receiver.deliveries]
    assert ids[0] == ids[1] == ids[2] != ids[3]  # the same delivery id on every attempt
    with store.connect() as conn:
        alerts = list_alerts(conn, None, 10)
    assert [(a["outcome"], a["attempts"]) for a in alerts] == [("delivered", 1),
                                                              ("delivered", 3)]


def test_a_receiver_down_for_an_hour_gets_everything_in_order_when_back(store, receiver):
    rules = rules_for(receiver)
    port = receiver.port
    receiver.stop()
    at = NOW
    for n in range(5):
        ingest_with(store, rules, [flash(f"urn:d:{n}", headline=f"Flash {n}")], at)
        for rule in rules:  # the sweeper, every few seconds, for an hour
            drain(store, rules, rule, at)
        at += timedelta(minutes=12)
    back = Receiver(port)
    try:
        at += timedelta(seconds=MAX_RETRY_DELAY)  # the longest wait between two attempts
        assert drain(store, rules, "flash", at).delivered == 5
        headlines = [d.json["story"]["headline"] for d in back.accepted()]
    finally:
        back.stop()
    assert headlines == [f"Flash {n}" for n in range(5)]


def test_an_ended_embargo_fires_embargo_lifted_once(store, receiver):
    rules = rules_for(receiver)
    lifts = NOW + timedelta(hours=1)
    ingest_with(store, rules, [version_of("urn:e:1", embargoed=lifts.isoformat(),
                                          headline="Embargoed report")])

    def lift(at):
        return run_transaction(store, lambda conn: lift_embargoes(conn, list(rules.values()), at))

    assert lift(lifts - timedelta(seconds=1)) == []
    assert lift(lifts + timedelta(seconds=1)) == ["lifted"]
    assert lift(lifts + timedelta(minutes=1)) == []
    drain(store, rules, "lifted", lifts + timedelta(minutes=1))
    [delivery] = receiver.accepted()
    assert (delivery.json["rule"], delivery.json["change"]) == ("lifted", "embargo_lifted")
    assert delivery.json["story"]["headline"] == "Embargoed report"


def test_a_removed_rule_gives_its_alerts_up(store, receiver):
    rules = rules_for(receiver)
    ingest_with(store, rules, [flash("urn:g:1")])
    del rules["flash"]

    assert drain(store, rules, "flash").failed == 1
    with store.connect() as conn:
        [alert] = list_alerts(conn, None, 10)
    assert alert["outcome"] == "failed" and "no longer configured" in alert["last_error"]
    assert receiver.deliveries == []


def _race(url, port, barrier):
    engine = make_engine(url)
    receiver = type("R", (), {"url": f"http://127.0.0.1:{port}/hooks/wire"})()
    rules = rules_for(receiver)
    barrier.wait()
    for n in range(10):
        ingest_with(engine, rules, [flash(f"urn:race:{n}", headline=f"Race {n}"),
                                    flash(f"urn:race:{n}", created="2017-10-14T22:00:00Z",
                                          headline=f"Race {n} update", version=2)])
    engine.dispose()


def test_racing_workers_fire_at_most_one_alert_per_rule_and_version(pg_store_url, receiver):
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(3)
    procs = [ctx.Process(target=_race, args=(pg_store_url, receiver.port, barrier))
             for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    engine = make_engine(pg_store_url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(AlertRow)).scalar_one()
    rules = rules_for(receiver)
    drain(engine, rules, "flash")
    engine.dispose()

    # each story: its first version (new) and its second (update), whichever worker won
    assert count == 20
    keys = [(d.json["story"]["guid"], d.json["story"]["version_created"])
            for d in receiver.accepted()]
    assert len(keys) == len(set(keys)) == count
