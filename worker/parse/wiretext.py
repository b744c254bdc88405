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

from worker.normalize.hashing import normalize_words

SOH, STX, ETX, EOT, SYN = "\x01", "\x02", "\x03", "\x04", "\x16"
#: control characters that are transport, never text
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

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
