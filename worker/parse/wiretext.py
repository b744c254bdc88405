"""What the two plain-text wire formats share: control characters, take keys, datelines, identity.

ANPA 1312 (AP and its heirs) and IPTC 7901 (dpa and the European agencies) are teletype
formats: a header line after SOH, the text between STX and ETX, a trailer after ETX. Both say
what a transmission is with a free-text *take key* ("1stLd-Writethru", "2ND LEAD", "Correction",
"Kill", "Elimination", "REFILE", "Eil") rather than with fields, so this module reads those words
once for both formats and maps them onto the SPEC vocabulary:

| take key | signals | version | pubstatus |
| --- | --- | --- | --- |
| `1stLd`, `2ndLd-Writethru`, `3RD LEAD`, `1st Ld` | update | 1, 2, 3 | usable |
| `Writethru`, `Refile`, `Update`, `Sub`, `Adds`, `1stAdd` | update | - | usable |
| `Correction`, `Corrected`, `Corrects`, `Korrektur`, `Berichtigung` | correction | - | usable |
| `Kill`, `Elimination`, `Eliminate`, `Withdrawal`, `Annulliert` | kill | - | canceled |
| `Withhold` | - | - | withheld |
| `Advisory`, `Budget`, `Note to editors` | advisory | - | usable |
| `Flash`, `Bulletin`, `URGENT`, `APNewsAlert`, `Eil`, `Blitz` | breaking | - | usable |

An "Add" (1stAdd) carries only the paragraphs added to the story; it is stored as a version of
the story like any update, which is a known limit: its body replaces the previous take's.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from worker.normalize.hashing import normalize_words

SOH, STX, ETX, EOT, SYN = "\x01", "\x02", "\x03", "\x04", "\x16"
#: control characters that are transport, never text
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

_ORDINAL = r"(?P<n>\d{1,2})\s*(?:st|nd|rd|th)"
_LEAD = re.compile(_ORDINAL + r"[\s-]*(?:Ld|Lead)\b", re.IGNORECASE)
_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("kill", re.compile(r"\b(?:kill|killed|elimination|eliminate|withdrawal|withdrawn|"
                        r"annull\w*|storniert|stornierung)\b", re.IGNORECASE)),
    ("withheld", re.compile(r"\bwithhold\b", re.IGNORECASE)),
    ("correction", re.compile(r"\b(?:correction|corrected|corrects|corr|korrektur|"
                              r"berichtigung|berichtigt)\b", re.IGNORECASE)),
    ("update", re.compile(r"(?:write-?thru|\brefiled?\b|\bupdate[ds]?\b|\bsub\b|\d(?:st|nd|rd|th)"
                          r"[\s-]*add\b|\badds?\b|\bneufassung\b|\bzusammenfassung\b)",
                          re.IGNORECASE)),
    ("advisory", re.compile(r"\b(?:advisory|budget|note to editors|hinweis)\b", re.IGNORECASE)),
    ("breaking", re.compile(r"\b(?:flash|bulletin|urgent|apnewsalert|eil|eilmeldung|blitz)\b",
                            re.IGNORECASE)),
)
#: a lead "Place (Agency) - " (7901) or "PLACE, State (AP) _ " (ANPA): the place is the dateline
_DATELINE = re.compile(
    r"^\s*(?P<place>[^\W\d_][^()\n]{0,60}?)\s*\((?P<agency>[A-Za-z][\w./ &-]{0,30})\)"
    r"\s*(?:[-_\u2013\u2014]{1,2}|:)\s+"
)


@dataclass(frozen=True)
class TakeKey:
    """What a take key states, in SPEC terms."""

    signals: tuple[str, ...] = ()
    version: int | None = None
    pubstatus: str | None = None


def read_take_key(*keys: str | None) -> TakeKey:
    """Map take-key words ("2ndLd-Writethru", "KORREKTUR", "Kill") to signals/version/status."""
    text = " ".join(k for k in keys if k)
    signals: list[str] = []
    version = None
    pubstatus = None
    if lead := _LEAD.search(text):
        version = int(lead.group("n"))
        signals.append("update")
    for signal, pattern in _WORDS:
        if not pattern.search(text):
            continue
        if signal == "kill":
            pubstatus = "canceled"
        elif signal == "withheld":
            pubstatus = pubstatus or "withheld"
            continue
        if signal not in signals:
            signals.append(signal)
    return TakeKey(tuple(signals), version, pubstatus)


def split_dateline(paragraph: str) -> tuple[str | None, str | None]:
    """The place and agency of a lead "BERLIN (dpa) - ..." / "ROSCOE, S.D. (AP) _ ...", or Nones."""
    match = _DATELINE.match(paragraph[:160])
    if not match:
        return None, None
    place = match.group("place").strip(" ,")
    if len(place.split()) > 6:
        return None, None
    return place, match.group("agency").strip()


def clean_line(line: str) -> str:
    """A text line without transport control characters, trailing blanks or a CR."""
    return CONTROL.sub("", line).rstrip()


def paragraphs_to_html(paragraphs: list[str]) -> str:
    """Paragraph strings as `<p>` elements (escaped; normalize sanitizes anyway)."""
    import html

    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs if p.strip())


def story_guid(scheme: str, *parts: str | None) -> str:
    """A stable story id `urn:<scheme>:<part>:...` from stable header fields.

    Each part is reduced to its words (case-folded, whitespace collapsed) and spaces become
    `-`, so a re-keyed or re-spaced re-delivery keeps its id; empty parts are skipped.
    """
    cleaned = []
    for part in parts:
        words = normalize_words(part or "")
        if words:
            cleaned.append(re.sub(r"[^\w.\-/]+", "-", words).strip("-"))
    return ":".join(["urn", scheme, *cleaned])


def short_digest(text: str, length: int = 12) -> str:
    """Hex digest of the words of a text (case, spacing and markup insensitive)."""
    return hashlib.sha256(normalize_words(text).encode("utf-8")).hexdigest()[:length]
