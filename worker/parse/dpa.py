"""dpa digitalwires JSON entries (wireQ `entries.json`, s3push files).

A document is one entry object or `{"entries": [...]}` (the wireQ answer; an empty list is an
empty queue, not an error). Format string `digitalwires@0.9.1` in the samples (docs/design.md "Formats").

Mapping (SPEC "The normalized story"):
- guid <- `urn` (stable across versions); version <- `version` (1, 2, ... up to 52 seen);
  version_created <- `version_created` (local offset, normalize makes it UTC). An entry without
  a urn is an ItemError.
- `updated` (UTC, moves when dpa touches an entry without a new version, e.g. a re-sent
  association) is NOT part of the version key: SPEC orders by (version_created, version,
  content_hash) and dpa bumps `version`/`version_created` for every editorial change, so a
  re-send with the same version and text is rightly a no-op. `entry_id` (one per delivery) is no
  story id either.
- pubstatus <- `pubstatus`, else the `dnltype:pubstatus` category; `null` (service messages) is
  usable. embargoed <- `embargoed`.
- signals <- `signal` and the `dnltype:signal` categories: `sig:update` -> update,
  `sig:correction` -> correction (AP's `apsig:newscontent` on AP copy resold by dpa is ignored).
- body <- `article_html` (`<section class="main">`, with the dateline as
  `<span class="dateline">`) followed by `infobox_html`; link boxes are left out.
- headline <- `headline`; byline <- `byline` as written ("Von X, dpa"; normalize takes a leading
  "By"/"Von" off); dateline <- `dateline` reduced to the place: "New York (dpa) - " -> "New York",
  "MADRID, 21 Nov. 2024 (Europa Press) -" -> "MADRID"; else the `dnltype:located` category.
- subjects <- `dnltype:dpasubject` names (and `dnltype:subject` on resold AP copy), else
  `dpasubject_names`; keywords <- `dnltype:keyword` names, else `keyword_names`.
- urgency <- `urgency` (IPTC 1..9 already), else the `dnltype:urgency` category.
- credits <- `creditline` ("dpa", "Europa Press", "ASSOCIATED PRESS"), else "dpa"; provider "dpa"
  (the feed's provider: an AP story resold by dpa is still a dpa story with AP credited).
"""

from __future__ import annotations

from typing import Any

from worker.errors import DocumentError, ItemError
from worker.model import Document, ItemData, ParsedDocument
from worker.normalize.dateline import place_of
from worker.normalize.signals import signal_of_code
from worker.normalize.urgency import iptc_urgency
from worker.parse.jsonutil import as_int, as_list, first, items_of, names, text

NAME = "dpa"
FAMILY = "json"
PROVIDER = "dpa"

SUBJECT_TYPES = ("dnltype:dpasubject", "dnltype:subject")
_ENTRY_KEYS = {"version_created", "article_html", "entry_id", "categories"}


def matches(decoded: Any) -> bool:
    data = decoded.data
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("entries"), list):
        first_entry = next((e for e in data["entries"] if isinstance(e, dict)), None)
        return first_entry is None or _is_entry(first_entry)
    return _is_entry(data)


def _is_entry(obj: dict[str, Any]) -> bool:
    if str(obj.get("format") or "").startswith("digitalwires"):
        return True
    # snake_case `version_created` and `article_html` are dpa's own; ninjs writes versioncreated
    return "urn" in obj and bool(_ENTRY_KEYS & obj.keys())


def parse(document: Document, decoded: Any) -> ParsedDocument:
    """Every entry of the document as ItemData; a bad entry is a problem, not a failure."""
    data = decoded.data
    if isinstance(data, list):
        entries: Any = data  # a bare list of entries
    elif isinstance(data, dict):
        entries = data["entries"] if isinstance(data.get("entries"), list) else [data]
    else:
        raise DocumentError(document.name, "a digitalwires document is a JSON object", NAME)
    if not isinstance(entries, list):
        raise DocumentError(document.name, "`entries` is not a list", NAME)
    items, problems, skipped = items_of(document.name, entries, read_entry, _ref)
    return ParsedDocument(NAME, tuple(items), tuple(problems), tuple(skipped))


def _ref(entry: Any, position: int) -> str:
    if isinstance(entry, dict):
        return text(entry.get("urn")) or text(entry.get("entry_id")) or f"entry {position}"
    return f"entry {position}"


def read_entry(entry: dict[str, Any], position: int = 1) -> ItemData:
    """One digitalwires entry as ItemData. Raises ItemError without a urn."""
    urn = text(entry.get("urn"))
    if not urn:
        raise ItemError("no urn (entry_id names a delivery, not a story)")
    categories = [c for c in as_list(entry.get("categories")) if isinstance(c, dict)]
    body = "".join(part for part in (text(entry.get("article_html")),
                                     text(entry.get("infobox_html"))) if part)
    subjects = _category_names(categories, *SUBJECT_TYPES) or names(entry.get("dpasubject_names"))
    keywords = _category_names(categories, "dnltype:keyword") or names(entry.get("keyword_names"))
    located = _category_names(categories, "dnltype:located")
    credit = text(entry.get("creditline"))
    return ItemData(
        guid=urn,
        version=as_int(entry.get("version")),
        version_created=text(entry.get("version_created")),
        pubstatus=text(entry.get("pubstatus")) or _category_code(categories, "dnltype:pubstatus"),
        embargoed=text(entry.get("embargoed")),
        urgency=iptc_urgency(first(entry, "urgency")
                             or _category_code(categories, "dnltype:urgency", strip=True)),
        signals=_signals(entry, categories),
        headline=text(entry.get("headline")),
        byline=text(entry.get("byline")),
        dateline=place_of(text(entry.get("dateline"))) or (located[0] if located else None),
        language=text(entry.get("language")),
        body_html=body or None,
        subjects=subjects,
        keywords=keywords,
        credits=(credit,) if credit else ("dpa",),
        provider=PROVIDER,
        ref=urn,
    )


def _signals(entry: dict[str, Any], categories: list[dict[str, Any]]) -> tuple[str, ...]:
    raw = [text(entry.get("signal"))]
    raw += [text(c.get("qcode")) or text(c.get("name"))
            for c in categories if c.get("type") == "dnltype:signal"]
    found: list[str] = []
    for value in raw:
        if not value or (":" in value and not value.startswith("sig:")):
            continue  # other vocabularies (apsig:newscontent) are not SPEC signals
        signal = signal_of_code(value)
        if signal and signal not in found:
            found.append(signal)
    return tuple(found)


def _category_names(categories: list[dict[str, Any]], *types: str) -> tuple[str, ...]:
    return names([c for c in categories if c.get("type") in types], "name")


def _category_code(categories: list[dict[str, Any]], kind: str, strip: bool = False) -> str | None:
    for category in categories:
        if category.get("type") == kind:
            value = text(category.get("qcode")) or text(category.get("name"))
            if value and strip:
                value = value.rsplit(":", 1)[-1]
            return value
    return None
