"""Cluster choice: verify LSH candidates on their exact words, pick the most similar.

Pure: takes the incoming story's shingle set and the candidates' current texts, returns the
cluster to join or None. The LSH index only proposes candidates (it is tuned to miss little,
so it also proposes stories that merely share background); this module decides, on the exact
shingle sets, with the thresholds measured on bench/dedupe_corpus.py (see `worker.dedupe`):

- join when Jaccard >= JACCARD_MIN, or when containment (shared shingles over the smaller
  set) >= CONTAINMENT_MIN and the smaller text has at least CONTAINMENT_MIN_SHINGLES shingles
  (a copy cut to its first paragraphs, or a rewrite that adds a lot, keeps high containment
  while its Jaccard drops);
- several candidates pass: join the most similar (highest Jaccard, then containment, then the
  older cluster), SPEC "Clusters"; clusters are never merged.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from worker.dedupe.signatures import Overlap, overlap, shingle_set, story_text

JACCARD_MIN = 0.45
CONTAINMENT_MIN = 0.75
CONTAINMENT_MIN_SHINGLES = 60


class ShingleCache:
    """Shingle sets of recent candidates and of the stories this process just assigned.

    Copies of one story arrive within hours and are all verified against the same original,
    so its shingle set is kept instead of re-shingling its text for every copy. Keyed by
    (story_id, content_hash): an update re-shingles. One per worker process (its runtime owns
    it); bounded, least recently used out first.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._sets: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()

    def of(self, c: Candidate) -> np.ndarray:
        """The candidate's shingle set, computed once."""
        key = (c.story_id, c.content_hash)
        found = self._sets.get(key)
        if found is None:
            found = shingle_set(story_text(c.body_text, c.headline))
            self.remember(c.story_id, c.content_hash, found)
        else:
            self._sets.move_to_end(key)
        return found

    def remember(self, story_id: int, content_hash: str, shingles: np.ndarray) -> None:
        """Keep a story's shingle set (just computed for its signature) for its copies."""
        self._sets[(story_id, content_hash)] = shingles
        if len(self._sets) > self.size:
            self._sets.popitem(last=False)


@dataclass(frozen=True)
class Candidate:
    """A story the index proposed, with its current text."""

    story_id: int
    cluster_id: int
    body_text: str
    headline: str
    content_hash: str = ""


@dataclass(frozen=True)
class Match:
    """The cluster a story joins and why."""

    cluster_id: int
    story_id: int
    overlap: Overlap


def is_same_news(o: Overlap) -> bool:
    """The verification rule: near-duplicate text, not merely shared background."""
    if o.jaccard >= JACCARD_MIN:
        return True
    return o.containment >= CONTAINMENT_MIN and o.smaller >= CONTAINMENT_MIN_SHINGLES


def choose_cluster(
    shingles: np.ndarray, candidates: Iterable[Candidate], cache: ShingleCache | None = None
) -> Match | None:
    """The cluster of the most similar verified candidate, or None (start a new cluster)."""
    best: Match | None = None
    for c in candidates:
        theirs = cache.of(c) if cache is not None else shingle_set(story_text(c.body_text,
                                                                             c.headline))
        o = overlap(shingles, theirs)
        if not is_same_news(o):
            continue
        match = Match(c.cluster_id, c.story_id, o)
        if best is None or _rank(match) > _rank(best):
            best = match
    return best


def _rank(m: Match) -> tuple[float, float, int]:
    return (m.overlap.jaccard, m.overlap.containment, -m.cluster_id)
