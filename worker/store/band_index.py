"""The shared LSH band index in the store (`dedupe_bands`): claims, lookups, pruning.

On SQLite new keys go to the small `dedupe_recent` first and are folded into `dedupe_bands`
every RECENT_MAX rows (`fold_recent` says why); a key is in one of the two, and claims,
lookups and pruning read both. What follows holds for the pair as for one table.

One table for every worker, never an in-process index. A row is one band key (band, hash) with
the story that claimed it first and `at`, that story's version_created, which bounds every
lookup to a time window. A story's BANDS band keys, plus its content_hash as band -1, are
claimed with one `INSERT ... ON CONFLICT (band, hash) DO NOTHING`; the keys already claimed by
other stories within the window are its candidates. Key probes go through the primary key, so
their cost grows with the depth of a B-tree (log n), not with the number of stories:
bench/dedupe_bench.py measures it up to a million stories.

One round trip on PostgreSQL (`claim` with settle): one prepared statement claims the keys,
reads the same words, counts the key rows other stories hold, fetches the candidates, and sets
the story's cluster to the same words' or, provisionally, its own id. A second statement runs
only when a candidate verifies (the UPDATE to its cluster) or when the snapshot was stale (see
below). The hot statements run on the driver connection, prepared (`worker.store.raw`).

Races (SPEC "Clusters": copies of one report arriving at two workers at once end in one
cluster). Two stories that could match share at least one key (that is what makes them
candidates; identical texts share all of them). The claim is the lock: when worker A has
inserted key k and not committed yet, worker B's insert of k waits (a unique-index insert waits
for the in-progress transaction that holds the same key) until A commits, then does nothing.
B's statement reads with the snapshot it took before that wait, so it does not see A's rows;
B notices, because the keys it failed to claim outnumber the key rows its snapshot sees held
(every unclaimed key is held by exactly one row, and that count is exact whenever all holders
were visible). Then B looks the candidates up again in a new statement, which in READ COMMITTED
sees A's committed rows, so B joins A's cluster. A does not see B (B had claimed nothing when A
looked), so A starts the cluster. Stories without a shared key never wait for each other.
tests/test_dedupe_concurrency.py fails when the recount is skipped (measured). The same holds
on SQLite, which has one writer at a time and runs the lookup as its own statement.

Why not advisory locks on the keys: measured, 33 transaction-level locks per story exhaust
PostgreSQL's shared lock table (max_locks_per_transaction 64 x connections) as soon as two
workers write 100-story documents in one transaction each ("out of shared memory"). A waiting
insert holds no extra lock-table entry.

Two transactions claiming overlapping keys in crossing orders (several copies in each of two
documents) can deadlock; PostgreSQL aborts one (SQLSTATE 40P01) and the pipeline retries it.
A key claimed by a story now outside the window is not taken over; `prune` frees it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import xxhash
from sqlalchemy import Connection, and_, bindparam, delete, func, or_, select, text, update
from sqlalchemy.dialects import sqlite

from worker.store.models import DedupeBandRow, DedupeRecentRow, StoryRow
from worker.store.raw import RawStatement, multi_row

_BANDS = DedupeBandRow.__table__
_RECENT = DedupeRecentRow.__table__
_STORIES = StoryRow.__table__
#: the band number of the content_hash key
CONTENT_BAND = -1
#: verify at most this many candidates, the ones sharing most keys first (the most similar
#: story shares the most band keys but for LSH noise; a story rarely has more than two). It
#: also bounds the work per story when every story shares keys with every other (a feed of
#: repetitive text): at most this many exact comparisons, whatever the index holds.
MAX_CANDIDATES = 4
#: SQLite: `dedupe_recent` is folded into `dedupe_bands` once it holds more rows than this
RECENT_MAX = 20_000

_SAME_WORDS_SQL = (
    "SELECT cluster_id FROM stories WHERE content_hash = :content_hash AND id <> :story_id "
    "AND cluster_id IS NOT NULL ORDER BY id LIMIT 1"
)
_CANDIDATES_SQL = (
    "SELECT s.id, s.cluster_id, s.content_hash, s.body_text, s.headline FROM stories s JOIN ("
    " SELECT story_id, count(*) AS shared FROM {held}"
    " WHERE at >= :lo AND at <= :hi AND story_id <> :story_id GROUP BY story_id) AS c"
    " ON c.story_id = s.id WHERE s.cluster_id IS NOT NULL"
    " ORDER BY c.shared DESC, s.id LIMIT {limit}"
)
_KEYS_SQL = "SELECT * FROM unnest(CAST(:bands AS integer[]), CAST(:hashes AS bigint[])) AS k(b, h)"
#: one primary-key probe per key, whatever the planner thinks of the table's size: a plain join
#: was planned as a hash join over a sequential scan of the whole index while the table's
#: statistics were those of an empty one (a new store, until autovacuum analyzed it), and the
#: prepared statement kept that plan
_HELD_SQL = ("SELECT d.story_id, d.at FROM keys CROSS JOIN LATERAL (SELECT story_id, at FROM"
             " dedupe_bands WHERE band = keys.b AND hash = keys.h LIMIT 1) AS d")
#: PostgreSQL, one round trip: claim the keys; read, in the statement's snapshot (taken before
#: any wait), the same words, how many of the keys other stories hold and the candidates; give
#: the story a cluster (the same words' or its own: the provisional answer that stands unless a
#: candidate verifies)
_ASSIGN_PG = RawStatement(text(
    f"WITH keys AS ({_KEYS_SQL}), "
    "claimed AS (INSERT INTO dedupe_bands (band, hash, story_id, at) "
    "SELECT b, h, :story_id, :at FROM keys ON CONFLICT (band, hash) DO NOTHING RETURNING 1), "
    f"same AS ({_SAME_WORDS_SQL}), held AS ({_HELD_SQL}), "
    "settle AS (UPDATE stories SET cluster_id = COALESCE((SELECT cluster_id FROM same), :story_id)"
    " WHERE id = :story_id RETURNING cluster_id), "
    f"cand AS ({_CANDIDATES_SQL.format(held='held', limit=MAX_CANDIDATES)}) "
    "SELECT h.*, cand.* FROM (SELECT (SELECT count(*) FROM claimed) AS claimed,"
    " (SELECT cluster_id FROM same) AS same_words, (SELECT count(*) FROM held) AS held,"
    " (SELECT cluster_id FROM settle) AS settled) AS h"
    " LEFT JOIN cand ON h.same_words IS NULL"
), ("story_id", "at", "content_hash", "bands", "hashes", "lo", "hi"))
_INDEX_PG = RawStatement(text(
    f"WITH keys AS ({_KEYS_SQL}) INSERT INTO dedupe_bands (band, hash, story_id, at) "
    "SELECT b, h, :story_id, :at FROM keys ON CONFLICT (band, hash) DO NOTHING"
), ("story_id", "at", "bands", "hashes"))
_CANDIDATES_PG = RawStatement(text(
    f"WITH keys AS ({_KEYS_SQL}), held AS ({_HELD_SQL}) "
    + _CANDIDATES_SQL.format(held="held", limit=MAX_CANDIDATES)
), ("bands", "hashes", "lo", "hi", "story_id"))
_SAME_WORDS = RawStatement(text(_SAME_WORDS_SQL), ("content_hash", "story_id"))
_SET_CLUSTER = RawStatement(
    update(_STORIES).where(_STORIES.c.id == bindparam("story_id"))
    .values(cluster_id=bindparam("to_cluster")), ("to_cluster", "story_id"))
_RECENT_COUNT = RawStatement(select(func.count()).select_from(_RECENT), ())
_FOLD = RawStatement(text(
    "INSERT OR IGNORE INTO dedupe_bands (band, hash, story_id, at) "
    "SELECT band, hash, story_id, at FROM dedupe_recent ORDER BY band, hash"), ())
_EMPTY_RECENT = RawStatement(delete(_RECENT), ())


@dataclass(frozen=True)
class Claim:
    claimed: int  # keys this story now holds
    same_words: int | None  # cluster of the oldest other story with its content_hash, if any
    settled: int | None  # the cluster set when nothing was left to decide (settle=True)
    #: on PostgreSQL, the candidates when the claim's own snapshot already saw every key
    #: holder (no wait for another transaction); None: look them up with `candidates`
    candidates: list[tuple[int, int, str, str, str]] | None = None
    #: the story's row already holds its own id as cluster (PostgreSQL, settle=True)
    provisional: bool = False


def content_key(content_hash: str) -> int:
    """The content_hash as a signed 64-bit key of band CONTENT_BAND."""
    return xxhash.xxh3_64_intdigest(content_hash.encode("ascii")) - (1 << 63)


def story_keys(band_keys: tuple[int, ...], content_hash: str) -> list[tuple[int, int]]:
    """(band, hash) of every key a story claims, in key order (one order for every writer):
    the content key's band -1, then bands 0, 1, ... (distinct bands: no sort needed)."""
    return [(CONTENT_BAND, content_key(content_hash)), *enumerate(band_keys)]


def claim(
    conn: Connection, story_id: int, keys: list[tuple[int, int]], at: datetime, content_hash: str,
    settle: bool = False, window: timedelta | None = None,
) -> Claim:
    """Claim the keys not claimed yet; waits while another transaction holds one of them.

    `same_words` is read as of before any wait. Fewer keys claimed than given means other
    stories hold some: their stories are the candidates. With `settle` (a new story), the story
    gets its cluster here when that is final (`settled`: every key claimed, or the same words
    stored); on PostgreSQL it gets its own id otherwise too (`provisional`), which stands
    unless a candidate verifies. On PostgreSQL that is one round trip, which also returns the
    candidates within `window` when its snapshot saw every holder of the keys it could not
    claim; when it did not (it waited for another transaction holding a key), `candidates` is
    None and the lookup must be a new statement, which sees what the awaited transaction wrote.
    """
    stamp = epoch(at)
    if conn.dialect.name == "postgresql":
        bands, hashes = [b for b, _ in keys], [h for _, h in keys]
        if not settle:
            _INDEX_PG.execute(conn, (story_id, stamp, bands, hashes))
            return Claim(-1, None, None)
        lo, hi = bounds(at, window)
        rows = _ASSIGN_PG.execute(conn, (story_id, stamp, content_hash, bands, hashes, lo, hi)
                                  ).fetchall()
        n_claimed, same_words, held, own = rows[0][:4]
        settled = own if n_claimed == len(keys) or same_words is not None else None
        found = None
        if held == len(keys) - n_claimed:  # every holder was in the snapshot
            found = [tuple(r[4:]) for r in rows if r[4] is not None]
        return Claim(n_claimed, same_words, settled, found,  # type: ignore[arg-type]
                     provisional=own == story_id)
    # on SQLite a key goes into the small `dedupe_recent` unless the main table holds it (one
    # writer at a time: nothing changes between this probe and the insert)
    held = set(_held_main(len(keys)).execute(conn, [v for key in keys for v in key]))
    fresh = [k for k in keys if k not in held] if held else keys
    claimed = 0
    if fresh:
        claimed = _claim_recent(len(fresh)).execute(
            conn, [v for band, key in fresh for v in (band, key, story_id, stamp)]).rowcount
    same_words = _scalar(_SAME_WORDS.execute(conn, (content_hash, story_id)).fetchone())
    settled = None
    if settle and (claimed == len(keys) or same_words is not None):
        settled = same_words if same_words is not None else story_id
        set_cluster(conn, story_id, settled)
    return Claim(claimed, same_words, settled)


def candidates(
    conn: Connection, keys: list[tuple[int, int]], at: datetime, window: timedelta, exclude: int
) -> list[tuple[int, int, str, str, str]]:
    """(story_id, cluster_id, content_hash, body_text, headline) of the stories holding keys.

    Only other stories indexed within `window` of `at`; their current versions, the ones
    sharing most keys first, at most MAX_CANDIDATES.
    """
    lo, hi = bounds(at, window)
    if conn.dialect.name == "postgresql":
        rows = _CANDIDATES_PG.execute(
            conn, ([b for b, _ in keys], [h for _, h in keys], lo, hi, exclude)).fetchall()
    else:
        flat = [v for key in keys for v in key]
        rows = _candidates_sqlite(len(keys)).execute(conn, (*flat, lo, hi, exclude)).fetchall()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def set_cluster(conn: Connection, story_id: int, cluster_id: int) -> None:
    _SET_CLUSTER.execute(conn, (cluster_id, story_id))


def fold_recent(conn: Connection, limit: int | None = None) -> int:
    """SQLite: move the recent claims into the main table when there are more than `limit`
    (default RECENT_MAX); the rows moved. Call at the end of a document's transaction.

    Why two tables. Every commit writes each B-tree page its inserts touched, whole, to the
    WAL; 17 random keys per story touch a different page of the main index each, so a commit
    of 100 stories rewrote up to 1,700 pages of it. New claims go to the small `dedupe_recent`
    instead, whose few pages a commit rewrites cheaply, and are moved over in key order every
    RECENT_MAX rows, touching each main page once per fold instead of once per commit. With
    100,000 stories indexed a new item went from 0.66-0.77 to 0.55-0.60 ms (docs/dedupe.md).
    PostgreSQL logs row changes, not pages, and uses `dedupe_bands` alone.
    """
    if conn.dialect.name == "postgresql":
        return 0
    held = _scalar(_RECENT_COUNT.execute(conn, ()).fetchone()) or 0
    if held <= (RECENT_MAX if limit is None else limit):
        return 0
    _FOLD.execute(conn, ())
    return int(_EMPTY_RECENT.execute(conn, ()).rowcount)


def remove_stories(conn: Connection, story_ids: list[int], since: datetime) -> int:
    """Free the keys of these stories indexed at `since` or later (to re-cluster them).

    `since` lets the time index narrow the scan. Keys of an earlier version indexed before
    `since` stay: they can only bring a candidate, and candidates are verified on current text.
    """
    if not story_ids:
        return 0
    removed = 0
    for table in _tables(conn):
        removed += conn.execute(
            delete(table).where(
                table.c.at >= epoch(since), table.c.story_id.in_(bindparam("ids", expanding=True))
            ),
            {"ids": story_ids},
        ).rowcount or 0
    return removed


def prune(conn: Connection, before: datetime) -> int:
    """Free the keys of stories older than `before`: keeps the index to the time window."""
    return sum(conn.execute(delete(t).where(t.c.at < epoch(before))).rowcount or 0
               for t in _tables(conn))


def indexed_count(conn: Connection) -> int:
    """Stories in the index (their content key rows)."""
    return sum(conn.execute(
        select(func.count()).select_from(t).where(t.c.band == CONTENT_BAND)
    ).scalar_one() for t in _tables(conn))


def epoch(value: datetime) -> int:
    """A time as the index keeps it (`dedupe_bands.at`): whole Unix seconds."""
    return math.floor(value.timestamp())


def bounds(at: datetime, window: timedelta | None) -> tuple[int, int]:
    """The `at` range of a lookup `window` around a story's time (index seconds)."""
    span = window if window is not None else timedelta(days=36500)
    return epoch(at - span), epoch(at + span)


def _tables(conn: Connection) -> tuple:  # type: ignore[type-arg]
    """The tables holding keys: PostgreSQL `dedupe_bands`; SQLite also `dedupe_recent`."""
    return (_BANDS,) if conn.dialect.name == "postgresql" else (_BANDS, _RECENT)


def _scalar(row):  # type: ignore[no-untyped-def]
    return None if row is None else row[0]


def _probes(table, n_keys: int):  # type: ignore[no-untyped-def]
    """n point probes of the (band, hash) primary key: an OR of equalities, not a row-value
    IN, which SQLite 3.40 answers with a table scan (docs/design.md "Libraries and costs")."""
    return or_(*(and_(table.c.band == bindparam(f"b{i}"), table.c.hash == bindparam(f"h{i}"))
                 for i in range(n_keys)))


def _key_params(n_keys: int) -> list[str]:
    return [name for i in range(n_keys) for name in (f"b{i}", f"h{i}")]


@lru_cache(maxsize=32)
def _held_main(n_keys: int) -> RawStatement:
    """SQLite: which of n keys the main table holds."""
    return RawStatement(select(_BANDS.c.band, _BANDS.c.hash).where(_probes(_BANDS, n_keys)),
                        _key_params(n_keys))


@lru_cache(maxsize=32)
def _claim_recent(n_keys: int) -> RawStatement:
    """SQLite: claim n keys in one multi-row statement (its row count: the keys inserted):
    10-15 % less than an executemany of one row each (measured, 17 keys at 10,000 stories)."""
    return multi_row(lambda values: sqlite.insert(_RECENT).values(values).prefix_with("OR IGNORE"),
                     ("band", "hash", "story_id", "at"), n_keys)


@lru_cache(maxsize=32)
def _candidates_sqlite(n_keys: int) -> RawStatement:
    """SQLite: the candidates lookup for n keys, point probes of both tables' primary keys."""
    held = " UNION ALL ".join(
        f"SELECT story_id, at FROM {table.name} WHERE "
        + " OR ".join(f"(band = :b{i} AND hash = :h{i})" for i in range(n_keys))
        for table in (_BANDS, _RECENT))
    sql = _CANDIDATES_SQL.format(held=f"({held})", limit=MAX_CANDIDATES)
    return RawStatement(text(sql), (*_key_params(n_keys), "lo", "hi", "story_id"))
