"""Text -> shingles -> MinHash -> LSH band keys: the pure half of near-duplicate detection.

Pure: no I/O, no clock, deterministic across processes and machines (rensa's and xxhash's
hashes, fixed seeds; never Python's randomized `hash()`), because every worker must compute the same band keys for the same
words to meet in the shared index (`worker.dedupe.index`).

- Tokens: lower-cased `\\w+` runs of the story's body text (punctuation, quotes, dashes and
  markup differences vanish). Headlines are left out on purpose: syndication copies change them.
  An ASCII text (most wire copy) is split by `bytes.translate` + `split`, which gives exactly
  the `\\w+` runs at a fifth of the regex's cost (10 vs 55 us for a 3 KB body).
- Shingles: overlapping word 3-grams, each a 32-bit hash computed in numpy from the per-token
  hashes (rensa's `hash_token_sets`: all tokens of a text in one call; none per shingle: the
  per-story cost is about a third of shingling with joined strings). The set of distinct shingles is kept sorted, so exact
  Jaccard and containment of two texts are one `numpy.intersect1d` each (`overlap`).
- MinHash: rensa's `RMinHash` (Rust; NUM_PERM permutations, seed 1) over the shingle hashes,
  as precomputed token hashes: ~3 us per story against 16-38 us for the same MinHash in numpy
  and 57 us with datasketch's `update_batch` (the computation is shingles x permutations, and
  numpy's temporaries leave the cache). Its collision rate per permutation is the Jaccard
  similarity, as a MinHash must (tests check it and pin one story's band keys, which also pins
  rensa's token hash: rensa versions its algorithm, `ALGORITHM_VERSION` 2, and a change would
  change every band key). LSH: BANDS bands
  of ROWS rows; a band key is the xxh3 of the band number and its rows, as a signed 64-bit
  integer (a PostgreSQL `bigint`). Two stories whose shingle sets have Jaccard s share at least
  one band key with probability 1 - (1 - s^ROWS)^BANDS.

Texts with fewer than MIN_SHINGLES distinct shingles get no band keys: a two-line flash shares
too few words with anything for the similarity to mean "the same report"; such stories cluster
by exact content_hash only.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass

import numpy as np
import xxhash
from rensa import RMinHash

NUM_PERM = 32
BANDS = 16
ROWS = 2
MIN_SHINGLES = 20
SHINGLE_WORDS = 3
_SEED = 1

_WORD = re.compile(r"\w+")
#: ASCII byte -> itself when it is a `\w` character, else a space (for `bytes.translate`)
_ASCII_WORDS = bytes(c if chr(c).isalnum() or c == ord("_") else ord(" ") for c in range(128)) \
    + bytes(range(128, 256))
# odd multipliers that spread one token's hash over the 64-bit word before mixing
_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xC2B2AE3D27D4EB4F)
#: rensa's MinHash algorithm these band keys were made with (see the module docstring)
RENSA_ALGORITHM = 2
_ALGORITHM_OK = RMinHash.ALGORITHM_VERSION == RENSA_ALGORITHM


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
    return [w.decode("utf-8") for w in token_bytes(text)]


def token_bytes(text: str) -> list[bytes]:
    """`tokens`, UTF-8 encoded: the `\\w+` runs of the lower-cased text."""
    lowered = text.lower()
    if lowered.isascii():  # the same runs as the regex, without a Python-level match per word
        return lowered.encode("ascii").translate(_ASCII_WORDS).split()
    return [w.encode("utf-8") for w in _WORD.findall(lowered)]


def shingle_set(text: str) -> np.ndarray:
    """Sorted distinct 32-bit hashes of the text's word 3-grams (empty when under 3 words)."""
    words = token_bytes(text)
    if len(words) < SHINGLE_WORDS:
        return np.empty(0, dtype=np.uint32)
    h = _token_hashes(words)
    with np.errstate(over="ignore"):  # multiplication wraps around on purpose (mod 2^64)
        rotated = (h[2:] << np.uint64(7)) | (h[2:] >> np.uint64(57))
        mixed = (h[:-2] * _K1) ^ (h[1:-1] * _K2) ^ rotated
    folded = np.sort((mixed ^ (mixed >> np.uint64(32))).astype(np.uint32))
    # distinct values of the sorted array (np.unique hashes first: twice the cost at this size)
    return folded[np.concatenate(([True], folded[1:] != folded[:-1]))]


def _token_hashes(words: list[bytes]) -> np.ndarray:
    """The 64-bit hash of every token, by rensa (Rust, one call for the whole text).

    In a worker, 0.017 ms less per story than a per-process dict of xxh3 hashes, whose lookups
    missed the CPU cache between stories (bench stage clock: signature 0.093 -> 0.076 ms).
    """
    hashes = RMinHash.hash_token_sets((words,))[0]
    return np.fromiter(hashes, dtype=np.uint64, count=len(hashes))  # 6.7 us; array("Q") 8


def minhash(shingles: np.ndarray) -> list[int]:
    """The NUM_PERM MinHash values of a shingle set (rensa's RMinHash of the hashes)."""
    if not _ALGORITHM_OK:  # another rensa would give other band keys than the index holds
        raise RuntimeError(
            f"rensa's MinHash algorithm is version {RMinHash.ALGORITHM_VERSION}, the near-"
            f"duplicate index is built with {RENSA_ALGORITHM}: install rensa 0.5, or change "
            "RENSA_ALGORITHM and re-index with `wire recluster`")
    if shingles.size == 0:
        return [0xFFFFFFFF] * NUM_PERM
    hashes = shingles.astype(np.uint64)
    offsets = np.array([0, hashes.size], dtype=np.uint64)
    digests = RMinHash.digest_matrix_from_flat_token_hashes(hashes, offsets, NUM_PERM, _SEED)
    return digests.to_rows()[0]


def band_keys(hashvalues: list[int] | np.ndarray) -> tuple[int, ...]:
    """The BANDS signed 64-bit LSH keys of a MinHash's values: band b is the xxh3 (seed b) of
    its ROWS values as 32-bit words, sliced from one buffer (2.5 us a story against 5 for a
    numpy slice per band)."""
    data = array("I", hashvalues).tobytes()
    width = 4 * ROWS
    digest = xxhash.xxh3_64_intdigest
    return tuple([digest(data[start:start + width], start // width) - _SIGNED
                  for start in range(0, BANDS * width, width)])


_SIGNED = 1 << 63


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
