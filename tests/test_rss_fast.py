"""The lxml fast path of RSS gives the same stories as feedparser, or steps aside.

`worker.parse.rss_fast` reads well-formed RSS 2.0 from the tree and returns None for anything
outside the shape it reads; `worker.parse.rss` then uses feedparser. Differential: on every RSS
document of the test data, the real-world samples, feedparser's own corpus and the benchmark's
generated feeds, whenever the fast path accepts a document, the normalized stories equal the ones
of the feedparser path, field by field.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench import feeds
from tests.conftest import REPO, shared_dir
from tests.test_feedparser_corpus import corpus  # noqa: F401 - the corpus fixture
from worker.errors import DocumentError, ItemError
from worker.model import Document
from worker.normalize import normalize_item
from worker.parse import decode, parse_document, rss
from worker.parse.rss_fast import parse_items

RECEIVED = datetime(2030, 1, 1, tzinfo=UTC)


def stories(items: tuple | list, base_url: str | None) -> list:
    out = []
    for item in items:
        try:
            out.append(normalize_item(item, provider="p", received_at=RECEIVED,
                                      base_url=base_url).as_json())
        except ItemError as e:
            out.append(("item error", str(e)))
    return out


def compare(document: Document) -> str:
    """`fast` (same stories both ways), `feedparser` (fast path declined) or `not rss`."""
    try:
        decoded = decode(document)
    except DocumentError:
        return "not rss"
    if decoded.root is None or parse_items(decoded.root) is None:
        return "feedparser"
    fast = parse_document(document, "rss")
    slow = rss.parse_with_feedparser(document)
    assert not slow.problems, document.name
    assert stories(fast.items, document.base_url) == stories(slow.items, document.base_url), (
        document.name
    )
    return "fast"


def test_fast_path_reads_generated_wire_feeds_like_feedparser() -> None:
    for feed in range(3):
        for gen in range(2):
            document = Document(f"bench-{feed}-{gen}", feeds.rss(feed, gen),
                                base_url="https://news.example.com/feed")
            assert compare(document) == "fast"


def test_fast_path_reads_real_feeds_like_feedparser_or_steps_aside() -> None:
    paths = sorted((shared_dir() / "realworld" / "rss-parser").iterdir())
    paths += sorted(p for p in (REPO / "tests" / "data" / "rss").iterdir()
                    if not p.name.endswith(".jsonl"))
    seen = {p.name: compare(Document(str(p), p.read_bytes())) for p in paths}
    assert seen["guardian.rss"] == "fast"
    assert seen["encoding.rss"] == "fast"  # feedburner:origLink
    # media:title inside media:content would change the title for feedparser: it reads that one
    assert seen["rss20-wire.xml"] == "feedparser"
    assert seen["heise.atom"] == "feedparser"


def test_fast_path_agrees_with_feedparser_on_its_corpus(corpus: Path) -> None:  # noqa: F811
    counts = {"fast": 0, "feedparser": 0, "not rss": 0}
    for path in sorted(corpus.rglob("*.xml")):
        counts[compare(Document(str(path), path.read_bytes()))] += 1
    assert counts["fast"] >= 250, counts  # the wellformed RSS 2.0 fixtures take the fast path


@pytest.mark.parametrize("element, replacement, why", [
    (b"pubDate", b"<pubDate>Mon, 02 Nov 2026 06:33:00 EST</pubDate>", "named zones"),
    (b"pubDate", b"<pubDate>02/11/2026</pubDate>", "an odd date"),
    (b"link", b"<link>/relative/1</link>", "a relative link"),
    (b"title", b"<title>don\xc2\x92t</title>", "cp1252 punctuation feedparser repairs"),
    (None, b"<media:title xmlns:media='http://search.yahoo.com/mrss/'>t</media:title>",
     "media:title, which feedparser takes for the title"),
])
def test_fast_path_steps_aside_for_what_feedparser_reads_differently(
    element: bytes | None, replacement: bytes, why: str
) -> None:
    content = feeds.rss(7, 0)
    start = content.index(b"<item>") + len(b"<item>")
    head, items = content[:start], content[start:]
    if element is None:
        items = replacement + items
    else:
        items = re.sub(rb"<%s>[^<]*</%s>" % (element, element), replacement, items, count=1)
    assert parse_items(decode(Document("plain", content)).root) is not None
    assert parse_items(decode(Document("odd", head + items)).root) is None, why
