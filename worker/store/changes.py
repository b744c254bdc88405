"""The change feed: every change of a story's current version, in the order the store assigned.

Rows of `story_changes` are written by triggers on `stories` in the transaction that wrote the
version (migration 0008), and by `record_lifted_embargoes`. A publisher pages through them with
a position that only grows; what makes "never missed, never twice" hold:

- SQLite has one writer at a time and AUTOINCREMENT ids: a row that becomes visible always has
  a greater id than every row visible before it. The position is the id.
- PostgreSQL's ids come from a sequence, and commit order is not sequence order: a transaction
  that took id 10 may commit after one that took id 11, and a reader positioned after 11 would
  skip 10 forever. So each row keeps its writer's transaction id (`xid`), rows are read in
  (xid, id) order, and only rows whose xid is below the reading snapshot's xmin are returned:
  every transaction below xmin has ended, so no row can later appear at a position before one
  already returned. The cost is latency: a change shows once every transaction that was running
  when it committed has ended (normally milliseconds; a transaction left open elsewhere on the
  server holds the feed back until it ends).

A change names its version by key; `story_at_version` renders the story as it was then (the
current row, or the history row that 0004's trigger kept when it was replaced).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, and_, literal, literal_column, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from worker.model import STORY_KEYS, format_time
from worker.store.models import StoryChangeRow, StoryRow, VersionRow

CHANGES = StoryChangeRow.__table__
STORIES = StoryRow.__table__
HISTORY = VersionRow.__table__.alias("history")
KEY = ("version_created", "version_seq", "content_hash")
#: change kinds, in the SPEC's words
KINDS = ("new", "update", "correction", "kill", "withheld", "embargo_lifted")
#: the snapshot's xmin as a bigint (PostgreSQL): every transaction below it has ended
SNAPSHOT_XMIN = literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
CURRENT_XID = literal_column("pg_current_xact_id()::text::bigint")
#: embargoes that ended longer ago than this are not looked for (an archive loaded late)
LIFT_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True, order=True)
class Position:
    """Where a reader of the feed stands: after the change at (xid, id); xid is 0 on SQLite."""

    xid: int
    id: int


START = Position(0, 0)


@dataclass(frozen=True)
class ChangeEntry:
    position: Position
    kind: str
    story: dict[str, Any]


def versioned_select(source: Any, *extra: Any) -> Select[Any]:
    """Rows of `source` (story_id + version key columns) with their story and version joined.

    `story_at_version` turns each row into the story as of that version.
    """
    history_cols = [HISTORY.c[name].label(f"h_{name}") for name in STORY_KEYS[2:]]
    return (
        select(*extra, *STORIES.c, HISTORY.c.id.label("h_id"),
               HISTORY.c.received_at.label("h_received_at"), *history_cols)
        .select_from(source)
        .join(STORIES, STORIES.c.id == source.c.story_id)
        .outerjoin(HISTORY, and_(HISTORY.c.story_id == source.c.story_id,
                                 *(HISTORY.c[k] == source.c[k] for k in KEY)))
    )


def story_at_version(row: Any) -> dict[str, Any]:
    """The story as `wire stories --json` showed it while this row's version was current."""
    historic = row.h_id is not None
    out: dict[str, Any] = {"provider": row.provider, "guid": row.guid}
    for name in STORY_KEYS[2:]:
        value = getattr(row, f"h_{name}") if historic else getattr(row, name)
        out[name] = format_time(value) if isinstance(value, datetime) else value
    out["story_id"] = row.id
    out["cluster_id"] = row.cluster_id
    out["received_at"] = format_time(row.received_at)
    out["updated_at"] = format_time(row.h_received_at if historic else row.updated_at)
    return out


def read_changes(conn: Connection, after: Position, limit: int) -> list[ChangeEntry]:
    """The next `limit` changes after `after`, in feed order (see the module docstring)."""
    page = select(CHANGES).order_by(CHANGES.c.xid, CHANGES.c.id).limit(limit)
    if conn.dialect.name == "postgresql":
        page = page.where(tuple_(CHANGES.c.xid, CHANGES.c.id) > tuple_(after.xid, after.id),
                          CHANGES.c.xid < SNAPSHOT_XMIN)
    else:
        page = page.where(CHANGES.c.id > after.id)
    page_sq = page.subquery("c")
    stmt = versioned_select(page_sq, page_sq.c.id.label("change_id"),
                            page_sq.c.xid.label("change_xid"),
                            page_sq.c.kind.label("change_kind"))
    stmt = stmt.order_by(page_sq.c.xid, page_sq.c.id)
    return [ChangeEntry(Position(row.change_xid or 0, row.change_id), row.change_kind,
                        story_at_version(row)) for row in conn.execute(stmt)]


def _insert(conn: Connection) -> Any:
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(CHANGES)


def record_lifted_embargoes(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    """Record an `embargo_lifted` change for each current usable version whose embargo ended.

    Only embargoes in force when the version became current (ended after `updated_at`) and
    ended at most `LIFT_LOOKBACK` ago; at most once per version however many tasks race (a
    partial unique index). Returns the recorded changes (`story_id` and the version key), in the
    caller's transaction.
    """
    s = STORIES.c
    already = select(CHANGES.c.id).where(
        CHANGES.c.story_id == s.id, CHANGES.c.kind == "embargo_lifted",
        *(CHANGES.c[k] == s[k] for k in KEY))
    ended = select(
        s.id, literal("embargo_lifted"), s.version_created, s.version_seq, s.content_hash,
        CURRENT_XID if conn.dialect.name == "postgresql" else literal(None),
        literal(now, StoryChangeRow.changed_at.type),
    ).where(
        s.pubstatus == "usable", s.embargoed.is_not(None), s.embargoed <= now,
        s.embargoed > now - LIFT_LOOKBACK, s.embargoed > s.updated_at, ~already.exists(),
    ).order_by(s.id)
    stmt = _insert(conn).from_select(
        ["story_id", "kind", *KEY, "xid", "changed_at"], ended
    ).on_conflict_do_nothing(
        index_elements=["story_id", *KEY], index_where=CHANGES.c.kind == "embargo_lifted"
    ).returning(CHANGES.c.story_id, *(CHANGES.c[k] for k in KEY))
    return [dict(row._mapping) for row in conn.execute(stmt)]

