"""AP Media API JSON: item documents (`/content/{id}`) and feed pages (`/content/feed`).

Shapes (docs/design.md "Formats"): a response envelope `{"api_version", "method", "data": {...}}` whose
`data` holds one `item` (item metadata call) or `items: [{"meta": {...}, "item": {...}}]`
(feed page, oldest first, with `next_page`); a bare item object is read too. An empty feed page
(the long poll answered "nothing new") is a document with no items, not an error.

Mapping (SPEC "The normalized story"):
- guid <- `altids.itemid`, the same for every revision. NEVER `uri`: it carries the per-request
  `qt`/`et` tokens and changes on every call. An item without an itemid is an ItemError.
- version <- `version` (0 for the first version, then 1, 2 ...); version_created <-
  `versioncreated`; first_created <- `firstcreated`; embargoed <- `embargoed`.
- pubstatus <- `pubstatus` as written (`usable`, `embargoed`, `withheld`, `canceled`); normalize
  makes `embargoed` usable-with-an-embargo and `canceled` a kill.
- urgency <- `urgency`, AP's 1 (most) .. 8 (least) scale, kept as is (a subset of IPTC 1..9).
- headline <- `headline` (else `headline_extended`, else `title`); `headline_extended` is the
  longer headline and never wins over `headline`. slugline <- `slugline`.
- byline <- every `bylines[].by` with its leading "By " taken off, joined with " and ";
  dateline <- `located`, else `datelinelocation.city`; subjects <- `subject[].name`;
  keywords <- `keywords[]`; credits <- "AP" and any other `infosource[].name`.
- body: the feed JSON carries no story text (it is a separate NITF download). An inline body is
  used when present (`body_html`/`body_text`, or a NITF rendition carried inline as
  `renditions.nitf.value`/`content`/`body`), else `description_summary` as plain text, else none.
- signals, from `editorialtypes` (an open vocabulary, matched case-insensitively):
  Correction -> correction; Advisory -> advisory; Elimination, Kill, Withhold, Disregard -> kill;
  Update, Writethru, Lead -> update; HoldForRelease adds nothing to `embargoed`. An item typed
  Kill/Elimination/Disregard that still says `usable` is taken as `canceled`, Withhold as
  `withheld` (SPEC: a kill/withdrawal is canceled). From `signals`: a `signals` list without
  `newscontent` marks editorial-only content (advisories, daybooks) -> advisory; when the feed
  left `signals` out nothing is inferred. A revision (version > 0) that states no signal of its
  own is an update: AP counts revisions, and a higher counter is the item saying it revises.
- Non-text items (picture, graphic, audio, video) are skipped unless they carry a text body.
"""

from __future__ import annotations

from typing import Any

from worker.errors import DocumentError, ItemError
from worker.model import Document, ItemData, ParsedDocument
from worker.normalize.signals import signal_of_code
from worker.normalize.urgency import iptc_urgency
from worker.parse.jsonutil import (
    as_int,
    first,
    items_of,
    line_paragraphs,
    looks_like_markup,
    names,
    nitf_body_html,
    text,
)

NAME = "apmedia"
FAMILY = "json"
PROVIDER = "ap"

NON_TEXT_TYPES = {"picture", "graphic", "audio", "video", "complexdata"}
#: keys only AP Media API items have (ninjs 1.x shares the rest of the shape)
_AP_KEYS = {"bylines", "signals", "editorialtypes", "headline_extended", "description_summary",
            "datelinelocation", "editorialpriority", "editorialrole", "textformat"}
def matches(decoded: Any) -> bool:
    data = decoded.data
    if not isinstance(data, dict):
        return False
    inner = data.get("data")
    if isinstance(inner, dict) and (isinstance(inner.get("item"), dict)
                                    or isinstance(inner.get("items"), list)):
        return True
    return _is_item(data)


def _is_item(obj: dict[str, Any]) -> bool:
    altids = obj.get("altids")
    return (isinstance(altids, dict) and "itemid" in altids
            and any(key in obj for key in _AP_KEYS))


def parse(document: Document, decoded: Any) -> ParsedDocument:
    """Every item of an AP item document or feed page; a bad item is a problem, not a failure."""
    data = decoded.data
    if isinstance(data, list):
        entries: list[Any] = data  # a bare list of items
        items, problems, skipped = items_of(document.name, entries, read_item, _ref)
        return ParsedDocument(NAME, tuple(items), tuple(problems), tuple(skipped))
    if not isinstance(data, dict):
        raise DocumentError(document.name, "an AP document is a JSON object", NAME)
    inner = data.get("data") if isinstance(data.get("data"), dict) else None
    if inner is None:
        entries = [data]
    elif isinstance(inner.get("items"), list):
        entries = [e["item"] if isinstance(e, dict) and "item" in e else e
                   for e in inner["items"]]
    else:
        entries = [inner.get("item")]
    items, problems, skipped = items_of(document.name, entries, read_item, _ref)
    return ParsedDocument(NAME, tuple(items), tuple(problems), tuple(skipped))


def _ref(item: Any, position: int) -> str:
    altids = item.get("altids") if isinstance(item, dict) else None
    itemid = text(altids.get("itemid")) if isinstance(altids, dict) else None
    return itemid or f"item {position}"


def read_item(item: dict[str, Any], position: int = 1) -> ItemData | str:
    """One AP item as ItemData, or why it is skipped. Raises ItemError without an itemid."""
    altids = item.get("altids")
    guid = text(altids.get("itemid")) if isinstance(altids, dict) else None
    if not guid:
        raise ItemError("no altids.itemid (the uri carries request tokens and is no story id)")
    kind = (text(item.get("type")) or "text").lower()
    body_html, body_text = _body(item)
    if kind in NON_TEXT_TYPES and not (body_html or body_text):
        return f"{kind} item without a text body"
    if not (body_html or body_text):
        summary = text(item.get("description_summary"))
        body_text = line_paragraphs(summary) if summary else None
    version = as_int(item.get("version"))
    location = item.get("datelinelocation")
    return ItemData(
        guid=guid,
        version=version,
        version_created=text(item.get("versioncreated")),
        first_created=text(item.get("firstcreated")),
        pubstatus=_pubstatus(item),
        embargoed=text(item.get("embargoed")),
        urgency=iptc_urgency(item.get("urgency")),
        signals=signals_of(item, version),
        headline=text(first(item, "headline", "headline_extended", "title")),
        slugline=text(item.get("slugline")),
        byline=_byline(item.get("bylines")),
        dateline=text(item.get("located"))
        or (text(location.get("city")) if isinstance(location, dict) else None),
        language=text(item.get("language")),
        body_html=body_html,
        body_text=body_text,
        subjects=names(item.get("subject"), "name", "code"),
        keywords=names(item.get("keywords")),
        credits=_credits(item),
        provider=PROVIDER,
        ref=guid,
    )


def signals_of(item: dict[str, Any], version: int | None) -> tuple[str, ...]:
    """SPEC signals from `editorialtypes`, `signals` and the revision counter (see module doc)."""
    found: list[str] = []
    for value in names(item.get("editorialtypes")):
        signal = signal_of_code(value)
        if signal and signal not in found:
            found.append(signal)
    listed = item.get("signals")
    if isinstance(listed, list):
        lowered = {str(s).lower() for s in listed}
        if "newscontent" not in lowered and "advisory" not in found:
            found.append("advisory")
    if version and version > 0 and not found:
        found.append("update")
    return tuple(found)


def _pubstatus(item: dict[str, Any]) -> str | None:
    """`pubstatus`, except that an item typed Kill/Elimination/Withhold is not left usable."""
    status = text(item.get("pubstatus"))
    if status and status.lower() not in ("usable", "embargoed"):
        return status
    types = {n.lower() for n in names(item.get("editorialtypes"))}
    if "withhold" in types:
        return "withheld"
    if types & {"kill", "elimination", "disregard"}:
        return "canceled"
    return status


def _byline(bylines: Any) -> str | None:
    authors = []
    for name in names(bylines, "by"):
        name = name[3:].strip() if name[:3].lower() == "by " else name
        if name and name not in authors:
            authors.append(name)
    return " and ".join(authors) or None


def _credits(item: dict[str, Any]) -> tuple[str, ...]:
    others = [n for n in names(item.get("infosource"), "name")
              if n.upper() not in {"AP", "ASSOCIATED PRESS", "THE ASSOCIATED PRESS"}]
    return ("AP", *others)


def _body(item: dict[str, Any]) -> tuple[str | None, str | None]:
    html = text(first(item, "body_html", "body_xhtml"))
    if html:
        return html, None
    renditions = item.get("renditions")
    nitf = renditions.get("nitf") if isinstance(renditions, dict) else None
    inline = text(first(nitf, "value", "content", "body")) if isinstance(nitf, dict) else None
    inline = inline or text(item.get("body_nitf"))
    if inline and (markup := nitf_body_html(inline) if not _is_html(inline) else inline):
        return markup, None
    plain = text(item.get("body_text"))
    return (None, line_paragraphs(plain)) if plain else (None, None)


def _is_html(value: str) -> bool:
    start = value.lstrip()[:200].lower()
    return looks_like_markup(value) and "<nitf" not in start and not start.startswith("<?xml")

