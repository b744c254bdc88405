"""Clusters: which stories are the same news (SPEC "Clusters").

`assign_cluster` runs once per new story, inside the transaction that inserted it:

1. same words: a story with the same `content_hash` (another id or provider) -> its cluster;
2. near-duplicate: the story's body is cut into word 3-shingles, MinHashed (datasketch, 128
   permutations) and banded (32 bands x 4 rows, `signatures`); stories sharing a band key within
   `window` of its version_created are candidates (`index`: one table in the store, shared by
   every worker); each candidate is verified on the exact shingle sets of the two current texts
   and the most similar one that passes gives the cluster (`choose`);
3. otherwise the story starts its own cluster, whose id is its own story id.

Its band keys then go into the index, so later copies find it. `index_version` adds the keys of
a story's new current version (a flash first, the full text later), and `recluster` re-runs the
choice over a time range after the thresholds change.

Why this design. perf.md section 2 measured it against simhash and fuzzy matching: simhash
finds only near-verbatim copies, all-pairs fuzzy matching cannot scale, MinHash LSH finds
light edits in microseconds when its threshold sits below the similarity to catch. LSH with 32
bands of 4 rows proposes a pair with probability 1 - (1 - s^4)^32: 0.26 at Jaccard 0.2, 0.73 at
0.3, 0.96 at 0.4, 0.9998 at 0.5; so pairs at the verification threshold are almost never missed,
and the many background-sharing stories it also proposes are refused by verification. Exact
verification (not the MinHash estimate, whose error is +-0.04 at 128 permutations) costs about
0.1 ms per candidate, and a story has a candidate mostly when it is a copy.

Thresholds (`choose`): Jaccard >= 0.5, or containment >= 0.7 with the smaller text at least 60
shingles. Measured on bench/dedupe_corpus.py (seed 7, 3,000 originals; bench/results/dedupe.json):
MEASUREMENT.

What it misses: a copy sharing under half its shingles with the original and under 70 % of
the smaller text (heavy rewrites, translations: another language shares no shingles at all);
flashes and headline-only items (fewer than 20 shingles: exact content_hash only); copies more
than `window` apart in version_created; a copy of a story that was updated since, when the new
version's text drifted far from the old (its keys are indexed too, but candidates are verified
on the current text). Two reports of one event written independently are not the same text, and
stay apart: precision before recall.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, update

from worker.dedupe import index
from worker.dedupe.choose import Candidate, choose_cluster
from worker.dedupe.signatures import signature, story_text
from worker.model import Story
from worker.store.models import StoryRow

log = logging.getLogger(__name__)

#: Settings.dedupe_window_hours' default: syndication copies arrive within hours or days
DEFAULT_WINDOW = timedelta(hours=96)
_SET_CLUSTER = (
    update(StoryRow).where(StoryRow.id == bindparam("story_id")).values(cluster_id=bindparam("to_cluster"))
)


def assign_cluster(
    conn: Connection, story_id: int, story: Story, now: datetime,
    window: timedelta = DEFAULT_WINDOW,
) -> tuple[int, bool]:
    """Set the new story's cluster and index it; returns (cluster_id, joined an existing one).

    The caller owns the transaction (the one that inserted the story): the keys claimed here
    stay claimed until it commits, see `worker.dedupe.index` for the race this closes.
    """
    return assign(conn, story_id, story_text(story.body_text, story.headline),
                  story.content_hash, story.version_created, window)


def assign(
    conn: Connection, story_id: int, text: str, content_hash: str, at: datetime,
    window: timedelta = DEFAULT_WINDOW,
) -> tuple[int, bool]:
    """`assign_cluster` on the fields it reads: the compared text, content_hash, version time."""
    sig = signature(text)
    keys = index.story_keys(sig.band_keys, content_hash)
    claimed, cluster_id = index.claim(conn, story_id, keys, at, content_hash)
    if cluster_id is None and claimed < len(keys):
        rows = index.candidates(conn, keys, at, window, story_id)
        same = [r for r in rows if r[2] == content_hash]
        if same:
            cluster_id = min(same)[1]
        else:
            found = (Candidate(sid, cid, body, head) for sid, cid, _, body, head in rows)
            match = choose_cluster(sig.shingles, found)
            if match is not None:
                cluster_id = match.cluster_id
                log.debug("near-duplicate", extra={"story_id": story_id, "of": match.story_id,
                                                   "jaccard": round(match.overlap.jaccard, 3)})
    joined = cluster_id is not None
    final = cluster_id if cluster_id is not None else story_id
    conn.execute(_SET_CLUSTER, {"story_id": story_id, "to_cluster": final})
    return final, joined


def index_version(conn: Connection, story_id: int, story: Story) -> None:
    """Index the band keys of a story's new current version; its cluster does not change."""
    sig = signature(story_text(story.body_text, story.headline))
    index.claim(conn, story_id, index.story_keys(sig.band_keys, story.content_hash),
                story.version_created, story.content_hash)
