"""Urgency scales of the wire formats, mapped onto IPTC urgency 1 (flash) .. 9 (least).

| format | its scale | mapping |
| --- | --- | --- |
| NewsML-G2, ninjs, dpa | IPTC 1..9 | as is |
| NITF `ed-urg`, AP Media API | 1 (most) .. 8 (least), 5 normal | as is (1..8 is a subset of 1..9) |
| ANPA 1312 priority letters | f flash, b bulletin, u urgent, r regular, d deferred, ... | see ANPA_PRIORITY |
| IPTC 7901 priority digit | 1 flash .. 6 (7901 uses 1..6; 4 normal) | as is |

Values outside 1..9 are clamped; non-numbers are unknown (None).
"""

from __future__ import annotations

#: ANPA 1312 priority codes (AP's usage): flash, bulletin, urgent, regular, deferred,
#: and the lower ones used for advisories, sports and features.
ANPA_PRIORITY = {"f": 1, "b": 2, "u": 3, "r": 5, "d": 6, "s": 7, "a": 5, "w": 7}

#: urgency at or below which an item counts as breaking news
BREAKING_MAX_URGENCY = 2


def iptc_urgency(value: object) -> int | None:
    """A number-like value on a 1..9 scale, clamped; None when it is not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return min(max(number, 1), 9)


def anpa_urgency(letter: str | None) -> int | None:
    """ANPA 1312 priority letter -> IPTC urgency."""
    if not letter:
        return None
    return ANPA_PRIORITY.get(letter.strip().lower()[:1])
