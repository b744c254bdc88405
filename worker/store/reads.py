"""Reading the store: current stories, versions, clusters (SPEC "Command line", "HTTP API").

Every function takes `now` for the embargo test; only the edges read the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, or_, select

from worker.model import STORY_KEYS, format_time
from worker.store.models import StoryRow, VersionRow

STORIES = StoryRow.__table__
VERSIONS = VersionRow.__table__

#: SPEC `--status` values
STATUSES = ("usable", "withheld", "canceled", "embargoed", "all")
DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class StoryQuery:
    provider: str | None = None
    since: datetime | None = None
    cluster: int | None = None
    status: str = "usable"
    limit: int = DEFAULT_LIMIT
    #: words in headline or body (full-text search, `worker.store.search`)
    words: str | None = None


def story_json(row: Any) -> dict[str, Any]:
    """A story row as `wire stories --json` prints it: the SPEC keys plus store fields."""
    out: dict[str, Any] = {}
    for name in STORY_KEYS:
        value = getattr(row, name)
        out[name] = format_time(value) if isinstance(value, datetime) else value
    out["story_id"] = row.id
    out["cluster_id"] = row.cluster_id
    out["received_at"] = format_time(row.received_at)
    out["updated_at"] = format_time(row.updated_at)
    return out


def _status_filter(status: str, now: datetime) -> Any:
    embargo_over = or_(StoryRow.embargoed.is_(None), StoryRow.embargoed <= now)
    if status == "usable":
        return and_(StoryRow.pubstatus == "usable", embargo_over)
    if status == "embargoed":
        return and_(StoryRow.pubstatus == "usable", StoryRow.embargoed > now)
    if status in ("withheld", "canceled"):
        return StoryRow.pubstatus == status
    if status == "all":
        return None
    raise ValueError(f"unknown status {status!r}; one of {', '.join(STATUSES)}")


def story_filters(query: StoryQuery, now: datetime) -> list[Any]:
    """The WHERE conditions of a story query (status, provider, since, cluster)."""
    conditions = []
    condition = _status_filter(query.status, now)
    if condition is not None:
        conditions.append(condition)
    if query.provider:
        conditions.append(StoryRow.provider == query.provider)
    if query.since:
        conditions.append(StoryRow.version_created >= query.since)
    if query.cluster is not None:
        conditions.append(StoryRow.cluster_id == query.cluster)
    return conditions


def stories_select(query: StoryQuery, now: datetime) -> Select[Any]:
    stmt = select(STORIES).where(*story_filters(query, now))
    return stmt.order_by(StoryRow.version_created.desc(), StoryRow.id.desc()).limit(query.limit)


def list_stories(conn: Connection, query: StoryQuery, now: datetime) -> list[dict[str, Any]]:
    """Current versions, newest `version_created` first (SPEC `wire stories`)."""
    return [story_json(row) for row in conn.execute(stories_select(query, now)).all()]


def get_story(conn: Connection, story_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(STORIES).where(StoryRow.id == story_id)).first()
    return story_json(row) if row is not None else None


def story_versions(conn: Connection, story_id: int) -> list[dict[str, Any]] | None:
    """Every version of a story, oldest first by the version key, `current` true for one.

    The current version is the story's row; the others are its history (`versions`).
    """
    story = conn.execute(select(STORIES).where(StoryRow.id == story_id)).first()
    if story is None:
        return None
    rows = [*conn.execute(select(VERSIONS).where(VersionRow.story_id == story_id)), story]
    out = []
    for row in sorted(rows, key=lambda r: (r.version_created, r.version_seq, r.content_hash)):
        item: dict[str, Any] = {"provider": story.provider, "guid": story.guid}
        for name in STORY_KEYS[2:]:
            value = getattr(row, name)
            item[name] = format_time(value) if isinstance(value, datetime) else value
        item["story_id"] = story_id
        item["current"] = row is story
        item["received_at"] = format_time(row.updated_at if row is story else row.received_at)
        out.append(item)
    return out
