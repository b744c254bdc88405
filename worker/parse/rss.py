"""RSS 0.9x/1.0/2.0 and Atom 0.3/1.0, read with feedparser.

feedparser is told not to sanitize or resolve links itself (`sanitize_html=False`,
`resolve_relative_uris=False`): normalize does both once, with the same allow-list for every
format (notes/perf.md 1a: feedparser's own sanitizer is ~70 % of its time).

Mapping (notes/formats.md 8.2): guid <- `guid`/`atom:id`, else the link, else the SPEC digest;
version_created <- `atom:updated`/`dc:date`/`dcterms:modified`, else `pubDate`/`published`;
first_created <- `pubDate`/`published`; headline <- `title`; body <- `content:encoded`/Atom
`content`, else `description`/`summary`; byline <- `dc:creator`/`author`; subjects <- categories;
keywords <- `media:keywords`/`itunes:keywords`; language <- item, else channel language.
RSS has no version counter and no status: every item is `usable`.
"""

from __future__ import annotations

import calendar
import time
from datetime import datetime, timezone
from typing import Any

import feedparser

from worker.errors import DocumentError
from worker.model import Document, ItemData, ItemProblem, ParsedDocument

NAME = "rss"
FAMILY = "xml"
_ROOTS = {"rss", "feed", "RDF", "channel"}
_HEAD_MARKS = (b"<rss", b"<feed", b"<rdf:RDF", b"<RDF")


def matches(decoded: Any) -> bool:
    if decoded.root is not None:
        tag = decoded.root.tag
        return isinstance(tag, str) and tag.rsplit("}", 1)[-1] in _ROOTS
    return any(mark in decoded.head for mark in _HEAD_MARKS)


def parse(document: Document, decoded: Any) -> ParsedDocument:
    """Every entry of the feed as ItemData; a bad entry is a problem, not a failure."""
    result = feedparser.parse(
        document.content,
        sanitize_html=False,
        resolve_relative_uris=False,
        response_headers={"content-location": document.base_url} if document.base_url else None,
    )
    if not result.get("version") and not result.entries:
        reason = result.get("bozo_exception") or "no RSS or Atom feed found"
        raise DocumentError(document.name, f"not a readable feed: {reason}", NAME)
    language = result.feed.get("language")
    items: list[ItemData] = []
    problems: list[ItemProblem] = []
    for position, entry in enumerate(result.entries, start=1):
        try:
            items.append(_item(entry, language, position))
        except (KeyError, TypeError, ValueError, OverflowError) as e:
            problems.append(ItemProblem(document.name, entry.get("id") or str(position), str(e)))
    return ParsedDocument(NAME, tuple(items), tuple(problems))


def _item(entry: Any, language: str | None, position: int) -> ItemData:
    content = entry.get("content") or []
    body = next((c.get("value") for c in content if "html" in (c.get("type") or "")), None)
    if body is None and content:
        body = content[0].get("value")
    if not body:
        body = entry.get("summary") or entry.get("description")
    published = _time(entry.get("published_parsed"))
    updated = _time(entry.get("updated_parsed")) or published
    tags = [t.get("term") or t.get("label") for t in entry.get("tags") or []]
    keywords = [k.strip() for k in (entry.get("media_keywords") or "").split(",")]
    keywords += [k.strip() for k in (entry.get("itunes_keywords") or "").split(",")]
    return ItemData(
        guid=(entry.get("id") or "").strip() or None,
        version_created=updated if updated else entry.get("updated") or entry.get("published"),
        first_created=published,
        headline=entry.get("title"),
        byline=entry.get("author"),
        body_html=body,
        subjects=tuple(t for t in tags if t),
        keywords=tuple(k for k in keywords if k),
        link=entry.get("link") or None,
        language=entry.get("language") or language,
        ref=entry.get("id") or f"entry {position}",
    )


def _time(value: time.struct_time | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
