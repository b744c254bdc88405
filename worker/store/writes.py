"""Writing versions: the SPEC merge rule in the write statement itself, a document at a time.

`write_versions` runs, inside the caller's transaction, for all the stories of one document:

1. one pre-SELECT of the current keys of the document's stories (`provider IN (...) AND guid IN
   (...)`: two plain IN lists that the unique index answers; a row-value `(provider, guid) IN`
   makes SQLite 3.40 scan the table, notes/perf.md 3). A story whose current key is already
   equal or greater is decided there (unchanged or stale) and never rewritten: keys only grow,
   so that decision cannot be overtaken by another writer. In steady state this is every story;
2. for the others, one conditional upsert executed for all of them (an executemany that
   SQLAlchemy sends as multi-row VALUES): insert, or on (provider, guid) conflict overwrite the
   current version only `WHERE (incoming key) > (current key)`; `RETURNING` names each row
   written, `revision` tells new (1) from updated (>1). A story that returned no row lost a
   race to an equal or greater key and is read back. A document listing one story twice goes
   in rounds, one occurrence per statement (PostgreSQL refuses to upsert a row twice in one);
3. the history (`versions`, insert-or-ignore, unique on the version key) gets the rest: a version
   an update replaced is copied in by a row trigger on `stories` (migration 0004), in the
   statement that replaced it; a version that lost (stale) is inserted from parameters. The
   current version is in `stories` only: a new story is written once, not twice (its ~6 KB of
   text twice was 0.065 ms of a new item's 0.6, mostly the commit writing it).

The upsert, its trigger and the insert-or-ignore are the statements that enforce the rule, and the
database serializes them per row, so the greatest key ends current and the history complete whatever
order versions arrive in and however many processes race (PostgreSQL re-checks the WHERE
against the row as committed by the other writer). Batching matters because the per-statement
cost dominates: statements per story cost 0.96 ms per new story and 0.70 ms per re-delivered one
on SQLite; the batch 0.09 and 0.013 ms (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, tuple_, union_all
from sqlalchemy.dialects import postgresql, sqlite

from worker.merge import Change, decide_merge
from worker.model import Story, VersionKey
from worker.store.models import StoryRow, VersionRow

_FIELDS = (
    "version", "version_created", "content_hash", "first_created", "pubstatus", "embargoed",
    "urgency", "signals", "headline", "slugline", "byline", "dateline", "language", "body_html",
    "body_text", "subjects", "keywords", "credits", "link", "word_count",
)
_KEY_COLS = ("version_created", "version_seq", "content_hash")
STORIES = StoryRow.__table__
VERSIONS = VersionRow.__table__


@dataclass(frozen=True)
class WriteResult:
    change: Change
    story_id: int
    cluster_id: int | None


@dataclass(frozen=True)
class _Current:
    story_id: int
    cluster_id: int | None
    key: VersionKey


def version_values(story: Story) -> dict[str, Any]:
    """The column values of one version."""
    values: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(story, name)
        values[name] = list(value) if isinstance(value, tuple) else value
    values["version_seq"] = story.version or 0
    return values


def _dialect(conn: Connection) -> Any:
    return postgresql if conn.dialect.name == "postgresql" else sqlite


@lru_cache(maxsize=4)
def _statements(dialect_name: str) -> tuple[Any, Any, Any]:
    """(conditional upsert, version insert-or-ignore, current-keys select), built once."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    ins = dialect.insert(STORIES)
    excluded = ins.excluded
    update = {name: excluded[name] for name in (*_FIELDS, "version_seq")}
    update["updated_at"] = excluded.updated_at
    update["revision"] = STORIES.c.revision + 1
    upsert = ins.on_conflict_do_update(
        index_elements=["provider", "guid"],
        set_=update,
        where=tuple_(*(excluded[c] for c in _KEY_COLS)) > tuple_(*(STORIES.c[c] for c in _KEY_COLS)),
    ).returning(STORIES.c.provider, STORIES.c.guid, STORIES.c.id, STORIES.c.revision,
                STORIES.c.cluster_id)
    history = dialect.insert(VERSIONS).on_conflict_do_nothing(
        index_elements=["story_id", *_KEY_COLS]
    )
    current = select(
        STORIES.c.provider, STORIES.c.guid, STORIES.c.id, STORIES.c.cluster_id,
        *(STORIES.c[c] for c in _KEY_COLS),
    ).where(
        STORIES.c.provider.in_(bindparam("providers", expanding=True)),
        STORIES.c.guid.in_(bindparam("guids", expanding=True)),
    )
    return upsert, history, current


def current_keys(conn: Connection, identities: set[tuple[str, str]]) -> dict[tuple[str, str], _Current]:
    """The current version key of each (provider, guid) the store has."""
    if not identities:
        return {}
    stmt = _statements(conn.dialect.name)[2]
    rows = conn.execute(stmt, {"providers": sorted({p for p, _ in identities}),
                               "guids": sorted({g for _, g in identities})})
    found = {}
    for row in rows:
        identity = (row.provider, row.guid)
        if identity in identities:
            key = VersionKey(row.version_created, row.version_seq, row.content_hash)
            found[identity] = _Current(row.id, row.cluster_id, key)
    return found


def write_versions(conn: Connection, stories: list[Story], now: datetime) -> list[WriteResult]:
    """Apply the versions of one document to the store (SPEC "Which version wins").

    Returns one result per story, in order. The caller owns the transaction and passes the
    stories in identity order (so that concurrent writers lock rows in one order).
    """
    upsert, history, _ = _statements(conn.dialect.name)
    current = current_keys(conn, {(s.provider, s.guid) for s in stories})
    results: list[WriteResult | None] = [None] * len(stories)
    values = [version_values(s) for s in stories]
    pending = []
    for i, story in enumerate(stories):
        cur = current.get((story.provider, story.guid))
        decision = decide_merge(cur.key if cur else None, story.key)
        if cur is not None and not decision.becomes_current:
            results[i] = WriteResult(decision.change, cur.story_id, cur.cluster_id)
        else:
            pending.append(i)
    while pending:
        this_round, later, seen = [], [], set()
        for i in pending:
            identity = (stories[i].provider, stories[i].guid)
            (later if identity in seen else this_round).append(i)
            seen.add(identity)
        params = [{"provider": stories[i].provider, "guid": stories[i].guid, "received_at": now,
                   "updated_at": now, "revision": 1, **values[i]} for i in this_round]
        written = {(r.provider, r.guid): r for r in conn.execute(upsert, params)}
        for i in this_round:
            row = written.get((stories[i].provider, stories[i].guid))
            if row is not None:
                change = Change.NEW if row.revision == 1 else Change.UPDATED
                results[i] = WriteResult(change, row.id, row.cluster_id)
            else:
                results[i] = _read_back(conn, stories[i])
        pending = later
    done = [r for r in results if r is not None]
    assert len(done) == len(stories)
    rows = [{"story_id": r.story_id, "received_at": now, **values[i]}
            for i, r in enumerate(done) if r.change is Change.STALE]
    if rows:
        conn.execute(history, rows)
    return done


def _read_back(conn: Connection, story: Story) -> WriteResult:
    """The outcome of a story whose upsert wrote nothing: an equal or greater key is current."""
    cur = current_keys(conn, {(story.provider, story.guid)})[(story.provider, story.guid)]
    change = Change.UNCHANGED if cur.key == story.key else Change.STALE
    return WriteResult(change, cur.story_id, cur.cluster_id)


def write_version(conn: Connection, story: Story, now: datetime) -> WriteResult:
    """Apply one version to the store (SPEC "Which version wins"). Caller owns the transaction."""
    return write_versions(conn, [story], now)[0]


def known_version_time(
    conn: Connection, provider: str, guid: str, content_hash: str
) -> datetime | None:
    """When a story's version with these words was first received, if it ever was.

    SPEC: an item without any timestamp takes the time it was first received; a re-delivery of
    the same words must not become a new version.
    """
    history = (
        select(VersionRow.version_created)
        .join(StoryRow, StoryRow.id == VersionRow.story_id)
        .where(StoryRow.provider == provider, StoryRow.guid == guid,
               VersionRow.content_hash == content_hash)
    )
    current = select(StoryRow.version_created).where(
        StoryRow.provider == provider, StoryRow.guid == guid, StoryRow.content_hash == content_hash
    )
    seen = union_all(history, current).subquery()
    return conn.execute(select(func.min(seen.c.version_created))).scalar()
