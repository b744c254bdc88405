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
    farther = Candidate(story_id=2, cluster_id=2, body_text=text(edited(body, "rewritten lede")[:-3]),
                        headline="b")
    match = choose_cluster(copy, [farther, near])
    assert match is not None and match.cluster_id == 5


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcXYZ _-'’.,;:!?é\u212a\u0130\n\t09“”—"), max_size=300))
def test_the_ascii_fast_path_splits_words_exactly_as_the_regex(value):
    assert tokens(value) == re.findall(r"\w+", value.lower())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), min_size=1, max_size=500,
                unique=True))
def test_the_minhash_is_datasketch_affine32_of_the_same_shingles(values):
    from datasketch import MinHash

    shingles = np.array(sorted(values), dtype=np.uint32)
    reference = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int, scheme="affine32")
    reference.update_batch(values)
    assert (minhash(shingles) == reference.hashvalues).all()
