"""ANPA 1312 teletype wires (AP and the agencies that copied its format).

Shape (control characters written as names):

    SYN SYN SOH W2607 US asian                     service level, transmission number, selectors
    r a DC3 DC1 BC-US--Ethanol-LosingGra 1stLd-Writethru   11-13 1693
    STX ^BC-US--Ethanol-Losing Grassland, 1st Ld-Writethru,1140<       slug, take key, words
    ^Prairies vanish in the US push for green energy<                   headline
    ^AP Photo ...< / ^Eds: ...< / ^<summary>< / ^EDITOR'S NOTE ...<     editors' lines (dropped)
    ^By CHET BROKAW and JACK GILLUM=                                   byline ("=" ends it)
    ^Associated Press=                                                  byline title (dropped)
    TAB   ROSCOE, South Dakota (AP) _ Robert Malsam ...                 a paragraph per tab indent
    TAB   ETX AP-WF-11-13-13 0745GMT<  FF EOT                            trailer: agency, date, time

Mapping: priority letter -> urgency (`anpa_urgency`; flash and bulletin also signal `breaking`);
category letter -> subjects (as given); slug -> slugline; take key (header and slug line) ->
signals, version, pubstatus (`worker.normalize.signals.signals_in_words`: "2ndLd-Writethru" is version 2, "Kill"
and "Elimination" cancel); "By" line -> byline; the lead's "PLACE (AP) _ " -> dateline; the
trailer -> version_created (GMT; another zone abbreviation is passed on) and the agency ->
credits and provider. AP's 7-bit typography is undone: " _ " is a dash, ``...'' are quotes.

Identity: Superdesk gives every ANPA take a random guid, so write-thrus never meet. Here the
guid is `urn:anpa:<agency>:<yyyy-mm-dd>:<keyword>`: the header keyword (AP's condensed slug,
the same across takes and write-thrus) without its cycle prefix (AM-/PM-/BC-), and the header's
story date with the trailer's year. Never the transmission number (W2607: per delivery) nor the
take key. Limits: a write-thru that moves after midnight under a new header date, or that
changes its keyword, starts a new story (near-duplicate clustering joins it to the first); a
take without a trailer has no year in its key; two stories on the same day under the same
keyword are taken as one story (AP keys are unique per day, by design of the format).
"""

from __future__ import annotations

import re
from typing import Any

from worker.errors import DocumentError
from worker.model import Document, ItemData, ParsedDocument
from worker.normalize.dateline import lead_dateline
from worker.normalize.signals import signals_in_words
from worker.normalize.urgency import BREAKING_MAX_URGENCY, anpa_urgency
from worker.parse.wiretext import (
    ETX,
    STX,
    clean_line,
    paragraphs_to_html,
    story_guid,
)

NAME = "anpa"
FAMILY = "text"

_START = re.compile(r"^\s*\x16*\x01")
#: "r a DC3 DC1 BC-US--Ethanol-LosingGra 1stLd-Writethru   11-13 1693"
_HEADER = re.compile(
    r"^(?P<prio>[A-Za-z]) (?P<cat>[A-Za-z])[\x13\x14][\x11\x12] ?(?P<rest>[^\n]*)$", re.MULTILINE
)
_HEADER_REST = re.compile(
    r"^(?P<keyword>\S+)(?P<take>.*?)\s+(?P<mm>\d{1,2})-(?P<dd>\d{1,2})\s+(?P<words>\d{1,5})\s*$"
)
#: "^BC-US--Ethanol-Losing Grassland, 1st Ld-Writethru,1140<"
_SLUG_LINE = re.compile(r"^(?P<slug>[^,]+?)(?:,(?P<take>[^,]*))?,\s*(?P<words>\d{1,5})\s*$")
#: "AP-WF-11-13-13 0745GMT"
_TRAILER = re.compile(
    r"(?P<agency>[A-Za-z]{2,6})-(?P<desk>[A-Za-z]{1,4})-(?P<mm>\d{2})-(?P<dd>\d{2})-(?P<yy>\d{2})"
    r"\s+(?P<hh>\d{2})(?P<mi>\d{2})\s*(?P<tz>[A-Z]{2,4})?"
)
_CYCLE = re.compile(r"^(?:AM|PM|BC)-", re.IGNORECASE)
_EDITORS = re.compile(
    r"^\(?(?:AP Photos?|Eds?:|EDITOR'?S NOTE|Editor'?s Note|With )", re.IGNORECASE
)
_RULE = re.compile(r"^[_\-=*. ]+$")


def matches(decoded: Any) -> bool:
    text = decoded.text or ""
    return bool(_START.match(text)) and _HEADER.search(text[:600]) is not None


def parse(document: Document, decoded: Any) -> ParsedDocument:
    """The one story of an ANPA 1312 transmission."""
    text = (decoded.text or "").replace("\r\n", "\n").replace("\r", "\n")
    header = _HEADER.search(text[: text.find(STX)] if STX in text else text[:600])
    if header is None:
        raise DocumentError(document.name, "no ANPA header line (priority, category, keyword)",
                            NAME)
    rest = header.group("rest").strip()
    fields = _HEADER_REST.match(rest)
    keyword = fields.group("keyword") if fields else (rest.split() or [""])[0]
    take = fields.group("take").strip() if fields else rest[len(keyword):].strip()

    start = text.find(STX, header.end())
    end = text.find(ETX, start + 1) if start != -1 else -1
    body = text[start + 1: end if end != -1 else len(text)] if start != -1 else ""
    trailer = _TRAILER.search(text[end:]) if end != -1 else None
    story = _read_body(body)
    if not story["headline"] and not story["paragraphs"]:
        raise DocumentError(document.name, "ANPA transmission without text between STX and ETX",
                            NAME)

    urgency = anpa_urgency(header.group("prio"))
    state = signals_in_words(take, story["take"])
    signals = list(state.signals)
    if (urgency is not None and urgency <= BREAKING_MAX_URGENCY and "breaking" not in signals
            and state.pubstatus is None):  # a kill moves at bulletin priority: not news
        signals.append("breaking")
    place, lead_agency = lead_dateline(story["paragraphs"][0]) if story["paragraphs"] else (
        None, None)
    agency = trailer.group("agency") if trailer else lead_agency
    item = ItemData(
        guid=story_guid("anpa", agency or "anpa", _story_date(fields, trailer),
                        _CYCLE.sub("", keyword)),
        version=state.version,
        version_created=_trailer_time(trailer),
        pubstatus=state.pubstatus,
        urgency=urgency,
        signals=tuple(signals),
        headline=story["headline"] or story["slug"] or keyword,
        slugline=story["slug"] or keyword or None,
        byline=story["byline"],
        dateline=place,
        body_html=paragraphs_to_html(story["paragraphs"]),
        subjects=(header.group("cat"),),
        credits=(agency,) if agency else (),
        provider=agency.lower() if agency else None,
        ref=keyword or None,
    )
    return ParsedDocument(NAME, (item,))


def _read_body(body: str) -> dict[str, Any]:
    """Slug line, headline, byline and paragraphs of the text between STX and ETX."""
    story: dict[str, Any] = {"slug": None, "take": None, "headline": None, "byline": None,
                             "paragraphs": []}
    paragraphs: list[str] = story["paragraphs"]
    current: list[str] = []
    after_byline = False

    def close() -> None:
        if current:
            paragraphs.append(typography(" ".join(current)))
            current.clear()

    for raw in body.split("\n"):
        line = clean_line(raw.replace("\t", "    "))
        stripped = line.strip()
        if stripped.startswith("^"):
            close()
            content = stripped[1:].rstrip("<=> ").strip()
            ends_byline = stripped.rstrip().endswith("=")
            if story["slug"] is None and story["headline"] is None and (
                    slug := _SLUG_LINE.match(content)):
                story["slug"], story["take"] = slug.group("slug").strip(), slug.group("take")
            elif re.match(r"^By\s", content, re.IGNORECASE) and story["byline"] is None:
                story["byline"] = typography(content)
                after_byline = ends_byline
            elif after_byline and ends_byline:
                continue  # the byline's title ("Associated Press", "AP Sports Writer")
            elif story["headline"] is None and content and not _EDITORS.match(content):
                story["headline"] = typography(content)
            continue
        if not stripped or _RULE.match(stripped):
            close()
            continue
        if raw.startswith(("\t", "   ")) and current:
            close()
        current.append(stripped)
    close()
    return story


def typography(text: str) -> str:
    """AP's 7-bit typography as text: " _ " is a dash, ``...'' are double quotes."""
    text = re.sub(r"(?<=\s)_(?=\s)", "\u2014", text)
    return text.replace("``", "\u201c").replace("''", "\u201d")


def _story_date(fields: re.Match[str] | None, trailer: re.Match[str] | None) -> str | None:
    if fields is None:
        return None
    month, day = int(fields.group("mm")), int(fields.group("dd"))
    if trailer is None:
        return f"{month:02d}-{day:02d}"
    year = _year(trailer.group("yy"))
    if month == 12 and int(trailer.group("mm")) == 1:
        year -= 1  # a December story whose take moved in January
    return f"{year:04d}-{month:02d}-{day:02d}"


def _trailer_time(trailer: re.Match[str] | None) -> str | None:
    if trailer is None:
        return None
    g = trailer.groupdict()
    stamp = f"{_year(g['yy']):04d}-{g['mm']}-{g['dd']}T{g['hh']}:{g['mi']}:00"
    zone = (g["tz"] or "").upper()
    if zone in ("GMT", "UTC", "UT", "Z"):
        return stamp + "Z"
    return f"{stamp} {zone}" if zone else stamp


def _year(two_digits: str) -> int:
    number = int(two_digits)
    return 2000 + number if number < 70 else 1900 + number
