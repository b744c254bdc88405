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

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from worker.dedupe.signatures import Overlap, overlap, shingle_set, story_text

JACCARD_MIN = 0.45
CONTAINMENT_MIN = 0.75
CONTAINMENT_MIN_SHINGLES = 60


@dataclass(frozen=True)
class Candidate:
    """A story the index proposed, with its current text."""

    story_id: int
    cluster_id: int
    body_text: str
    headline: str


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


def choose_cluster(shingles: np.ndarray, candidates: Iterable[Candidate]) -> Match | None:
    """The cluster of the most similar verified candidate, or None (start a new cluster)."""
    best: Match | None = None
    for c in candidates:
        o = overlap(shingles, shingle_set(story_text(c.body_text, c.headline)))
        if not is_same_news(o):
            continue
        match = Match(c.cluster_id, c.story_id, o)
        if best is None or _rank(match) > _rank(best):
            best = match
    return best


def _rank(m: Match) -> tuple[float, float, int]:
    return (m.overlap.jaccard, m.overlap.containment, -m.cluster_id)
