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
below). The hot statements go to psycopg directly, prepared: SQLAlchemy's text() execution cost
about 0.1 ms of client CPU per statement (measured), as much as the statement's own.

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

Why not advisory locks on the keys: measured, 33 transaction-level locks per story (the earlier 32-band design) exhaust
PostgreSQL's shared lock table (max_locks_per_transaction 64 x connections) as soon as two
workers write 100-story documents in one transaction each ("out of shared memory"). A waiting
insert holds no extra lock-table entry.

Two transactions claiming overlapping keys in crossing orders (several copies in each of two
documents) can deadlock; PostgreSQL aborts one (SQLSTATE 40P01) and the pipeline retries it.
A key claimed by a story now outside the window is not taken over; `prune` frees it.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import xxhash
from sqlalchemy import Connection, bindparam, delete, func, select, text

from worker.store.models import DedupeBandRow, DedupeRecentRow

_BANDS = DedupeBandRow.__table__
_RECENT = DedupeRecentRow.__table__
#: the band number of the content_hash key
CONTENT_BAND = -1
#: verify at most this many candidates, the ones sharing most keys first (the most similar
#: story shares the most band keys but for LSH noise; a story rarely has more than two)
MAX_CANDIDATES = 4
_SAME_WORDS_SQL = (
    "SELECT cluster_id FROM stories WHERE content_hash = :content_hash AND id <> :story_id "
    "AND cluster_id IS NOT NULL ORDER BY id LIMIT 1"
)
_SAME_WORDS = text(_SAME_WORDS_SQL)
_SET_CLUSTER = text("UPDATE stories SET cluster_id = :to_cluster WHERE id = :story_id")
_CANDIDATES_SQL = (
    "SELECT s.id, s.cluster_id, s.content_hash, s.body_text, s.headline FROM stories s JOIN ("
    " SELECT story_id, count(*) AS shared FROM {held}"
    " WHERE at >= :lo AND at <= :hi AND story_id <> :story_id GROUP BY story_id) AS c"
    " ON c.story_id = s.id WHERE s.cluster_id IS NOT NULL"
    " ORDER BY c.shared DESC, s.id LIMIT {limit}"
)
_KEYS_SQL = "SELECT * FROM unnest(CAST(:bands AS integer[]), CAST(:hashes AS bigint[])) AS k(b, h)"
_HELD_SQL = "SELECT d.story_id, d.at FROM dedupe_bands d JOIN keys ON d.band = keys.b AND d.hash = keys.h"
#: PostgreSQL, one round trip: claim the keys; read, in the statement's snapshot (taken before
#: any wait), the same words, how many of the keys other stories hold and the candidates; give
#: the story a cluster (the same words' or its own: the provisional answer that stands unless a
#: candidate verifies)
_ASSIGN_PG_SQL = (
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
)
_INDEX_PG_SQL = (
    f"WITH keys AS ({_KEYS_SQL}) INSERT INTO dedupe_bands (band, hash, story_id, at) "
    "SELECT b, h, :story_id, :at FROM keys ON CONFLICT (band, hash) DO NOTHING"
)
_CANDIDATES_PG_SQL = (
    f"WITH keys AS ({_KEYS_SQL}), held AS ({_HELD_SQL}) "
    + _CANDIDATES_SQL.format(held="held", limit=MAX_CANDIDATES)
)


def _driver_sql(sql: str) -> str:
    """:name -> %(name)s: the hot statements go to psycopg directly (see `_pg`)."""
    return re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql)


_ASSIGN_PG = _driver_sql(_ASSIGN_PG_SQL)
_INDEX_PG = _driver_sql(_INDEX_PG_SQL)
_CANDIDATES_PG = _driver_sql(_CANDIDATES_PG_SQL)
_SET_CLUSTER_PG = _driver_sql(str(_SET_CLUSTER))


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
    unless a candidate verifies. On PostgreSQL that is one round trip, which also returns the candidates
    within `window` when its snapshot saw every holder of the keys it could not claim; when
    it did not (it waited for another transaction holding a key), `candidates` is None and
    the lookup must be a new statement, which sees what the awaited transaction wrote.
    """
    params = {"story_id": story_id, "at": epoch(at), "content_hash": content_hash}
    if conn.dialect.name == "postgresql":
        bands, hashes = [b for b, _ in keys], [h for _, h in keys]
        if not settle:
            _pg(conn, _INDEX_PG, {"story_id": story_id, "at": params["at"], "bands": bands,
                                  "hashes": hashes})
            return Claim(-1, None, None)
        lo, hi = _bounds(at, window)
        rows = _pg(conn, _ASSIGN_PG, {**params, "bands": bands, "hashes": hashes,
                                      "lo": lo, "hi": hi}).fetchall()
        n_claimed, same_words, held, own = rows[0][:4]
        settled = own if n_claimed == len(keys) or same_words is not None else None
        found = None
        if held == len(keys) - n_claimed:  # every holder was in the snapshot
            found = [tuple(r[4:]) for r in rows if r[4] is not None]
        return Claim(n_claimed, same_words, settled, found, provisional=own == story_id)  # type: ignore[arg-type]
    raw, stamp = _sqlite(conn), params["at"]
    # on SQLite a key goes into the small `dedupe_recent` unless the main table holds it (one
    # writer at a time: nothing changes between this probe and the insert)
    held = set(raw.execute(_held_main_sqlite(len(keys)), [v for key in keys for v in key]))
    fresh = [k for k in keys if k not in held] if held else keys
    claimed = 0
    if fresh:
        claimed = raw.execute(
            _claim_sqlite(len(fresh)), [v for band, key in fresh for v in (band, key, story_id, stamp)]
        ).rowcount
    same_words = _scalar(raw.execute(_SAME_WORDS_SQLITE, (content_hash, story_id)).fetchone())
    settled = None
    if settle and (claimed == len(keys) or same_words is not None):
        settled = same_words if same_words is not None else story_id
        raw.execute(_SET_CLUSTER_SQLITE, (settled, story_id))
    return Claim(claimed, same_words, settled)


def _pg(conn: Connection, sql: str, params: dict):  # type: ignore[no-untyped-def]
    """Run a hot statement on the connection's psycopg connection, prepared, in its transaction.

    Measured (bench/dedupe_bench.py): SQLAlchemy's execution of a text() statement (parameter
    processing, result set-up) cost about 0.1 ms of client CPU per statement, as much as the
    statement's own client work; psycopg prepares it once per connection.
    """
    if not conn.in_transaction():
        conn.begin()
    return conn.connection.driver_connection.execute(sql, params, prepare=True)  # type: ignore[union-attr]


def _sqlite(conn: Connection):  # type: ignore[no-untyped-def]
    """The connection's sqlite3 connection, in the same transaction.

    Measured (bench): building and compiling these statements through SQLAlchemy cost ~1 ms per
    story on SQLite (a multi-row INSERT and a 17-way OR compiled anew each time); sqlite3 caches
    the prepared statements of fixed SQL strings.
    """
    return conn.connection.driver_connection


def epoch(value: datetime) -> int:
    """A time as the index keeps it (`dedupe_bands.at`): whole Unix seconds."""
    return math.floor(value.timestamp())


def _scalar(row):  # type: ignore[no-untyped-def]
    return None if row is None else row[0]



@functools.lru_cache(maxsize=32)
def _claim_sqlite(n_keys: int) -> str:
    """Claim n keys in one multi-row statement (its row count: the keys inserted): 10-15 % less
    than an executemany of one row each (measured, 17 keys at 10,000 stories)."""
    return ("INSERT OR IGNORE INTO dedupe_recent (band, hash, story_id, at) VALUES "
            + ", ".join(["(?, ?, ?, ?)"] * n_keys))


def _probes(n_keys: int) -> str:
    """n point probes of the (band, hash) primary key: an OR of equalities, not a row-value
    IN, which SQLite 3.40 answers with a table scan (notes/perf.md section 3)."""
    return " OR ".join(["(band = ? AND hash = ?)"] * n_keys)


@functools.lru_cache(maxsize=32)
def _held_main_sqlite(n_keys: int) -> str:
    return f"SELECT band, hash FROM dedupe_bands WHERE {_probes(n_keys)}"


#: SQLite: `dedupe_recent` is folded into `dedupe_bands` once it holds more rows than this
RECENT_MAX = 20_000


def fold_recent(conn: Connection, limit: int | None = None) -> int:
    """SQLite: move the recent claims into the main table when there are more than `limit`
    (default RECENT_MAX); the rows moved. Call at the end of a document's transaction.

    Why two tables. Every commit writes each B-tree page its inserts touched, whole, to the
    WAL; 17 random keys per story touch a different page of the main index each, so a commit
    of 100 stories rewrote up to 1,700 pages of it (at 10,000 stories, nearly all of them). New
    claims go to the small `dedupe_recent` instead, whose few pages a commit rewrites cheaply,
    and are moved over in key order every RECENT_MAX rows, touching each main page once per
    fold instead of once per commit. Measured per new story: at 10,000 stories the commit went
    from 0.051-0.054 to 0.030-0.032 ms and the claim from 0.069-0.083 to 0.054-0.057, and the
    fold costs 0.015 (its 20,000 sorted inserts; `dedupe_recent` is WITHOUT ROWID, so they are
    read in key order from one B-tree: 0.021 with a rowid table), so the net gain there is
    0.120-0.137 -> ~0.10 ms; with 100,000 stories indexed, where a commit rewrote 1,700 pages,
    a whole new item went from 0.66-0.77 to 0.55-0.60 ms. A lookup probes both tables.
    PostgreSQL logs row changes, not pages, and uses `dedupe_bands` alone.
    """
    if conn.dialect.name == "postgresql":
        return 0
    raw = _sqlite(conn)
    held = _scalar(raw.execute("SELECT count(*) FROM dedupe_recent").fetchone()) or 0
    if held <= (RECENT_MAX if limit is None else limit):
        return 0
    raw.execute("INSERT OR IGNORE INTO dedupe_bands (band, hash, story_id, at) "
                "SELECT band, hash, story_id, at FROM dedupe_recent ORDER BY band, hash")
    return raw.execute("DELETE FROM dedupe_recent").rowcount

_SAME_WORDS_SQLITE = (
    "SELECT cluster_id FROM stories WHERE content_hash = ? AND id <> ? "
    "AND cluster_id IS NOT NULL ORDER BY id LIMIT 1"
)
_SET_CLUSTER_SQLITE = "UPDATE stories SET cluster_id = ? WHERE id = ?"


@functools.lru_cache(maxsize=8)
def _candidates_sqlite(n_keys: int) -> str:
    """The candidates lookup for n keys: point probes of both tables' primary keys."""
    probes = _probes(n_keys)
    held = (f"(SELECT story_id, at FROM dedupe_bands WHERE {probes} UNION ALL "
            f"SELECT story_id, at FROM dedupe_recent WHERE {probes})")
    return _CANDIDATES_SQL.format(held=held, limit=MAX_CANDIDATES).replace(
        ":lo", "?").replace(":hi", "?").replace(":story_id", "?")


def _bounds(at: datetime, window: timedelta | None) -> tuple[int, int]:
    span = window if window is not None else timedelta(days=36500)
    return epoch(at - span), epoch(at + span)


def set_cluster(conn: Connection, story_id: int, cluster_id: int) -> None:
    params = {"story_id": story_id, "to_cluster": cluster_id}
    if conn.dialect.name == "postgresql":
        _pg(conn, _SET_CLUSTER_PG, params)
    else:
        _sqlite(conn).execute(_SET_CLUSTER_SQLITE, (cluster_id, story_id))


def candidates(
    conn: Connection, keys: list[tuple[int, int]], at: datetime, window: timedelta, exclude: int
) -> list[tuple[int, int, str, str, str]]:
    """(story_id, cluster_id, content_hash, body_text, headline) of the stories holding keys.

    Only other stories indexed within `window` of `at`; their current versions, the ones
    sharing most keys first, at most MAX_CANDIDATES.
    """
    lo, hi = _bounds(at, window)
    if conn.dialect.name == "postgresql":
        rows = _pg(conn, _CANDIDATES_PG, {"lo": lo, "hi": hi, "story_id": exclude,
                                          "bands": [b for b, _ in keys],
                                          "hashes": [h for _, h in keys]}).fetchall()
        return [tuple(r) for r in rows]  # type: ignore[misc]
    flat = [v for key in keys for v in key]
    rows = _sqlite(conn).execute(
        _candidates_sqlite(len(keys)), (*flat, *flat, lo, hi, exclude)
    ).fetchall()
    return [tuple(r) for r in rows]  # type: ignore[misc]


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


def _tables(conn: Connection) -> tuple:  # type: ignore[type-arg]
    """The tables holding keys: PostgreSQL `dedupe_bands`; SQLite also `dedupe_recent`."""
    return (_BANDS,) if conn.dialect.name == "postgresql" else (_BANDS, _RECENT)
