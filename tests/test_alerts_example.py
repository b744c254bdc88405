"""The README's alert example works: the commented rules of config/feeds.yaml, uncommented, fire
on a dropped story, and scripts/webhook_receiver.py receives and verifies the webhook."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime

import httpx
import yaml

from tests.api_server import free_port
from tests.conftest import REPO
from tests.helpers import version_of
from tests.test_alerts import ingest_with
from worker.alerts.outbox import drain_rule
from worker.config import parse_config

SECRET = "change-me"


def example_rules(port):
    text = (REPO / "config" / "feeds.yaml").read_text()
    alerts = text[text.index("\nalerts:"):]
    uncommented = re.sub(r"(?m)^  # ", "  ", alerts).replace("9000", str(port))
    config = parse_config(yaml.safe_load(uncommented), "config/feeds.yaml",
                          {"WIRE_HOOK_SECRET": SECRET})
    return {rule.name: rule for rule in config.alerts}


def test_the_example_rules_reach_the_example_receiver_which_verifies_them(store):
    port = free_port()
    rules = example_rules(port)
    assert set(rules) == {"newsdesk", "flash"}
    env = {**os.environ, "WIRE_HOOK_SECRET": SECRET}
    receiver = subprocess.Popen([sys.executable, str(REPO / "scripts" / "webhook_receiver.py"),
                                 "--port", str(port)], env=env, stdout=subprocess.PIPE,
                                text=True)
    try:
        assert "listening" in receiver.stdout.readline()
        ingest_with(store, rules, [version_of("urn:x:1", headline="Earthquake hits the coast")
                                   .replace(urgency=1)])
        with httpx.Client() as client:
            for name in ("newsdesk", "flash"):
                report = drain_rule(store, name, rules, {"WIRE_HOOK_SECRET": SECRET}, client,
                                    lambda: datetime.now(UTC))
                # the receiver answers 401 to a wrong signature: delivered means verified
                assert report.delivered == 1, name
        lines = [receiver.stdout.readline().strip() for _ in range(2)]
    finally:
        receiver.kill()
        receiver.wait()
    assert sorted(line.split(": ", 1)[1] for line in lines) == [
        "flash new [reuters] Earthquake hits the coast",
        "newsdesk new [reuters] Earthquake hits the coast"]
