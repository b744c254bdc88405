"""Text -> shingles -> MinHash -> LSH band keys: the pure half of near-duplicate detection.

Pure: no I/O, no clock, deterministic across processes and machines (xxhash, fixed seeds; never
Python's randomized `hash()`), because every worker must compute the same band keys for the same
words to meet in the shared index (`worker.dedupe.index`).

- Tokens: lower-cased `\\w+` runs of the story's body text (punctuation, quotes, dashes and
  markup differences vanish). Headlines are left out on purpose: syndication copies change them.
- Shingles: overlapping word 3-grams, each a 32-bit hash computed in numpy from the per-token
  xxh3 hashes (one Python-level hash per token, none per shingle: the per-story cost is about a
  third of shingling with joined strings). The set of distinct shingles is kept sorted, so exact
  Jaccard and containment of two texts are one `numpy.intersect1d` each (`overlap`).
- MinHash: datasketch's `MinHash` (affine32 scheme, seed 1) over the shingle hashes, NUM_PERM
  permutations. LSH: BANDS bands of ROWS rows; a band key is the xxh3 of the band number and
  its rows, as a signed 64-bit integer (a PostgreSQL `bigint`). Two stories whose shingle sets
  have Jaccard s share at least one band key with probability 1 - (1 - s^ROWS)^BANDS.

Texts with fewer than MIN_SHINGLES distinct shingles get no band keys: a two-line flash shares
too few words with anything for the similarity to mean "the same report"; such stories cluster
by exact content_hash only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import xxhash

NUM_PERM = 32
BANDS = 16
ROWS = 2
MIN_SHINGLES = 20
SHINGLE_WORDS = 3
_SEED = 1

_WORD = re.compile(r"\w+")
#: token -> xxh3 hash, shared by every story this process sees (wire vocabulary is bounded)
_TOKEN_HASHES: dict[str, int] = {}
_MAX_CACHED_TOKENS = 1_000_000
# odd multipliers that spread one token's hash over the 64-bit word before mixing
_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xC2B2AE3D27D4EB4F)
_TEMPLATE = None  # the MinHash every signature copies, made on first use (see `_template`)


@dataclass(frozen=True)
class Signature:
    """One text's shingle set (sorted unique uint32) and its LSH band keys."""

    shingles: np.ndarray
    band_keys: tuple[int, ...]

    @property
    def size(self) -> int:
        return int(self.shingles.size)


def tokens(text: str) -> list[str]:
    """The words of a text, lower-cased, punctuation dropped."""
    return _WORD.findall(text.lower())


def shingle_set(text: str) -> np.ndarray:
    """Sorted distinct 32-bit hashes of the text's word 3-grams (empty when under 3 words)."""
    words = tokens(text)
    if len(words) < SHINGLE_WORDS:
        return np.empty(0, dtype=np.uint32)
    try:  # the dict's own lookup, no Python call per word: a third of the time of a helper
        h = np.fromiter(map(_TOKEN_HASHES.__getitem__, words), dtype=np.uint64, count=len(words))
    except KeyError:
        h = np.fromiter(map(_token_hash, words), dtype=np.uint64, count=len(words))
    with np.errstate(over="ignore"):  # multiplication wraps around on purpose (mod 2^64)
        mixed = (h[:-2] * _K1) ^ (h[1:-1] * _K2) ^ ((h[2:] << np.uint64(7)) | (h[2:] >> np.uint64(57)))
    folded = (mixed ^ (mixed >> np.uint64(32))).astype(np.uint32)
    return np.unique(folded)


def _token_hash(word: str) -> int:
    value = _TOKEN_HASHES.get(word)
    if value is None:
        if len(_TOKEN_HASHES) >= _MAX_CACHED_TOKENS:
            _TOKEN_HASHES.clear()
        value = _TOKEN_HASHES[word] = xxhash.xxh3_64_intdigest(word.encode("utf-8"))
    return value


def _template():  # type: ignore[no-untyped-def]
    """The empty MinHash. datasketch is imported here, not at module load: its package import
    takes ~0.3 s (scipy), which every `wire parse` would pay without ever clustering."""
    global _TEMPLATE
    if _TEMPLATE is None:
        from datasketch import MinHash

        # shingles are already 32-bit hashes: datasketch uses them as they are (`int`)
        _TEMPLATE = MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=int)
    return _TEMPLATE


def minhash(shingles: np.ndarray):  # type: ignore[no-untyped-def]
    """datasketch MinHash of a shingle set (hash values used as they are)."""
    m = _template().copy()
    if shingles.size:
        m.update_batch(shingles.tolist())
    return m


def band_keys(m: MinHash) -> tuple[int, ...]:
    """The BANDS signed 64-bit LSH keys of a MinHash."""
    values = np.ascontiguousarray(m.hashvalues, dtype=np.uint32)
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS:(band + 1) * ROWS].tobytes()
        keys.append(xxhash.xxh3_64_intdigest(chunk, seed=band) - (1 << 63))
    return tuple(keys)


def signature(text: str) -> Signature:
    """Shingles and band keys of a story's text; no band keys for texts too short to compare."""
    shingles = shingle_set(text)
    if shingles.size < MIN_SHINGLES:
        return Signature(shingles, ())
    return Signature(shingles, band_keys(minhash(shingles)))


@dataclass(frozen=True)
class Overlap:
    """Exact resemblance of two shingle sets."""

    jaccard: float
    containment: float  # shared shingles over the smaller set
    smaller: int  # size of the smaller set


def overlap(a: np.ndarray, b: np.ndarray) -> Overlap:
    """Exact Jaccard and containment of two sorted distinct shingle arrays."""
    if a.size == 0 or b.size == 0:
        return Overlap(0.0, 0.0, 0)
    shared = np.intersect1d(a, b, assume_unique=True).size
    union = a.size + b.size - shared
    smaller = min(a.size, b.size)
    return Overlap(shared / union, shared / smaller, smaller)


def story_text(body_text: str, headline: str) -> str:
    """The text a story is compared on: its body, or its headline when it has no body."""
    return body_text if body_text.strip() else headline
