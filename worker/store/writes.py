"""Writing versions: the SPEC merge rule in the write statement itself.

`write_version` runs, inside the caller's transaction:

1. a conditional upsert of the story row: insert it, or on (provider, guid) conflict overwrite
   the current version only `WHERE (incoming key) > (current key)`; `RETURNING revision` tells
   new (1) from updated (>1), and no row returned means equal or lower;
2. an insert-or-ignore of the version into `versions`, unique on the version key.

Both are single statements that the database serializes per row, so the greatest key ends
current and the history complete whatever order versions arrive in and however many processes
race (PostgreSQL re-checks the WHERE against the row as committed by the other writer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from worker.merge import Change
from worker.model import Story, VersionKey
from worker.store.models import StoryRow, VersionRow

_FIELDS = (
    "version", "version_created", "content_hash", "first_created", "pubstatus", "embargoed",
    "urgency", "signals", "headline", "slugline", "byline", "dateline", "language", "body_html",
    "body_text", "subjects", "keywords", "credits", "link", "word_count",
)


@dataclass(frozen=True)
class WriteResult:
    change: Change
    story_id: int
    cluster_id: int | None


def version_values(story: Story) -> dict[str, Any]:
    """The column values of one version."""
    values: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(story, name)
        values[name] = list(value) if isinstance(value, tuple) else value
    values["version_seq"] = story.version or 0
    return values


def _insert(conn: Connection, table: Any) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def write_version(conn: Connection, story: Story, now: datetime) -> WriteResult:
    """Apply one version to the store (SPEC "Which version wins"). Caller owns the transaction."""
    values = version_values(story)
    stories = StoryRow.__table__
    ins = _insert(conn, stories).values(
        provider=story.provider, guid=story.guid, received_at=now, updated_at=now, revision=1,
        **values,
    )
    excluded = ins.excluded
    update = {name: excluded[name] for name in values}
    update["updated_at"] = excluded.updated_at
    update["revision"] = stories.c.revision + 1
    key_cols = ("version_created", "version_seq", "content_hash")
    upsert = ins.on_conflict_do_update(
        index_elements=["provider", "guid"],
        set_=update,
        where=tuple_(*(excluded[c] for c in key_cols)) > tuple_(*(stories.c[c] for c in key_cols)),
    ).returning(stories.c.id, stories.c.revision, stories.c.cluster_id)
    row = conn.execute(upsert).first()
    if row is not None:
        change = Change.NEW if row.revision == 1 else Change.UPDATED
        story_id, cluster_id = row.id, row.cluster_id
    else:
        current = conn.execute(
            select(stories.c.id, stories.c.cluster_id, *(stories.c[c] for c in key_cols)).where(
                stories.c.provider == story.provider, stories.c.guid == story.guid
            )
        ).one()
        key = VersionKey(current.version_created, current.version_seq, current.content_hash)
        change = Change.UNCHANGED if key == story.key else Change.STALE
        story_id, cluster_id = current.id, current.cluster_id
    if change is not Change.UNCHANGED:
        conn.execute(
            _insert(conn, VersionRow.__table__)
            .values(story_id=story_id, received_at=now, **values)
            .on_conflict_do_nothing(
                index_elements=["story_id", "version_created", "version_seq", "content_hash"]
            )
        )
    return WriteResult(change, story_id, cluster_id)


def known_version_time(
    conn: Connection, provider: str, guid: str, content_hash: str
) -> datetime | None:
    """When a story's version with these words was first received, if it ever was.

    SPEC: an item without any timestamp takes the time it was first received; a re-delivery of
    the same words must not become a new version.
    """
    return conn.execute(
        select(VersionRow.version_created)
        .join(StoryRow, StoryRow.id == VersionRow.story_id)
        .where(
            StoryRow.provider == provider,
            StoryRow.guid == guid,
            VersionRow.content_hash == content_hash,
        )
        .order_by(VersionRow.version_created)
        .limit(1)
    ).scalar()
