"""IPTC ninjs (News in JSON) 1.x, 2.x and 3.x, including the AP and Superdesk flavours.

A document is one ninjs object or a JSON list of them. The generation is read off the keys
(docs/design.md "Formats"): 3.x writes camelCase (`versionCreated`, `pubStatus`, `altIds`),
2.x has arrays (`headlines[]`, `bodies[]`, `subjects[]`, `by`), 1.x is flat lower case
(`headline`, `body_html`, `subject[]`, `byline`, the `headline_*`/`body_*` pattern keys).
Each generation is read with its own names first (dates, status, byline, editor's note,
headline) and the others' as fallback, because real documents mix them (the IPTC guide's 2.2
example keeps 1.x `versioncreated` beside `bodies[]`).

Mapping (SPEC "The normalized story"):
- guid: Superdesk's non-standard `guid` when present (it is their stable id, docs/design.md "Formats");
  else `uri`, EXCEPT an AP uri (`api.ap.org/media/v/content/<itemid>?qt=..&et=..`): its query
  carries per-request tokens, so the guid is `altids` itemid, else the itemid path segment:
  the same guid the AP Media API format gives the same story (and the provider is then "ap").
- version: int(`version`) when numeric ("2" -> 2, AP's "0" -> 0), else None.
- version_created / first_created / embargoed (`embargoedUntil` in 3.x): raw strings; junk such
  as "Last Tuesday" (accepted by the 1.0 test suite) is passed on and normalize falls back to the
  received time.
- body: the first HTML body (content type or key naming html/xhtml/richtext, or markup), else
  an inline NITF body's `body.content`, else plain text (single-line paragraphs are split).
  A text item without any body takes its description as body.
- byline <- `byline`/`by`; dateline <- `located` (ninjs has no dateline, only the place);
  subjects <- names of `subject[]`/`subjects[]`; keywords <- `keywords[]`; credits <- infosource
  names, else Superdesk `source`, else `copyrightholder`. No link: `uri` is an id, not a link.
- signals: ninjs has no signal field (docs/design.md "Formats"). `correction` and `update` are read from
  what the item says in words: an editor's note or genre naming a correction/update, or a
  headline starting "CORRECTED"/"UPDATE". A canceled pubstatus becomes `kill` in normalize.
- Non-text items (picture, audio, video, graphic, event, planning) are skipped, and said so in
  `ParsedDocument.skipped`, unless they carry a text body; associations are not emitted.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from worker.errors import DocumentError
from worker.model import Document, ItemData, ParsedDocument
from worker.normalize.signals import signals_in_headline, signals_in_words
from worker.normalize.urgency import iptc_urgency
from worker.parse.jsonutil import (
    as_int,
    as_list,
    first,
    items_of,
    line_paragraphs,
    looks_like_markup,
    names,
    nitf_body_html,
    text,
)

NAME = "ninjs"
FAMILY = "json"

NON_TEXT_TYPES = {"picture", "audio", "video", "graphic", "event", "planning"}
_CAMEL = {"versionCreated", "firstCreated", "pubStatus", "embargoedUntil", "altIds", "edNote",
          "contentCreated", "copyrightHolder", "copyrightNotice", "usageTerms",
          "representationType", "rightsInfo"}
_PLURAL = {"headlines", "bodies", "descriptions", "subjects", "by", "genres", "infosources"}
_MARKERS = {"versioncreated", "versionCreated", "headline", "headlines", "bodies", "body_html",
            "body_text", "body_xhtml", "pubstatus", "pubStatus", "byline", "by", "type"}
_AP_ITEMID = re.compile(r"/content/([0-9a-f]{32})(?:[./?]|$)")


def matches(decoded: Any) -> bool:
    data = decoded.data
    if isinstance(data, list):
        first_object = next((obj for obj in data if isinstance(obj, dict)), None)
        return first_object is not None and _is_ninjs(first_object)
    return isinstance(data, dict) and _is_ninjs(data)


def _is_ninjs(obj: dict[str, Any]) -> bool:
    return bool(obj.get("uri") or obj.get("guid")) and any(key in obj for key in _MARKERS)


def generation(obj: dict[str, Any]) -> int:
    """The ninjs major version the object is written in: 3 (camelCase), 2 (arrays) or 1."""
    if any(key in obj for key in _CAMEL):
        return 3
    if any(key in obj for key in _PLURAL) or isinstance(obj.get("altids"), list):
        return 2
    return 1


def parse(document: Document, decoded: Any) -> ParsedDocument:
    """Every ninjs object of the document as ItemData; a bad object is a problem, not a failure."""
    data = decoded.data
    objects = data if isinstance(data, list) else [data]
    if not objects:
        raise DocumentError(document.name, "empty list: no ninjs object", NAME)
    items, problems, skipped = items_of(document.name, objects, read_item, _ref)
    return ParsedDocument(NAME, tuple(items), tuple(problems), tuple(skipped))


def _ref(obj: Any, position: int) -> str:
    try:
        return guid_of(obj) or f"item {position}"
    except (AttributeError, TypeError):
        return f"item {position}"


def read_item(obj: dict[str, Any], position: int = 1) -> ItemData | str:
    """One ninjs object as ItemData, or why it is skipped."""
    gen = generation(obj)
    kind = (text(obj.get("type")) or "text").lower()
    body_html, body_text = _body(obj)
    if kind in NON_TEXT_TYPES and not (body_html or body_text):
        return f"{kind} item without a text body"
    if not (body_html or body_text):
        body_text = _description(obj)
    headline = _headline(obj, gen)
    ednote = text(_pick(obj, gen, "ednote", "edNote"))
    guid = guid_of(obj)
    return ItemData(
        guid=guid,
        version=as_int(obj.get("version")),
        version_created=_pick(obj, gen, "versioncreated", "versionCreated"),
        first_created=_pick(obj, gen, "firstcreated", "firstCreated"),
        pubstatus=text(_pick(obj, gen, "pubstatus", "pubStatus")),
        embargoed=_pick(obj, gen, "embargoed", "embargoedUntil"),
        urgency=iptc_urgency(obj.get("urgency")),
        signals=_signals(headline, ednote, obj),
        headline=headline,
        slugline=text(obj.get("slugline")),
        byline=text(first(obj, "by", "byline") if gen > 1 else first(obj, "byline", "by")),
        dateline=text(obj.get("located")),
        language=text(obj.get("language")),
        body_html=body_html,
        body_text=body_text,
        subjects=names(first(obj, "subjects", "subject"), "name", "literal", "code", "uri"),
        keywords=names(obj.get("keywords")),
        credits=_credits(obj),
        provider="ap" if guid and guid != text(obj.get("guid")) and _is_ap_uri(obj) else None,
        ref=_ref(obj, position),
    )


def _pick(obj: dict[str, Any], gen: int, lower: str, camel: str) -> Any:
    value = first(obj, camel, lower) if gen == 3 else first(obj, lower, camel)
    return value if isinstance(value, str) else text(value)


def guid_of(obj: dict[str, Any]) -> str | None:
    """Superdesk `guid`, else the AP itemid of a token-carrying AP uri, else `uri`."""
    guid = text(obj.get("guid"))
    if guid:
        return guid
    uri = text(obj.get("uri"))
    if uri and _is_ap_token_uri(uri):
        match = _AP_ITEMID.search(urlsplit(uri).path + "?")  # safe: checked above
        return _altid(obj, "itemid") or (match.group(1) if match else uri)
    return uri


def _is_ap_uri(obj: dict[str, Any]) -> bool:
    uri = text(obj.get("uri"))
    return bool(uri) and _is_ap_token_uri(uri)  # type: ignore[arg-type]


def _is_ap_token_uri(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
    except ValueError:  # not a URL at all (e.g. "http://wire]x"): an opaque id
        return False
    query = parse_qs(parts.query)
    tokens = "qt" in query or "et" in query
    return bool(_AP_ITEMID.search(parts.path + "?")) and (tokens or parts.netloc.endswith("ap.org"))


def _altid(obj: dict[str, Any], role: str) -> str | None:
    altids = first(obj, "altIds", "altids")
    if isinstance(altids, dict):
        return text(altids.get(role))
    for entry in as_list(altids):
        if isinstance(entry, dict) and text(entry.get("role")) == role:
            return text(entry.get("value"))
    return None


def _headline(obj: dict[str, Any], gen: int) -> str | None:
    """`headlines[]` (role main, else the first) for 2.x/3.x, `headline`/`headline_*` for 1.x."""
    readers = (_listed_headline, _flat_headline)
    for read in readers if gen > 1 else reversed(readers):
        if headline := read(obj):
            return headline
    return None


def _listed_headline(obj: dict[str, Any]) -> str | None:
    entries = [h for h in as_list(obj.get("headlines"))
               if isinstance(h, dict) and text(h.get("value"))]
    main = next((h for h in entries if text(h.get("role")) in (None, "main")), None)
    return text((main or entries[0])["value"]) if entries else None


def _flat_headline(obj: dict[str, Any]) -> str | None:
    flat = text(obj.get("headline")) or text(obj.get("headline_main"))
    if flat:
        return flat
    pattern = sorted(k for k in obj if k.startswith("headline_"))
    return next((text(obj[k]) for k in pattern if text(obj[k])), None)


def _body(obj: dict[str, Any]) -> tuple[str | None, str | None]:
    """(html, plain text) of the best body: HTML, else inline NITF, else plain text."""
    candidates: list[tuple[str, str]] = []  # (kind, value), kind in html / nitf / text
    for body in as_list(obj.get("bodies")):
        if isinstance(body, dict) and text(body.get("value")):
            ctype = (text(first(body, "contentType", "contenttype")) or "").lower()
            role = (text(body.get("role")) or "").lower()
            candidates.append((_kind(ctype + " " + role, body["value"]), body["value"]))
    for key in sorted(k for k in obj if k.startswith("body_")):
        if isinstance(obj[key], str) and obj[key].strip():
            kind = "text" if key == "body_text" else _kind(key, obj[key])
            candidates.append((kind, obj[key]))
    for wanted in ("html", "nitf", "text"):
        for kind, value in candidates:
            if kind != wanted:
                continue
            if kind == "html":
                return value, None
            if kind == "nitf" and (markup := nitf_body_html(value)):
                return markup, None
            if kind == "text":
                return None, line_paragraphs(value)
    return None, None


def _kind(label: str, value: str) -> str:
    if "nitf" in label or value.lstrip().startswith(("<?xml", "<nitf")):
        return "nitf"
    if any(word in label for word in ("html", "xhtml", "rich")):
        return "html"
    if "text/plain" in label or not looks_like_markup(value):
        return "text"
    return "html"


def _description(obj: dict[str, Any]) -> str | None:
    for entry in as_list(obj.get("descriptions")):
        if isinstance(entry, dict) and text(entry.get("value")):
            return line_paragraphs(text(entry["value"]) or "")
    value = text(first(obj, "description_text", "description_summary"))
    return line_paragraphs(value) if value else None


def _signals(headline: str | None, ednote: str | None, obj: dict[str, Any]) -> tuple[str, ...]:
    words = signals_in_words(ednote, *names(first(obj, "genres", "genre"), "name", "code", "uri"))
    found = {*words.signals, *signals_in_headline(headline)}
    return tuple(s for s in ("correction", "update") if s in found)


def _credits(obj: dict[str, Any]) -> tuple[str, ...]:
    sources = names(first(obj, "infosources", "infosource"), "name")
    if sources:
        return sources
    source = text(obj.get("source"))
    if source:
        return (source,)
    holder = text(first(obj, "copyrightHolder", "copyrightholder"))
    return (holder,) if holder else ()
