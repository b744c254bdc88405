"""Clusters: which stories are the same news (SPEC "Clusters").

`assign_cluster` runs once per new story, inside the transaction that inserted it:

1. same words: a story with the same `content_hash` (another id or provider) -> its cluster;
2. near-duplicate: the story's body is cut into word 3-shingles, MinHashed (datasketch, 96
   permutations) and banded (32 bands x 3 rows, `signatures`); stories sharing a band key within
   `window` of its version_created are candidates (`index`: one table in the store, shared by
   every worker); each candidate is verified on the exact shingle sets of the two current texts
   and the most similar one that passes gives the cluster (`choose`);
3. otherwise the story starts its own cluster, whose id is its own story id.

Its band keys go into the index first (the claim that also serializes racing workers), so
later copies find it. `index_version` adds the keys of a story's new current version (a flash
first, the full text later), and `recluster` re-runs the choice over a time range after the
thresholds change.

Why this design. perf.md section 2 measured it against simhash and fuzzy matching: simhash
finds only near-verbatim copies, all-pairs fuzzy matching cannot scale, MinHash LSH finds
light edits in microseconds when its threshold sits below the similarity to catch. LSH with 32
bands of 3 rows proposes a pair with probability 1 - (1 - s^3)^32: 0.58 at Jaccard 0.3, 0.88 at
0.4, 0.95 at 0.45, 0.99 at 0.5 (32 x 4 rows of 128 permutations, the same 33 rows per story,
gave only 0.74 at 0.45 and light-edit recall 0.983 instead of 0.991); the background-sharing
stories it also proposes are refused by verification. Exact verification (not the MinHash
estimate, whose error is +-0.05 at 96 permutations) costs about 0.1 ms per candidate (less for
a candidate verified recently), and a story has candidates mostly when it is a copy.

Thresholds (`choose`): Jaccard >= 0.45, or containment >= 0.75 with the smaller text at least
60 shingles. Set on bench/dedupe_corpus.py (3,000 originals, seed 7): light-edit copy pairs have
Jaccard 0.44 / 0.54 / 0.77 at their 1st / 5th / 50th percentile and containment 0.66 / 0.73 /
0.90; hard negatives (same people, places and background paragraphs on another day) at most
Jaccard 0.31 and containment 0.64. So 0.45 / 0.75 keep a margin of 0.14 / 0.11 above every hard
negative and still verify 98.8 % of light-edit pairs on their own (clusters join through any
member, which brings more). End to end through the store (`bench/dedupe_bench.py`, results in
bench/results/dedupe.json): pair precision 1.0, recall 1.0 on exact copies and 0.991 on
light-edit pairs (2,637 of 2,653 copies in their original's cluster), 0 of 5,462 hard-negative
pairs merged; heavy rewrites (every edit at once and half the text cut) only 0.30: reported,
not a target. Cost per incoming story on PostgreSQL (on the same 2 shared cores as the server;
runs vary by +-30 %): mean 1.1 ms with 10,000 stories indexed, 1.8 ms at 100,000, 1.5 ms at
1,000,000 (a 2.9 GB index, far over the stock 128 MB shared_buffers): about 0.15 ms signature,
the rest the claim statement (33 index insertions) and, for stories with candidates, the
lookup and verification. Over the 1 ms target on this machine; it grows by ~0.2-0.3 ms per
tenfold index, not with the number of stories.

What it misses: a copy with Jaccard under 0.45 and containment under 0.75 (heavy rewrites, translations: another language shares no shingles at all);
flashes and headline-only items (fewer than 20 shingles: exact content_hash only); copies more
than `window` apart in version_created; a copy of a story that was updated since, when the new
version's text drifted far from the old (its keys are indexed too, but candidates are verified
on the current text). Two reports of one event written independently are not the same text, and
stay apart: precision before recall.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Connection

from worker.dedupe import index
from worker.dedupe.choose import Candidate, choose_cluster, remember
from worker.dedupe.signatures import signature, story_text
from worker.model import Story

log = logging.getLogger(__name__)

#: Settings.dedupe_window_hours' default: syndication copies arrive within hours or days
DEFAULT_WINDOW = timedelta(hours=96)

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
    if sig.band_keys:
        remember(story_id, content_hash, sig.shingles)
    keys = index.story_keys(sig.band_keys, content_hash)
    claim = index.claim(conn, story_id, keys, at, content_hash, settle=True, window=window)
    if claim.settled is not None:  # no other story holds a key, or the same words are stored
        return claim.settled, claim.same_words is not None
    rows = claim.candidates
    if rows is None:  # waited for another transaction: look again, seeing what it wrote
        rows = index.candidates(conn, keys, at, window, story_id)
    same = [r for r in rows if r[2] == content_hash]
    cluster_id = None
    if same:
        cluster_id = min(same)[1]
    else:
        found = (Candidate(sid, cid, body, head, ch) for sid, cid, ch, body, head in rows)
        match = choose_cluster(sig.shingles, found)
        if match is not None:
            cluster_id = match.cluster_id
            log.debug("near-duplicate", extra={"story_id": story_id, "of": match.story_id,
                                               "jaccard": round(match.overlap.jaccard, 3)})
    if cluster_id is not None:
        index.set_cluster(conn, story_id, cluster_id)
        return cluster_id, True
    if not claim.provisional:
        index.set_cluster(conn, story_id, story_id)
    return story_id, False


def index_version(conn: Connection, story_id: int, story: Story) -> None:
    """Index the band keys of a story's new current version; its cluster does not change."""
    sig = signature(story_text(story.body_text, story.headline))
    index.claim(conn, story_id, index.story_keys(sig.band_keys, story.content_hash),
                story.version_created, story.content_hash)
