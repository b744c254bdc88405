"""ItemData (as a format found it) -> Story (the SPEC keys). Pure: no I/O, no clock.

The edges pass `received_at` (used when an item has no usable timestamp) and the feed's time
zone for naive timestamps.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import datetime, timezone, tzinfo

from worker.errors import ItemError
from worker.model import SIGNALS, ItemData, Story
from worker.normalize.controls import drop_controls, drop_controls_all
from worker.normalize.dateline import lead_dateline
from worker.normalize.dates import parse_time
from worker.normalize.hashing import content_hash, fallback_guid
from worker.normalize.html import (
    html_to_text,
    inline_text,
    normalize_whitespace,
    sanitize_html,
    text_to_html,
)

log = logging.getLogger(__name__)

_PUBSTATUS = {
    "usable": "usable", "withheld": "withheld", "canceled": "canceled", "cancelled": "canceled",
    "killed": "canceled", "kill": "canceled", "withdrawn": "canceled", "deleted": "canceled",
    "embargoed": "usable",
}
#: "By" and its equivalents in the wire languages (dpa's "Von X, dpa" is the German "By")
_BY = re.compile(r"^\s*(?:by|von|par|por|di|av|af)\s+", re.IGNORECASE)

def normalize_item(
    item: ItemData,
    *,
    provider: str,
    received_at: datetime,
    default_tz: tzinfo = timezone.utc,
    base_url: str | None = None,
    document: str = "",
) -> Story:
    """Build the normalized Story for one item.

    Raises ItemError when the item has no headline and no body (nothing to publish).
    SPEC "The normalized story" for every key; a missing or garbage timestamp takes
    `received_at` (and is flagged `inferred_time`).
    """
    item = _without_controls(item)
    ref = item.ref or item.guid or "?"
    if item.body_html:
        # after sanitizing: the parser decodes references such as `&#1;` into controls
        body_html = drop_controls(sanitize_html(item.body_html, base_url or item.link))
        body_text = html_to_text(body_html)
    else:
        body_text = normalize_whitespace(item.body_text or "")
        body_html = text_to_html(body_text)
    headline = inline_text(item.headline) or ""
    killed = _PUBSTATUS.get((item.pubstatus or "").strip().lower().removeprefix("stat:")) == "canceled"
    if not headline and not body_text and not killed:
        # a kill may carry nothing but its identity: it must still reach the store
        raise ItemError("no headline and no body", document, ref)
    if not headline:
        headline = _first_words(body_text)

    created = parse_time(item.version_created, default_tz)
    inferred = created is None
    if inferred:
        if item.version_created:
            log.warning("unreadable timestamp %r taken as received time",
                        str(item.version_created), extra={"document": document, "guid": ref})
        created = received_at.astimezone(timezone.utc).replace(microsecond=0)
    first = parse_time(item.first_created, default_tz)
    if first is not None and first > created and not inferred:
        first = created  # a first version cannot be newer than a version the item dates itself

    pubstatus = _PUBSTATUS.get((item.pubstatus or "usable").strip().lower().removeprefix("stat:"),
                               "usable")
    signals = tuple(s for s in SIGNALS if s in set(item.signals))
    if pubstatus == "canceled" and "kill" not in signals:
        signals = tuple(s for s in SIGNALS if s in {*signals, "kill"})
    byline = inline_text(item.byline)
    if byline:
        byline = _BY.sub("", byline).strip() or None
    dateline = inline_text(item.dateline)
    if dateline:
        dateline = dateline.strip(" ,-\u2013\u2014") or None
    else:
        dateline = lead_dateline(body_text)[0]

    guid = (item.guid or "").strip() or (item.link or "").strip()
    if not guid:
        guid = fallback_guid(provider, headline)

    return Story(
        provider=provider,
        guid=guid,
        version=item.version,
        version_created=created,
        first_created=first,
        pubstatus=pubstatus,
        embargoed=parse_time(item.embargoed, default_tz),
        urgency=item.urgency,
        signals=signals,
        headline=headline,
        slugline=inline_text(item.slugline),
        byline=byline,
        dateline=dateline,
        language=_language(item.language),
        body_html=body_html,
        body_text=body_text,
        subjects=_unique(item.subjects),
        keywords=_unique(item.keywords),
        credits=_unique(item.credits),
        link=(item.link or "").strip() or None,
        word_count=_word_count(body_text),
        content_hash=content_hash(headline, body_text, canonical=True),
        inferred_time=inferred,
    )


_TEXT_FIELDS = ("guid", "headline", "slugline", "byline", "dateline", "language", "body_text",
                "link", "pubstatus")
_LIST_FIELDS = ("subjects", "keywords", "credits", "signals")


def _without_controls(item: ItemData) -> ItemData:
    """The item with no character a story must not hold (`controls`), body HTML aside (it is
    cleaned after sanitizing). Most items have none: then the item itself."""
    changes: dict[str, object] = {}
    for name in _TEXT_FIELDS:
        value = getattr(item, name)
        if isinstance(value, str) and (clean := drop_controls(value)) is not value:
            changes[name] = clean
    for name in _LIST_FIELDS:
        values = getattr(item, name)
        clean_values = drop_controls_all(values)
        if clean_values != values:
            changes[name] = clean_values
    return dataclasses.replace(item, **changes) if changes else item


def _language(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    parts = value.strip().replace("_", "-").split("-")
    return "-".join([parts[0].lower(), *[p.upper() if len(p) == 2 else p for p in parts[1:]]])


def _word_count(body_text: str) -> int:
    """Words of a body_text, which is always in canonical form (paragraphs joined by one blank
    line, one space between words): counting separators is `len(text.split())` without
    building the list, and its only newlines are the blank lines' pairs (counting "\n" takes
    0.8 us, "\n\n" 2)."""
    if not body_text:
        return 0
    return body_text.count(" ") + body_text.count("\n") // 2 + 1


def _unique(values: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        text = " ".join(str(value).split())
        if text and text not in seen:
            seen[text] = None
    return tuple(seen)


def _first_words(text: str, limit: int = 12) -> str:
    words = text.split()
    return " ".join(words[:limit]) + (" ..." if len(words) > limit else "")
