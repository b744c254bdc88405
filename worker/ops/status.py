"""What the status page shows (`GET /`), read from the store in a few indexed queries.

- every configured feed as `wire feeds --json` shows it (health, last and next poll, error);
- the stories that changed last (the change feed's newest rows, by primary key), each with its
  cluster's size and its number of versions;
- per-minute rates of items and poll outcomes over the last hours (`worker.ops.samples`);
- recent alerts with their delivery, where the store has them.
Cheap at any store size: nothing here scans stories or versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from worker.config import WireConfig
from worker.ops.samples import Bar, per_minute, samples_since
from worker.store.models import StoryChangeRow, StoryRow, VersionRow

#: how far back the charts reach
CHART_HOURS = 3
LATEST_STORIES = 20
RECENT_ALERTS = 15
ITEM_SERIES = ("items_new", "items_updated")
POLL_SERIES = ("polls_ok", "polls_not_modified", "polls_unchanged", "polls_error")


@dataclass
class StatusView:
    at: datetime
    feeds: list[dict[str, Any]]
    stories: list[dict[str, Any]]
    items: list[Bar]
    polls: list[Bar]
    alerts: list[dict[str, Any]] | None = None
    problems: list[str] = field(default_factory=list)


def read_status(conn: Connection, config: WireConfig | None, feed_rows: dict[str, Any],
                now: datetime) -> StatusView:
    from worker.cli.run import feed_status

    if config is not None:
        feeds = [feed_status(feed, feed_rows.get(feed.name), now) for feed in config.feeds]
    else:  # the file cannot be read: show what the store has
        from worker.config import FeedConfig

        feeds = [feed_status(FeedConfig.model_validate(row.config), row, now)
                 for row in feed_rows.values()]
    samples = samples_since(conn, now - timedelta(hours=CHART_HOURS, minutes=2))
    return StatusView(now, feeds, latest_stories(conn), per_minute(samples, ITEM_SERIES),
                      per_minute(samples, POLL_SERIES), recent_alerts(conn))


def recent_alerts(conn: Connection, limit: int = RECENT_ALERTS) -> list[dict[str, Any]]:
    """The last alerts fired, on stories and on feeds, newest first, with their delivery."""
    from worker.alerts.feed_events import recent_feed_alerts
    from worker.model import format_time
    from worker.store.alerts import list_alerts

    found = [{"id": a["id"], "rule": a["rule"], "change": a["change"],
              "subject": a["story"]["headline"], "fired_at": a["fired_at"],
              "outcome": a["outcome"], "attempts": a["attempts"], "last_error": a["last_error"]}
             for a in list_alerts(conn, None, limit)]
    for alert in recent_feed_alerts(conn, limit):
        found.append({**alert, "subject": f"feed {alert['subject']}",
                      "fired_at": format_time(alert["fired_at"])})
    return sorted(found, key=lambda a: a["fired_at"], reverse=True)[:limit]


def latest_stories(conn: Connection, limit: int = LATEST_STORIES) -> list[dict[str, Any]]:
    """The stories whose current version changed last, newest first."""
    changes = StoryChangeRow.__table__
    recent = (select(changes.c.story_id, func.max(changes.c.id).label("last"))
              .where(changes.c.id >= select(func.coalesce(func.max(changes.c.id), 0) - limit * 10)
                     .scalar_subquery())
              .group_by(changes.c.story_id).order_by(func.max(changes.c.id).desc())
              .limit(limit).subquery())
    stories = StoryRow.__table__
    versions = VersionRow.__table__
    cluster = stories.alias("cluster")
    rows = conn.execute(
        select(stories.c.id, stories.c.provider, stories.c.headline, stories.c.cluster_id,
               stories.c.pubstatus, stories.c.urgency, stories.c.updated_at,
               stories.c.version_created,
               select(func.count()).where(versions.c.story_id == stories.c.id)
               .scalar_subquery().label("history"),
               select(func.count()).where(cluster.c.cluster_id == stories.c.cluster_id)
               .scalar_subquery().label("cluster_size"))
        .join(recent, recent.c.story_id == stories.c.id)
        .order_by(recent.c.last.desc()))
    return [{"story_id": r.id, "provider": r.provider, "headline": r.headline,
             "cluster_id": r.cluster_id, "cluster_size": r.cluster_size,
             "versions": r.history + 1, "pubstatus": r.pubstatus, "urgency": r.urgency,
             "updated_at": r.updated_at, "version_created": r.version_created} for r in rows]
