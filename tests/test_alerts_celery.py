"""Alerts end to end with real processes: Celery worker and beat on Redis and PostgreSQL poll a
drop folder, and a real local receiver gets each webhook once, signed, retried when it fails."""

from __future__ import annotations

import os
import time
from pathlib import Path

import yaml

from tests.agency_server import rss, wire_items
from tests.test_poll_celery import cluster  # noqa: F401 - the fixture
from tests.test_poll_integration import wait_for
from tests.webhook_receiver import Receiver
from worker.store.alerts import list_alerts
from worker.store.db import make_engine

SECRET = "end-to-end-secret"


def drop(folder: Path, name: str, content: bytes) -> None:
    """A finished file, as a well-behaved writer leaves it: written aside, renamed in, and old
    enough to be read at once."""
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(content)
    past = time.time() - 10
    os.utime(tmp, (past, past))
    os.replace(tmp, folder / name)


def test_dropped_documents_reach_the_webhook_once_each_signed_and_retried(
    cluster, pg_store_url, tmp_path  # noqa: F811 - the fixture
):
    receiver = Receiver()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (tmp_path / "feeds.yaml").write_text(yaml.safe_dump({
        "feeds": [{"name": "inbox", "provider": "agency", "folder": str(inbox), "interval": 0.3}],
        "alerts": [{"name": "quakes", "when": {"keywords_any": ["earthquake"]},
                    "webhook": receiver.url, "secret": "${WIRE_HOOK_SECRET}"}],
    }))
    cluster.env.update(WIRE_HOOK_SECRET=SECRET, WIRE_ALERT_SWEEP_SECONDS="0.5")
    quake = {"guid": "urn:q:1", "title": "Earthquake hits the coast",
             "body": "A strong earthquake hit the coast at dawn."}
    calm = wire_items(2, prefix="urn:calm:")
    receiver.fail_with = [500]  # the first attempt fails: the sweeper retries it
    cluster.worker(concurrency=2, queues="wire.schedule,wire.poll,wire.alerts")
    cluster.beat()
    engine = make_engine(pg_store_url)
    try:
        drop(inbox, "a.xml", rss([quake, *calm]))
        wait_for(lambda: len(receiver.accepted()) == 1, 60,
                 f"the retried webhook\n{cluster.log_text()}")
        [failed, delivered] = receiver.deliveries
        assert delivered.at - failed.at < 30  # SPEC: the first retry within 30 s

        # the same document again, then a second quake: only the second one fires
        aftershock = {"guid": "urn:q:2", "title": "Earthquake aftershock",
                      "body": "An aftershock shook the same coast."}
        drop(inbox, "b.xml", rss([quake, *calm]))
        drop(inbox, "c.xml", rss([aftershock]))
        wait_for(lambda: len(receiver.accepted()) == 2, 60,
                 f"the second webhook\n{cluster.log_text()}")
        wait_for(lambda: not list(inbox.glob("*.xml")), 30, "every file processed")
        with engine.connect() as conn:
            alerts = list_alerts(conn, None, 10)
    finally:
        engine.dispose()
        receiver.stop()

    accepted = receiver.accepted()
    assert [d.json["story"]["guid"] for d in accepted] == ["urn:q:1", "urn:q:2"]
    assert all(d.signed_with(SECRET) for d in receiver.deliveries)
    assert failed.headers["X-Wire-Delivery"] == delivered.headers["X-Wire-Delivery"]
    assert [(a["story"]["guid"], a["outcome"], a["attempts"]) for a in alerts] == [
        ("urn:q:2", "delivered", 1), ("urn:q:1", "delivered", 2)]
