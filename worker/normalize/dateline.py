"""Datelines: the place a story was filed from, as written, in every form wires give it.

Two forms, one reader each, for every format:

- a dateline field (`place_of`): NewsML-G2 `dateline`, dpa `dateline`, ... written as
  `London (dpa) - `, `ANSA - ROMA, 01 LUG -`, `MADRID, 21 Nov. 2024`; Reuters writes a bare
  timestamp there, which is no place;
- a dateline written into the lead (`lead_dateline`): `BEIRUT (Reuters) - ...`,
  `NEW YORK, Oct 14 (AP) — ...`, `ROSCOE, S.D. (AP) _ ...` (ANPA), `Berlin (dpa) - ...`
  (IPTC 7901), or an all-capitals place before a dash without a credit (`BEIRUT — ...`).

SPEC "The normalized story": `dateline` is the place only.
"""

from __future__ import annotations

import re

#: a date after the place: ", 21 Nov. 2024", ", Oct 14", ", 01 LUG"
_TRAILING_DATE = re.compile(
    r",\s*(?:\d{1,2}\.?\s+[A-Za-z]{3,9}\.?|[A-Za-z]{3,9}\.?\s+\d{1,2})(?:,?\s+\d{4})?$")
_TIMESTAMP = re.compile(r"\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}")
_TWO_LETTERS = re.compile(r"[^\W\d_]{2}")
_DASHES = " ,-\u2013\u2014:"
#: a lead "Place (Agency) - " (7901, dpa), "PLACE, State (AP) _ " (ANPA), "PLACE, Oct 14 (AP) — "
_LEAD_CREDITED = re.compile(
    r"^\s*(?P<place>[^\W\d_][^()\n]{0,60}?)\s*\((?P<agency>[A-Za-z][\w./ &-]{0,30})\)"
    r"\s*(?:[-_\u2013\u2014]{1,2}|:)\s+"
)
#: a lead "BEIRUT — " or "NEW YORK, Oct 14 (AP) — ": without a credit, only a place in
#: capitals counts
_LEAD_PLACE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Za-z\u00C0-\u024F.'\- ]{1,40}?(?:, [A-Z][A-Za-z.' ]{1,30})?)"
    r"(?:,\s*(?:[A-Z][a-z]{2,8}\.? \d{1,2})?)?\s*"
    r"(?:\((?P<agency>[A-Za-z][\w .&-]{0,30})\)\s*)?[\u2014\u2013-]{1,2}\s+"
)
#: a place of more words than this is a sentence, not a dateline
MAX_PLACE_WORDS = 6


def place_of(dateline: str | None) -> str | None:
    """The place of a dateline field: `London (dpa) - ` -> `London`, `ANSA - ROMA, 01 LUG -`
    -> `ROMA`, `MADRID, 21 Nov. 2024` -> `MADRID`; a bare timestamp -> None."""
    if not dateline:
        return None
    place = " ".join(dateline.split("(", 1)[0].split()).strip(_DASHES)
    place = _TRAILING_DATE.sub("", place)
    if " - " in place:
        place = place.rsplit(" - ", 1)[1]
    head, comma, rest = place.partition(",")
    if comma and any(ch.isdigit() for ch in rest):
        place = head  # "Berlin, 12.03.2024": the date is not the place
    place = place.strip(_DASHES)
    if not place or _TIMESTAMP.search(place) or not _TWO_LETTERS.search(place):
        return None
    return place


def lead_dateline(paragraph: str) -> tuple[str | None, str | None]:
    """(place, agency) of a dateline opening a lead paragraph, or (None, None)."""
    head = paragraph[:160]
    match = _LEAD_CREDITED.match(head)
    if match:
        place = _TRAILING_DATE.sub("", match.group("place").strip(" ,")).strip(" ,")
        # a place has no digits ("Jan 3 (OPTA) - " is a date) and is not a sentence
        if place and not any(c.isdigit() for c in place) and len(place.split()) <= MAX_PLACE_WORDS:
            return place, match.group("agency").strip()
        return None, None
    match = _LEAD_PLACE.match(head)
    if match:
        place = match.group("place").strip(" ,")
        if place.isupper():
            return place, None
    return None, None
