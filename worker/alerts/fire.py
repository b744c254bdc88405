"""Firing alerts: in the transaction that made a version current (SPEC "Alerts").

- `fire_alerts` runs inside the ingest transaction (`worker.pipeline.store_stories`): the rules
  each new current version fires are recorded with it, so an alert exists exactly when its
  version does (stored before it is delivered: a crash never loses one), at most once per
  rule and version however many workers race (`worker.store.alerts.record_alerts`).
- `lift_embargoes` (beat, `wire.alerts.lift_embargoes`) records `embargo_lifted` changes for
  embargoes that ended and fires the rules that name that change, in one transaction.

Delivery comes after the commit (`worker.alerts.outbox`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from worker.alerts.rules import Firing, alert_change, fired_rules
from worker.merge import Change
from worker.model import STORY_KEYS, Story, VersionKey
from worker.store import alerts as outbox
from worker.store.changes import record_lifted_embargoes
from worker.store.models import StoryRow

if TYPE_CHECKING:  # the configuration (pydantic) is not imported to store stories
    from worker.alerts.rule_config import AlertRule

log = logging.getLogger(__name__)


def fire_alerts(conn: Connection, changes: Sequence[Any], rules: Sequence[AlertRule],
                now: datetime) -> list[str]:
    """Record the alerts these changes fire (`worker.documents.StoryChange`s), in the caller's
    transaction; returns the rules that got a new alert."""
    if not rules or not changes:
        return []
    firings: list[Firing] = []
    for change in changes:
        word = alert_change(change.story, change.change is Change.NEW)
        firings += fired_rules(rules, change.story_id, word, change.story)
    return outbox.record_alerts(conn, firings, now)


def lift_embargoes(conn: Connection, rules: Sequence[AlertRule], now: datetime) -> list[str]:
    """Record `embargo_lifted` for embargoes that ended; returns the rules that fired."""
    lifted = record_lifted_embargoes(conn, now)
    if lifted:
        log.info("embargoes_lifted", extra={"stories": [row["story_id"] for row in lifted]})
    if not lifted or not rules:
        return []
    table = StoryRow.__table__
    rows = {r.id: r for r in conn.execute(
        select(table).where(table.c.id.in_([row["story_id"] for row in lifted])))}
    firings: list[Firing] = []
    for row in lifted:
        story = _story(rows[row["story_id"]])
        if story.key == VersionKey(row["version_created"], row["version_seq"],
                                   row["content_hash"]):
            firings += fired_rules(rules, row["story_id"], "embargo_lifted", story)
    return outbox.record_alerts(conn, firings, now)


def _story(row: Any) -> Story:
    values = {name: getattr(row, name) for name in STORY_KEYS}
    for name in ("signals", "subjects", "keywords", "credits"):
        values[name] = tuple(values[name] or ())
    return Story(**values)
