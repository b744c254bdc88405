"""Reuters Connect items: the JSON answer of the GraphQL `item(id:)` query.

Shapes: `{"data": {"item": {...}}}` as the API answers (`worker.fetch.reuters` stores it as it
is), a bare item object, or a list of items; an answer with `errors` and no item (an item that
is gone or not licensed) is a document error naming the API's message.

Mapping (SPEC "The normalized story"):
- guid <- `uri`, the item's id without version; else `versionedGuid` with its `:N` version
  taken off (SPEC: "Reuters Connect uri"). The same story in NewsML-G2 has this guid too.
- version <- `version` (a number, sometimes as text); version_created <- `versionCreated`;
  first_created <- `firstCreated`.
- pubstatus <- `pubStatus` (`stat:usable`, `stat:withheld`, `stat:canceled`, or the bare word);
  an item whose `signal` says `edStat:D` (Reuters: deletion) is canceled whatever it says.
- signals <- `signal` (one code or a list): `edStat:U` update, `edStat:C` correction,
  `edStat:D` kill (as `worker.parse.newsml` reads them in NewsML-G2); `edStat:N` adds nothing.
- urgency <- `urgency` (1..9, IPTC's scale already).
- headline <- `headLine`; slugline <- `slug`; byline <- `byLine`; dateline <- `dateLine`
  reduced to its place ("BEIRUT, Oct 14 (Reuters) -" -> "BEIRUT"); language <- `language`.
- body <- `bodyXhtml` (an XHTML document: what is inside its `body`), else `fragment`.
- subjects <- `subject[].code`; keywords <- `keyword`; credits <- `credit`, else "Reuters".
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from worker.errors import DocumentError
from worker.model import Document, ItemData, ParsedDocument
from worker.normalize.urgency import iptc_urgency
from worker.parse.jsonutil import as_int, as_list, first, items_of, line_paragraphs, names, text
from worker.parse.xmlsafe import parse_xml

NAME = "reuters"
FAMILY = "json"
PROVIDER = "reuters"

SIGNALS = {"edstat:u": "update", "edstat:c": "correction", "edstat:d": "kill"}
_ITEM_KEYS = {"versionedGuid", "headLine", "bodyXhtml", "usn"}
_VERSION = re.compile(r":\d+$")
_DATELINE = re.compile(r"^\s*([^,(]+?)\s*(?:,|\(|$)")


def matches(decoded: Any) -> bool:
    data = decoded.data
    if not isinstance(data, dict):
        return False
    inner = data.get("data")
    if isinstance(inner, dict) and "item" in inner:
        return inner["item"] is None or _is_item(inner["item"])
    if "errors" in data and "data" in data:
        return isinstance(inner, dict) and "item" in inner
    return _is_item(data)


def _is_item(obj: Any) -> bool:
    return isinstance(obj, dict) and len(_ITEM_KEYS & obj.keys()) >= 2


def parse(document: Document, decoded: Any) -> ParsedDocument:
    data = decoded.data
    if isinstance(data, list):
        entries: list[Any] = data
    elif isinstance(data, dict):
        inner = data.get("data")
        if isinstance(inner, dict) and "item" in inner:
            if inner["item"] is None:
                raise DocumentError(document.name, f"no item: {_error_of(data)}", NAME)
            entries = [inner["item"]]
        else:
            entries = [data]
    else:
        raise DocumentError(document.name, "a Reuters Connect item is a JSON object", NAME)
    items, problems, skipped = items_of(document.name, entries, read_item, _ref)
    return ParsedDocument(NAME, tuple(items), tuple(problems), tuple(skipped))


def _error_of(answer: dict[str, Any]) -> str:
    errors = answer.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message") or "error")[:200]
    return "the answer holds none"


def _ref(item: Any, position: int) -> str:
    if isinstance(item, dict):
        return text(item.get("versionedGuid")) or text(item.get("uri")) or f"item {position}"
    return f"item {position}"


def read_item(item: dict[str, Any], position: int = 1) -> ItemData:
    """One Reuters Connect item as ItemData. Raises ValueError without an id."""
    guid = text(item.get("uri"))
    if not guid:
        versioned = text(item.get("versionedGuid"))
        guid = _VERSION.sub("", versioned) if versioned else None
    if not guid:
        raise ValueError("no uri or versionedGuid")
    signals = _signals(item.get("signal"))
    pubstatus = text(item.get("pubStatus"))
    if "kill" in signals:
        pubstatus = "canceled"  # edStat:D: Reuters deleted the item
    body_html = _body(text(item.get("bodyXhtml")))
    fragment = text(item.get("fragment"))
    credit = text(item.get("credit"))
    return ItemData(
        guid=guid,
        version=as_int(item.get("version")),
        version_created=text(item.get("versionCreated")),
        first_created=text(item.get("firstCreated")),
        pubstatus=pubstatus,
        urgency=iptc_urgency(item.get("urgency")),
        signals=signals,
        headline=text(first(item, "headLine", "headline")),
        slugline=text(item.get("slug")),
        byline=text(first(item, "byLine", "byline")),
        dateline=_place(text(first(item, "dateLine", "dateline"))),
        language=text(item.get("language")),
        body_html=body_html,
        body_text=None if body_html or not fragment else line_paragraphs(fragment),
        subjects=names(item.get("subject"), "code", "name"),
        keywords=names(item.get("keyword")),
        credits=(credit,) if credit else ("Reuters",),
        provider=PROVIDER,
        ref=text(item.get("versionedGuid")) or guid,
    )


def _signals(raw: Any) -> tuple[str, ...]:
    found: list[str] = []
    for value in as_list(raw):
        signal = SIGNALS.get(str(value).strip().lower()) if isinstance(value, str) else None
        if signal and signal not in found:
            found.append(signal)
    return tuple(found)


def _place(dateline: str | None) -> str | None:
    match = _DATELINE.match(dateline) if dateline else None
    return match.group(1).strip() or None if match else None


def _body(xhtml: str | None) -> str | None:
    """The markup inside an XHTML document's `body`; a fragment as it is."""
    if not xhtml or "<body" not in xhtml[:2000].lower():
        return xhtml
    try:
        root = parse_xml(xhtml.encode("utf-8"))
    except ValueError:
        return xhtml  # not well-formed: the sanitizer reads it as HTML
    body = next((el for el in root.iter() if isinstance(el.tag, str)
                 and etree.QName(el).localname == "body"), None)
    if body is None:
        return xhtml
    for element in body.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname
    etree.cleanup_namespaces(body)
    parts = [body.text or ""] + [etree.tostring(child, encoding="unicode") for child in body]
    return "".join(parts).strip() or None
