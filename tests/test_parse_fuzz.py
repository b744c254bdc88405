"""Whatever bytes arrive, parsing and normalizing raise nothing but the documented errors.

Property: `parse_document` (format detected, or named) followed by `normalize_item` on every item
either succeeds or raises DocumentError (whole document) / ItemError (one item); item problems are
fine. Inputs: random bytes, random bytes behind each format's opening, and real documents
(`../shared/realworld/` and `tests/data/`) mutated by byte flips, truncations, insertions,
deletions and duplicated slices. Budgets keep the whole file near 30 s on a slow machine.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import shared_dir
from worker.errors import DocumentError, ItemError
from worker.model import Document
from worker.normalize import normalize_item
from worker.parse import format_names, parse_document

DATA = Path(__file__).resolve().parent / "data"
RECEIVED = datetime(2030, 1, 1, tzinfo=UTC)
#: seeds larger than this are cut (feedparser on a 150 KB feed is the slow part of each example)
SEED_BYTES = 40_000
FUZZ = settings(max_examples=1_500, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _seeds() -> list[tuple[str, bytes]]:
    roots = [shared_dir() / "realworld", DATA]
    paths = sorted(p for root in roots for p in root.rglob("*")
                   if p.is_file() and not p.name.endswith(".expected.jsonl")
                   and p.suffix != ".md")
    return [(p.name, p.read_bytes()[:SEED_BYTES]) for p in paths]


SEEDS = _seeds()
OPENINGS = [b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>", b"<feed xmlns=",
            b"<nitf><body>", b"<newsMessage xmlns='http://iptc.org/std/nar/2006-10-01/'>",
            b"{\"uri\": ", b"[{", b"\x16\x16\x01W1234\x1fx\nr a\x13\x11 BC-X-Y ",
            b"\x01eca0001 4 i 10  dpa 0001\n\nX/Y/\n\x02", b"\xef\xbb\xbf", b"\xff\xfe<\x00"]


def check(content: bytes, name: str = "fuzz", format: str = "auto", fuzzed: bool = True) -> None:
    """Parse and normalize; only the documented errors may escape (and are swallowed here)."""
    try:
        parsed = parse_document(Document(name, content), format=format)
    except DocumentError:
        return
    for item in parsed.items:
        try:
            normalize_item(item, provider="p", received_at=RECEIVED, document=name)
        except ItemError:
            pass


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    name, content = draw(st.sampled_from(SEEDS))
    data = bytearray(content)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from([
                b"\x00", b"\x02", b"\x03", b"\x01", b"<", b"&", b"]]>", b"<!--", b"\xff\xfe",
                b"&#0;", b"&#x110000;", b"\"", b"}", b"\n\n", b"\xc3", b"<![CDATA[", b"\t   ",
            ]) | st.binary(max_size=16))
        elif kind == "delete":
            del data[at: at + draw(st.integers(1, 64))]
        elif kind == "duplicate":
            data[at:at] = data[at: at + draw(st.integers(1, 256))]
    return name, bytes(data)


def test_there_are_seeds_of_every_family() -> None:
    starts = {content.lstrip()[:1] for _, content in SEEDS}
    assert {b"<", b"{", b"\x01", b"\x16"} <= starts and len(SEEDS) > 50


@FUZZ
@given(st.binary(max_size=3_000))
def test_random_bytes_raise_only_documented_errors(content: bytes) -> None:
    check(content)


@FUZZ
@given(st.sampled_from(OPENINGS), st.binary(max_size=600))
def test_random_bytes_after_a_format_opening_raise_only_documented_errors(
        opening: bytes, tail: bytes) -> None:
    check(opening + tail)


@settings(FUZZ, max_examples=3_000)
@given(mutated())
def test_mutated_real_documents_raise_only_documented_errors(seed: tuple[str, bytes]) -> None:
    name, content = seed
    check(content, name)


@settings(FUZZ, max_examples=2_000)
@given(mutated(), st.sampled_from([n for n in format_names() if n != "auto"]))
def test_mutated_documents_under_any_named_format_raise_only_documented_errors(
        seed: tuple[str, bytes], format: str) -> None:
    name, content = seed
    check(content, name, format)


@pytest.mark.parametrize("format", ["ap", "apmedia", "digitalwires", "dpa"])
def test_json_array_under_a_named_json_format_reads_its_elements(format: str) -> None:
    parsed = parse_document(Document("list.json", b'[{"uri": "urn:x"}, 3]'), format=format)
    assert parsed.items == () and len(parsed.problems) == 2
    assert all(p.document == "list.json" for p in parsed.problems)


def test_ninjs_uri_with_a_bracket_is_an_opaque_id() -> None:
    doc = b'{"uri": "http://wire]example/a", "type": "text", "headline": "h", "body_text": "b"}'
    (item,) = parse_document(Document("bracket.json", doc)).items
    assert item.guid == "http://wire]example/a"


@pytest.mark.parametrize("name, content", SEEDS, ids=[n for n, _ in SEEDS])
def test_every_seed_truncated_anywhere_raises_only_documented_errors(
        name: str, content: bytes) -> None:
    for cut in sorted({len(content) * k // 7 for k in range(1, 7)}):
        check(content[:cut], name, fuzzed=False)
