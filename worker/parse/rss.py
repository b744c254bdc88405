"""RSS 0.9x/1.0/2.0 and Atom 0.3/1.0: the common RSS 2.0 shape from lxml, the rest with feedparser.

Well-formed RSS 2.0 of the shape most agency and publisher feeds have is read straight from the
lxml tree `decode` already built (`worker.parse.rss_fast`: ~0.02 ms per item against feedparser's
~0.3 ms, which made the parse most of a busy worker's CPU). Whatever leaves that shape (Atom,
RDF, RSS 0.9x, odd dates, relative links, extension elements, bytes lxml refuses) is read by
feedparser as below; on the shape both read, both give the same stories (tests/test_rss_fast.py).

feedparser is told not to sanitize or resolve links itself (`sanitize_html=False`,
`resolve_relative_uris=False`): normalize does both once, with the same allow-list for every
format (docs/design.md "Libraries and costs": feedparser's own sanitizer is ~70 % of its time). The bytes reach
feedparser only after `decode` has refused entity-declaring documents (xmlsafe), and feedparser
itself keeps only inline entities that expand to plain text.

Mapping (docs/design.md "Formats"): guid <- `guid`/`atom:id`, else the link, else the SPEC digest
(normalize); version_created <- `atom:updated`/`dc:date`/`dcterms:modified`, else
`pubDate`/`published`; first_created <- `pubDate`/`published`; headline <- `title`; body <-
`content:encoded`/Atom `content` (an HTML one first), else `description`/`summary`; byline <-
`dc:creator`/`author`, in Atom else the feed's author (RFC 4287 4.2.1: entries inherit it);
subjects <- categories; keywords <- `media:keywords`/`itunes:keywords`; link <-
`feedburner:origLink` (the publisher's URL; FeedBurner's own link is a per-feed redirect), else
the alternate link; language <- the entry's `xml:lang`, else the feed's language.
Enclosures and `media:content` are not stories: they are left out. RSS has no version counter
and no status: every item is `usable`.

Repeated guids in one document: the same guid with the same link (or no link) is the same story
met twice (a feed listing an update beside the original): both go on as versions of it and the
merge rule keeps the newer. The same guid with a *different* link is a non-conformant feed that
reuses one guid for several stories; like Miniflux (reader/rss/adapter.go) the first keeps the
plain guid, so stories stored earlier still match, and each later one becomes `guid#link`.
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import feedparser

from worker.errors import DocumentError
from worker.model import Document, ItemData, ParsedDocument
from worker.parse import rss_fast
from worker.parse.items import read_items

NAME = "rss"
FAMILY = "xml"
_ROOTS = {"rss", "feed", "RDF", "channel"}
_HEAD_MARKS = (b"<rss", b"<feed", b"<rdf:RDF", b"<RDF")
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.DOTALL)
#: what feedparser may raise on hostile bytes instead of setting `bozo`
_FEEDPARSER_ERRORS = (ValueError, LookupError, TypeError, AssertionError, AttributeError,
                      RecursionError, OverflowError)


def matches(decoded: Any) -> bool:
    if decoded.root is not None:
        tag = decoded.root.tag
        return isinstance(tag, str) and tag.rsplit("}", 1)[-1] in _ROOTS
    return any(mark in decoded.head for mark in _HEAD_MARKS)


def parse(document: Document, decoded: Any) -> ParsedDocument:
    """Every entry of the feed as ItemData; a bad entry is a problem, not a failure."""
    if declares_entities(document.content):
        raise DocumentError(document.name, "feed declares entities (<!ENTITY>): refused, "
                            "entity expansion (XXE, billion laughs) is never resolved", NAME)
    fast = rss_fast.parse_items(decoded.root)
    if fast is not None:
        links_of_guid: dict[str, str | None] = {}
        return ParsedDocument(NAME, tuple(_disambiguate(item, links_of_guid) for item in fast))
    return parse_with_feedparser(document)


def parse_with_feedparser(document: Document) -> ParsedDocument:
    """The feed read by feedparser: every shape of RSS and Atom, however odd."""
    try:
        result = feedparser.parse(
            document.content,
            sanitize_html=False,
            resolve_relative_uris=False,
            response_headers={"content-location": document.base_url} if document.base_url
            else None,
        )
    except _FEEDPARSER_ERRORS as e:
        raise DocumentError(document.name, f"not a readable feed: {e!r}", NAME) from e
    if not result.get("version") and not result.entries:
        reason = result.get("bozo_exception") or "no RSS or Atom feed found"
        raise DocumentError(document.name, f"not a readable feed: {reason}", NAME)
    feed = result.feed
    language = feed.get("language")
    feed_author = _author(feed) if str(result.get("version", "")).startswith("atom") else None
    items, problems, _ = read_items(
        document.name, result.entries,
        lambda entry, position: _item(entry, language, feed_author, position), _ref)
    links_of_guid: dict[str, str | None] = {}
    items = [_disambiguate(item, links_of_guid) for item in items]
    return ParsedDocument(NAME, tuple(items), tuple(problems))


def declares_entities(content: bytes) -> bool:
    """Whether the bytes declare an entity anywhere outside CDATA.

    The prolog check of xmlsafe covers documents lxml reads; feedparser reads the raw bytes
    again, also when lxml gave up on them, so the whole document is checked here: a DOCTYPE
    hidden after a long comment or behind a `]>` inside a comment must not reach expat's
    entity expansion (measured: a billion-laughs feed cost feedparser 1.1 s and 42 MB).
    """
    if _ENTITY_DECL.search(content) is None:
        return False
    return _ENTITY_DECL.search(_CDATA.sub(b"", content)) is not None


def _disambiguate(item: ItemData, links_of_guid: dict[str, str | None]) -> ItemData:
    """A guid met again with another link names another story: `guid#link` (Miniflux's rule)."""
    if not item.guid:
        return item
    if item.guid not in links_of_guid:
        links_of_guid[item.guid] = item.link
        return item
    first_link = links_of_guid[item.guid]
    if item.link and first_link and item.link != first_link:
        return replace(item, guid=f"{item.guid}#{item.link}")
    return item


def _item(entry: Any, language: str | None, feed_author: str | None, position: int) -> ItemData:
    content = entry.get("content") or []
    body = next((c.get("value") for c in content if "html" in (c.get("type") or "")), None)
    if body is None and content:
        body = content[0].get("value")
    if not body:
        body = entry.get("summary") or entry.get("description")
    published = _time(entry.get("published_parsed"))
    # dict.get: feedparser's own get() maps a missing updated to published, with a warning
    updated = _time(dict.get(entry, "updated_parsed")) or published
    tags = [t.get("term") or t.get("label") for t in entry.get("tags") or []]
    keywords = [k.strip() for k in _text(entry.get("media_keywords")).split(",")]
    keywords += [k.strip() for k in _text(entry.get("itunes_keywords")).split(",")]
    link = _text(entry.get("feedburner_origlink")).strip() or _text(entry.get("link")).strip()
    return ItemData(
        guid=_text(entry.get("id")).strip() or None,
        version_created=updated or dict.get(entry, "updated") or entry.get("published"),
        first_created=published,
        headline=entry.get("title"),
        byline=_author(entry) or feed_author,
        body_html=body,
        subjects=tuple(str(t) for t in tags if t),
        keywords=tuple(k for k in keywords if k),
        link=link or None,
        language=_entry_language(entry) or language,
        ref=_ref(entry, position),
    )


def _author(entry: Any) -> str | None:
    """The author's name: RSS `<author>` is "email (Name)"; feedparser splits it."""
    detail = entry.get("author_detail") or {}
    return _text(detail.get("name")).strip() or _text(entry.get("author")).strip() or None


def _entry_language(entry: Any) -> str | None:
    """The entry's own xml:lang, as feedparser records it on the title or content."""
    if entry.get("language"):
        return str(entry.get("language"))
    for detail in (entry.get("title_detail"), *(entry.get("content") or [])):
        if detail and detail.get("language"):
            return str(detail.get("language"))
    return None


def _ref(entry: Any, position: int) -> str:
    return _text(entry.get("id")).strip() or f"entry {position}"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _time(value: time.struct_time | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None
