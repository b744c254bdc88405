"""PostgreSQL: the band keys of a whole document claimed, and its new stories looked up, at once.

`band_index.claim` does it one story per statement; a document of 100 new stories made 100
round trips, each a statement the server planned, ran and answered on its own (~0.25 ms of
worker and server CPU per story, docs/performance.md). Here one statement claims the keys of
every version the document made current, in the order the stories come (one order for every
writer, as before), and returns for each new story what `band_index.claim` returns: how many
keys it claimed, how many of the others its snapshot sees held, the oldest other story with
its words, and its candidates within the window.

The rules are `band_index`'s, per story, with one addition: the document's own new stories
are in the index and in `stories` already (each with its own id as provisional cluster, see
`worker.store.writes`), so the lookups of this statement leave them out (`<> ALL(:new_ids)`),
as the per-story statements left out stories not yet assigned. A story whose keys another
story of the same document claimed first sees fewer holders than keys it missed, exactly like
a story that waited for another transaction: its candidates are read again by `candidates`, a
new statement, which sees the document's earlier stories; the caller maps their provisional
clusters to the ones it decided (`worker.store.clusters.cluster_document`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from worker.store.band_index import MAX_CANDIDATES
from worker.store.raw import RawStatement

#: one primary-key probe per key (see band_index._HELD_SQL), for every story of `news`
_HELD = ("SELECT keys.s, d.story_id, d.at FROM keys JOIN news ON news.s = keys.s"
         " CROSS JOIN LATERAL (SELECT story_id, at FROM dedupe_bands"
         " WHERE band = keys.b AND hash = keys.h LIMIT 1) AS d")
#: each story's candidates: the stories holding its keys within its window, most keys first
_CANDIDATES = (
    "SELECT news.s, c.* FROM news CROSS JOIN LATERAL ("
    " SELECT x.id, x.cluster_id, x.content_hash, x.body_text, x.headline FROM ("
    "  SELECT story_id, count(*) AS shared FROM held WHERE held.s = news.s"
    "  AND held.at >= news.lo AND held.at <= news.hi AND held.story_id <> news.s"
    "  GROUP BY story_id) AS h JOIN stories x ON x.id = h.story_id"
    f" WHERE x.cluster_id IS NOT NULL ORDER BY h.shared DESC, x.id LIMIT {MAX_CANDIDATES}) AS c"
)
_NEWS = ("SELECT * FROM unnest(CAST(:new_ids AS bigint[]), CAST(:new_hashes AS text[]),"
         " CAST(:los AS bigint[]), CAST(:his AS bigint[])) AS q(s, content_hash, lo, hi)")
_CLAIM = RawStatement(text(
    "WITH keys AS (SELECT * FROM unnest(CAST(:story_ids AS bigint[]), CAST(:bands AS integer[]),"
    " CAST(:hashes AS bigint[]), CAST(:ats AS bigint[])) WITH ORDINALITY AS k(s, b, h, at, n)), "
    "claimed AS (INSERT INTO dedupe_bands (band, hash, story_id, at)"
    " SELECT b, h, s, at FROM keys ORDER BY n ON CONFLICT (band, hash) DO NOTHING"
    " RETURNING story_id), "
    f"news AS ({_NEWS}), held AS ({_HELD}), "
    "claimed_by AS (SELECT story_id AS s, count(*) AS n FROM claimed GROUP BY story_id), "
    "held_by AS (SELECT s, count(*) AS n FROM held GROUP BY s), "
    "same AS (SELECT news.s, (SELECT cluster_id FROM stories"
    " WHERE content_hash = news.content_hash AND id <> ALL(CAST(:new_ids AS bigint[]))"
    " AND cluster_id IS NOT NULL ORDER BY id LIMIT 1) AS cluster_id FROM news), "
    f"cand AS ({_CANDIDATES}) "
    "SELECT news.s, coalesce(claimed_by.n, 0), coalesce(held_by.n, 0), same.cluster_id,"
    " cand.id, cand.cluster_id, cand.content_hash, cand.body_text, cand.headline FROM news"
    " JOIN same ON same.s = news.s LEFT JOIN claimed_by ON claimed_by.s = news.s"
    " LEFT JOIN held_by ON held_by.s = news.s"
    " LEFT JOIN cand ON cand.s = news.s AND same.cluster_id IS NULL"
), ("story_ids", "bands", "hashes", "ats", "new_ids", "new_hashes", "los", "his"))
_LOOK_AGAIN = RawStatement(text(
    "WITH keys AS (SELECT * FROM unnest(CAST(:story_ids AS bigint[]), CAST(:bands AS integer[]),"
    " CAST(:hashes AS bigint[])) AS k(s, b, h)), "
    f"news AS ({_NEWS}), held AS ({_HELD}), cand AS ({_CANDIDATES}) "
    "SELECT * FROM cand"
), ("story_ids", "bands", "hashes", "new_ids", "new_hashes", "los", "his"))
_SET_CLUSTERS = RawStatement(text(
    "UPDATE stories SET cluster_id = v.c FROM unnest(CAST(:ids AS bigint[]),"
    " CAST(:clusters AS bigint[])) AS v(id, c) WHERE stories.id = v.id"
), ("ids", "clusters"))


@dataclass(frozen=True)
class Version:
    """A version the document made current: its keys, and for a new story its lookup window."""

    story_id: int
    keys: list[tuple[int, int]]
    at: int  # `band_index.epoch` of its version_created
    content_hash: str
    #: (lo, hi) of its window for a new story; None: a new version of a known story
    window: tuple[int, int] | None


@dataclass
class Found:
    """What the claim found for one new story (`band_index.Claim`'s fields)."""

    claimed: int
    held: int
    same_words: int | None
    candidates: list[tuple[int, int, str, str, str]] = field(default_factory=list)


def claim_document(conn: Connection, versions: list[Version]) -> dict[int, Found]:
    """Claim every version's keys in order; for each new story, what its snapshot saw."""
    keys = [(v, band, key) for v in versions for band, key in v.keys]
    new = [v for v in versions if v.window is not None]
    rows = _CLAIM.execute(conn, (
        [v.story_id for v, _, _ in keys], [b for _, b, _ in keys], [k for _, _, k in keys],
        [v.at for v, _, _ in keys], *_news(new))).fetchall()
    found: dict[int, Found] = {}
    for row in rows:
        story = found.setdefault(row[0], Found(row[1], row[2], row[3]))
        if row[4] is not None:
            story.candidates.append(tuple(row[4:]))  # type: ignore[arg-type]
    return found


def candidates(conn: Connection, new: list[Version]) -> dict[int, list[Any]]:
    """The candidates of these new stories read again, seeing what the statements before saw
    not: the keys another transaction committed meanwhile, and this document's own."""
    keys = [(v.story_id, band, key) for v in new for band, key in v.keys]
    rows = _LOOK_AGAIN.execute(conn, (
        [s for s, _, _ in keys], [b for _, b, _ in keys], [k for _, _, k in keys],
        *_news(new))).fetchall()
    out: dict[int, list[Any]] = {v.story_id: [] for v in new}
    for row in rows:
        out[row[0]].append(tuple(row[1:]))
    return out


def set_clusters(conn: Connection, clusters: dict[int, int]) -> None:
    """Move these stories (id -> cluster) out of their provisional clusters."""
    if clusters:
        _SET_CLUSTERS.execute(conn, (list(clusters), list(clusters.values())))


def _news(new: list[Version]) -> tuple[list[Any], ...]:
    return ([v.story_id for v in new], [v.content_hash for v in new],
            [v.window[0] for v in new if v.window], [v.window[1] for v in new if v.window])
