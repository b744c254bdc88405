"""Clusters: which stories are the same news (SPEC "Clusters").

`assign_cluster` runs once per new story, inside the transaction that inserted it:

1. same words: a story with the same `content_hash` (another id or provider) -> its cluster;
2. near-duplicate: the story's body is cut into word 3-shingles, MinHashed (rensa, 32
   permutations) and banded (16 bands x 2 rows, `signatures`); stories sharing a band key within
   `window` of its version_created are candidates (`index`: one table in the store, shared by
   every worker); each candidate is verified on the exact shingle sets of the two current texts
   and the most similar one that passes gives the cluster (`choose`);
3. otherwise the story starts its own cluster, whose id is its own story id.

Its band keys go into the index first (the claim that also serializes racing workers), so
later copies find it; on PostgreSQL the claim, the lookup and the cluster are one round trip
(`index.claim`), a second one only when a candidate verifies. `index_version` adds the keys of
a story's new current version (a flash first, the full text later), and `recluster` re-runs the
choice over a time range after the thresholds change.

Why this design. perf.md section 2 measured it against simhash and fuzzy matching: simhash
finds only near-verbatim copies, all-pairs fuzzy matching cannot scale, MinHash LSH finds
light edits in microseconds when its threshold sits below the similarity to catch. LSH with 16
bands of 2 rows proposes a pair with probability 1 - (1 - s^2)^16: 0.78 at Jaccard 0.3, 0.94
at 0.4, 0.97 at 0.45, 0.99 at 0.5; the background-sharing stories it also proposes are refused
by verification. Why 16 x 2 and not the earlier 32 x 3: each key is one random B-tree insertion
on the server, and 17 keys instead of 33 cut the claim's server CPU by about 40 % (0.28 vs 0.42
ms per story at 10,000 stories, one per transaction), while proposing almost every verifiable
copy: `bench/dedupe_bench.py --lsh-sweep` (stories with an earlier copy that verifies, share
found among their key holders): 32 x 3 0.992, 20 x 2 0.992, 16 x 2 0.988, 16 x 3 0.972,
12 x 2 0.979, 10 x 2 0.970, 12 x 1 0.824. The price is more stories of other events proposed
(verified and refused: 3.8 per story against 1.6 for 32 x 3 on this corpus, whose threads share a
small vocabulary). Exact verification (not the MinHash estimate, whose error is +-0.09 at 32
permutations) costs about 0.1 ms per candidate; the shingle sets of candidates and of the
stories this process just assigned are cached, and copies are mostly verified against those.

Thresholds (`choose`): Jaccard >= 0.45, or containment >= 0.75 with the smaller text at least
60 shingles. Set on bench/dedupe_corpus.py (3,000 originals, seed 7): light-edit copy pairs have
Jaccard 0.44 / 0.54 / 0.77 at their 1st / 5th / 50th percentile and containment 0.66 / 0.73 /
0.90; hard negatives (same people, places and background paragraphs on another day) at most
Jaccard 0.31 and containment 0.64. So 0.45 / 0.75 keep a margin of 0.14 / 0.11 above every hard
negative and still verify 98.8 % of light-edit pairs on their own (clusters join through any
member, which brings more). End to end through the store (`.venv/bin/python
bench/dedupe_bench.py`, results in bench/results/dedupe.json): pair precision 1.0, recall 1.0 on
exact copies and 0.984 on light-edit pairs (2,623 of 2,653 copies in their original's cluster;
0.984-0.990 over MinHash seeds 1-4, which is the spread of the hash functions' draw; with
datasketch's MinHash before rensa 0.986, with 32 x 3 bands 0.991, 20 x 2 0.990), 0 of 5,462
hard-negative pairs merged; heavy rewrites (every edit at once and half the text cut) only
0.29-0.30: reported, not a target.

Cost per incoming story on PostgreSQL (`assign_cluster`, on the same 2 cores as the server,
shared with other work: runs vary by +-30 % and more, and by host; every figure in
docs/dedupe.md): 0.84 ms at 10,000 indexed stories and 1.07 ms at 100,000 (one story per
transaction; 0.89 / 0.94 at 100 per transaction) on this session's Intel Xeon host, of it
0.09-0.10 ms signature, 0.45-0.56 ms client CPU in all and 0.34-0.48 ms CPU of the server
backend. At 1,000,000 (a 1.5 GB index, far over the stock 128 MB shared_buffers) the server
part is what varies: 2.5 ms (server CPU 1.8) in that run, 1.0-1.5 ms in the full benches of the
same hour, 0.7-2.0 ms on the earlier AMD host. The 1 ms target holds at 10,000 stories, not
reliably beyond on this machine.

What it misses: a copy with Jaccard under 0.45 and containment under 0.75 (heavy rewrites, translations: another language shares no shingles at all);
flashes and headline-only items (fewer than 20 shingles: exact content_hash only); copies more
than `window` apart in version_created; a copy of a story that was updated since, when the new
version's text drifted far from the old (its keys are indexed too, but candidates are verified
on the current text). Two reports of one event written independently are not the same text, and
stay apart: precision before recall.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

import numpy as np

from worker.dedupe.choose import Candidate, ShingleCache, choose_cluster

log = logging.getLogger(__name__)

#: Settings.dedupe_window_hours' default: syndication copies arrive within hours or days
DEFAULT_WINDOW = timedelta(hours=96)


def choose_by_words(
    content_hash: str, shingles: np.ndarray,
    candidates: Sequence[tuple[int, int, str, str, str]], cache: ShingleCache,
) -> int | None:
    """The cluster a new story joins among the index's candidates, or None (its own).

    Candidates are (story_id, cluster_id, content_hash, body_text, headline). The same words
    win (the oldest such story's cluster); else the most similar candidate that verifies.
    Pure but for the cache, which only saves re-shingling.
    """
    same = [c for c in candidates if c[2] == content_hash]
    if same:
        return min(same)[1]
    found = (Candidate(sid, cid, body, head, ch) for sid, cid, ch, body, head in candidates)
    match = choose_cluster(shingles, found, cache)
    if match is None:
        return None
    log.debug("near-duplicate", extra={"story_id": match.story_id,
                                       "jaccard": round(match.overlap.jaccard, 3)})
    return match.cluster_id
