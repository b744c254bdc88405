"""IPTC NewsML-G2: a `newsMessage` (header + `itemSet` of items) or a single item document.

Only text `newsItem`s are stories. Package, concept, knowledge and planning items and picture,
video, audio or graphic news items are skipped with a note in `ParsedDocument.skipped`, never
an error; a message without any text item yields no item at all. One unreadable item (no
`@guid`, a `@version` that is not a positive integer) becomes an `ItemError` naming the
document and the item; the others still come out. A text item carrying neither headline nor
body (metadata only, as IPTC's hop-history example) is skipped with a note too, unless it is a
kill, which must never vanish unseen.

Mapping (docs/design.md "Formats"), `im` = itemMeta, `cm` = contentMeta:

- guid, version: `newsItem/@guid`, `@version` (schema default 1; Reuters' is an opaque
  increasing integer, only comparable within one guid).
- version_created: `im/versionCreated`, else `cm/contentModified`; first_created:
  `im/firstCreated`; embargoed: `im/embargoed`; pubstatus: `im/pubStatus/@qcode`.
- signals: the codes first: `sig:update`, `sig:correction`, Reuters `edStat:U/C/D` and
  `itemClass/@rtr:msgType` R/D -> update, correction, kill (and `stat:canceled` -> kill). Only
  when no code is given, the words: a `CORRECTED-` or `UPDATE n-` headline, a slugline saying
  UPDATE, CORRECTED or Writethru, an edNote saying "corrects" or "writethru". Codes win because
  a Reuters cancel keeps the corrected headline and slugline it kills.
- urgency: `cm/urgency` (IPTC 1..9). headline: `cm/headline` without a role or with a `main`
  role, else the first; else the NITF `hl1`. slugline: `cm/slugline`.
- byline: `cm/by`, else the NITF byline, else a `cm/creator` named in words only (a coded
  creator is a desk login or an organisation, not an author).
- dateline: `cm/dateline`, the place only (`London (dpa) - ` -> `London`; Reuters writes a
  timestamp there, which is no place); else an all-capitals place before `(Agency) -` in the
  first paragraphs (`BEIRUT, Oct 14 (Reuters) -`); else `cm/located` name or literal.
- subjects: `cm/subject/@qcode`, else `@literal`, else its name; keywords: `cm/keyword`;
  language: `cm/language/@tag`, else `@xml:lang`.
- credits: `cm/creditline`, else `cm/infoSource` names, else `rightsInfo/copyrightHolder`.
- provider: `im/provider` `@qcode`, `@literal` or `@uri` as a slug (`nprov:REUTERS`,
  `reuters.com` -> `reuters`), else the guid's domain (`tag:ap.org,...` -> `ap`), else the
  message sender, else the provider's name.
- body: the first `contentSet/inlineXML`, NITF (`application/nitf+xml`, through
  `nitf.nitf_body`) or XHTML `html/body`; else `inlineData` (plain text -> body_text, HTML ->
  body_html). link: `im/link[@rel="irel:canonical"]`.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from worker.errors import DocumentError, ItemError
from worker.model import Document, ItemData, ParsedDocument
from worker.normalize.dateline import lead_dateline, place_of
from worker.normalize.signals import signal_of_code, signals_in_headline, signals_in_words
from worker.normalize.urgency import iptc_urgency
from worker.parse.items import read_items
from worker.parse.nitf import nitf_body, nitf_byline
from worker.parse.xmlsafe import local
from worker.parse.xmlutil import (
    Named,
    attr,
    by_name,
    child,
    children,
    descendants,
    first,
    inner_html,
    lang,
    plain_text,
    slug_of,
    text,
)

NAME = "newsml"
FAMILY = "xml"

ROOTS = {"newsMessage", "newsItem", "packageItem", "conceptItem", "knowledgeItem",
         "planningItem", "catalogItem"}
TEXT_CLASSES = {"text"}
#: explicit signal codes, lower-cased; Reuters edStat C/U/D = corrected/update/delete
MSG_TYPES = {"r": "update", "d": "kill"}
#: a paragraph's content up to its first `</p>`; the loop is unrolled, as a lazy `(.*?)</p>`
#: would try `</p>` at every character
_PARAGRAPH = re.compile(r"<p\b[^>]*>([^<]*(?:<(?!/p>)[^<]*)*)</p>")
_TAG = re.compile(r"<[^>]+>")
#: how many paragraphs may come before the dateline (Reuters puts a summary and the byline first)
LEAD_PARAGRAPHS = 6


def matches(decoded: Any) -> bool:
    return decoded.root is not None and local(decoded.root.tag) in ROOTS


def parse(document: Document, decoded: Any) -> ParsedDocument:
    """Every text newsItem of the document as ItemData; the rest is skipped with a note."""
    root = decoded.root
    if root is None:
        raise DocumentError(document.name, f"malformed XML: {decoded.xml_error}", NAME)
    if local(root.tag) not in ROOTS:
        raise DocumentError(document.name, "not a NewsML-G2 document", NAME)
    if local(root.tag) == "newsMessage":
        elements = [e for s in children(root, "itemSet") for e in s if isinstance(e.tag, str)]
        sender = text(child(root, "header", "sender"))
    else:
        elements, sender = [root], None
    def read(element: Any, position: int) -> ItemData | str:
        kind = local(element.tag)
        # an item's children and its itemMeta's, read once: most of the mapping looks there
        parts = by_name(element)
        meta = by_name(first(parts, "itemMeta"))
        item_class = _item_class(kind, meta)
        if kind != "newsItem" or item_class not in TEXT_CLASSES:
            return f"{kind} {item_class} is not a text story" if item_class else (
                f"{kind} is not a text story")
        item = _item(element, parts, meta, sender)
        if _empty(item) and "kill" not in item.signals:  # a kill must never vanish unseen
            return "text item with no headline and no body"
        return item

    items, problems, skipped = read_items(
        document.name, elements, read, lambda e, position: attr(e, "guid") or f"item {position}")
    return ParsedDocument(NAME, tuple(items), tuple(problems), tuple(skipped))


def _empty(item: ItemData) -> bool:
    return not (item.headline or item.body_html or item.body_text)


def _item_class(kind: str, meta: Named) -> str:
    """`ninat:text` / `icls:text` -> `text`; a newsItem without an itemClass counts as text."""
    qcode = attr(first(meta, "itemClass"), "qcode")
    if not qcode:
        return "text" if kind == "newsItem" else ""
    return qcode.rsplit(":", 1)[-1].lower()


def _item(item: etree._Element, parts: Named, meta: Named, sender: str | None) -> ItemData:
    """`parts` and `meta`: the children of the item and of its itemMeta, by local name."""
    guid = attr(item, "guid")
    if not guid:
        raise ItemError("newsItem has no guid")
    raw_version = attr(item, "version") or "1"
    if not raw_version.isdigit() or int(raw_version) < 1:
        raise ItemError(f"version {raw_version!r} is not a positive integer")
    content = by_name(first(parts, "contentMeta"))
    body_html, body_text, nitf = _body(first(parts, "contentSet"))
    headline = _headline(content) or text(child(nitf, "body", "body.head", "hedline", "hl1"))
    slugline = text(first(content, "slugline"))
    pubstatus = attr(first(meta, "pubStatus"), "qcode")
    return ItemData(
        guid=guid,
        version=int(raw_version),
        version_created=(text(first(meta, "versionCreated"))
                         or text(first(content, "contentModified"))),
        first_created=text(first(meta, "firstCreated")),
        pubstatus=pubstatus,
        embargoed=text(first(meta, "embargoed")),
        urgency=iptc_urgency(text(first(content, "urgency"))),
        signals=_signals(meta, pubstatus, headline, slugline),
        headline=headline,
        slugline=slugline,
        byline=_byline(content, nitf),
        dateline=_dateline(content, body_html),
        language=(attr(first(content, "language"), "tag") or lang(item)
                  or attr(nitf, "baselang")),
        body_html=body_html,
        body_text=body_text,
        subjects=tuple(_subjects(content)),
        keywords=tuple(k for k in (text(e) for e in content.get("keyword", ())) if k),
        credits=_credits(parts, content),
        link=next((attr(link, "href") for link in meta.get("link", ())
                   if attr(link, "rel") == "irel:canonical"), None),
        provider=_provider(first(meta, "provider"), guid, sender),
        ref=guid,
    )


def _body(content_set: etree._Element | None) -> tuple[str | None, str | None, Any]:
    """(body_html, body_text, nitf element or None) from the first inline rendition."""
    for inline in children(content_set, "inlineXML"):
        nitf = next(descendants(inline, "nitf"), None)
        if nitf is not None:
            return nitf_body(nitf), None, nitf
        page = child(inline, "html")
        container = child(page, "body") if page is not None else child(inline, "body")
        return inner_html(container if container is not None else inline), None, None
    for data in children(content_set, "inlineData"):
        value = data.text or ""
        if "html" in (attr(data, "contenttype") or "").lower():
            return value, None, None
        return None, plain_text(value), None
    return None, None, None


def _headline(content: Named) -> str | None:
    headlines = content.get("headline", [])
    for headline in headlines:
        role = attr(headline, "role")
        if not role or role.rsplit(":", 1)[-1].lower() == "main":
            return text(headline)
    return text(headlines[0]) if headlines else None


def _signals(meta: Named, pubstatus: str | None, headline: str | None,
             slugline: str | None) -> tuple[str, ...]:
    signals = [signal for signal in (signal_of_code(attr(s, "qcode"))
                                     for s in meta.get("signal", ())) if signal]
    msg_type = (attr(first(meta, "itemClass"), "msgType") or "").lower()
    if msg_type in MSG_TYPES:
        signals.append(MSG_TYPES[msg_type])
    if (pubstatus or "").lower().endswith("canceled"):
        signals.append("kill")
    if not signals:  # no explicit status: read the words editors put in the item
        signals += signals_in_headline(headline)
        notes = [text(note) for note in meta.get("edNote", ())]
        signals += signals_in_words(slugline, *notes).signals
    return tuple(dict.fromkeys(signals))


def _byline(content: Named, nitf: Any) -> str | None:
    bylines = [b for b in (text(e) for e in content.get("by", ())) if b]
    if bylines:
        return ", ".join(bylines)
    from_nitf = nitf_byline(child(nitf, "body", "body.head"))
    if from_nitf:
        return from_nitf
    for creator in content.get("creator", ()):
        if attr(creator, "qcode") is None and attr(creator, "literal") is None:
            name = text(child(creator, "name"))
            if name:
                return name
    return None


def _dateline(content: Named, body_html: str | None) -> str | None:
    place = place_of(text(first(content, "dateline")))
    if place:
        return place
    paragraphs = _PARAGRAPH.finditer(body_html or "")
    for found in itertools.islice(paragraphs, LEAD_PARAGRAPHS):
        place, agency = lead_dateline(html.unescape(_TAG.sub("", found.group(1))).strip())
        if place and agency:
            return place
    located = first(content, "located")
    return text(child(located, "name")) or attr(located, "literal")


def _subjects(content: Named) -> list[str]:
    subjects = []
    for subject in content.get("subject", ()):
        value = attr(subject, "qcode") or attr(subject, "literal") or text(child(subject, "name"))
        if value:
            subjects.append(value)
    return subjects


def _credits(parts: Named, content: Named) -> tuple[str, ...]:
    credits = [c for c in (text(e) for e in content.get("creditline", ())) if c]
    if not credits:
        credits = [c for c in (attr(s, "literal") or text(child(s, "name"))
                               for s in content.get("infoSource", ())) if c]
    if not credits:
        holder = child(first(parts, "rightsInfo"), "copyrightHolder")
        name = attr(holder, "literal") or text(child(holder, "name"))
        credits = [name] if name else []
    return tuple(credits)


def _provider(provider: etree._Element | None, guid: str, sender: str | None) -> str | None:
    for value in _provider_names(provider, guid, sender):  # read one by one, until one slugs
        slug = slug_of(value)
        if slug:
            return slug
    return None


def _provider_names(provider: etree._Element | None, guid: str,
                    sender: str | None) -> Iterator[str | None]:
    yield attr(provider, "qcode")
    yield attr(provider, "literal")
    yield attr(provider, "uri")
    yield guid
    yield sender
    yield text(child(provider, "name"))
