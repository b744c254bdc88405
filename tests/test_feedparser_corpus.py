"""feedparser's own test corpus (~2,240 micro-feeds) through `parse_document(format="rss")`.

The corpus is fetched, never committed: the sdist of the installed feedparser version
(`pip download --no-deps --no-binary :all: feedparser==<version>`) is cached under
`~/.cache/wire-ingest/` (WIRE_CACHE_DIR overrides) and unpacked once. Without it the test fails.

Robustness: every XML file under its tests/ (wellformed, illformed, encoding, entities, http)
goes through parse + normalize; only documented DocumentErrors may come out, each of a known
kind checked against the file (entity declarations, no feed at all, bytes that are not
ASCII-compatible). Differential: for every entry, when feedparser (with the flags the product
uses) finds a title or link, the normalized headline and link say the same. These are
one-element fixtures, so the differential covers the field mapping, not realistic feeds
(docs/design.md "Polling").
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from worker.errors import DocumentError, ItemError
from worker.normalize.controls import drop_controls
from worker.model import Document
from worker.normalize import normalize_item
from worker.normalize.html import inline_text
from worker.parse import parse_document
from worker.parse.rss import declares_entities

RECEIVED = datetime(2030, 1, 1, tzinfo=UTC)
VERSION = feedparser.__version__


def cache_dir() -> Path:
    return Path(os.environ.get("WIRE_CACHE_DIR") or Path.home() / ".cache" / "wire-ingest")


@pytest.fixture(scope="session")
def corpus() -> Path:
    """feedparser's tests/ folder of the installed version, downloaded and unpacked once."""
    root = cache_dir() / f"feedparser-{VERSION}"
    tests = root / f"feedparser-{VERSION}" / "tests"
    if tests.is_dir():
        return tests
    root.mkdir(parents=True, exist_ok=True)
    sdist = root / f"feedparser-{VERSION}.tar.gz"
    if not sdist.exists():
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             f"feedparser=={VERSION}", "-d", str(root)],
            capture_output=True, text=True, timeout=300, check=False,
        )
        if done.returncode != 0 or not sdist.exists():
            pytest.fail(f"cannot download the feedparser {VERSION} sdist: {done.stderr[-500:]}")
    with tarfile.open(sdist) as archive:
        members = [m for m in archive.getmembers() if m.name.startswith(
            f"feedparser-{VERSION}/tests/")]
        archive.extractall(root, members=members, filter="data")
    return tests


@dataclass
class Outcome:
    files: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    entries: int = 0
    stories: int = 0
    item_errors: int = 0
    problems: int = 0
    titles_checked: int = 0
    links_checked: int = 0
    mismatches: list[str] = field(default_factory=list)


def refusal_kind(error: DocumentError, content: bytes) -> str | None:
    """Which documented refusal this is, if the file really is of that kind; else None."""
    text = str(error)
    start = content.lstrip(b" \t\r\n")
    if "declares entities" in text:
        return "entity declarations" if declares_entities(content) else None
    if "this is text" in text:  # UTF-16/32, EBCDIC: not ASCII-compatible, not sniffed as XML
        return "not ASCII-compatible" if not start.lstrip(b"\xef\xbb\xbf").startswith(b"<") \
            else None
    if "not a readable feed" in text:
        found = feedparser.parse(content)
        return "no feed" if not found.get("version") and not found.entries else None
    return None


@pytest.fixture(scope="session")
def outcome(corpus: Path) -> Outcome:
    result = Outcome()
    warnings.simplefilter("ignore", DeprecationWarning)
    for path in sorted(corpus.rglob("*.xml")):
        name = path.relative_to(corpus).as_posix()
        content = path.read_bytes()
        result.files[name.split("/")[0]] += 1
        try:
            parsed = parse_document(Document(name, content), format="rss")
        except DocumentError as e:
            kind = refusal_kind(e, content)
            if kind is None or name not in str(e):
                result.unexpected.append(f"{name}: {e}")
            result.refused[kind or "unexpected"] += 1
            continue
        except Exception as e:  # noqa: BLE001 - the property under test
            result.unexpected.append(f"{name}: {e!r}")
            continue
        expected = feedparser.parse(content, sanitize_html=False, resolve_relative_uris=False)
        result.entries += len(expected.entries)
        result.problems += len(parsed.problems)
        if len(parsed.items) + len(parsed.problems) != len(expected.entries):
            result.mismatches.append(f"{name}: {len(parsed.items)} items, "
                                     f"{len(expected.entries)} entries")
            continue
        for item, entry in zip(parsed.items, expected.entries):
            try:
                story = normalize_item(item, provider="p", received_at=RECEIVED, document=name)
            except ItemError:
                result.item_errors += 1
                continue
            except Exception as e:  # noqa: BLE001
                result.unexpected.append(f"{name}: normalize: {e!r}")
                continue
            result.stories += 1
            # feedparser keeps control characters; a story never holds them (SPEC: text for people)
            title = drop_controls(inline_text(entry.get("title")) or "").strip() or None
            if title:
                result.titles_checked += 1
                if story.headline != title:
                    result.mismatches.append(f"{name}: headline {story.headline!r} != {title!r}")
            link = (entry.get("link") or "").strip()
            if link and not entry.get("feedburner_origlink"):
                result.links_checked += 1
                if story.link != link:
                    result.mismatches.append(f"{name}: link {story.link!r} != {link!r}")
    return result


def test_corpus_is_complete(outcome: Outcome) -> None:
    assert sum(outcome.files.values()) > 2_000
    assert {"wellformed", "illformed", "encoding", "entities"} <= set(outcome.files)


def test_every_corpus_file_parses_or_is_refused_for_a_documented_reason(
        outcome: Outcome) -> None:
    assert outcome.unexpected == []
    assert set(outcome.refused) <= {"entity declarations", "no feed", "not ASCII-compatible"}
    # measured with feedparser 6.0.14: 2 entity-declaring, 9 without a feed, 39 UTF-16/32/EBCDIC
    assert sum(outcome.refused.values()) < 60


def test_feedparser_titles_and_links_are_our_headlines_and_links(outcome: Outcome) -> None:
    assert outcome.mismatches == []
    assert outcome.titles_checked > 150 and outcome.links_checked > 25
    assert outcome.stories > 400


def test_items_with_nothing_to_publish_are_item_errors_not_crashes(outcome: Outcome) -> None:
    # the corpus is mostly one-element fixtures: entries without title and body are expected
    assert outcome.stories + outcome.item_errors + outcome.problems == outcome.entries


def test_utf16_feed_with_a_byte_order_mark_is_read(corpus: Path) -> None:
    path = corpus / "encoding" / "utf-16le-bom.xml"
    parsed = parse_document(Document(path.name, path.read_bytes()), format="rss")
    assert parsed.format == "rss"


def test_script_in_an_html_title_does_not_reach_the_headline(corpus: Path) -> None:
    path = corpus / "wellformed" / "sanitize" / "entry_title_script.xml"
    parsed = parse_document(Document(path.name, path.read_bytes()), format="rss")
    story = normalize_item(parsed.items[0], provider="p", received_at=RECEIVED)
    assert "location.href" not in story.headline
