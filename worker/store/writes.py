"""Writing versions: the SPEC merge rule in the write statement itself, a document at a time.

`write_versions` runs, inside the caller's transaction, for all the stories of one document:

1. one pre-SELECT of the current keys of the document's stories (`provider IN (...) AND guid IN
   (...)`: two plain IN lists that the unique index answers; a row-value `(provider, guid) IN`
   makes SQLite 3.40 scan the table, docs/design.md "Libraries and costs"). A story whose current key is already
   equal or greater is decided there (unchanged or stale) and never rewritten: keys only grow,
   so that decision cannot be overtaken by another writer. In steady state this is every story;
2. for the others, one conditional upsert for all of them (a multi-row VALUES): insert, or on
   (provider, guid) conflict overwrite the current version only `WHERE (incoming key) > (current
   key)`; `RETURNING` names each row written, `revision` tells new (1) from updated (>1). A
   story that returned no row lost a race to an equal or greater key and is read back. A
   document listing one story twice goes in rounds, one occurrence per statement (PostgreSQL
   refuses to upsert a row twice in one);
3. the history (`versions`, insert-or-ignore, unique on the version key) gets the rest: a version
   an update replaced is copied in by a row trigger on `stories` (migration 0004), in the
   statement that replaced it; a version that lost (stale) is inserted from parameters. The
   current version is in `stories` only: a new story is written once, not twice (its ~6 KB of
   text twice was 0.065 ms of a new item's 0.6, mostly the commit writing it).

The upsert runs on the driver's connection as one multi-row statement (`worker.store.raw`: the
same SQLAlchemy statement, compiled once per dialect; values converted by the columns' own
processors): SQLAlchemy's per-row parameter processing was 0.026 ms of a new story's 0.066 in
this statement on SQLite. On PostgreSQL it first reserves an id for each row from the table's
sequence, so that a new story is written with its id as its provisional cluster: clustering
then writes the row again only when the story joins another cluster, where setting the
cluster after the insert made every new story a second row version, with new entries in
every index of `stories`, its full-text index too (~0.25 ms of server CPU per new story,
docs/performance.md). An id reserved for a row that turns out to exist is not used, as a
default's would not be.

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
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, select, text, tuple_, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.dml import Insert

from worker.merge import Change, decide_merge
from worker.model import Story, VersionKey
from worker.store.models import VERSION_COLUMNS, StoryRow, VersionRow
from worker.store.raw import RawStatement, converters, multi_row
from worker.store.tombstones import tombstone_keys

STORIES = StoryRow.__table__
VERSIONS = VersionRow.__table__
#: SPEC "Which version wins": the columns of the version key, in key order
KEY_COLUMNS = ("version_created", "version_seq", "content_hash")
#: what the upsert writes: the identity, the bookkeeping, the version
UPSERT_COLUMNS = ("provider", "guid", "received_at", "updated_at", "revision", *VERSION_COLUMNS)
#: Story attributes of VERSION_COLUMNS (`version_seq` is the key's `version or 0`)
_version_of = attrgetter(*("version" if c == "version_seq" else c for c in VERSION_COLUMNS))
_SEQ = VERSION_COLUMNS.index("version_seq")
#: stories per SQLite statement: 26 values each, under SQLite's default limit of 32,766
_SQLITE_ROWS = 500
#: PostgreSQL: the upsert also writes the reserved id and the provisional cluster of a new story
_PG_COLUMNS = ("id", "cluster_id", *UPSERT_COLUMNS)
_RESERVE_IDS = RawStatement(text(
    "SELECT nextval(pg_get_serial_sequence('stories', 'id')) FROM generate_series(1, :n)"),
    ("n",))


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


def version_values(story: Story) -> list[Any]:
    """One version's VERSION_COLUMNS values, as Python values."""
    values = list(_version_of(story))
    values[_SEQ] = values[_SEQ] or 0
    return values


def upsert_statement(dialect: Any, rows: list[dict[str, Any]] | Select[Any] | None = None
                     ) -> Insert:
    """SPEC "Which version wins", the statement: insert the story, or on (provider, guid)
    overwrite its current version only `WHERE (incoming key) > (current key)`; RETURNING
    (provider, guid, id, revision, cluster_id) of each row written. `rows`: the rows' values
    (a multi-row VALUES), or a SELECT giving them."""
    ins = dialect.insert(STORIES)
    if isinstance(rows, list):
        ins = ins.values(rows)
    elif rows is not None:
        ins = ins.from_select(list(rows.selected_columns.keys()), rows)
    excluded = ins.excluded
    replaced = {name: excluded[name] for name in (*VERSION_COLUMNS, "updated_at")}
    return ins.on_conflict_do_update(
        index_elements=["provider", "guid"],
        set_={**replaced, "revision": STORIES.c.revision + 1},
        where=tuple_(*(excluded[c] for c in KEY_COLUMNS))
        > tuple_(*(STORIES.c[c] for c in KEY_COLUMNS)),
    ).returning(STORIES.c.provider, STORIES.c.guid, STORIES.c.id, STORIES.c.revision,
                STORIES.c.cluster_id)


@lru_cache(maxsize=4)
def _statements(dialect_name: str) -> tuple[Any, Any]:
    """(version insert-or-ignore, current-keys select), built once."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    history = dialect.insert(VERSIONS).on_conflict_do_nothing(
        index_elements=["story_id", *KEY_COLUMNS]
    )
    current = select(
        STORIES.c.provider, STORIES.c.guid, STORIES.c.id, STORIES.c.cluster_id,
        *(STORIES.c[c] for c in KEY_COLUMNS),
    ).where(
        STORIES.c.provider.in_(bindparam("providers", expanding=True)),
        STORIES.c.guid.in_(bindparam("guids", expanding=True)),
    )
    return history, current


@lru_cache(maxsize=16)
def _sqlite_upsert(rows: int) -> RawStatement:
    return multi_row(lambda values: upsert_statement(sqlite, values), UPSERT_COLUMNS, rows)


@lru_cache(maxsize=1)
def _pg_upsert() -> RawStatement:
    """PostgreSQL: the upsert of any number of rows, one array per column (`unnest`). A
    multi-row VALUES of 100 stories has 2,800 parameters, and psycopg parses such a statement
    again at every execution (it caches only short ones); this one it parses once, and the
    server prepares it once, whatever the number of rows."""
    arrays = func.unnest(*(bindparam(c, type_=ARRAY(STORIES.c[c].type)) for c in _PG_COLUMNS))
    table = arrays.table_valued(*_PG_COLUMNS).render_derived()
    return RawStatement(upsert_statement(postgresql, select(*table.c)), _PG_COLUMNS)


@lru_cache(maxsize=4)
def _converters(dialect: Any) -> tuple[tuple[int, Any], ...]:
    columns = _PG_COLUMNS if dialect.name == "postgresql" else UPSERT_COLUMNS
    return converters(STORIES, columns, dialect)


def current_keys(conn: Connection, identities: set[tuple[str, str]]) -> dict[tuple[str, str], _Current]:
    """The current version key of each (provider, guid) the store has."""
    if not identities:
        return {}
    stmt = _statements(conn.dialect.name)[1]
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
    history = _statements(conn.dialect.name)[0]
    identities = {(s.provider, s.guid) for s in stories}
    current = current_keys(conn, identities)
    # stories purged by retention: what they had is stale, never new (worker.store.tombstones)
    purged = tombstone_keys(conn, identities - current.keys()) if len(current) < len(
        identities) else {}
    results: list[WriteResult | None] = [None] * len(stories)
    pending = []
    for i, story in enumerate(stories):
        cur = current.get((story.provider, story.guid))
        buried = purged.get((story.provider, story.guid)) if cur is None else None
        decision = decide_merge(cur.key if cur else buried, story.key)
        if cur is not None and not decision.becomes_current:
            results[i] = WriteResult(decision.change, cur.story_id, cur.cluster_id)
        elif buried is not None and not decision.becomes_current:
            results[i] = WriteResult(decision.change, 0, None)  # 0: no story row to touch
        else:
            pending.append(i)
    while pending:
        this_round, later, seen = [], [], set()
        for i in pending:
            identity = (stories[i].provider, stories[i].guid)
            (later if identity in seen else this_round).append(i)
            seen.add(identity)
        # (provider, guid, id, revision, cluster_id) of each row written
        written = {(r[0], r[1]): r for r in _upsert(conn, [stories[i] for i in this_round], now)}
        for i in this_round:
            row = written.get((stories[i].provider, stories[i].guid))
            if row is not None:
                change = Change.NEW if row[3] == 1 else Change.UPDATED
                results[i] = WriteResult(change, row[2], row[4])
            else:
                results[i] = _read_back(conn, stories[i])
        pending = later
    done = [r for r in results if r is not None]
    assert len(done) == len(stories)
    rows = [{"story_id": r.story_id, "received_at": now,
             **dict(zip(VERSION_COLUMNS, version_values(stories[i])))}
            for i, r in enumerate(done) if r.change is Change.STALE and r.story_id]
    if rows:
        conn.execute(history, rows)
    return done


def _upsert(conn: Connection, stories: list[Story], now: datetime) -> list[Any]:
    """The conditional upsert of these stories (one per identity); the rows it wrote."""
    rows = [[s.provider, s.guid, now, now, 1, *version_values(s)] for s in stories]
    if conn.dialect.name == "postgresql":
        ids = _RESERVE_IDS.execute(conn, (len(rows),)).fetchall()
        rows = [[story_id, story_id, *row] for (story_id,), row in zip(ids, rows, strict=True)]
    convert = _converters(conn.dialect)
    for values in rows:
        for position, processor in convert:
            values[position] = processor(values[position])
    if conn.dialect.name == "postgresql":
        return _pg_upsert().execute(conn, [list(column) for column in zip(*rows)]).fetchall()
    written: list[Any] = []
    for start in range(0, len(rows), _SQLITE_ROWS):
        chunk = rows[start:start + _SQLITE_ROWS]
        written += _sqlite_upsert(len(chunk)).execute(
            conn, [value for values in chunk for value in values]).fetchall()
    return written


def _read_back(conn: Connection, story: Story) -> WriteResult:
    """The outcome of a story whose upsert wrote nothing: an equal or greater key is current."""
    cur = current_keys(conn, {(story.provider, story.guid)})[(story.provider, story.guid)]
    change = Change.UNCHANGED if cur.key == story.key else Change.STALE
    return WriteResult(change, cur.story_id, cur.cluster_id)


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
