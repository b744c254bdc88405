"""IPTC 7901 plain-text wires (dpa and the European agencies).

Shape (dpa's flavour; control characters written as names):

    SOH eca0003 3 i 380  dpa 0045          service+number, priority, desk, words, agency+number
    Switzerland/migration/UN/               keyword line(s) ("/"-separated)
    STX REFILE                              take-key lines ("REFILE", "1ST LEAD", "EXTRA", "(Eil)")
    1ST LEAD
    Switzerland joins list of countries ... headline
    By dpa correspondents =                 byline; " =" closes the header block
    Geneva (dpa) - Switzerland is ...       paragraphs, hard-wrapped at ~69 columns
    # Notebook / * * * * / The following information is not for publication   (dropped)
    dpa al rmo                              sign-off initials (dropped)
    ETX 212322 GMT Nov 18                   trailer: day, hour, minute, [zone], month, year

Mapping: priority digit -> urgency as is (1 flash .. 6; 1 and 2 also signal `breaking`); desk
(Ressort) -> subjects as given; keyword line -> slugline (as written, without the closing "/")
and keywords (its parts); take-key lines -> signals, version and pubstatus
(`worker.normalize.signals.signals_in_words`: "2ND LEAD" is version 2, "KORREKTUR" a correction, "Kill"
cancels); "By"/"Von" line -> byline; the lead's "Place (dpa) - " -> dateline and credits; the
trailer -> version_created (GMT/UTC/MEZ/MESZ honoured, no zone is left to the feed's zone;
German month abbreviations read). The notebook, the not-for-publication block and the sign-off
are editors' material, not body.

Identity: the header's numbers (DLFD, ALFD) count transmissions, and the keyword line is a
subject path shared by many stories of a day ("Germany/politics/"), so neither identifies a
story. The guid is `urn:iptc7901:<agency>:<yyyy-mm-dd>:<keyword line>:<headline digest>`: the
agency, the trailer's day, the keyword line and a digest of the headline's words (take-key lines
excluded). A re-delivery (another transmission number, another service, a REFILE with the same
headline) is the same story, so a no-op; a "1ST LEAD" keeping its headline is version 1 of it.
Limits: a write-thru that rewrites its headline, or moves on another day, is a new story (the
near-duplicate clustering joins it to the first: a split costs less than a wrong merge, which
would hide a story); a document without a trailer has no day in its key.
"""

from __future__ import annotations

import re
from typing import Any

from worker.errors import DocumentError
from worker.model import Document, ItemData, ParsedDocument
from worker.normalize.dateline import lead_dateline
from worker.normalize.signals import signals_in_words
from worker.normalize.urgency import BREAKING_MAX_URGENCY, iptc_urgency
from worker.parse.wiretext import (
    ETX,
    STX,
    clean_line,
    paragraphs_to_html,
    short_digest,
    story_guid,
)

NAME = "iptc7901"
FAMILY = "text"

#: "SOH eca062 4 i 211 ccccb   dpa 061"
_HEADER = re.compile(
    r"^\s*\x01(?P<service>[A-Za-z]{1,4})(?P<number>\d{1,5})\s+(?P<prio>\d)\s+"
    r"(?P<desk>[A-Za-z]{1,3})\s+(?P<words>\d{1,6})\b(?P<rest>[^\n]*)"
)
_AGENCY = re.compile(r"(?P<agency>[A-Za-z][\w-]{1,15})\s+\d{1,5}\b")
#: "212322 GMT Nov 18", "251037 Sep 24"
_TRAILER = re.compile(
    r"(?P<dd>\d{2})(?P<hh>\d{2})(?P<mi>\d{2})\s*(?P<tz>GMT|UTC|MEZ|MESZ|CET|CEST)?\s*"
    r"(?P<mon>[^\W\d_]{3,4})\.?\s+(?P<yy>\d{2}|\d{4})\b"
)
MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "mär": 3, "mrz": 3, "apr": 4, "may": 5, "mai": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12, "dez": 12,
}
_ZONES = {"GMT": "Z", "UTC": "Z", "MEZ": "+01:00", "CET": "+01:00", "MESZ": "+02:00",
          "CEST": "+02:00"}
_TAKE_LINE = re.compile(
    r"^\(?\s*(?:REFILE|EXTRA|URGENT|FLASH|BULLETIN|EIL\w*|BLITZ|KORREKTUR|BERICHTIGUNG|"
    r"CORRECTION|CORRECTED|KILL|ELIMINATION|WITHDRAWAL|ADVISORY|UPDATE|ZUSAMMENFASSUNG|"
    r"NEUFASSUNG|\d{1,2}\s*(?:ST|ND|RD|TH)\s+(?:LEAD|LD|ADD)|WRITETHRU|WRITE-THRU)\b[^\n]{0,20}$",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(?:By|Von|Par|Por|Di)\s+\S", re.IGNORECASE)
_NOTE_LINE = re.compile(r"^\((?:Foto|Photo|Grafik|Graphic|Video|Audio)\b.*\)$", re.IGNORECASE)
_END_OF_TEXT = re.compile(
    r"^(?:#\s|\*\s\*\s\*|The following information is not (?:intended )?for publication|"
    r"Die folgenden Informationen sind nicht zur Ver\w+ bestimmt)", re.IGNORECASE
)
_SIGN_OFF = re.compile(r"^[a-z][\w-]{1,10}(?: [a-z0-9]{1,6}){1,8}$")


def matches(decoded: Any) -> bool:
    text = decoded.text or ""
    return _HEADER.match(text) is not None and STX in text


def parse(document: Document, decoded: Any) -> ParsedDocument:
    """The one story of an IPTC 7901 transmission."""
    text = (decoded.text or "").replace("\r\n", "\n").replace("\r", "\n")
    header = _HEADER.match(text)
    start = text.find(STX)
    if header is None or start == -1:
        raise DocumentError(document.name, "no IPTC 7901 header line or no STX", NAME)
    end = text.find(ETX, start + 1)
    agency_match = _AGENCY.search(header.group("rest"))
    agency = agency_match.group("agency") if agency_match else None
    keyword_lines = [clean_line(line).strip() for line in text[header.end(): start].split("\n")]
    slug = " ".join(line for line in keyword_lines if line).strip().rstrip("/").strip() or None

    head, takes, byline, body_lines = _read_header_block(
        text[start + 1: end if end != -1 else len(text)].split("\n"))
    paragraphs = _paragraphs(body_lines)
    headline = " ".join(head)
    if not headline and not paragraphs:
        raise DocumentError(document.name, "IPTC 7901 transmission without text", NAME)
    trailer = _TRAILER.search(text[end:]) if end != -1 else None
    created, day = _trailer_time(trailer)

    urgency = iptc_urgency(header.group("prio"))
    state = signals_in_words(*takes)
    signals = list(state.signals)
    if (urgency is not None and urgency <= BREAKING_MAX_URGENCY and "breaking" not in signals
            and state.pubstatus is None):  # a kill moves at bulletin priority: not news
        signals.append("breaking")
    place, lead_agency = None, None
    for paragraph in paragraphs[:3]:
        place, lead_agency = lead_dateline(paragraph)
        if place:
            break
    credits = tuple(p.strip() for p in (lead_agency or agency or "").split("/") if p.strip())
    item = ItemData(
        guid=story_guid("iptc7901", agency or "iptc7901", day, slug,
                        short_digest(headline) if headline else None),
        version=state.version,
        version_created=created,
        pubstatus=state.pubstatus,
        urgency=urgency,
        signals=tuple(signals),
        headline=headline or None,
        slugline=slug,
        byline=byline,
        dateline=place,
        body_html=paragraphs_to_html(paragraphs),
        subjects=(header.group("desk"),),
        keywords=tuple(p.strip() for p in (slug or "").split("/") if p.strip()),
        credits=credits,
        provider=agency.split("-")[0].lower() if agency else None,
        ref=headline[:60] or slug,
    )
    return ParsedDocument(NAME, (item,))


def _read_header_block(lines: list[str]) -> tuple[list[str], list[str], str | None, list[str]]:
    """Headline lines, take-key lines and byline up to the " =" line; the rest is body."""
    cleaned = [clean_line(line) for line in lines]
    close = next((i for i, line in enumerate(cleaned[:12]) if line.rstrip().endswith("=")), None)
    if close is None:  # no " =": the first non-empty line is the headline
        close = next((i for i, line in enumerate(cleaned) if line.strip()), len(cleaned))
    head: list[str] = []
    takes: list[str] = []
    byline = None
    for line in cleaned[: close + 1]:
        line = line.strip().removesuffix("=").strip()
        if not line:
            continue
        if _TAKE_LINE.match(line):
            takes.append(line.strip("() "))
        elif _BYLINE.match(line) and head:
            byline = line
        elif _NOTE_LINE.match(line) and head:
            continue
        else:
            head.append(line)
    return head, takes, byline, cleaned[close + 1:]


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line or indent separated paragraphs, unwrapped, up to the editors' notes."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if _END_OF_TEXT.match(line.strip()):
            break
        if not line.strip() or (line.startswith(("   ", "\t")) and current):
            if current:
                paragraphs.append(_unwrap(current))
                current = []
            if not line.strip():
                continue
        current.append(line.strip())
    if current:
        paragraphs.append(_unwrap(current))
    if paragraphs and _SIGN_OFF.match(paragraphs[-1]):
        paragraphs.pop()  # "dpa wsz jln npr": the editors' initials
    return paragraphs


def _unwrap(lines: list[str]) -> str:
    """Hard-wrapped lines as one paragraph; a word broken after its hyphen is joined again."""
    text = lines[0]
    for line in lines[1:]:
        joiner = "" if re.search(r"[^\W\d_]-$", text) and line[:1].isalpha() else " "
        text += joiner + line
    return text


def _trailer_time(trailer: re.Match[str] | None) -> tuple[str | None, str | None]:
    """The trailer as a timestamp string and its day (yyyy-mm-dd), or Nones."""
    if trailer is None:
        return None, None
    g = trailer.groupdict()
    month = MONTHS.get(g["mon"].lower()[:3]) or MONTHS.get(g["mon"].lower())
    if month is None:
        return None, None
    year = int(g["yy"]) if len(g["yy"]) == 4 else 2000 + int(g["yy"])
    day = f"{year:04d}-{month:02d}-{g['dd']}"
    zone = _ZONES.get((g["tz"] or "").upper(), "")
    return f"{day}T{g['hh']}:{g['mi']}:00{zone}", day
