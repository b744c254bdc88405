"""Untrusted XML, parsed safely.

Wire documents come from outside: they must never resolve entities, load a DTD or reach the
network. lxml is told so (`resolve_entities=False`, `load_dtd=False`, `no_network=True`,
`huge_tree=False`), and a document whose DOCTYPE declares entities is refused before any parser
sees it: that is how XXE (external entities) and "billion laughs" (nested internal entities) are
built, and no wire format needs them. The check is a byte search, fast and in bounded memory
whatever the document size; libxml2's own limits (no huge_tree) bound the rest.
"""

from __future__ import annotations

from lxml import etree


class XMLRefused(ValueError):
    """The XML is unsafe to parse (entity declarations)."""


_PARSER = etree.XMLParser(
    resolve_entities=False,
    load_dtd=False,
    no_network=True,
    huge_tree=False,
    remove_blank_text=False,
    dtd_validation=False,
)


def check_safe(content: bytes) -> None:
    """Refuse documents that declare entities (XXE, billion laughs).

    A declaration can only stand in a DOCTYPE, so any `<!ENTITY` outside a CDATA section
    refuses the document, wherever it is (a `]>` hidden in a comment or a DOCTYPE after a long
    comment cannot slip past). `bytes.find` keeps this at memory speed.
    """
    start = content.find(b"<!ENTITY")
    while start != -1:
        if not _inside_cdata(content, start):
            raise XMLRefused(
                "XML declares entities (<!ENTITY>): refused, entity expansion "
                "(XXE, billion laughs) is never resolved"
            )
        start = content.find(b"<!ENTITY", start + 8)


def _inside_cdata(content: bytes, position: int) -> bool:
    opened = content.rfind(b"<![CDATA[", 0, position)
    return opened != -1 and content.find(b"]]>", opened, position) == -1


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
