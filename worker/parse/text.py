"""Aggregator plain text, as in the seed story (`../shared/seeds/`).

Shape, top to bottom:

    Headline line
    By <byline> Updated at 2017-10-14 21:41:42 +0000     (either part optional)
    BEIRUT — Lead paragraph ...                            (dateline from the lead)
    Paragraph ...
    Crosshead line                                        (short, no closing punctuation)
    Paragraph ...
    Reuters, AP, dpa                                       (closing credit line -> credits)

Every non-empty line of the body is one paragraph (aggregators lose paragraph markup and keep
one line per paragraph). A crosshead becomes `<h2>`. The closing credit line is taken out of
the body into `credits` when each of its parts is a short name and one of them is a known agency.
There is no id in this format: the guid is the SPEC digest of the headline (normalize makes it).
"""

from __future__ import annotations

import html
import re
from typing import Any

from worker.errors import DocumentError
from worker.model import Document, ItemData, ParsedDocument

NAME = "text"
FAMILY = "text"

KNOWN_AGENCIES = {
    "reuters", "ap", "the associated press", "associated press", "afp", "agence france-presse",
    "dpa", "deutsche presse-agentur", "ansa", "efe", "pa", "pa media", "aap", "xinhua", "kyodo",
    "bloomberg", "upi", "tass", "ria novosti", "ntb", "tt", "anp", "apa", "belga", "sda", "ats",
    "ctk", "pap", "epa", "kna", "yonhap", "ani", "pti", "ians", "cp", "the canadian press",
    "europa press", "lusa", "ana-mpa", "stt", "ritzau", "dts", "reuters tv",
}
_META = re.compile(
    r"^(?:By\s+(?P<by>.+?))?\s*(?:(?:Updated|Published|Posted)(?:\s+(?:at|on))?:?\s+(?P<ts>.+?))?\s*$",
    re.IGNORECASE,
)
_CLOSING = ('.', '!', '?', ':', ';', '"', '\u201d', '\u2019', "'", ')', ',', '\u2026')
CROSSHEAD_MAX_WORDS = 10


def matches(decoded: Any) -> bool:
    return bool(decoded.text and decoded.text.strip())


def parse(document: Document, decoded: Any) -> ParsedDocument:
    """The one story of an aggregator text document."""
    text = decoded.text if decoded.text is not None else document.content.decode("utf-8", "replace")
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise DocumentError(document.name, "empty text document", NAME)
    headline, rest = lines[0], lines[1:]
    byline = created = None
    if rest and (meta := _META.match(rest[0])) and (meta.group("by") or meta.group("ts")):
        byline, created = meta.group("by"), meta.group("ts")
        rest = rest[1:]
    credits: tuple[str, ...] = ()
    if len(rest) > 1 and (names := credit_names(rest[-1])):
        credits, rest = names, rest[:-1]
    paragraphs = []
    for number, line in enumerate(rest):
        tag = "h2" if number and number < len(rest) - 1 and is_crosshead(line) else "p"
        paragraphs.append(f"<{tag}>{html.escape(line, quote=False)}</{tag}>")
    item = ItemData(
        version_created=created,
        headline=headline,
        byline=byline,
        body_html="".join(paragraphs),
        credits=credits,
        ref=headline[:60],
    )
    return ParsedDocument(NAME, (item,))


def is_crosshead(line: str) -> bool:
    """A short title-like line between paragraphs: few words, no closing punctuation."""
    words = line.split()
    return (
        0 < len(words) <= CROSSHEAD_MAX_WORDS
        and not line.endswith(_CLOSING)
        and line[0].isupper()
    )


def credit_names(line: str) -> tuple[str, ...]:
    """The agencies of a closing credit line ("Reuters, AP, dpa"), or () if it is not one."""
    if len(line) > 80 or line.endswith((".", "!", "?")):
        return ()
    parts = [p.strip() for p in re.split(r",|;|/|&|\band\b|\bwith\b", line) if p.strip()]
    if not parts or any(len(p.split()) > 3 for p in parts):
        return ()
    if not any(p.lower().strip("()") in KNOWN_AGENCIES for p in parts):
        return ()
    return tuple(p.strip("()") for p in parts)
