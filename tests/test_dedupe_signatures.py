"""The pure half of near-duplicate detection: shingles, band keys, the verification rule."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REPO
from tests.test_dedupe_clusters import edited, seed_paragraphs
from worker.dedupe.choose import Candidate, choose_cluster, is_same_news
from worker.store.band_index import story_keys
from worker.dedupe.signatures import (
    BANDS,
    MIN_SHINGLES,
    NUM_PERM,
    minhash,
    overlap,
    shingle_set,
    signature,
    tokens,
)

#: the first band keys of the seed story's body (rensa's token hash and RMinHash algorithm 2,
#: xxh3 bands)
PINNED_BAND_KEYS = (-2683196867889646743, -1702066671613363578, -4248938563444963246)

JORDAN = [
    ("AMMAN (Reuters) - Jordan reopened its main border crossing with Iraq on Monday after two "
      "years, officials said, a step traders hope will revive exports of fruit and cement."),
    "The Karama crossing had been shut since militants seized the western Anbar province.",
    ("Trucks queued for kilometres on the Jordanian side as customs officers checked papers and "
      "Iraqi police patrolled the desert road to Ramadi."),
    "\"This is a lifeline for our farmers,\" said Jordanian Agriculture Minister Khaled Hneifat.",
]


def text(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def test_case_punctuation_and_markup_spacing_do_not_change_the_shingles():
    a = shingle_set('All ISIS ("Islamic State") fighters left in Syria’s Raqqa, an official said.')
    b = shingle_set("all isis islamic state fighters left in syria s raqqa an official said")
    assert a.size > 0 and (a == b).all()


def test_band_keys_are_the_same_in_every_process():
    body = text(seed_paragraphs())
    code = ("import sys; from worker.dedupe.signatures import signature; "
            "print(list(signature(sys.stdin.read()).band_keys))")
    out = subprocess.run([sys.executable, "-c", code], input=body, text=True, cwd=REPO,
                         capture_output=True, check=True, env={"PYTHONHASHSEED": "123"}).stdout
    assert json.loads(out) == list(signature(body).band_keys)
    assert len(signature(body).band_keys) == BANDS


def test_a_text_too_short_to_compare_gets_no_band_keys():
    short = signature("Islamic State fighters to leave Raqqa tonight, official says")
    assert short.size < MIN_SHINGLES and short.band_keys == ()


def test_a_light_edit_shares_band_keys_with_its_original():
    original = signature(text(seed_paragraphs()))
    copy = signature(text(edited(seed_paragraphs(), "rewritten lede")))
    assert set(original.band_keys) & set(copy.band_keys)


def test_verification_refuses_a_candidate_that_shares_only_background_paragraphs():
    body = seed_paragraphs()
    background_sharer = shingle_set(text(JORDAN + body[-4:]))
    candidate = Candidate(story_id=1, cluster_id=1, body_text=text(body), headline="Raqqa")

    assert not is_same_news(overlap(background_sharer, shingle_set(text(body))))
    assert choose_cluster(background_sharer, [candidate]) is None


def test_verification_accepts_every_light_edit():
    body = seed_paragraphs()
    candidate = Candidate(story_id=1, cluster_id=1, body_text=text(body), headline="Raqqa")
    for edit in ("rewritten lede", "paragraph dropped", "paragraph added", "synonyms",
                 "credit tail changed"):
        match = choose_cluster(shingle_set(text(edited(body, edit))), [candidate])
        assert match is not None and match.cluster_id == 1, edit


def test_a_copy_cut_to_its_first_paragraphs_passes_on_containment():
    body = seed_paragraphs()
    cut = shingle_set(text(body[:9]))
    o = overlap(cut, shingle_set(text(body)))
    assert o.jaccard < 0.45 and is_same_news(o)


def test_the_most_similar_of_several_passing_candidates_wins():
    body = seed_paragraphs()
    copy = shingle_set(text(edited(body, "synonyms")))
    near = Candidate(story_id=5, cluster_id=5, body_text=text(body), headline="a")
    farther = Candidate(story_id=2, cluster_id=2, headline="b",
                        body_text=text(edited(body, "rewritten lede")[:-3]))
    match = choose_cluster(copy, [farther, near])
    assert match is not None and match.cluster_id == 5


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcXYZ _-'’.,;:!?é\u212a\u0130\n\t09“”—"), max_size=300))
def test_the_ascii_fast_path_splits_words_exactly_as_the_regex(value):
    assert tokens(value) == re.findall(r"\w+", value.lower())


def test_the_minhash_of_two_sets_agrees_on_a_share_of_permutations_equal_to_their_jaccard():
    rng = np.random.default_rng(7)
    for jaccard in (0.3, 0.5, 0.8):
        agree = total = 0
        for _ in range(150):
            shared = rng.choice(2**32, size=400, replace=False).astype(np.uint32)
            keep = int(round(2 * jaccard * 400 / (1 + jaccard)))  # |A & B| for |A| = |B| = 400
            own_a, own_b = rng.choice(2**32, size=(2, 400 - keep), replace=False).astype(np.uint32)
            a = np.unique(np.concatenate([shared[:keep], own_a]))
            b = np.unique(np.concatenate([shared[:keep], own_b]))
            agree += sum(x == y for x, y in zip(minhash(a), minhash(b)))
            total += NUM_PERM
        assert abs(agree / total - overlap(a, b).jaccard) < 0.03, jaccard


def test_the_band_keys_of_a_text_never_change_between_releases():
    # the index in every store holds these keys: a library upgrade that changed them would
    # lose every copy of the stories indexed before it (re-index with `wire recluster`)
    body = text(seed_paragraphs())
    assert signature(body).band_keys[:3] == PINNED_BAND_KEYS


@given(st.lists(st.integers(-(1 << 63), (1 << 63) - 1), max_size=BANDS).map(tuple),
       st.text(alphabet="0123456789abcdef", min_size=64, max_size=64))
def test_a_storys_index_keys_come_in_key_order(band_keys, content_hash):
    # every writer claims keys in one order (PostgreSQL: no deadlock between two documents)
    keys = story_keys(band_keys, content_hash)
    assert keys == sorted(keys)
    assert len(keys) == len(band_keys) + 1
