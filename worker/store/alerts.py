"""The alerts outbox: alerts recorded with their version, delivered in order, listed, streamed.

- `record_alerts` runs in the transaction that made the version current (SPEC "Alerts": stored
  before it is delivered, so a crash never loses one). Unique on (rule, story, version key,
  change): however many workers race on one version, at most one alert per rule fires.
- Each alert gets `seq`, its place in commit order, as it commits (migration 0013: the change
  feed's rule, `worker.store.changes`): a reader that sees one sees every alert before it.
- Delivery drains one rule's queue at a time, by `seq`, under a lease on the rule's row in
  `alert_queues` (`claim_queue`), so one worker delivers a rule's alerts one after the other
  and a later one never overtakes an earlier one.
- `stream_after` reads alerts for the live stream by `seq`, so a resumed stream skips nothing.
- `list_feed_alerts`: the alerts of `feed_events` rules (`worker.alerts.feed_events`), listed
  beside the story alerts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from worker.alerts.rules import Firing
from worker.model import format_time
from worker.store.changes import story_at_version, versioned_select
from worker.store.models import AlertQueueRow, AlertRow, FeedAlertRow

ALERTS = AlertRow.__table__
QUEUES = AlertQueueRow.__table__
_FEED_ALERTS = FeedAlertRow.__table__
KEY = ("version_created", "version_seq", "content_hash")
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def _dialect(conn: Connection) -> Any:
    return postgresql if conn.dialect.name == "postgresql" else sqlite


def record_alerts(conn: Connection, firings: Sequence[Firing], now: datetime) -> list[str]:
    """Store the alerts fired, in the caller's transaction; the rules that got a new one."""
    if not firings:
        return []
    rows = [{"rule": f.rule, "story_id": f.story_id, "change": f.change,
             "version_created": f.key.version_created, "version_seq": f.key.version,
             "content_hash": f.key.content_hash, "fired_at": now, "outcome": PENDING,
             "attempts": 0} for f in firings]
    stmt = _dialect(conn).insert(ALERTS).on_conflict_do_nothing(index_elements=["rule", "story_id", *KEY, "change"])
    fired = set()
    for row in rows:  # RETURNING with executemany is not on every driver: one at a time
        if conn.execute(stmt.values(**row).returning(ALERTS.c.rule)).first() is not None:
            fired.add(row["rule"])
    return sorted(fired)


# -- delivery -------------------------------------------------------------------------------

def claim_queue(conn: Connection, rule: str, token: str, now: datetime,
                lease: timedelta) -> bool:
    """Take the rule's delivery lease if nobody holds it (or theirs ran out)."""
    conn.execute(_dialect(conn).insert(QUEUES).values(rule=rule).on_conflict_do_nothing())
    taken = conn.execute(
        update(QUEUES).where(QUEUES.c.rule == rule, or_(QUEUES.c.lease_until.is_(None),
                                                        QUEUES.c.lease_until < now))
        .values(lease_until=now + lease, lease_token=token))
    return bool(taken.rowcount)


def release_queue(conn: Connection, rule: str, token: str) -> None:
    conn.execute(update(QUEUES).where(QUEUES.c.rule == rule, QUEUES.c.lease_token == token)
                 .values(lease_until=None, lease_token=None))


def next_pending(conn: Connection, rule: str) -> Any | None:
    """The rule's oldest undelivered alert, with its story as of the version that fired."""
    head = (select(ALERTS).where(ALERTS.c.rule == rule, ALERTS.c.outcome == PENDING)
            .order_by(ALERTS.c.seq).limit(1).subquery("a"))
    return conn.execute(_with_story(head)).first()


def record_attempt(conn: Connection, alert_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(ALERTS).where(ALERTS.c.id == alert_id).values(**values))


def due_rules(conn: Connection, now: datetime) -> list[str]:
    """Rules whose oldest undelivered alert waits for its first attempt or a retry now due
    (the later ones wait behind it)."""
    head = ALERTS.alias("head")
    earlier = select(head.c.id).where(head.c.rule == ALERTS.c.rule, head.c.outcome == PENDING,
                                      head.c.seq < ALERTS.c.seq)
    stmt = (select(ALERTS.c.rule).distinct()
            .where(ALERTS.c.outcome == PENDING, ~earlier.exists(),
                   or_(ALERTS.c.next_attempt_at.is_(None), ALERTS.c.next_attempt_at <= now)))
    return sorted(conn.execute(stmt).scalars())


# -- reading ----------------------------------------------------------------------------------

_ALERT_COLUMNS = ("id", "rule", "change", "fired_at", "outcome", "attempts", "delivered_at",
                  "last_status", "last_error", "next_attempt_at", "seq")


def alert_json(row: Any) -> dict[str, Any]:
    """An alert as `wire alerts --json` and the API show it, its story as of its version."""
    out: dict[str, Any] = {"id": row.alert_id, "rule": row.alert_rule,
                           "change": row.alert_change, "fired_at": format_time(row.alert_fired_at),
                           "outcome": row.alert_outcome, "attempts": row.alert_attempts,
                           "delivered_at": (format_time(row.alert_delivered_at)
                                            if row.alert_delivered_at else None),
                           "last_status": row.alert_last_status, "last_error": row.alert_last_error}
    out["story"] = story_at_version(row)
    return out


def _with_story(source: Any) -> Any:
    return versioned_select(source, *(source.c[c].label(f"alert_{c}") for c in _ALERT_COLUMNS))


def list_alerts(conn: Connection, since: datetime | None, limit: int) -> list[dict[str, Any]]:
    """Alerts fired, newest first (SPEC `wire alerts`), with their delivery outcome."""
    page = select(ALERTS).order_by(ALERTS.c.id.desc()).limit(limit)
    if since is not None:
        page = page.where(ALERTS.c.fired_at >= since)
    sq = page.subquery("a")
    return [alert_json(r) for r in conn.execute(_with_story(sq).order_by(sq.c.id.desc())).all()]


def stream_start(conn: Connection, last_id: int | None) -> int:
    """Where a live stream starts (a `seq`): after alert `last_id` when resuming, else at the
    present."""
    if last_id is not None:
        seq = conn.execute(select(ALERTS.c.seq).where(ALERTS.c.id <= last_id)
                           .order_by(ALERTS.c.id.desc()).limit(1)).scalar()
        return seq or 0
    return conn.execute(select(func.coalesce(func.max(ALERTS.c.seq), 0))).scalar_one()


def stream_after(conn: Connection, after: int, limit: int = 100
                 ) -> list[tuple[int, dict[str, Any]]]:
    """Alerts after `seq` `after` in commit order, each with its `seq`."""
    page = (select(ALERTS).where(ALERTS.c.seq > after).order_by(ALERTS.c.seq).limit(limit)
            .subquery("a"))
    rows = conn.execute(_with_story(page).order_by(page.c.seq))
    return [(r.alert_seq, alert_json(r)) for r in rows]


def list_feed_alerts(conn: Connection, since: datetime | None, limit: int
                     ) -> list[dict[str, Any]]:
    """Feed alerts fired, newest first, as `wire alerts --json` and `GET /alerts` show them:
    the event and the feed as `wire feeds --json` showed it instead of a change and a story;
    `id` as their deliveries' `X-Wire-Delivery`."""
    stmt = select(_FEED_ALERTS).order_by(_FEED_ALERTS.c.id.desc()).limit(limit)
    if since is not None:
        stmt = stmt.where(_FEED_ALERTS.c.fired_at >= since)
    return [{"id": f"feed-{r.id}", "rule": r.rule, "event": r.event,
             "fired_at": format_time(r.fired_at), "outcome": r.outcome, "attempts": r.attempts,
             "delivered_at": format_time(r.delivered_at) if r.delivered_at else None,
             "last_status": r.last_status, "last_error": r.last_error, "feed": r.feed_state}
            for r in conn.execute(stmt)]
