"""Housekeeping: retention by setting, in small batches (beat, `wire.ops.housekeeping`).

Each rule has its own setting and does nothing while the setting is unset:

- `WIRE_HISTORY_DAYS`: history versions (not current) that became current, or arrived stale,
  longer ago are deleted (the current version always stays), and so are change-feed entries
  that old: a publisher syncing with `/changes` must call at least that often.
- `WIRE_STORY_DAYS`: stories whose current version is older than that and that no update
  touched since are deleted with their history, leaving a tombstone (identity and last version
  key, `worker.store.tombstones`) so that a re-delivery of what they had is never a new story.
  The setting reaches past the near-duplicate window (checked at start), so their index keys
  have been pruned already.
- `WIRE_PROCESSED_DAYS`: files in a drop folder's `processed/` older than that are deleted
  (`failed/` is never touched: SPEC, a document that cannot be parsed is never deleted).

Batches of `BATCH` rows, one transaction each, so no statement holds locks for long and a
large backlog (a setting lowered) goes away over a few runs without stalling polls.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, select

from worker.config import WireConfig
from worker.settings import Settings
from worker.store.db import run_transaction
from worker.store.models import StoryChangeRow, StoryRow, VersionRow
from worker.store.tombstones import bury

log = logging.getLogger(__name__)
BATCH = 500
#: at most this many batches per rule and run (the next run goes on)
MAX_BATCHES = 200

STORIES = StoryRow.__table__
VERSIONS = VersionRow.__table__
CHANGES = StoryChangeRow.__table__


@dataclass
class HousekeepingReport:
    versions: int = 0
    changes: int = 0
    stories: int = 0
    files: int = 0


def housekeeping(engine: Engine, settings: Settings, config: WireConfig | None,
                 now: datetime) -> HousekeepingReport:
    """Apply every retention rule that has a setting."""
    report = HousekeepingReport()
    if settings.history_days:
        before = now - timedelta(days=settings.history_days)
        report.versions = _batches(engine, lambda c: purge_history(c, before))
        report.changes = _batches(engine, lambda c: purge_changes(c, before))
    if settings.story_days:
        before = now - timedelta(days=settings.story_days)
        report.stories = _batches(engine, lambda c: purge_stories(c, before, now))
    if settings.processed_days and config is not None:
        before = now - timedelta(days=settings.processed_days)
        for feed in config.feeds:
            if feed.protocol == "folder":
                report.files += purge_processed(feed.folders()[1], before)
    return report


def _batches(engine: Engine, step: object) -> int:
    total = 0
    for _ in range(MAX_BATCHES):
        done = run_transaction(engine, step)  # type: ignore[arg-type]
        total += done
        if done < BATCH:
            break
    return total


def purge_history(conn: Connection, before: datetime) -> int:
    """Delete up to BATCH history versions received before `before`."""
    ids = select(VERSIONS.c.id).where(VERSIONS.c.received_at < before).limit(BATCH)
    return conn.execute(delete(VERSIONS).where(
        VERSIONS.c.id.in_(ids.scalar_subquery()))).rowcount


def purge_changes(conn: Connection, before: datetime) -> int:
    """Delete up to BATCH change-feed entries recorded before `before`, oldest first."""
    ids = (select(CHANGES.c.id).where(CHANGES.c.changed_at < before)
           .order_by(CHANGES.c.id).limit(BATCH))
    return conn.execute(delete(CHANGES).where(
        CHANGES.c.id.in_(ids.scalar_subquery()))).rowcount


def purge_stories(conn: Connection, before: datetime, now: datetime) -> int:
    """Purge up to BATCH stories neither created nor updated since `before`, leaving their
    tombstones; their history goes with them (foreign key cascade)."""
    old = conn.execute(
        select(STORIES.c.id, STORIES.c.provider, STORIES.c.guid, STORIES.c.version_created,
               STORIES.c.version_seq, STORIES.c.content_hash)
        .where(STORIES.c.version_created < before, STORIES.c.updated_at < before)
        .order_by(STORIES.c.version_created).limit(BATCH)).all()
    if not old:
        return 0
    bury(conn, old, now)
    ids = [row.id for row in old]
    conn.execute(delete(VERSIONS).where(VERSIONS.c.story_id.in_(ids)))
    conn.execute(delete(STORIES).where(STORIES.c.id.in_(ids)))
    return len(old)


def purge_processed(folder: Path, before: datetime) -> int:
    """Delete files directly in `folder` last modified before `before`; the number deleted."""
    if not folder.is_dir():
        return 0
    cutoff = before.timestamp()
    deleted = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
        except OSError as e:  # another worker took it, or no permission: said, not fatal
            log.warning("processed_file_not_deleted", extra={"path": str(path),
                                                             "error": e.strerror or str(e)})
    return deleted
