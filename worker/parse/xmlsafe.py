"""Untrusted XML, parsed safely.

Wire documents come from outside: they must never resolve entities, load a DTD or reach the
network. lxml is told so (`resolve_entities=False`, `load_dtd=False`, `no_network=True`,
`huge_tree=False`), and a document whose DOCTYPE declares entities is refused before any parser
sees it: that is how XXE (external entities) and "billion laughs" (nested internal entities) are
built, and no wire format needs them. The check reads only the prolog, so it is fast and uses
bounded memory whatever the document size.
"""

from __future__ import annotations

import re

from lxml import etree


class XMLRefused(ValueError):
    """The XML is unsafe to parse (entity declarations)."""


_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
#: how far into a document a DOCTYPE may start (after the XML declaration and comments)
PROLOG_BYTES = 64 * 1024

_PARSER = etree.XMLParser(
    resolve_entities=False,
    load_dtd=False,
    no_network=True,
    huge_tree=False,
    remove_blank_text=False,
    dtd_validation=False,
)


def check_safe(content: bytes) -> None:
    """Refuse documents that declare entities in a DOCTYPE (XXE, billion laughs)."""
    prolog = content[:PROLOG_BYTES]
    match = _DOCTYPE.search(prolog)
    if match is None:
        return
    # the internal subset ends at the first "]>" after the DOCTYPE; only look in there
    end = content.find(b"]>", match.end())
    subset = content[match.end(): end if end != -1 else match.end() + PROLOG_BYTES]
    if _ENTITY.search(subset):
        raise XMLRefused(
            "XML declares entities in its DOCTYPE (<!ENTITY>): refused, entity expansion "
            "(XXE, billion laughs) is never resolved"
        )


def parse_xml(content: bytes) -> etree._Element:
    """Parse untrusted XML bytes to the root element.

    Raises XMLRefused for unsafe documents and ValueError (with line and reason) for malformed
    ones.
    """
    check_safe(content)
    try:
        root = etree.fromstring(content, _PARSER)
    except etree.XMLSyntaxError as e:
        raise ValueError(f"line {e.lineno}: {e.msg}") from e
    if root is None:
        raise ValueError("empty document")
    return root


def local(tag: object) -> str:
    """An element's tag without its namespace (`{ns}newsItem` -> `newsItem`)."""
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""
