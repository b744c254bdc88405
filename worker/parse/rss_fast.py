"""RSS 2.0 read straight from the lxml tree: the fast path of `worker.parse.rss`.

feedparser costs ~0.3-0.6 ms per item even with its sanitizer off; reading the same fields from
the tree `decode` already built costs a few hundredths (docs/design.md "Libraries and costs"). On a busy worker that
is most of the parse. feedparser stays the reader of everything else: this module reads only
the common, well-formed shape of RSS 2.0 and returns None for anything outside it, and the
caller then hands the document to feedparser. So feedparser's tolerance (ill-formed bytes, odd
dates, relative links, Atom, RDF, extension elements) is kept, and the fast path only has to be
exact on a shape it can check.

The shape: root `<rss version="2.0">` with one `<channel>`; no `xml:base` or `xml:lang`
anywhere; each `<item>` holds only `title`, `link`, `guid`, `pubDate`, `description`,
`category`, `author`, `comments`, `enclosure`, `dc:creator`, `content:encoded`, each at most once
(categories any number), text only; `link` an absolute http(s) URL; a `guid` that is a permalink
(the default) carries a scheme (feedparser resolves and copies it to the link); `pubDate` in
RFC 822 with a numeric zone or GMT/UT/UTC/Z; `author` a plain name or `email (Name)`.

Mapping, as feedparser's path makes it (values stripped like feedparser strips them): guid <-
`guid`; version_created and first_created <- `pubDate`; headline <- `title`; body <-
`content:encoded`, else `description`; byline <- `dc:creator`, else the name of `author`;
subjects <- categories; link <- `link`, else a permalink guid; language <- the channel's
`<language>`. tests/test_rss_fast.py checks that both paths give the same stories on every RSS
document of the test data, the real-world samples and feedparser's own corpus.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from worker.model import ItemData

_DC = "{http://purl.org/dc/elements/1.1/}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_XML = "{http://www.w3.org/XML/1998/namespace}"
_ORIGLINK = "{http://rssnamespace.org/feedburner/ext/1.0}origLink"
_MEDIA = ("{http://search.yahoo.com/mrss/}", "{http://search.yahoo.com/mrss}")
_SINGLE = {"title", "link", "guid", "pubDate", "description", "author", "comments", "enclosure",
           _DC + "creator", _DC + "date", _CONTENT + "encoded", _ORIGLINK}
#: media elements feedparser only stores (media:title, :description, :keywords, :category
#: change the entry's own fields: a document with those goes to feedparser)
_MEDIA_IGNORED = {m + name for m in _MEDIA for name in ("content", "thumbnail")}
_MEDIA_CREDIT = {m + "credit" for m in _MEDIA}
_DATE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov"
    r"|Dec) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? ([+-]\d{4}|GMT|UT|UTC|Z)"
)
_W3CDTF = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})"
)
_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
_C1 = re.compile("[\x80-\x9f]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_EMAIL_NAME = re.compile(r"([^\s()@]+@[^\s()@]+)\s*\(([^()]+)\)")


class _Unsupported(Exception):
    """The document leaves the shape this module reads: feedparser reads it instead."""


def parse_items(root: Any) -> list[ItemData] | None:
    """The items of a well-formed RSS 2.0 tree, or None when feedparser must read it."""
    if root is None or root.tag != "rss" or root.get("version") != "2.0":
        return None
    channels = [c for c in root if c.tag == "channel"]
    if len(channels) != 1 or _has_xml_attrs(root):
        return None
    channel = channels[0]
    language = None
    items = []
    try:
        for child in channel:
            if child.tag == "item":
                items.append(child)
            elif child.tag == "language":
                language = _strip(child)
        return [_item(element, language, position)
                for position, element in enumerate(items, start=1)]
    except _Unsupported:
        return None


def _has_xml_attrs(root: Any) -> bool:
    return any(key.startswith(_XML) for element in root.iter() for key in element.attrib)


def _strip(element: Any) -> str:
    if len(element):
        raise _Unsupported("markup inside a text field")
    text = (element.text or "").strip()
    if not text.isascii() and _C1.search(text):
        # feedparser repairs these (cp1252 punctuation, double-encoded UTF-8): let it
        raise _Unsupported("C1 control characters")
    return text


def _item(element: Any, language: str | None, position: int) -> ItemData:
    fields: dict[str, Any] = {}
    categories = []
    for child in element:
        tag = child.tag
        if tag == "category":
            text = _strip(child)
            if text:
                categories.append(text)
        elif tag in _SINGLE and tag not in fields:
            fields[tag] = child
        elif tag in _MEDIA_IGNORED and all(c.tag in _MEDIA_CREDIT for c in child):
            continue
        else:
            raise _Unsupported(f"item child {tag!r}")
    guid_el = fields.get("guid")
    guid = _strip(guid_el) if guid_el is not None else None
    link = _strip(fields["link"]) if "link" in fields else None
    if _ORIGLINK in fields:  # the publisher's URL; FeedBurner's own link is a redirect
        link = _strip(fields[_ORIGLINK]) or link
    if link is not None and not link.startswith(("http://", "https://")):
        raise _Unsupported("relative link")
    if guid_el is not None:
        permalink = guid_el.get("isPermaLink", "true")
        if permalink not in ("true", "false"):
            raise _Unsupported("isPermaLink")
        if permalink == "true" and guid and not _SCHEME.match(guid):
            raise _Unsupported("relative permalink guid")
        if permalink == "true" and link is None and guid:
            link = guid
    published = _date(_strip(fields["pubDate"])) if "pubDate" in fields else None
    updated = _w3cdtf(_strip(fields[_DC + "date"])) if _DC + "date" in fields else None
    body = _strip(fields[_CONTENT + "encoded"]) if _CONTENT + "encoded" in fields else None
    if not body and "description" in fields:
        body = _strip(fields["description"])
    return ItemData(
        guid=guid or None,
        version_created=updated or published,
        first_created=published,
        headline=_strip(fields["title"]) if "title" in fields else None,
        byline=_byline(fields),
        body_html=body,
        subjects=tuple(categories),
        keywords=(),
        link=link or None,
        language=language,
        ref=guid or f"entry {position}",
    )


def _byline(fields: dict[str, Any]) -> str | None:
    if _DC + "creator" in fields:
        if "author" in fields:
            raise _Unsupported("both dc:creator and author")
        return _strip(fields[_DC + "creator"]) or None
    if "author" not in fields:
        return None
    text = _strip(fields["author"])
    match = _EMAIL_NAME.fullmatch(text)
    if match:
        return match.group(2).strip() or None
    if "@" in text or "(" in text or ")" in text:
        raise _Unsupported("author")
    return text or None


def _date(text: str) -> datetime:
    match = _DATE.fullmatch(text)
    if match is None:
        raise _Unsupported(f"date {text!r}")
    day, month, year, hour, minute, second, zone = match.groups()
    try:
        value = datetime(int(year), _MONTHS[month], int(day), int(hour), int(minute),
                         int(second or 0), tzinfo=UTC)
    except ValueError as e:
        raise _Unsupported(f"date {text!r}") from e
    if zone[0] in "+-":
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
        value = value - offset if zone[0] == "+" else value + offset
    return value


def _w3cdtf(text: str) -> datetime:
    match = _W3CDTF.fullmatch(text)
    if match is None:
        raise _Unsupported(f"date {text!r}")
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        value = datetime(int(year), int(month), int(day), int(hour), int(minute),
                         int(second or 0), tzinfo=UTC)
    except ValueError as e:
        raise _Unsupported(f"date {text!r}") from e
    if zone != "Z":
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        value = value - offset if zone[0] == "+" else value + offset
    return value
