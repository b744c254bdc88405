"""What reading stories needs besides SQL: the query, a row as JSON, times as SQLite keeps them.

Nothing here imports SQLAlchemy, so `wire stories` on the embedded store can read with the
standard library alone (`worker.store.embedded`); `worker.store.reads` builds the statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from worker.model import STORY_KEYS, format_time

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


def stories_key(query: StoryQuery) -> str:
    """Which compiled statement lists the stories of `query` (`worker.store.compiled_reads`):
    its status and the filters it gives."""
    return ":".join((query.status, "provider" if query.provider else "",
                     "since" if query.since else "", "" if query.cluster is None else "cluster"))


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


def versions_json(story: Any, history: list[Any]) -> list[dict[str, Any]]:
    """A story's versions as `wire versions --json` prints them, oldest first by the version
    key: its history rows and its current row (`current` true for that one)."""
    out = []
    for row in sorted([*history, story],
                      key=lambda r: (r.version_created, r.version_seq, r.content_hash)):
        item: dict[str, Any] = {"provider": story.provider, "guid": story.guid}
        for name in STORY_KEYS[2:]:
            value = getattr(row, name)
            item[name] = format_time(value) if isinstance(value, datetime) else value
        item["story_id"] = story.id
        item["current"] = row is story
        item["received_at"] = format_time(row.updated_at if row is story else row.received_at)
        out.append(item)
    return out


def sqlite_time(value: datetime | None) -> str | None:
    """An aware time as the store keeps it on SQLite: UTC, `YYYY-MM-DD HH:MM:SS.ffffff`
    (fixed width, so that comparisons in SQL order correctly)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r} given to the store")
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ", "microseconds")


def time_of(value: Any) -> datetime | None:
    """A stored time (a datetime, or SQLite's text) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(
        timezone.utc)
