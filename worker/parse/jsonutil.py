"""Small readers shared by the JSON wire formats (ninjs, AP Media API, dpa digitalwires).

JSON wires are loosely typed in practice: a version is `"2"` in ninjs and `2` in AP and dpa, a
list of names may hold objects or bare strings, a field may be present and `null`. These helpers
read such values without raising, so a format module only says which key means what.
`items_of` runs one reader per item (`worker.parse.items`), so a bad item is reported naming
the document and the item and the rest of a feed page still comes out.

Inline NITF (a ninjs body of content type `text/vnd.IPTC.NITF`, an AP NITF rendition carried in
the JSON) is reduced to its `body.content` markup here with the safe XML parser; the NITF format
module reads whole NITF documents, this only lifts a body out of a JSON field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from worker.errors import ItemError
from worker.model import ItemData
from worker.parse.items import read_items
from worker.parse.xmlsafe import parse_xml

_MARKUP = re.compile(r"<[A-Za-z][^>]*>")


def text(value: Any) -> str | None:
    """A scalar as stripped text, None when missing or empty; lists and objects are not text."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    out = str(value).strip()
    return out or None


def first(obj: dict[str, Any], *keys: str) -> Any:
    """The value of the first key present with a non-empty value, else None."""
    for key in keys:
        value = obj.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def as_int(value: Any) -> int | None:
    """An integer from `2` or `"2"`; None for anything not a whole number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raw = str(value).strip()
    return int(raw) if re.fullmatch(r"[+-]?\d+", raw) else None


def as_list(value: Any) -> list[Any]:
    """A list as is, a single value as a one-element list, None as []."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def names(values: Any, *keys: str) -> tuple[str, ...]:
    """Names out of a list of objects (first of `keys` that is set) or of bare strings."""
    out: list[str] = []
    for value in as_list(values):
        name = text(first(value, *keys)) if isinstance(value, dict) else text(value)
        if name:
            out.append(name)
    return tuple(out)


def looks_like_markup(value: str) -> bool:
    return bool(_MARKUP.search(value))


def line_paragraphs(value: str) -> str:
    """Plain text whose paragraphs are single lines, as paragraphs separated by blank lines.

    Text that already separates paragraphs by blank lines is returned as is.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"\n\s*\n", value):
        return value
    return "\n\n".join(line.strip() for line in value.split("\n") if line.strip())


def nitf_body_html(nitf: str) -> str | None:
    """The markup inside an inline NITF document's `body.content`, or None when unreadable."""
    try:
        root = parse_xml(nitf.strip().encode("utf-8"))
    except ValueError:
        return None
    content = next((el for el in root.iter() if _local(el.tag) == "body.content"), None)
    if content is None:
        return None
    for element in content.iter():
        if isinstance(element.tag, str):
            element.tag = _local(element.tag)
    etree.cleanup_namespaces(content)
    parts = [content.text or ""]
    parts += [etree.tostring(child, encoding="unicode") for child in content]
    markup = "".join(parts).strip()
    return markup or None


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def items_of(
    document: str,
    raw_items: Iterable[Any],
    read: Callable[[dict[str, Any], int], ItemData | str],
    ref: Callable[[Any, int], str],
) -> tuple[list[ItemData], list[ItemError], list[str]]:
    """`worker.parse.items.read_items` over JSON items: each must be an object."""

    def checked(raw: Any, position: int) -> ItemData | str:
        if not isinstance(raw, dict):
            raise ItemError(f"not a JSON object but {type(raw).__name__}")
        return read(raw, position)

    return read_items(document, raw_items, checked, ref)
