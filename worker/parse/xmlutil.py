"""Helpers shared by the XML wire formats (NITF, NewsML-G2): namespace-blind lookups, body
markup to an HTML fragment, and the small text rules both formats need.

Why namespace-blind: the same format arrives with and without its namespace (AP's NITF uses
`http://iptc.org/std/NITF/2006-10-18/`, PA, EFE and NTB use none; Reuters G2 is sometimes
written with `ns0:` prefixes), so every lookup compares local names only.

Bodies are handed on as raw HTML fragments: normalize sanitizes them. The only rewriting done
here is structural, so paragraphs survive: namespaces are dropped, NITF block elements get their
HTML names (`hl2` -> `h2`, `block` -> `div`, `bq` -> `blockquote`), NITF `media` and `note`
(pictures and editors' notes, not story text) and XHTML `head`/`header` (a title and a masthead
repeating the metadata, as dpa writes) are removed, and a paragraph written in the old wire
layout (one `p` holding every paragraph, each starting on an indented line, as Reuters and ANSA
do) is split into one `p` per paragraph.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from lxml import etree

from worker.parse.xmlsafe import local

#: NITF body elements with an HTML twin; the rest (inline person/org/chron ...) pass as they are
NITF_TO_HTML = {"hl1": "h2", "hl2": "h2", "block": "div", "bq": "blockquote", "credit": "p",
                "nitf-table": "div"}
#: removed with their content: not story text
DROPPED = {"media", "note", "nitf-table-metadata", "head", "header", "title", "script", "style"}
_INDENTED = re.compile(r"^[ \t]+\S")
#: a date after the place of a dateline: ", Oct 14", ", 01 LUG", ", 14. Oktober 2017"
_TRAILING_DATE = re.compile(
    r",\s*(?:\d{1,2}\.?\s+[A-Za-z]{3,9}\.?|[A-Za-z]{3,9}\.?\s+\d{1,2})(?:,?\s+\d{4})?$")


def children(element: etree._Element | None, name: str) -> list[etree._Element]:
    """The child elements of `element` whose local name is `name`."""
    if element is None:
        return []
    # lxml's `{*}` matches the name in any namespace or none, in C
    return list(element.iterchildren("{*}" + name))


def child(element: etree._Element | None, *path: str) -> etree._Element | None:
    """The first element down `path` (local names), or None."""
    for name in path:
        if element is None:
            return None
        element = next(element.iterchildren("{*}" + name), None)
    return element


def descendants(element: etree._Element | None, name: str) -> Iterator[etree._Element]:
    """Every element below `element` (document order) whose local name is `name`."""
    if element is None:
        return iter(())
    return element.iter("{*}" + name)


def attr(element: etree._Element | None, name: str) -> str | None:
    """An attribute by local name (`rtr:msgType` is found as `msgType`), stripped, or None."""
    if element is None:
        return None
    qualified = "}" + name
    for key, value in element.attrib.items():
        if key == name or key.endswith(qualified):
            return value.strip() or None
    return None


def lang(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    value = element.get("{http://www.w3.org/XML/1998/namespace}lang")
    return value.strip() if value and value.strip() else None


def text(element: etree._Element | None, skip: frozenset[str] = frozenset()) -> str | None:
    """All text inside `element`, whitespace collapsed; subtrees named in `skip` left out."""
    if element is None:
        return None
    if not skip:  # lxml gathers it in C: the text and tails of elements, never a comment's own
        value = " ".join("".join(element.itertext()).split())
        return value or None
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if isinstance(node.tag, str) and local(node.tag) in skip:
            return
        if isinstance(node.tag, str) and node.text:
            parts.append(node.text)
        for sub in node:
            walk(sub)
            if sub.tail:
                parts.append(sub.tail)

    walk(element)
    value = " ".join("".join(parts).split())
    return value or None


def inner_html(container: etree._Element | None, rename: dict[str, str] | None = None) -> str:
    """The content of `container` as an HTML fragment (see the module docstring)."""
    if container is None:
        return ""
    body = copy.deepcopy(container)
    _strip_namespaces(body)
    # lxml finds the few elements to drop or rename in C; most bodies have none
    for element in list(body.iter(*DROPPED)):
        if element is not body:
            _remove(element)
    if rename:
        for element in body.iter(*rename):
            element.tag = rename[element.tag]
    _split_indented_paragraphs(body)
    out = [html.escape(body.text, quote=False)] if body.text else []
    for sub in body:
        out.append(etree.tostring(sub, encoding="unicode", method="html", with_tail=True))
    return "".join(out).strip()


def split_indented(value: str) -> list[str] | None:
    """Paragraphs of text in the old wire layout, or None when it is not written that way.

    The layout: every paragraph starts on an indented line and continues on flush-left lines
    (Reuters, ANSA). Text indented all through (pretty-printed XML) is not that layout.
    """
    lines = [line for line in value.replace("\r\n", "\n").split("\n") if line.strip()]
    if len(lines) < 2:
        return None
    indented = [bool(_INDENTED.match(line)) for line in lines]
    if not any(indented[1:]) or all(indented[1:]):
        return None
    paragraphs: list[list[str]] = []
    for line, starts in zip(lines, indented):
        if starts or not paragraphs:
            paragraphs.append([])
        paragraphs[-1].append(line.strip())
    return [" ".join(p) for p in paragraphs]


def plain_text(value: str) -> str:
    """Plain-text body (G2 inlineData) with paragraphs separated by blank lines.

    Some senders wrap plain text in `<p>` anyway (ANSA): those tags are taken out.
    """
    value = re.sub(r"</?p\s*/?>", "\n\n", value, flags=re.IGNORECASE)
    blocks = [b for b in re.split(r"\n\s*\n", value) if b.strip()]
    paragraphs: list[str] = []
    for block in blocks:
        paragraphs.extend(split_indented(block) or [" ".join(block.split())])
    return "\n\n".join(paragraphs)


def clean_dateline(value: str | None) -> str | None:
    """The place of a dateline as written: `London (dpa) - ` -> `London`,
    `ANSA - ROMA, 01 LUG -` -> `ROMA`; a bare timestamp (Reuters) -> None."""
    if not value:
        return None
    place = value.split("(", 1)[0]
    place = " ".join(place.split()).strip(" ,-\u2013\u2014:")
    place = _TRAILING_DATE.sub("", place)
    if " - " in place:
        place = place.rsplit(" - ", 1)[1]
    place = place.strip(" ,-\u2013\u2014:")
    if not place or re.search(r"\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}", place):
        return None
    if not re.search(r"[^\W\d_]{2}", place):
        return None
    return place


def slug_of(value: str | None) -> str | None:
    """A provider slug from a code, a domain, a URL or a name.

    `nprov:REUTERS` -> `reuters`, `reuters.com` -> `reuters`, `http://www.acmenews.com/about/`
    -> `acmenews`, `web:www.xmlteam.com` -> `xmlteam`, `tag:ap.org,2011:123` -> `ap`,
    `ANSA` -> `ansa`. Codes that are not words (`approviderid:z01122`) give None.
    """
    if not value or not value.strip():
        return None
    value = value.strip()
    if "://" in value:
        value = urlsplit(value).hostname or ""
    elif value.startswith(("tag:", "urn:newsml:")):
        value = value.split(":")[1 if value.startswith("tag:") else 2].split(",")[0]
    elif ":" in value:
        value = value.split(":", 1)[1]
    value = value.lower().strip()
    if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", value):
        labels = [p for p in value.split(".") if p != "www"]
        return labels[0] if len(labels) > 1 else (labels[0] if labels else None)
    if re.fullmatch(r"[a-z][a-z -]{0,40}", value):
        return "-".join(value.split())
    return None


def _strip_namespaces(root: etree._Element) -> None:
    for element in root.iter(etree.Element):  # elements only: no comment, no PI
        tag = element.tag
        if tag[0] == "{":
            element.tag = tag.rsplit("}", 1)[1]
        if element.attrib:
            for key in [k for k in element.attrib if k[0] == "{"]:
                del element.attrib[key]
    etree.cleanup_namespaces(root)


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    parent.remove(element)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _split_indented_paragraphs(body: etree._Element) -> None:
    for p in list(body.iter("p")):
        if len(p) or not p.text or "\n" not in p.text or p.getparent() is None:
            continue
        paragraphs = split_indented(p.text)
        if not paragraphs:
            continue
        parent, index, tail = p.getparent(), p.getparent().index(p), p.tail
        parent.remove(p)
        for offset, paragraph in enumerate(paragraphs):
            new = etree.Element("p")
            new.text = paragraph
            parent.insert(index + offset, new)
        if tail:
            parent[index + len(paragraphs) - 1].tail = tail
