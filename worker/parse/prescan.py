"""Cheap per-item fingerprints of a document, taken before the full parse.

In steady state nearly every poll of a feed brings the same items again. Parsing and normalizing
100 items costs ~80 ms with feedparser; reading the raw XML with lxml and hashing each item element
costs ~1.3 ms (docs/design.md "Libraries and costs"). So a poll first takes one fingerprint per item and asks the store
which ones it has already ingested for this feed; when all are known, the poll ends without the
full parse.

A fingerprint is xxh3-128 of the item as it stands in the document, plus a salt (the feed's parse
settings: format, provider, time zone), so that changing how a feed is read re-reads its items:

- XML: the serialized element of each item: RSS `<item>`, Atom `<entry>`, NewsML-G2 `<newsItem>`
  / `<packageItem>` / `<conceptItem>` (wherever they sit: an RSS channel, an RDF root, a G2
  `newsMessage/itemSet`);
- JSON: each entry, serialized with sorted keys: a top-level array, or the first array of objects
  among `entries`, `items`, `data.items`, `data` (dpa digitalwires, AP Media, ninjs lists).

`None` means "no per-item view of this document" (single-story formats such as NITF, ANPA,
plain text, or bytes that do not parse): the poll then relies on the body hash and parses in full.

Trap: a change to feed-level data only (the channel's title or language) with identical items is
not seen until an item changes; feed-level timestamps (`lastBuildDate`) change on every poll, so
they must not be part of the fingerprint.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import xxhash
from lxml import etree

from worker.model import Document
from worker.parse.xmlsafe import parse_xml

if TYPE_CHECKING:
    from worker.parse import Decoded

ITEM_ELEMENTS = frozenset({"item", "entry", "newsItem", "packageItem", "conceptItem"})
JSON_LISTS = (("entries",), ("items",), ("data", "items"), ("data",))


def item_fingerprints(document: Document, salt: str = "",
                      decoded: Decoded | None = None) -> list[str] | None:
    """One fingerprint per item of the document, in order; None when it has no item view.

    `decoded` is the document as `worker.parse.decode` read it, when the caller has it: the
    parse that follows reuses the same tree, so a changed poll reads the XML once.
    """
    if decoded is not None:
        if decoded.family == "xml":
            raw = _items_of(decoded.root) if decoded.root is not None else None
        elif decoded.family == "json":
            raw = _json_entries(decoded.data)
        else:
            return None
    else:
        content = document.content.lstrip(b"\xef\xbb\xbf \t\r\n")
        if content.startswith(b"<"):
            raw = _xml_items(document.content)
        elif content[:1] in (b"{", b"["):
            raw = _json_items(content)
        else:
            return None
    if not raw:
        return None
    prefix = salt.encode("utf-8") + b"\x00"
    return [xxhash.xxh3_128_hexdigest(prefix + item) for item in raw]


def _xml_items(content: bytes) -> list[bytes] | None:
    try:
        root = parse_xml(content)
    except ValueError:
        return None
    return _items_of(root)


def _items_of(root: Any) -> list[bytes]:
    items: list[bytes] = []
    _collect(root, items)
    return items


def _collect(element: Any, items: list[bytes]) -> None:
    """Serialized item elements below `element`, without descending into an item."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if etree.QName(child).localname in ITEM_ELEMENTS:
            items.append(etree.tostring(child))
        else:
            _collect(child, items)


def _json_items(content: bytes) -> list[bytes] | None:
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    return _json_entries(data)


def _json_entries(data: Any) -> list[bytes] | None:
    entries = data if isinstance(data, list) else _entries_of(data)
    if entries is None:
        return None
    # "surrogatepass": a lone surrogate (a JSON "\ud800") still has a fingerprint
    return [
        json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        .encode("utf-8", "surrogatepass")
        for entry in entries
    ]


def _entries_of(data: Any) -> list[Any] | None:
    for path in JSON_LISTS:
        value = data
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return value
    return None
