"""The change feed: every change of a story's current version, in the order the store assigned.

Rows of `story_changes` are written by triggers on `stories` in the transaction that wrote the
version (migrations 0008, 0012), and by `record_lifted_embargoes`. A publisher pages through
them by id; what makes "never missed, never twice, in order" hold is that ids are handed out in
commit order, and that a reader who sees an id sees every smaller one:

- SQLite has one writer at a time, and AUTOINCREMENT ids are never reused.
- PostgreSQL: ids come from a sequence, and a transaction may take one early and commit late;
  a reader already past a higher id would never see it, and a story's two changes could be
  listed in the wrong order. So the change rows are written at commit, by constraint triggers
  deferred to the end of the transaction, after taking one transaction-scoped advisory lock
  (`CHANGE_ORDER_LOCK`) that is released only once the commit is visible: writers insert their
  change rows and commit one after the other. (Ordering by transaction id and reading below the
  snapshot's xmin, 0008's way, misses nothing but orders by when a transaction first wrote, not
  when it committed, and any open transaction on the server holds the feed back: 0012 says more.)

A change names its version by key; `story_at_version` renders the story as it was then (the
current row, or the history row that 0004's trigger kept when it was replaced).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, and_, literal, select, text
from sqlalchemy.dialects import postgresql, sqlite

from worker.model import STORY_KEYS, format_time
from worker.store.models import StoryChangeRow, StoryRow, VersionRow

CHANGES = StoryChangeRow.__table__
STORIES = StoryRow.__table__
HISTORY = VersionRow.__table__.alias("history")
KEY = ("version_created", "version_seq", "content_hash")
#: change kinds, in the SPEC's words
KINDS = ("new", "update", "correction", "kill", "withheld", "embargo_lifted")
#: the transaction-scoped advisory lock under which changes and alerts take their place in
#: commit order on PostgreSQL (migrations 0012, 0013)
CHANGE_ORDER_LOCK = 7_314_201_912
#: embargoes that ended longer ago than this are not looked for (an archive loaded late)
LIFT_LOOKBACK = timedelta(days=7)


#: before the first change
START = 0


@dataclass(frozen=True)
class ChangeEntry:
    #: the change's id: its place in the feed
    position: int
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


def read_changes(conn: Connection, after: int, limit: int) -> list[ChangeEntry]:
    """The next `limit` changes after id `after`, in feed order (see the module docstring)."""
    page = (select(CHANGES).where(CHANGES.c.id > after).order_by(CHANGES.c.id).limit(limit)
            .subquery("c"))
    stmt = versioned_select(page, page.c.id.label("change_id"),
                            page.c.kind.label("change_kind")).order_by(page.c.id)
    return [ChangeEntry(row.change_id, row.change_kind, story_at_version(row))
            for row in conn.execute(stmt).all()]


def take_change_order(conn: Connection) -> None:
    """PostgreSQL: hold the commit-order lock until this transaction ends, before writing rows
    that take a place in the feed directly (the triggers on `stories` take it themselves)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHANGE_ORDER_LOCK})


def _insert(conn: Connection) -> Any:
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(CHANGES)


def record_lifted_embargoes(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    """Record an `embargo_lifted` change for each current usable version whose embargo ended.

    Only embargoes in force when the version became current (ended after `updated_at`) and
    ended at most `LIFT_LOOKBACK` ago; at most once per version however many tasks race (a
    partial unique index). Returns the recorded changes (`story_id` and the version key), in the
    caller's transaction, which holds the commit-order lock from here on.
    """
    take_change_order(conn)
    s = STORIES.c
    already = select(CHANGES.c.id).where(
        CHANGES.c.story_id == s.id, CHANGES.c.kind == "embargo_lifted",
        *(CHANGES.c[k] == s[k] for k in KEY))
    ended = select(
        s.id, literal("embargo_lifted"), s.version_created, s.version_seq, s.content_hash,
        literal(now, StoryChangeRow.changed_at.type),
    ).where(
        s.pubstatus == "usable", s.embargoed.is_not(None), s.embargoed <= now,
        s.embargoed > now - LIFT_LOOKBACK, s.embargoed > s.updated_at, ~already.exists(),
    ).order_by(s.id)
    stmt = _insert(conn).from_select(
        ["story_id", "kind", *KEY, "changed_at"], ended
    ).on_conflict_do_nothing(
        index_elements=["story_id", *KEY], index_where=CHANGES.c.kind == "embargo_lifted"
    ).returning(CHANGES.c.story_id, *(CHANGES.c[k] for k in KEY))
    return [dict(row._mapping) for row in conn.execute(stmt)]

