"""Documents to items: format detection and the parser registry.

`parse_document(document, format="auto")` decodes the document once by family (XML through a
safe lxml parser, JSON, or text), asks the format modules of that family which one it is, and
lets that module turn it into `ItemData`. A format module knows only its format; it is a
`worker.parse.registry.FormatModule` listed in `registry.FORMATS` in detection order.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from typing import Any, cast

from worker.errors import DocumentError, UnknownFormat
from worker.model import Document, ParsedDocument
from worker.parse.registry import ALIASES, FORMATS, FormatModule, format_names
from worker.parse.xmlsafe import XMLRefused, parse_xml

#: SPEC: a document over the size cap is refused (overridable by Settings)
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Decoded:
    """A document decoded once by family, shared by detection and parsing.

    `root` is the lxml root element for XML (None when strict XML parsing failed: `xml_error`
    says why, and lenient formats such as RSS may still read the bytes); `data` the JSON value;
    `text` the decoded text. `head` is the first KiB of the bytes, for cheap sniffing.
    """

    family: str
    head: bytes
    root: Any = None
    xml_error: str | None = None
    data: Any = None
    text: str | None = None


def parse_document(
    document: Document, format: str = "auto", max_bytes: int = MAX_DOCUMENT_BYTES,
    decoded: Decoded | None = None,
) -> ParsedDocument:
    """Parse one document into items.

    `decoded` is `decode(document)` when the caller already has it (a poll decodes once for
    the item pre-scan and the parse). Raises DocumentError (UnknownFormat, malformed, unsafe,
    too large) for the whole document; a bad item inside a good document is reported in
    `ParsedDocument.problems` instead.
    """
    if len(document.content) > max_bytes:
        raise DocumentError(
            document.name, f"document is {len(document.content)} bytes, over the cap of {max_bytes}"
        )
    if decoded is None:
        decoded = decode(document)
    module = _module_for(document, decoded, format)
    if module.FAMILY != decoded.family and not (
        module.FAMILY == "text" and decoded.family in ("xml", "json")
    ):
        raise DocumentError(
            document.name, f"format {module.NAME} reads {module.FAMILY}, this is {decoded.family}",
            module.NAME,
        )
    return module.parse(document, decoded)


def decode(document: Document) -> Decoded:
    """Decode a document by family: XML (safely), JSON, or text."""
    content = document.content
    stripped = _utf8_view(content).lstrip(b"\xef\xbb\xbf \t\r\n")
    head = stripped[:1024]
    if stripped.startswith(b"<"):
        try:
            root = parse_xml(content)
        except XMLRefused as e:
            raise DocumentError(document.name, str(e)) from e
        except ValueError as e:
            return Decoded("xml", head, root=None, xml_error=str(e))
        return Decoded("xml", head, root=root)
    if stripped[:1] in (b"{", b"["):
        try:
            data = json.loads(stripped.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise DocumentError(document.name, f"JSON is not UTF-8: {e}") from e
        except json.JSONDecodeError as e:
            raise DocumentError(document.name, f"malformed JSON: {e}") from e
        except RecursionError as e:  # Python's decoder recurses per level of nesting
            raise DocumentError(document.name, "JSON nested too deeply to read") from e
        return Decoded("json", head, data=data)
    if b"\x00" in content and not content.startswith(_TEXT_BOMS):  # UTF-16/32 text has them
        raise DocumentError(document.name, "binary data (NUL bytes), not a wire document")
    return Decoded("text", head, text=decode_text(content))


#: byte-order marks and the first bytes of "<" in the wide encodings XML allows
_WIDE = (
    (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"),
    (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"), (b"<\x00", "utf-16-le"),
)


def _utf8_view(content: bytes) -> bytes:
    """The start of the document as UTF-8, for family detection (UTF-16/32 XML exists)."""
    for mark, codec in _WIDE:
        if content.startswith(mark):
            return content[:4096].decode(codec, "ignore").encode("utf-8")
    return content


#: byte-order marks of UTF-32 and UTF-16 text (UTF-32 first: its LE mark starts like UTF-16's)
_TEXT_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff")


def decode_text(content: bytes) -> str:
    """Text bytes as str: UTF-32/16 by their byte-order mark, UTF-8 (with or without BOM),
    else Windows-1252, else Latin-1."""
    for mark, codec in zip(_TEXT_BOMS, ("utf-32", "utf-32", "utf-16", "utf-16")):
        if content.startswith(mark):
            return content.decode(codec, "replace")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def _module_for(document: Document, decoded: Decoded, format: str) -> FormatModule:
    if format and format != "auto":
        name = ALIASES.get(format, format)
        if name not in FORMATS:
            raise UnknownFormat(
                document.name, f"unknown format {format!r}; known: {', '.join(format_names())}"
            )
        return _load(name)
    for name in FORMATS:
        module = _load(name)
        if module.FAMILY == decoded.family and module.matches(decoded):
            return module
    if decoded.family == "xml" and decoded.root is None:
        raise DocumentError(document.name, f"malformed XML: {decoded.xml_error}")
    what = {"xml": f"XML root <{_root_name(decoded)}>", "json": "JSON", "text": "text"}
    raise UnknownFormat(document.name, f"no format recognises this {what[decoded.family]}")


def _root_name(decoded: Decoded) -> str:
    tag = decoded.root.tag if decoded.root is not None else "?"
    return str(tag).rsplit("}", 1)[-1]


_MODULES: dict[str, FormatModule] = {}


def _load(name: str) -> FormatModule:
    module = _MODULES.get(name)
    if module is None:
        module = _MODULES[name] = cast(FormatModule, importlib.import_module(FORMATS[name]))
    return module
