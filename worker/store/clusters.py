"""Clusters in the store: a new story's cluster, a new version's index keys, re-clustering.

SPEC "Clusters". The decision is `worker.dedupe` (signatures, candidate choice: pure); this
module is its I/O: claiming the story's keys in the shared band index (`band_index`), reading
the candidates, writing the cluster. It runs inside the caller's transaction, the one that
inserted the story: the keys claimed here stay claimed until it commits, which is what makes
copies racing in two workers meet in one cluster (`band_index` says how).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, bindparam, select, update

from worker.dedupe import DEFAULT_WINDOW, choose_by_words
from worker.dedupe.choose import ShingleCache
from worker.dedupe.signatures import signature, story_text
from worker.model import Story
from worker.store import band_claims, band_index
from worker.store.models import StoryRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Clustering:
    """What assigning clusters needs besides the story: how far back near-duplicates are
    looked for (Settings.dedupe_window_hours), and the worker process's shingle cache."""

    window: timedelta = DEFAULT_WINDOW
    cache: ShingleCache = field(default_factory=ShingleCache, compare=False)


def assign_cluster(
    conn: Connection, story_id: int, *, body_text: str, headline: str, content_hash: str,
    at: datetime, clustering: Clustering,
) -> tuple[int, bool]:
    """Set a new story's cluster and index it; (cluster_id, joined an existing cluster).

    `at` is the story's version_created: the index keeps it and looks `window` around it.
    """
    sig = signature(story_text(body_text, headline))
    if sig.band_keys:
        clustering.cache.remember(story_id, content_hash, sig.shingles)
    keys = band_index.story_keys(sig.band_keys, content_hash)
    claim = band_index.claim(conn, story_id, keys, at, content_hash, settle=True,
                             window=clustering.window)
    if claim.settled is not None:  # no other story holds a key, or the same words are stored
        return claim.settled, claim.same_words is not None
    rows = claim.candidates
    if rows is None:  # waited for another transaction: look again, seeing what it wrote
        rows = band_index.candidates(conn, keys, at, clustering.window, story_id)
    match = choose_by_words(content_hash, sig.shingles, rows, clustering.cache)
    if match is not None:
        band_index.set_cluster(conn, story_id, match)
        return match, True
    if not claim.provisional:
        band_index.set_cluster(conn, story_id, story_id)
    return story_id, False


def index_version(
    conn: Connection, story_id: int, *, body_text: str, headline: str, content_hash: str,
    at: datetime,
) -> None:
    """Index the band keys of a story's new current version; its cluster does not change."""
    sig = signature(story_text(body_text, headline))
    band_index.claim(conn, story_id, band_index.story_keys(sig.band_keys, content_hash), at,
                     content_hash)


def cluster_document(
    conn: Connection, versions: list[tuple[int, Story, bool]], clustering: Clustering
) -> dict[int, tuple[int, bool]]:
    """Index the versions one document made current and cluster its new stories.

    `versions`: (story_id, story, new) in the document's order. Returns (cluster_id, joined an
    existing cluster) of each new story. SQLite: `assign_cluster` and `index_version` a story
    at a time. PostgreSQL: the new stories were written with their own ids as provisional
    clusters; one statement claims every key and looks every new story up
    (`band_claims`), the decisions are made here in the document's order, exactly as one
    story after the other would have made them, and only the stories that joined another
    cluster are written again.
    """
    if conn.dialect.name != "postgresql":
        out = {}
        for story_id, story, new in versions:
            words = {"body_text": story.body_text, "headline": story.headline,
                     "content_hash": story.content_hash, "at": story.version_created}
            if new:
                out[story_id] = assign_cluster(conn, story_id, clustering=clustering, **words)
            else:
                index_version(conn, story_id, **words)
        return out
    once, again, seen = [], [], set()  # a story listed twice: its later versions after
    for version in versions:
        (again if version[0] in seen else once).append(version)
        seen.add(version[0])
    decided = _cluster_pg(conn, once, clustering)
    for story_id, story, _ in again:
        index_version(conn, story_id, body_text=story.body_text, headline=story.headline,
                      content_hash=story.content_hash, at=story.version_created)
    return decided


def _cluster_pg(
    conn: Connection, versions: list[tuple[int, Story, bool]], clustering: Clustering
) -> dict[int, tuple[int, bool]]:
    """`cluster_document` on PostgreSQL, each story once."""
    claims, shingles = [], {}
    for story_id, story, new in versions:
        sig = signature(story_text(story.body_text, story.headline))
        if new:
            shingles[story_id] = sig.shingles
            if sig.band_keys:
                clustering.cache.remember(story_id, story.content_hash, sig.shingles)
        lo, hi = band_index.bounds(story.version_created, clustering.window)
        claims.append(band_claims.Version(
            story_id, band_index.story_keys(sig.band_keys, story.content_hash),
            band_index.epoch(story.version_created), story.content_hash,
            (lo, hi) if new else None))
    found = band_claims.claim_document(conn, claims)
    news = [c for c in claims if c.window is not None]
    missed = [c for c in news if _looked_again(found[c.story_id], c)]
    again = band_claims.candidates(conn, missed) if missed else {}
    decided: dict[int, tuple[int, bool]] = {}
    first_with_words: dict[str, int] = {}
    for c in news:
        f = found[c.story_id]
        earlier = first_with_words.setdefault(c.content_hash, c.story_id)
        if f.same_words is not None:
            decided[c.story_id] = (f.same_words, True)
        elif earlier != c.story_id:  # the same words earlier in this document
            decided[c.story_id] = (decided[earlier][0], True)
        elif f.claimed == len(c.keys):
            decided[c.story_id] = (c.story_id, False)
        else:
            rows = [(sid, decided[sid][0] if sid in decided else cid, *rest)
                    for sid, cid, *rest in again.get(c.story_id, f.candidates)]
            match = choose_by_words(c.content_hash, shingles[c.story_id], rows, clustering.cache)
            decided[c.story_id] = (c.story_id, False) if match is None else (match, True)
    band_claims.set_clusters(conn, {sid: cluster for sid, (cluster, _) in decided.items()
                                    if cluster != sid})
    return decided


def _looked_again(found: band_claims.Found, claim: band_claims.Version) -> bool:
    """Whether a new story's candidates must be read again: its snapshot did not see every
    holder of the keys it could not claim (another transaction's, or this document's)."""
    unclaimed = len(claim.keys) - found.claimed
    return unclaimed > 0 and found.same_words is None and found.held != unclaimed


@dataclass(frozen=True)
class ReclusterResult:
    stories: int  # stories re-assigned
    changed: int  # of those, how many now sit in another cluster
    clusters: int  # distinct clusters the range's stories now belong to

    def as_json(self) -> dict[str, int]:
        return {"stories": self.stories, "changed": self.changed, "clusters": self.clusters}


def recluster(
    engine: Engine, since: datetime, until: datetime | None = None,
    clustering: Clustering | None = None,
) -> ReclusterResult:
    """Re-assign the clusters of the stories whose version_created is in [since, until).

    They are taken out of the index and out of their clusters, then assigned again one by one
    in arrival order (story id), exactly as ingest would have: against the stories outside the
    range (unchanged) and the ones of the range already re-assigned. One transaction: readers
    see the old clusters or the new ones, never a mix, and a failure changes nothing.

    Stories outside the range keep their cluster, even one whose id is a story of the range
    (that id still names a story of that cluster: SPEC "a cluster's id is the id of its first
    story"); clusters are not merged across the range's edges.
    """
    clustering = clustering or Clustering()
    where = [StoryRow.version_created >= since]
    if until is not None:
        where.append(StoryRow.version_created < until)
    with engine.begin() as conn:
        rows = conn.execute(
            select(StoryRow.id, StoryRow.cluster_id, StoryRow.body_text, StoryRow.headline,
                   StoryRow.content_hash, StoryRow.version_created)
            .where(*where).order_by(StoryRow.id)
        ).all()
        ids = [r.id for r in rows]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            band_index.remove_stories(conn, chunk, since - clustering.window)
            conn.execute(
                update(StoryRow).where(StoryRow.id.in_(bindparam("ids", expanding=True)))
                .values(cluster_id=None),
                {"ids": chunk},
            )
        changed = 0
        clusters = set()
        for r in rows:
            cluster_id, _ = assign_cluster(
                conn, r.id, body_text=r.body_text, headline=r.headline,
                content_hash=r.content_hash, at=r.version_created, clustering=clustering)
            changed += cluster_id != r.cluster_id
            clusters.add(cluster_id)
        band_index.fold_recent(conn)
    return ReclusterResult(len(rows), changed, len(clusters))
