"""Clusters: which stories are the same news (SPEC "Clusters"). The pure half: signatures
(`signatures`), candidate verification and choice (`choose`); the store half, claiming keys in the
shared band index and writing clusters, is `worker.store.clusters`.

A new story joins the cluster of a story with the same `content_hash`; else of the most similar
candidate that verifies: candidates share a MinHash LSH band key (rensa, 32 permutations, 16
bands of 2 rows over word 3-shingles) within the dedupe window, and are verified on their exact
shingle sets (Jaccard >= 0.45, or containment >= 0.75 of at least 60 shingles); else it starts
its own. Why MinHash LSH, why 16 x 2, how the thresholds were set and what they miss, measured
on bench/dedupe_corpus.py (light-edit recall 0.984, 0 of 5,462 hard-negative pairs merged):
docs/dedupe.md.
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
